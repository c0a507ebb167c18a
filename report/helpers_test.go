package report

import (
	"time"

	"github.com/gobuildj/gobuildj/engine"
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
	var s engine.Status = r
	s.Planned(5)
	s.Skipped(engine.SkipEvent{Target: "docs", Description: "DOCS", Kind: engine.SkipUpToDate, Why: "inputs, commands and outputs unchanged since its last run"})
	s.Started(engine.StartEvent{Target: "lib.o", Description: "CC lib.o", Reason: "no previous run", Worker: 101, Time: at(10), Running: 1, Ready: 2})
	s.Started(engine.StartEvent{Target: "main.o", Description: "CC main.o", Reason: "no previous run", Worker: 102, Time: at(11), Running: 2, Ready: 1})
	s.Finished(engine.FinishEvent{Target: "lib.o", Description: "CC lib.o", OK: true, Reason: "no previous run",
		Output: []byte("lib.c:2:5: warning: unused <x> & \x1b[1mbold\x1b[0m\n"),
		Worker: 101, Queued: at(5), Start: at(10), End: at(200), Running: 1, Ready: 1})
	s.Started(engine.StartEvent{Target: "util.o", Description: "CC util.o", Reason: "input util.c changed", Worker: 101, Time: at(201), Running: 2, Ready: 1})
	s.Finished(engine.FinishEvent{Target: "main.o", Description: "CC main.o", OK: true, Reason: "no previous run",
		Worker: 102, Queued: at(5), Start: at(11), End: at(300), Running: 1, Ready: 1})
	s.Started(engine.StartEvent{Target: "lib.a", Description: "AR lib.a", Reason: "no previous run", Worker: 102, Time: at(301), Running: 2})
	s.Finished(engine.FinishEvent{Target: "util.o", Description: "CC util.o", OK: false, Reason: "input util.c changed",
		Cmd: "cc -c util.c -o util.o", Why: "exit code 1", Output: []byte("util.c:3:1: error: expected ';'\n"),
		Worker: 101, Queued: at(5), Start: at(201), End: at(350), Running: 1})
	s.Skipped(engine.SkipEvent{Target: "app", Description: "LINK app", Kind: engine.SkipBlocked, Why: "dep util.o failed"})
	s.Skipped(engine.SkipEvent{Target: "version", Description: "GEN version.h", Kind: engine.SkipCutoff, Why: "its deps were rebuilt with identical outputs"})
	s.Finished(engine.FinishEvent{Target: "lib.a", Description: "AR lib.a", OK: true, Reason: "no previous run", Deps: []string{"lib.o"},
		Worker: 102, Queued: at(200), Start: at(301), End: at(420)})
	s.Done(engine.Summary{Run: 3, UpToDate: 2, Failed: 1, NotRun: 1, Start: at(0), Wall: 430 * time.Millisecond})
	return r.Build()
}
