// Package event holds what a build tells the people and files watching it:
// the events of a build (a target started, finished, was skipped; the
// summary), typed reasons, the Listener they are sent to, and the timings
// that reports derive from them. The engine sends events; the console
// printer, the last-build log and report consume them; none of them
// imports the engine, and a Listener never calls back into it.
package event

import (
	"encoding/hex"
	"fmt"
	"strings"
	"time"
)

// Listener receives the events of a build and shows them to a person. Calls
// may come from more than one goroutine (an interrupt notice arrives while
// commands finish), so implementations lock; a Listener never calls back into
// the engine.
type Listener interface {
	// Planned says how many commands may run; total can later shrink when
	// a target turns out to be up to date after all (early cutoff).
	Planned(total int)
	// Explain gives the reason a target is about to run (--explain).
	Explain(target string, why Reason)
	// Started says a target's commands were handed to a worker.
	Started(ev Start)
	// Finished says a target's commands ended, well or not.
	Finished(ev Finish)
	// Skipped says a target with commands does not run in this build, and
	// why (Skip.Kind): up to date before the build, up to date after
	// all once its deps were rebuilt with the same outputs (the only kind
	// that shrinks Planned's total), blocked by a failed dep, or left when
	// the build stopped.
	Skipped(ev Skip)
	// Message prints a line of its own (warnings, interruption notices).
	Message(text string)
	// Done ends the build with its summary.
	Done(sum Summary)
}

// Key is a target's action key: the bytes of its hash, kept as they are
// so that an event costs no formatting for listeners that never show it.
// The zero Key means none was computed.
type Key [16]byte

// String returns k in hex, or "" for the zero Key.
func (k Key) String() string {
	if k == (Key{}) {
		return ""
	}
	return hex.EncodeToString(k[:])
}

// Start is a target whose commands start.
type Start struct {
	Target      string
	Description string // the status text: description, or commands with -v
	Reason      Reason // why it runs (its String is what --explain says: "input a.c changed")
	// Key is the target's action key (zero when it could not be
	// computed).
	Key    Key
	Worker int // pid of the worker process running it (0: it never reached one; gobuildj's own for Console)
	Time   time.Time
	// Running and Ready count, when the event is sent, the targets whose
	// commands are in workers (this one included) and those handed to the
	// scheduler that wait for a worker or a jobserver token.
	Running, Ready int
	// Console says the commands run in the console pool: they write to
	// the terminal until the target's Finish, so the status steps
	// aside meanwhile.
	Console bool
	// ETA is how long the build should still take, from the durations
	// recorded by the last runs of the targets left (0: unknown).
	ETA time.Duration
}

// Finish is a target whose commands ended.
type Finish struct {
	Target      string
	Description string
	OK          bool
	// Cmd is the failing command and Why what happened to it ("exit code
	// 1", "timed out after 1s; killed by SIGTERM"), for a failure.
	Cmd, Why string
	// Cmds are the target's commands.
	Cmds []string
	// Output is the whole stdout+stderr of the commands.
	Output []byte
	// Reason is why the target ran (as Start.Reason).
	Reason Reason
	// Key is the action key it ran with (as Start.Key).
	Key Key
	// Dir is the absolute folder its commands ran in: the paths in their
	// output are relative to it.
	Dir string
	// Deps names the targets it waited for that ran in this build: its
	// deps with commands, looking through aliases.
	Deps []string
	// Worker is the pid of the worker that ran it (0: none did).
	Worker int
	// Queued is when its deps were done and it was handed to the
	// scheduler; Start when a worker took it; End when it ended.
	Queued, Start, End time.Time
	// Running and Ready are as in Start, this target no longer
	// counted.
	Running, Ready int
	// Interrupted is set for a target stopped by an interrupt (Ctrl-C)
	// rather than failing on its own.
	Interrupted bool
	// Cached is set when the outputs came from a remote cache (nothing
	// ran), Remote when the commands ran on a remote worker.
	Cached, Remote bool
	// Restarted is set for a target whose commands were stopped because
	// a file they read changed meanwhile (watch mode): it runs again.
	Restarted bool
	// Retried is set for a failed attempt that runs again (retries):
	// the target's outcome comes with a later Finish.
	Retried bool
	// Failures counts the attempts of this build that failed before this
	// one (retries); with OK, the target is flaky. For a Retried attempt
	// it counts this one too.
	Failures int
	// FlakyEarlier is set when an earlier build ended this target with
	// the same action key in the other outcome (the state keeps a
	// target's last failure): it failed then and passed now, or passed
	// then and failed now. Nothing it reads changed: it is flaky.
	FlakyEarlier bool
	// EarlierEnd is when that earlier run ended (zero: unknown).
	EarlierEnd time.Time
	// Waits is how long the target waited for each limit before its
	// commands were admitted (-j, a pool, the jobserver), longest
	// first.
	Waits []Wait
	// Before is how long its last recorded run took (0: unknown), to
	// tell a target that got slower.
	Before time.Duration
	// ETA is as in Start.
	ETA time.Duration
}

// Flaky reports whether the target passed after failed attempts, or
// ended, with the same action key, otherwise than in an earlier build.
func (f Finish) Flaky() bool { return f.OK && f.Failures > 0 || f.FlakyEarlier }

