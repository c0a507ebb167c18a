package query

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/gobuildj/gobuildj/engine"
	"github.com/gobuildj/gobuildj/event"
	"github.com/gobuildj/gobuildj/graph"
)

// VerdictKind says whether a build would run a target now.
type VerdictKind uint8

const (
	// NothingItself: the target is an alias, with no commands of its
	// own; it is done when its deps are.
	NothingItself VerdictKind = iota + 1
	// CannotBuild: the target cannot be built (Verdict.Err says why).
	CannotBuild
	// UpToDate: a build would not run it.
	UpToDate
	// Runs: a build would run it, for Verdict.Reason.
	Runs
	// IfDepsChange: it is up to date unless its deps' outputs change, and
	// some deps would run (Verdict.Deps).
	IfDepsChange
)

// Verdict is whether a build would run a target now, and why.
type Verdict struct {
	// Kind is the verdict; the fields below fill in what it needs.
	Kind VerdictKind
	// Reason is why it would run (Kind Runs).
	Reason event.Reason
	// Deps are the targets it depends on that would run, and why, in
	// the order a build would consider them (Kind IfDepsChange).
	Deps []DepRun
	// Err is why it cannot be built, a *graph.Error (Kind CannotBuild).
	Err error
	// Missing, for a secondary or intermediate target that is up to date
	// (Kind UpToDate) with an output missing, says why it does not run.
	Missing string
}

// DepRun is a dep that a build would run, and why.
type DepRun struct {
	Target string       // the dep's name
	Reason event.Reason // why it would run
}

// String says the verdict in the words of `gobuildj query`: "yes (input
// a.c changed)", "no (up to date)".
func (v Verdict) String() string {
	switch v.Kind {
	case NothingItself:
		return "nothing itself (it has no cmd: it is done when its deps are)"
	case CannotBuild:
		return "cannot build: " + v.Err.Error()
	case UpToDate:
		if v.Missing != "" {
			return "no (up to date; " + v.Missing + ")"
		}
		return "no (up to date)"
	case Runs:
		return "yes (" + v.Reason.String() + ")"
	case IfDepsChange:
		deps := make([]string, len(v.Deps))
		for i, d := range v.Deps {
			deps[i] = fmt.Sprintf("%s would run (%s)", d.Target, d.Reason)
		}
		return "if its deps' outputs change: " + strings.Join(deps, "; ")
	}
	return fmt.Sprintf("VerdictKind(%d)", uint8(v.Kind))
}

// WouldRun says whether a build of t would run it now, and why, from a dry
// run with --explain: nothing runs, nothing is recorded. recorded says
// whether the state holds a record of a run of t. When a dry run cannot
// tell because deps would run first (event.DepMayChange), a target without
// a record or with an output missing runs anyway; otherwise it runs if the
// deps' outputs change.
func WouldRun(g *graph.Graph, t *graph.Target, recorded bool) (Verdict, error) {
	if t.IsAlias() {
		return Verdict{Kind: NothingItself}, nil
	}
	rec := newExplanations()
	_, err := engine.Build(g, []*graph.Target{t}, engine.Options{Jobs: 1, DryRun: true, Explain: true, Listener: rec}, nil)
	var gerr *graph.Error
	if errors.As(err, &gerr) {
		return Verdict{Kind: CannotBuild, Err: gerr}, nil
	}
	if err != nil {
		return Verdict{}, fmt.Errorf("dry run: %w", err)
	}
	reason, ok := rec.reason(t.Name)
	switch {
	case !ok:
		return Verdict{Kind: UpToDate, Missing: missingWhy(g, t)}, nil
	case reason.Kind != event.DepMayChange:
		return Verdict{Kind: Runs, Reason: reason}, nil
	case !recorded:
		return Verdict{Kind: Runs, Reason: event.Because(event.NoPreviousRun, "")}, nil
	}
	for _, o := range t.Outputs {
		if _, err := os.Lstat(filepath.Join(g.Root, o)); err != nil {
			return Verdict{Kind: Runs, Reason: event.Because(event.OutputMissing, o)}, nil
		}
	}
	v := Verdict{Kind: IfDepsChange}
	for _, e := range rec.all() {
		if e.Target != t.Name {
			v.Deps = append(v.Deps, e)
		}
	}
	return v, nil
}

// missingWhy says why t, up to date, does not run although an output is
// missing: it is secondary or intermediate ("" when none is missing).
func missingWhy(g *graph.Graph, t *graph.Target) string {
	if !t.Secondary && !t.Intermediate {
		return ""
	}
	key := "secondary"
	if t.Intermediate {
		key = "intermediate"
	}
	for _, o := range t.Outputs {
		if _, err := os.Lstat(filepath.Join(g.Root, o)); errors.Is(err, os.ErrNotExist) {
			return fmt.Sprintf("output %s missing, but it is %s = true: nothing upstream changed and no target that reads it runs", o, key)
		}
	}
	return ""
}
