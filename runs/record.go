// Package runs keeps a record of each build in the state folder
// (.gobuildj/runs/ID.json) and compares them: what ran, what was up to
// date or came from a cache, with which action key and why, on which
// worker and for how long. A Recorder is one more event.Listener: the
// record is made of what the build told its listeners, never read from
// the engine, so it says only what happened (a build stopped by Ctrl-C
// lists only the targets that ended).
package runs

import (
	"fmt"
	"time"

	"github.com/gobuildj/gobuildj/event"
)

// Format is the version of the record's layout, written in each record.
const Format = 1

// Record is one build, as written to its JSON file.
type Record struct {
	Format int    `json:"format"`
	ID     string `json:"id"`
	// Version is gobuildj's version line.
	Version string `json:"version"`
	// Buildfile is the Buildfile's path relative to its folder.
	Buildfile string `json:"buildfile"`
	// Goals are the targets named on the command line (none: the
	// Buildfile's default).
	Goals []string  `json:"goals,omitempty"`
	Flags Flags     `json:"flags"`
	Start time.Time `json:"start"`
	// WallMS is the build's wall time in milliseconds.
	WallMS      float64 `json:"wall_ms"`
	Interrupted bool    `json:"interrupted,omitempty"`
	// Complete is false when the build ended without its summary (an
	// error stopped it): the counts are then those of the targets listed.
	Complete bool   `json:"complete"`
	Counts   Counts `json:"counts"`
	// Targets are the targets with commands the build told of, sorted by
	// name.
	Targets []Target `json:"targets"`
}

// Flags are the command-line settings that change what a build does.
type Flags struct {
	Jobs      int    `json:"jobs"`
	KeepGoing bool   `json:"keep_going,omitempty"`
	Force     bool   `json:"force,omitempty"`
	Remote    string `json:"remote,omitempty"` // the remote cache or execution endpoint
}

// Counts sum up the outcomes of a build's targets.
type Counts struct {
	Run         int `json:"run"`
	Cached      int `json:"cached"`
	UpToDate    int `json:"up_to_date"`
	Failed      int `json:"failed"`
	NotRun      int `json:"not_run"`
	Interrupted int `json:"interrupted,omitempty"`
}

// The outcomes of a target in a build.
const (
	// Ran: its commands ran and succeeded (here or remotely).
	Ran = "ran"
	// Cached: its outputs came from the remote cache.
	Cached = "cached"
	// UpToDate: nothing made it run (before the build, or after its deps
	// were rebuilt with the same outputs: Cutoff).
	UpToDate = "up to date"
	// Failed: its commands failed.
	Failed = "failed"
	// Interrupted: its commands were stopped by an interrupt.
	Interrupted = "interrupted"
	// Blocked: a dep failed.
	Blocked = "blocked"
	// NotRun: the build stopped before it could run.
	NotRun = "not run"
)

// Target is what one target did in a build.
type Target struct {
	Name    string `json:"name"`
	Outcome string `json:"outcome"`
	// Cutoff is set for a target up to date after its deps were rebuilt
	// with the same outputs (early cutoff).
	Cutoff bool `json:"cutoff,omitempty"`
	// Key is the action key in hex ("" when it was not computed).
	Key string `json:"key,omitempty"`
	// Reason is why it ran (or missed the cache); nil when up to date.
	Reason *Reason `json:"reason,omitempty"`
	// Why says in words why it did not run, or how it failed.
	Why    string `json:"why,omitempty"`
	Worker int    `json:"worker,omitempty"` // the worker process's pid
	Remote bool   `json:"remote,omitempty"` // ran on a remote worker
	// Start is when a worker took it; DurationMS how long it ran, in
	// milliseconds; WaitMS how long it waited for a worker once its deps
	// were done.
	Start      *time.Time `json:"start,omitempty"`
	DurationMS float64    `json:"duration_ms,omitempty"`
	WaitMS     float64    `json:"wait_ms,omitempty"`
}

// Reason is an event.Reason as the record keeps it: its kind by name,
// what it concerns, and the words of --explain.
type Reason struct {
	Kind    string `json:"kind"`
	Subject string `json:"subject,omitempty"`
	Detail  string `json:"detail,omitempty"`
	Text    string `json:"text"`
}

// reasonOf turns a Reason of the engine into the record's (nil when the
// target was up to date).
func reasonOf(r event.Reason) *Reason {
	if r.IsZero() {
		return nil
	}
	return &Reason{Kind: KindName(r.Kind), Subject: r.Subject, Detail: r.Detail, Text: r.String()}
}

// kindNames are the names of the reason kinds in records: stable words,
// never the English text, so that scripts compare them.
var kindNames = map[event.ReasonKind]string{
	event.UpToDate:           "up_to_date",
	event.NoPreviousRun:      "no_previous_run",
	event.InputChanged:       "input_changed",
	event.InputAdded:         "input_added",
	event.InputRemoved:       "input_removed",
	event.CommandChanged:     "command_changed",
	event.ActionChanged:      "action_changed",
	event.OutputsChanged:     "outputs_changed",
	event.OutputMissing:      "output_missing",
	event.OutputModified:     "output_modified",
	event.OutputUnreadable:   "output_unreadable",
	event.DepOutputsChanged:  "dep_outputs_changed",
	event.DepOutputAdded:     "dep_output_added",
	event.DepOutputChanged:   "dep_output_changed",
	event.DepOutputRemoved:   "dep_output_removed",
	event.DepRebuilt:         "dep_rebuilt",
	event.Forced:             "forced",
	event.Always:             "always",
	event.DepMayChange:       "dep_may_change",
	event.Restarted:          "restarted",
	event.ToolChanged:        "tool_changed",
	event.EnvChanged:         "env_changed",
	event.TracedInputChanged: "traced_input_changed",
	event.TracedInputRemoved: "traced_input_removed",
	event.ProbedCreated:      "traced_probe_created",
}

// KindName is the name of a reason kind in records: "input_changed".
func KindName(k event.ReasonKind) string {
	if name, ok := kindNames[k]; ok {
		return name
	}
	return fmt.Sprintf("kind_%d", uint8(k))
}

// ms is d in milliseconds, to the microsecond.
func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// Duration is a number of milliseconds of a record as a Duration.
func Duration(ms float64) time.Duration { return time.Duration(ms * float64(time.Millisecond)) }
