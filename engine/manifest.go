package engine

import (
	"fmt"

	"github.com/gobuildj/gobuildj/cache"
	"github.com/gobuildj/gobuildj/event"
	"github.com/gobuildj/gobuildj/graph"
)

// Current is a target's action as a build would compute it now, beside the
// record of its last successful run: the two manifests `gobuildj why`
// compares.
type Current struct {
	Target *graph.Target
	// Now is the record a successful run would write now, less what only
	// the run can tell (outputs, duration, a new depfile): its key, and
	// every input, dep output, tool and declared variable with its hash.
	// The outputs of a dep that would run are taken as they are on disk.
	Now cache.TargetRecord
	// Last is the record of the last successful run; HasLast is false
	// when there is none.
	Last    cache.TargetRecord
	HasLast bool
	// Runs is whether a build would run the target now, and Reason why:
	// for a target whose deps would run first, the reason it has with its
	// deps' outputs as they are on disk, or event.DepMayChange when only
	// its deps' outcome can tell.
	Runs   bool
	Reason event.Reason
	// DepOf names the dep that produces a path of Now.DepOutputs ("" if
	// none can be named).
	DepOf func(path string) string
}

// Manifests computes, for every target with commands that a build of
// targets would consider, in build order, its action now and the record
// of its last run, as a dry run does: nothing runs and nothing is
// recorded. opts.LookupEnv is the environment the commands would inherit;
// the other options but Force and Trace are ignored. A *graph.Error says the targets
// cannot be built.
func Manifests(g *graph.Graph, targets []*graph.Target, opts Options) ([]Current, error) {
	opts = Options{Jobs: 1, DryRun: true, Force: opts.Force, Trace: opts.Trace, LookupEnv: opts.LookupEnv, Listener: event.Tee()}
	opts.normalize()
	b := newBuilder(g, opts)
	defer b.closeRunners()
	b.want(targets)
	planned := b.statPlanned()
	if err := b.checkCycleInputs(planned); err != nil {
		return nil, err
	}
	var err error
	if b.store, err = cache.OpenReadOnlyState(g.State()); err != nil {
		return nil, fmt.Errorf("state: %w", err)
	}
	defer b.store.Close()
	b.files = b.store.Files()
	if err := b.checkPlanned(planned); err != nil {
		return nil, err
	}
	var out []Current
	for _, id := range b.cycle { // topological order: deps first
		n := &b.nodes[id]
		t := n.t
		if len(t.Cmds) == 0 {
			continue
		}
		if n.action == nil || n.verdict == maybe {
			if err := b.prepareAction(n); err != nil {
				return nil, err
			}
		}
		c := Current{Target: t, Runs: n.verdict != clean, Reason: n.reason, DepOf: n.action.DepOf}
		if n.verdict == maybe {
			// Its deps would run first: what it would run for if their
			// outputs stayed as they are on disk, else that they decide.
			if c.Reason = b.decide(n); c.Reason.IsZero() {
				c.Reason = event.Reason{Kind: event.DepMayChange}
			}
		}
		c.Last, c.HasLast = b.store.Target(t.Name)
		c.Now = n.action.Record(t.Name, n.key)
		c.Now.Discovered = c.Last.Discovered
		c.Now.Depfile = t.Depfile
		if b.tracing(t) {
			c.Now.Traced, c.Now.Probed = c.Last.Traced, c.Last.Probed
		}
		if n.verdict != clean {
			n.outputs = b.outputsOnDisk(t)
		}
		out = append(out, c)
	}
	return out, nil
}

// outputsOnDisk are the outputs of t with the hashes of what is on disk
// now; a missing one has the zero hash.
func (b *builder) outputsOnDisk(t *graph.Target) []cache.PathHash {
	out := make([]cache.PathHash, len(t.Outputs))
	for i, o := range t.Outputs {
		out[i].Path = o
		if st, err := b.files.State(b.abs(o)); err == nil {
			out[i].Hash = st.Hash
		}
	}
	return out
}
