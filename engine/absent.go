package engine

import (
	"errors"
	"fmt"
	"os"

	"github.com/gobuildj/gobuildj/cache"
	cleanup "github.com/gobuildj/gobuildj/clean"
	"github.com/gobuildj/gobuildj/engine/plan"
	"github.com/gobuildj/gobuildj/event"
	"github.com/gobuildj/gobuildj/graph"
)

// Secondary and intermediate targets (make's .SECONDARY and .INTERMEDIATE)
// may have their outputs missing without running: while their action is
// the one recorded, what their last run recorded stands for the files, in
// the keys of the targets that read them. They run again when a target
// that reads them must run (or may have to: its deps run), before it, as
// make remakes a missing intermediate file a target needs. A build deletes
// the outputs of an intermediate target once every target of the build
// that reads them is done.

// noteAbsent makes the recorded hashes of absent target n's outputs stand
// for them in its readers' keys.
func (b *builder) noteAbsent(n *node) {
	if b.absentHashes == nil {
		b.absentHashes = map[string]cache.Hash{}
	}
	for _, o := range n.outputs {
		b.absentHashes[o.Path] = o.Hash
	}
}

// rebuildNeeded makes an absent target run when a target that reads its
// outputs runs, or may run, in this build: it runs first, and so do the
// absent targets it reads in turn. What depends on a target made to run
// may run too; that may reach other absent targets, so it goes on until
// nothing changes.
func (b *builder) rebuildNeeded() {
	for changed := true; changed; {
		changed = false
		for i := len(b.cycle) - 1; i >= 0; i-- { // readers before what they read
			n := &b.nodes[b.cycle[i]]
			if len(n.t.Cmds) == 0 || n.verdict == clean {
				continue
			}
			changed = b.rebuildAbsentDeps(n.t, n.t) || changed
		}
		if !changed {
			return
		}
		for _, id := range b.cycle { // topological order
			n := &b.nodes[id]
			if n.verdict != clean {
				continue
			}
			for _, d := range n.t.Deps {
				if b.nodes[d.ID].verdict != clean {
					n.verdict = maybe
					break
				}
			}
		}
	}
}

// rebuildAbsentDeps makes the absent deps of t (looking through aliases)
// run because reader runs, and reports whether there were any.
func (b *builder) rebuildAbsentDeps(t, reader *graph.Target) bool {
	changed := false
	for _, d := range t.Deps {
		dn := &b.nodes[d.ID]
		if !dn.inCycle {
			continue
		}
		if len(d.Cmds) == 0 {
			changed = b.rebuildAbsentDeps(d, reader) || changed
			continue
		}
		if dn.absent == "" || dn.verdict != clean {
			continue
		}
		dn.verdict = dirty
		dn.reason = event.Reason{Kind: event.OutputMissing, Subject: dn.absent, Detail: "needed by " + reader.Name}
		dn.absent = ""
		b.prestart()
		changed = true
	}
	return changed
}

// keptMissing tells why absent target n does not run.
func (b *builder) keptMissing(n *node) {
	why := b.absentWhy(n)
	if b.opts.Explain {
		b.ls.Message(fmt.Sprintf("gobuildj explain: %s: not rebuilt: %s", n.t.Name, why))
	}
	b.skipped(n, event.SkipUpToDate, why)
}

// absentWhy says why absent target n does not run although an output is
// missing.
func (b *builder) absentWhy(n *node) string {
	key := "secondary"
	if n.t.Intermediate {
		key = "intermediate"
	}
	return fmt.Sprintf("output %s missing, but it is %s = true: nothing upstream changed and no target that reads it runs", n.absent, key)
}

// released is told that n finished well: an intermediate target whose
// readers are now all done has its outputs deleted (n itself, or one it
// reads, looking through aliases).
func (b *builder) released(n *node) {
	if b.opts.DryRun {
		return
	}
	b.maybeDelete(n.t)
	b.releaseDeps(n.t)
}

func (b *builder) releaseDeps(t *graph.Target) {
	for _, d := range t.Deps {
		if len(d.Cmds) == 0 {
			b.releaseDeps(d)
			continue
		}
		b.maybeDelete(d)
	}
}

// maybeDelete deletes the outputs of t if it is intermediate, done, not
// asked for by name, and every target of the build that reads it is done.
func (b *builder) maybeDelete(t *graph.Target) {
	if !t.Intermediate || b.goals[t.ID] || b.plan.State(t.ID) != plan.Done || !b.readersDone(t) {
		return
	}
	b.deleteOutputs(t)
}

// readersDone reports whether every target of the build that reads t's
// outputs (its reverse deps, looking through aliases) is done.
func (b *builder) readersDone(t *graph.Target) bool {
	for _, r := range t.RDeps {
		switch st := b.plan.State(r.ID); {
		case st == plan.Unwanted:
			continue
		case st != plan.Done:
			return false
		case len(r.Cmds) == 0 && !b.readersDone(r):
			return false
		}
	}
	return true
}

// deleteOutputs deletes the outputs of intermediate target t that its
// last run recorded, if they are still there. As clean does, it deletes
// nothing of a target if one of its recorded files resolves outside the
// project, and never a file that was not recorded as t's output.
func (b *builder) deleteOutputs(t *graph.Target) {
	rec, ok := b.store.Target(t.Name)
	if !ok {
		return
	}
	declared := make(map[string]bool, len(t.Outputs))
	for _, o := range b.absOutputs(t) {
		declared[o] = true
	}
	p, err := cleanup.NewPlan(b.g.Root, b.store, []string{t.Name})
	if err != nil {
		b.ls.Message(fmt.Sprintf("gobuildj: warning: intermediate %s: its outputs are kept: %v", t.Name, err))
		return
	}
	recorded := make(map[string]bool, len(rec.Outputs))
	for _, o := range rec.Outputs {
		recorded[b.abs(o.Path)] = true
	}
	for _, f := range p.Files {
		if !declared[f] || !recorded[f] {
			continue // its depfile, or an output it no longer declares
		}
		if err := os.Remove(f); err != nil && !errors.Is(err, os.ErrNotExist) {
			b.ls.Message(fmt.Sprintf("gobuildj: warning: intermediate %s: cannot delete %s: %v", t.Name, b.rel(f), err))
		}
	}
}

// withMissingDeps adds to ids the secondary and intermediate targets
// they read (looking through aliases, and through such targets in turn)
// whose outputs are missing: a build of watch mode then looks at them
// again, so that they run first if a reader must run.
func (b *builder) withMissingDeps(ids []int) []int {
	seen := make(map[int]bool, len(ids))
	stack := make([]int, 0, len(ids))
	for _, id := range ids {
		seen[id] = true
		stack = append(stack, id)
	}
	for len(stack) > 0 {
		t := b.nodes[stack[len(stack)-1]].t
		stack = stack[:len(stack)-1]
		for _, d := range t.Deps {
			switch {
			case seen[d.ID]:
			case len(d.Cmds) == 0: // looked through, not planned again
				seen[d.ID] = true
				stack = append(stack, d.ID)
			case (d.Secondary || d.Intermediate) && b.missingOutput(d) != "":
				seen[d.ID] = true
				stack = append(stack, d.ID)
				ids = append(ids, d.ID)
			}
		}
	}
	return ids
}

// missingOutput returns the first output of t that does not exist, or "".
func (b *builder) missingOutput(t *graph.Target) string {
	for _, o := range t.Outputs {
		if _, err := os.Lstat(b.abs(o)); errors.Is(err, os.ErrNotExist) {
			return o
		}
	}
	return ""
}
