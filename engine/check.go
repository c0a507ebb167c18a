package engine

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/gobuildj/gobuildj/cache"
	"github.com/gobuildj/gobuildj/event"
	"github.com/gobuildj/gobuildj/graph"
	"github.com/gobuildj/gobuildj/internal/fileid"
)

// The check before a build is the rebuilder's half of the engine: for each
// target of the build it answers "is it up to date, and if not, why?", from
// the state store, the file states and its deps' outputs. It looks at every
// target once, in topological order, before anything runs: a target whose
// own inputs, commands or outputs changed must run (dirty); one whose deps
// must run may have to (maybe: decide once they are done, which is where
// early cutoff happens); the rest are up to date (clean).

// verdict is what the check before the build concluded about a target.
type verdict uint8

const (
	// clean: up to date, and so are all its deps.
	clean verdict = iota
	// dirty: must run (its own inputs, command or outputs changed).
	dirty
	// maybe: a dep may change; decided when the deps are done.
	maybe
)

// checkPlanned runs the check over the files statPlanned stated, then
// orders the targets to run by their critical path.
func (b *builder) checkPlanned(planned *plannedFiles) error {
	planned.resolve(b.files)
	b.planned = planned
	err := b.check()
	b.planned = nil // from now on commands change files
	if err == nil && !b.opts.DryRun {
		b.prioritize()
	}
	return err
}

// checkCycleInputs fails with a *graph.Error if a target of the build reads
// a file that does not exist and that no dep produces.
func (b *builder) checkCycleInputs(planned *plannedFiles) error {
	for _, id := range b.cycle {
		t := b.nodes[id].t
		if err := b.checkInputsExist(t, planned); err != nil {
			return err
		}
		if err := b.checkDyndep(t); err != nil {
			return err
		}
	}
	return nil
}

// check decides, before anything runs, which targets of the build are up
// to date (clean), which must run (dirty) and which depend on the outcome
// of others (maybe), and tells the Listener how many commands may run.
func (b *builder) check() error {
	b.tools = nil // programs are looked up and hashed anew in each build
	b.absentHashes = nil
	total := 0
	anyAbsent := false
	for _, id := range b.cycle { // topological order
		n := &b.nodes[id]
		t := n.t
		n.verdict = clean
		n.reason = event.Reason{}
		n.absent = ""
		n.dyn = nil
		for _, d := range t.Deps {
			if b.nodes[d.ID].verdict != clean {
				n.verdict = maybe
			}
		}
		if t.Dyndep != "" {
			// Its dyndep file may name deps the build does not want
			// yet: decided once the file is read (dyndep.go).
			n.verdict = maybe
		}
		if len(t.Cmds) == 0 {
			continue
		}
		total++
		switch {
		case b.opts.Force:
			n.verdict, n.reason = dirty, event.Reason{Kind: event.Forced}
		case t.Always:
			n.verdict, n.reason = dirty, event.Reason{Kind: event.Always}
		}
		if n.verdict == dirty {
			b.prestart()
		}
		if n.verdict != clean {
			continue
		}
		if err := b.prepareAction(n); err != nil {
			return err
		}
		b.statBuf = b.planned.outputStats(t.ID, len(t.Inputs), b.statBuf[:0])
		var reason event.Reason
		if t.Secondary || t.Intermediate {
			reason, n.absent = b.store.CheckMissingOK(t.Name, n.action, n.key, t.Outputs, b.statBuf)
		} else {
			reason = b.store.CheckStats(t.Name, n.action, n.key, t.Outputs, b.statBuf)
		}
		if !reason.IsZero() {
			n.verdict, n.reason = dirty, reason
			b.prestart()
			continue
		}
		n.outputs = b.recordedOutputs(t)
		if n.absent != "" {
			anyAbsent = true
			b.noteAbsent(n)
		}
	}
	if anyAbsent {
		b.rebuildNeeded()
	}
	planned := 0
	for _, id := range b.cycle {
		if n := &b.nodes[id]; len(n.t.Cmds) > 0 && n.verdict != clean {
			planned++
		}
	}
	b.sum.UpToDate = total - planned
	b.total = planned
	b.ls.Planned(planned)
	return nil
}

