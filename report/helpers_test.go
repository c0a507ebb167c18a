package report

import (
	"time"

	"github.com/gobuildj/gobuildj/event"
)

// at is a moment of the synthetic build below, ms milliseconds in.
func at(ms int) time.Time {
	return time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC).Add(time.Duration(ms) * time.Millisecond)
}

var testMeta = Meta{Buildfile: "examples/c/Buildfile.toml", Folder: "examples/c", Args: []string{"-C", "examples/c", "-k"}, Jobs: 2}

// recordBuild returns what a Recorder keeps of a -j2 -k build on two
// workers: lib.o and main.o compile, util.o fails with a compiler error,
// lib.a waits for lib.o, app is blocked by util.o, docs is up to date, and
// version is cut off.
func recordBuild() *Build {
	r := NewRecorder()
	var s event.Listener = r
	s.Planned(5)
	s.Skipped(event.Skip{Target: "docs", Description: "DOCS", Kind: event.SkipUpToDate, Why: "inputs, commands and outputs unchanged since its last run"})
	s.Started(event.Start{Target: "lib.o", Description: "CC lib.o", Reason: event.Reason{Kind: event.NoPreviousRun}, Worker: 101, Time: at(10), Running: 1, Ready: 2})
	s.Started(event.Start{Target: "main.o", Description: "CC main.o", Reason: event.Reason{Kind: event.NoPreviousRun}, Worker: 102, Time: at(11), Running: 2, Ready: 1})
	s.Finished(event.Finish{Target: "lib.o", Description: "CC lib.o", OK: true, Reason: event.Reason{Kind: event.NoPreviousRun},
		Output: []byte("lib.c:2:5: warning: unused <x> & \x1b[1mbold\x1b[0m\n"),
		Worker: 101, Queued: at(5), Start: at(10), End: at(200), Running: 1, Ready: 1})
	s.Started(event.Start{Target: "util.o", Description: "CC util.o", Reason: event.Because(event.InputChanged, "util.c"), Worker: 101, Time: at(201), Running: 2, Ready: 1})
	s.Finished(event.Finish{Target: "main.o", Description: "CC main.o", OK: true, Reason: event.Reason{Kind: event.NoPreviousRun},
		Worker: 102, Queued: at(5), Start: at(11), End: at(300), Running: 1, Ready: 1})
	s.Started(event.Start{Target: "lib.a", Description: "AR lib.a", Reason: event.Reason{Kind: event.NoPreviousRun}, Worker: 102, Time: at(301), Running: 2})
	s.Finished(event.Finish{Target: "util.o", Description: "CC util.o", OK: false, Reason: event.Because(event.InputChanged, "util.c"),
		Cmd: "cc -c util.c -o util.o", Why: "exit code 1", Output: []byte("util.c:3:1: error: expected ';'\n"),
		Worker: 101, Queued: at(5), Start: at(201), End: at(350), Running: 1})
	s.Skipped(event.Skip{Target: "app", Description: "LINK app", Kind: event.SkipBlocked, Why: "dep util.o failed"})
	s.Skipped(event.Skip{Target: "version", Description: "GEN version.h", Kind: event.SkipCutoff, Why: "its deps were rebuilt with identical outputs"})
	s.Finished(event.Finish{Target: "lib.a", Description: "AR lib.a", OK: true, Reason: event.Reason{Kind: event.NoPreviousRun}, Deps: []string{"lib.o"},
		Worker: 102, Queued: at(200), Start: at(301), End: at(420)})
	s.Done(event.Summary{Run: 3, UpToDate: 2, Failed: 1, NotRun: 1, Start: at(0), Wall: 430 * time.Millisecond})
	return r.Build()
}
