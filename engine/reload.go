package engine

import (
	"slices"

	"github.com/gobuildj/gobuildj/engine/plan"
	"github.com/gobuildj/gobuildj/graph"
)

// adopt makes g, with targets selected, the graph of the session: the
// first one, or a Buildfile read again. A target of the old graph whose
// definition is the same in g (same commands, environment, folder, inputs,
// outputs, depfile, deps) and that was up to date stays up to date, with
// its outputs known: reading the Buildfile again costs no stat of what it
// did not change. Every other wanted target is stale. The inputs are
// indexed again and the watcher told what to watch.
func (s *session) adopt(g *graph.Graph, targets []*graph.Target) {
	b := s.b
	old, oldNodes, oldWanted, oldStale := b.g, b.nodes, s.wanted, s.stale
	b.setGraph(g)
	s.newGraph = true
	s.targets = targets
	s.wanted = make([]bool, len(g.Targets))
	s.wantedCmds = 0
	ids := make([]int, len(targets))
	for i, t := range targets {
		ids[i] = t.ID
	}
	b.plan.Want(ids...)
	b.plan.Stop() // nothing starts before the first build's check
	for id := range g.Targets {
		if b.plan.State(id) != plan.Unwanted {
			s.wanted[id] = true
			if len(g.Targets[id].Cmds) > 0 {
				s.wantedCmds++
			}
		}
	}
	s.stale = map[int]bool{}
	for i, t := range g.Targets { // in topological order: deps first
		if !s.wanted[i] {
			continue
		}
		if oldWanted != nil {
			if ot, ok := old.Lookup(t.Name); ok && ot.Name == t.Name && oldWanted[ot.ID] && !oldStale[ot.ID] && sameTarget(ot, t) {
				on := &oldNodes[ot.ID]
				n := &b.nodes[i]
				n.outputs, n.aliasKnown = on.outputs, on.aliasKnown
				n.verdict = clean
				b.plan.MarkDone(i)
				continue
			}
		}
		s.stale[i] = true
	}
	s.index = newInputIndex(b, s.wanted)
	s.watchIndexed()
}

// sameTarget reports whether a and b, the same target in two loads of a
// Buildfile, would run the same action: what its key covers, its outputs
// (with the outputs of its deps it consumes) and whether it always runs.
func sameTarget(a, b *graph.Target) bool {
	return slices.Equal(a.Cmds, b.Cmds) && slices.Equal(a.Env, b.Env) && a.Dir == b.Dir &&
		slices.Equal(a.Inputs, b.Inputs) && slices.Equal(a.Outputs, b.Outputs) &&
		a.Depfile == b.Depfile && a.Trace == b.Trace && a.Always == b.Always && a.Ports == b.Ports &&
		slices.Equal(a.Tools, b.Tools) && slices.Equal(a.EnvInputs, b.EnvInputs) &&
		slices.EqualFunc(a.Deps, b.Deps, func(x, y *graph.Target) bool { return x.Name == y.Name }) &&
		slices.EqualFunc(a.Consumes, b.Consumes, slices.Equal[[]int])
}