// decide answers, for a target that may have had to run (maybe) once its
// deps are done, why it runs, or the zero Reason when it is up to date
// after all (early cutoff).
func (b *builder) decide(n *node) event.Reason {
	switch {
	case b.opts.Force:
		return event.Reason{Kind: event.Forced}
	case n.t.Always:
		return event.Reason{Kind: event.Always}
	}
	return b.store.Check(n.t.Name, n.action, n.key, b.absOutputs(n.t))
}

// checkInputsExist reports an input that does not exist and that no dep of
// the target declares as an output.
func (b *builder) checkInputsExist(t *graph.Target, planned *plannedFiles) error {
	for _, in := range t.Inputs {
		if planned.exists(in) || producedByDep(t, in) {
			continue
		}
		if _, err := os.Lstat(b.abs(in)); err != nil {
			msg := fmt.Sprintf("%q does not exist and no target declares it as an output", in)
			if !errors.Is(err, os.ErrNotExist) {
				msg = fmt.Sprintf("%q: %v", in, err)
			}
			return b.g.TargetError(t, "inputs", msg)
		}
	}
	return nil
}

// producedByDep reports whether a dep of t (looking through aliases)
// declares path as an output.
func producedByDep(t *graph.Target, path string) bool {
	for _, d := range t.Deps {
		for _, o := range d.Outputs {
			if o == path {
				return true
			}
		}
		if len(d.Cmds) == 0 && producedByDep(d, path) {
			return true
		}
	}
	return false
}

// prepareAction hashes the target's inputs and tools, reads its declared
// environment variables and gathers the outputs it consumes of its deps
// into the action whose key decides whether it runs.
func (b *builder) prepareAction(n *node) error {
	t := n.t
	a := &cache.Action{Cmds: t.Cmds, Env: t.Env, Dir: t.Dir}
	if t.Ports > 0 {
		// The number of ports is part of the command's environment.
		a.Env = append(append([]string(nil), t.Env...), fmt.Sprintf("GOBUILDJ_PORTS=<%d ports>", t.Ports))
	}
	a.Inputs = make([]cache.PathHash, 0, len(t.Inputs))
	for j, in := range t.Inputs {
		var st cache.FileState
		var err error
		if b.planned != nil {
			st, err = b.planned.inputState(t.ID, j)
		} else {
			st, err = b.files.State(b.abs(in))
		}
		if h, ok := b.absentHashes[in]; ok && errors.Is(err, os.ErrNotExist) {
			// The output of a secondary or intermediate dep that may
			// stay missing: what its last run recorded stands for it.
			st, err = cache.FileState{Hash: h}, nil
		}
		if err != nil {
			return b.g.TargetError(t, "inputs", inputProblem(in, err))
		}
		a.Inputs = append(a.Inputs, cache.PathHash{Path: in, Hash: st.Hash})
	}
	a.Inputs = b.withDiscovered(t, a.Inputs)
	a.Inputs = b.withTraced(t, a.Inputs)
	if n.dyn != nil && len(n.dyn.files) > 0 {
		a.Inputs = b.mergeInputs(t, a.Inputs, n.dyn.files)
	}
	if b.tools == nil {
		b.tools = newToolResolver(b.g.Root, b.files, b.opts.LookupEnv)
	}
	a.Tools = b.tools.tools(t)
	a.EnvInputs, a.EnvValues = envInputs(t, b.opts.LookupEnv)
	for i, d := range t.Deps {
		a.DepOutputs = appendConsumed(a.DepOutputs, b.depOutputs(d), t.Consumed(i))
	}
	if n.dyn != nil {
		for _, d := range n.dyn.deps {
			a.DepOutputs = append(a.DepOutputs, b.depOutputs(d)...)
		}
	}
	a.DepOf = b.depOf
	if t.Consumes != nil {
		a.DepOf = partDepOf(t, b.depOf)
	}
	n.action = a
	n.key = a.Key()
	return nil
}