// Wait is the time a target waited for one limit before it was admitted.
type Wait struct {
	// On names the limit: "-j", "pool NAME", "jobserver", "workers",
	// "load", "ports".
	On   string
	Time time.Duration
}

// SkipKind says why a target's commands did not run.
type SkipKind uint8

const (
	// SkipCutoff: the target was planned to run but turned out up to date
	// once its deps were rebuilt with the same outputs (early cutoff). It
	// is the zero value, and the only kind counted in Planned's total.
	SkipCutoff SkipKind = iota
	// SkipUpToDate: found up to date before the build started.
	SkipUpToDate
	// SkipBlocked: a dep failed, so it could not run.
	SkipBlocked
	// SkipNotRun: the build stopped (after a failure without -k, or an
	// interrupt) before it could run.
	SkipNotRun
)

// String names the kind in a word or two, as reports show it.
func (k SkipKind) String() string {
	switch k {
	case SkipCutoff:
		return "early cutoff"
	case SkipUpToDate:
		return "up to date"
	case SkipBlocked:
		return "blocked"
	case SkipNotRun:
		return "not run"
	}
	return fmt.Sprintf("SkipKind(%d)", uint8(k))
}

// Skip is a target with commands that did not run in this build. Only
// targets with commands get one; aliases never do.
type Skip struct {
	Target      string
	Description string
	Kind        SkipKind
	// Why says it in words: "deps rebuilt with identical outputs", "dep
	// lib failed", "the build stopped after a failure (no -k)".
	Why string
	// Key is the target's action key, when it was computed (always for up
	// to date and early cutoff; zero for a target that was blocked or not
	// run before its deps were done).
	Key Key
}

// Summary counts what a build did.
type Summary struct {
	Run, UpToDate, Failed, NotRun int
	// Restarted counts the commands stopped and run again because a file
	// they read changed while they ran (watch mode).
	Restarted int
	// Cached counts the targets whose outputs came from a remote cache
	// (not in Run); Remote the targets of Run that ran remotely.
	Cached, Remote int
	// Flaky counts the targets that failed and then passed (retries),
	// and those that ended otherwise than in an earlier build with the
	// same action key (Finish.FlakyEarlier).
	Flaky int
	// Jobs is the build's -j: how many commands may run at once.
	Jobs int
	// NotShared counts the targets run here, with a remote server, whose
	// results could not be shared (see --explain or -v for why).
	NotShared int
	// Start is when the build began; Wall how long it took.
	Start       time.Time
	Wall        time.Duration
	Interrupted bool
	DryRun      bool
	// Stale are the stale outputs removed before the build (files
	// recorded for targets no longer in the graph), relative to the
	// Buildfile's folder, sorted.
	Stale []string
	// DepCheck is what --check-deps found (nil without it).
	DepCheck *DepCheck `json:",omitempty"`
}

// staleShown is how many stale outputs the summary line names.
const staleShown = 3

// String renders the summary line printed at the end of a build.
func (s Summary) String() string {
	if s.DryRun {
		return fmt.Sprintf("gobuildj: dry run: %d to run, %d up to date", s.Run, s.UpToDate)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "gobuildj: %d run", s.Run)
	if s.Remote > 0 {
		fmt.Fprintf(&b, " (%d remotely)", s.Remote)
	}
	if s.Cached > 0 {
		fmt.Fprintf(&b, ", %d cached", s.Cached)
	}
	fmt.Fprintf(&b, ", %d up to date, %d failed", s.UpToDate, s.Failed)
	if s.NotRun > 0 {
		fmt.Fprintf(&b, ", %d not run", s.NotRun)
	}
	if s.Restarted > 0 {
		fmt.Fprintf(&b, ", %d restarted", s.Restarted)
	}
	if s.Flaky > 0 {
		fmt.Fprintf(&b, ", %d flaky", s.Flaky)
	}
	if s.NotShared > 0 {
		fmt.Fprintf(&b, ", %d not shared", s.NotShared)
	}
	fmt.Fprintf(&b, " in %s", RoundDuration(s.Wall))
	if s.Interrupted {
		b.WriteString(" (interrupted)")
	}
	if len(s.Stale) > 0 {
		b.WriteString("; " + StaleLine(s.Stale))
	}
	return b.String()
}

// StaleLine says which stale outputs were removed: "removed 1 stale
// output: bar.out", or with more than a few their count, the first few
// and how many more.
func StaleLine(paths []string) string {
	noun := "output"
	if len(paths) != 1 {
		noun = "outputs"
	}
	shown := paths[:min(len(paths), staleShown)]
	line := fmt.Sprintf("removed %d stale %s: %s", len(paths), noun, strings.Join(shown, ", "))
	if more := len(paths) - len(shown); more > 0 {
		line += fmt.Sprintf(" and %d more", more)
	}
	return line
}

func RoundDuration(d time.Duration) time.Duration {
	switch {
	case d >= 10*time.Second:
		return d.Round(100 * time.Millisecond)
	case d >= time.Second:
		return d.Round(10 * time.Millisecond)
	default:
		return d.Round(100 * time.Microsecond)
	}
}
