package event

import "time"

// DepFinding is one thing --check-deps (gobuildj check) saw a traced
// command do that its target's declaration in the Buildfile does not
// account for, with the edit that would.
type DepFinding struct {
	// Target is the target whose commands did it.
	Target string
	// Kind says what it is, in a few words: "undeclared read", "missing
	// dep", "undeclared write", "unwritten output", "outside read",
	// "order probe" (see package depcheck).
	Kind string
	// Path is the file: relative to the Buildfile's folder when inside
	// it, absolute otherwise.
	Path string
	// Producer is the target that declares Path as an output, if one
	// does ("" otherwise).
	Producer string
	// Why says in words what was seen; Fix the suggested Buildfile edit
	// in words, and TOML the same edit as Buildfile lines.
	Why, Fix, TOML string
}

// DepCheck is what --check-deps found in a build.
type DepCheck struct {
	// Findings are grouped by target (in build order), then by kind and
	// path.
	Findings []DepFinding
	// Traced counts the targets whose commands ran under the tracer, in
	// TracedTime added up; Untraced those whose commands ran without it
	// (remote, cached, or the tracer could not run here); NotRun those
	// that did not run (up to date, blocked): none of these is checked.
	Traced, Untraced, NotRun int
	TracedTime               time.Duration
	// Before is what the last recorded runs of the traced targets took,
	// added up, for those of them that had one (BeforeCount): what
	// tracing cost is TracedTime of those against Before.
	Before, BeforeTraced time.Duration
	BeforeCount          int
}