// appendConsumed appends to dst the outputs of a dep (outs, in the order of
// its Outputs) that a target consumes: those at indices use, or all of
// them if use is nil (graph.Target.Consumes). The key leaves the others
// out, so that a change of them alone does not make the target run (early
// cutoff per output).
func appendConsumed(dst, outs []cache.PathHash, use []int) []cache.PathHash {
	if use == nil {
		return append(dst, outs...)
	}
	for _, i := range use {
		if i < len(outs) { // a dep that did not run (dry run) has none
			dst = append(dst, outs[i])
		}
	}
	return dst
}

// partDepOf is depOf for the explanations of t, which consumes some deps
// in part: an output of such a dep is named by its path ("dep output
// gen/a.h changed"), since "dep gen rebuilt with new outputs" would not
// say which of them t reads.
func partDepOf(t *graph.Target, depOf func(string) string) func(string) string {
	return func(path string) string {
		name := depOf(path)
		for i, d := range t.Deps {
			if d.Name == name && t.Consumes[i] != nil {
				return ""
			}
		}
		return name
	}
}

// depOutputs returns the outputs that dep d stands for, once it is done:
// its own, or for an alias those of its deps, computed on first use (most
// aliases, like "all", are the dep of no command, and in watch mode "all"
// is done again at every change).
func (b *builder) depOutputs(d *graph.Target) []cache.PathHash {
	n := &b.nodes[d.ID]
	if len(d.Cmds) == 0 && !n.aliasKnown {
		n.outputs, n.aliasKnown = b.aliasOutputs(d), true
	}
	return n.outputs
}

// aliasOutputs is what an alias stands for: the outputs of its deps.
func (b *builder) aliasOutputs(t *graph.Target) []cache.PathHash {
	if len(t.Deps) == 1 {
		return b.depOutputs(t.Deps[0])
	}
	var out []cache.PathHash
	seen := map[string]bool{}
	for _, d := range t.Deps {
		for _, o := range b.depOutputs(d) {
			if !seen[o.Path] {
				seen[o.Path] = true
				out = append(out, o)
			}
		}
	}
	return out
}

// recordedOutputs are the outputs of t with the hashes its last run
// recorded.
func (b *builder) recordedOutputs(t *graph.Target) []cache.PathHash {
	rec, _ := b.store.Target(t.Name)
	out := make([]cache.PathHash, len(rec.Outputs))
	for i, o := range rec.Outputs {
		out[i] = cache.PathHash{Path: t.Outputs[i], Hash: o.State.Hash}
	}
	return out
}

func (b *builder) abs(rel string) string {
	if filepath.IsAbs(rel) {
		return rel
	}
	return filepath.Join(b.g.Root, rel)
}

func (b *builder) absOutputs(t *graph.Target) []string {
	out := make([]string, len(t.Outputs))
	for i, o := range t.Outputs {
		out[i] = b.abs(o)
	}
	return out
}

// describe is the status text of a target: its description, or with -v its
// commands.
func (b *builder) describe(t *graph.Target) string {
	if b.opts.Verbose {
		return strings.Join(t.Cmds, " && ")
	}
	return t.Description
}

// inputProblem says what is wrong with the input in, which could not be
// hashed because of err. An input that is not a regular file (a FIFO, a
// socket, a device) is named as such: gobuildj refuses it rather than read
// it, which could wait for ever or never end.
func inputProblem(in string, err error) string {
	var nr *fileid.NotRegularError
	if errors.As(err, &nr) {
		return fmt.Sprintf("input %q is %s, not a regular file (inputs are hashed, so they must be regular files)", in, nr.Kind)
	}
	return fmt.Sprintf("%q: %v", in, err)
}
