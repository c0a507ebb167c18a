// Package why answers "why would this target run?" with every difference
// between the manifest of its last successful run and its action now (the
// input, dep output, command, tool and declared variable that changed, with
// the old and new values), where --explain names only the first.
package why

import (
	"cmp"
	"slices"
	"time"

	"github.com/gobuildj/gobuildj/cache"
	"github.com/gobuildj/gobuildj/engine"
	"github.com/gobuildj/gobuildj/event"
	"github.com/gobuildj/gobuildj/graph"
)

// Kind is the kind of a difference.
type Kind string

// The kinds of difference, as the JSON output names them.
const (
	NoPreviousRun Kind = "no-previous-run" // the target never ran successfully
	Input         Kind = "input"           // an input's content changed
	InputAdded    Kind = "input-added"     // a new input (a glob matched a new file)
	InputRemoved  Kind = "input-removed"   // an input is gone (from the glob, or from inputs)
	DepfileInput  Kind = "depfile-input"   // an input its depfile named changed
	TracedInput   Kind = "traced-input"    // a file its last traced run read undeclared changed, or is gone
	TracedProbe   Kind = "traced-probe"    // a file now exists where its last traced run looked and found none
	Command       Kind = "command"         // the commands, env entries or dir changed
	Env           Kind = "env"             // a declared inherited variable (env_inputs) changed
	Tool          Kind = "tool"            // a program the commands run changed
	DepOutput     Kind = "dep-output"      // an output of a dep that it reads changed
)

// Change is one difference between the last run's manifest and now.
type Change struct {
	Kind Kind `json:"kind"`
	// Name is the path of the input, dep output or tool, or the name of
	// the variable.
	Name string `json:"name,omitempty"`
	// Dep is the dep that produces a changed dep output ("" if none can
	// be named).
	Dep string `json:"dep,omitempty"`
	// Old and New are the values before and now: hashes (full, hex), the
	// values of variables that may be shown, tool paths.
	Old string `json:"old,omitempty"`
	New string `json:"new,omitempty"`
	// Diff are the lines of the commands that changed, "- " before and
	// "+ " now (Kind Command, when the last run's text was kept).
	Diff []string `json:"diff,omitempty"`
	// Text is the change in words, as `gobuildj why` prints it.
	Text string `json:"text"`
}

// Explanation is why a target would run, or not.
type Explanation struct {
	Target string `json:"target"`
	// Key is the action key now; LastKey the one of its last successful
	// run ("" without one).
	Key     string `json:"key"`
	LastKey string `json:"last_key,omitempty"`
	// Runs says whether a build would run it now; Reason is the reason
	// --explain gives ("" when it would not run).
	Runs   bool   `json:"runs"`
	Reason string `json:"reason,omitempty"`
	// Changes are all the differences between the manifests, sorted by
	// kind then name.
	Changes []Change `json:"changes"`
	// DepsRun are its deps (looking through aliases) that would run first.
	DepsRun []string `json:"deps_run,omitempty"`
}

// OwnChange reports whether e has a change of its own, not only of its
// deps' outputs: the root cause of a chain.
func (e *Explanation) OwnChange() bool {
	for _, c := range e.Changes {
		if c.Kind != DepOutput {
			return true
		}
	}
	return false
}

// Explain explains each target of cur (from engine.Manifests), in the same
// order. Ages of changed inputs are told relative to now; root is the
// folder inputs are relative to.
func Explain(cur []engine.Current, root string, now time.Time) []Explanation {
	runs := make(map[string]bool, len(cur))
	for _, c := range cur {
		runs[c.Target.Name] = c.Runs
	}
	out := make([]Explanation, len(cur))
	for i := range cur {
		out[i] = explain(&cur[i], runs, root, now)
	}
	return out
}

func explain(c *engine.Current, runs map[string]bool, root string, now time.Time) Explanation {
	e := Explanation{Target: c.Target.Name, Key: c.Now.Key.String(), Runs: c.Runs}
	if c.Runs {
		e.Reason = c.Reason.String()
		if c.Reason.Kind == event.DepMayChange {
			e.Reason = "deps would run first: their outputs decide"
		}
	}
	e.DepsRun = depsRun(c.Target, runs, nil, map[string]bool{})
	if !c.HasLast {
		e.Changes = []Change{{Kind: NoPreviousRun, Text: "no previous successful run"}}
		return e
	}
	e.LastKey = c.Last.Key.String()
	d := differ{root: root, now: now, t: c.Target, depOf: c.DepOf}
	d.inputs(c.Last.Inputs, c.Now.Inputs, &c.Last)
	d.command(&c.Last, &c.Now)
	d.env(&c.Last, &c.Now)
	d.tools(c.Last.Tools, c.Now.Tools)
	d.depOutputs(c.Last.DepOutputs, c.Now.DepOutputs)
	e.Changes = d.changes
	sortChanges(e.Changes)
	if e.Changes == nil {
		e.Changes = []Change{}
	}
	return e
}

// depsRun appends to out the deps of t that would run, looking through
// aliases, each once, in dep order.
func depsRun(t *graph.Target, runs map[string]bool, out []string, seen map[string]bool) []string {
	for _, d := range t.Deps {
		if seen[d.Name] {
			continue
		}
		seen[d.Name] = true
		switch {
		case len(d.Cmds) == 0:
			out = depsRun(d, runs, out, seen)
		case runs[d.Name]:
			out = append(out, d.Name)
		}
	}
	return out
}

// Chain walks from target up its deps that would run, to the first target
// whose own manifest changed (or that has no dep that would run): the root
// cause. It returns the explanations along the way, target first.
func Chain(exps []Explanation, target string) []Explanation {
	byName := make(map[string]*Explanation, len(exps))
	for i := range exps {
		byName[exps[i].Target] = &exps[i]
	}
	var chain []Explanation
	seen := map[string]bool{}
	for name := target; !seen[name]; {
		seen[name] = true
		e, ok := byName[name]
		if !ok {
			break
		}
		chain = append(chain, *e)
		if e.OwnChange() || len(e.DepsRun) == 0 {
			break
		}
		name = e.DepsRun[0]
	}
	return chain
}

// sortChanges orders changes by kind, then name.
func sortChanges(cs []Change) {
	order := map[Kind]int{NoPreviousRun: 0, Command: 1, Input: 2, InputAdded: 3, InputRemoved: 4, DepfileInput: 5, TracedInput: 6, TracedProbe: 7, Env: 8, Tool: 9, DepOutput: 10}
	slices.SortStableFunc(cs, func(a, b Change) int {
		if c := cmp.Compare(order[a.Kind], order[b.Kind]); c != 0 {
			return c
		}
		return cmp.Compare(a.Name, b.Name)
	})
}

// hashText is a hash as people read it: its first 8 hex digits.
func hashText(h cache.Hash) string {
	if h.IsZero() {
		return "(missing)"
	}
	return h.String()[:8] + "..."
}
