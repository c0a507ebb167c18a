// Package plan keeps what a build intends to do and where each target of it
// stands. It answers four questions, and nothing else: which targets are
// wanted, how many of each one's deps are still unfinished, which targets
// are ready to be decided, in which order, and what the end of a target
// releases. It does no I/O and knows nothing of commands, files, processes
// or terminals: the builder asks it what comes next and tells it what
// happened, so every rule it holds can be tested in microseconds.
//
// The life of a target in a plan:
//
//	Unwanted --Want--> Waiting --deps finished--> Ready --Next--> Taken --Finish--> Done | Failed
//	                   Waiting --a dep failed or was blocked--> Blocked
//
// A Taken target is the builder's: it decides whether the target runs (it
// may be up to date, or cut off), runs it, and reports the outcome with
// Finish. Finish releases the target's reverse deps: each one whose deps are
// now all finished becomes Ready, or Blocked when one of them failed or was
// blocked (it never runs, and releases its own reverse deps in turn).
//
// A plan can grow while a build runs (Want of more targets, Grow for targets
// the graph gained), stop (Stop: Next hands out nothing more; what was not
// taken stays where it is), give back a taken target that did not start
// (Return), and, for a watch session that keeps its plan from build to
// build, do targets again (Redo) — also targets whose commands run at that
// moment: they go back to waiting once their current run is over.
package plan

import (
	"fmt"
	"slices"
)

// Graph is the shape of the graph a plan is laid over: targets are numbered
// from 0 to Len()-1 in topological order (a target's deps have smaller
// numbers than itself), with their edges both ways. Len may grow while the
// plan is in use (see Plan.Grow). A target may gain deps only while it is
// Taken, before Wait; no other edge of an existing target may change.
type Graph interface {
	Len() int
	Deps(id int) []int32
	RDeps(id int) []int32
}

// State is where a target is in a plan.
type State uint8

// The states of a target.
const (
	// Unwanted: not in the plan.
	Unwanted State = iota
	// Waiting: in the plan; some of its deps are not finished.
	Waiting
	// Ready: every dep is finished well; Next may hand it out.
	Ready
	// Taken: handed out by Next; its outcome is not known yet.
	Taken
	// Done: finished well (it ran, or was up to date or cut off).
	Done
	// Failed: it ran and failed.
	Failed
	// Blocked: a dep failed or was blocked, so it never ran.
	Blocked
	numStates
)

var stateNames = [...]string{"unwanted", "waiting", "ready", "taken", "done", "failed", "blocked"}

// String names the state.
func (s State) String() string {
	if int(s) < len(stateNames) {
		return stateNames[s]
	}
	return fmt.Sprintf("State(%d)", uint8(s))
}

// Finished reports whether a target in this state has an outcome: its
// reverse deps do not wait for it any more.
func (s State) Finished() bool { return s >= Done }

// Plan is what a build intends to do and where each wanted target stands.
// It is not safe for concurrent use: one goroutine (the builder's) owns it.
type Plan struct {
	g        Graph
	state    []State
	pending  []int32 // Waiting: deps not finished yet
	priority []int64
	// redo marks a Taken target that Redo reached while it ran: its
	// outcome is ignored and it waits again.
	redo    []bool
	ready   readyHeap
	counts  [numStates]int
	stopped bool
	// collect makes targets that become ready go to collected (Want).
	collect   bool
	collected []int
	// blocked collects the targets blocked since the caller last drained
	// them (TakeBlocked).
	blocked []int
}

// New returns an empty plan over g: nothing is wanted yet.
func New(g Graph) *Plan {
	p := &Plan{g: g}
	p.Grow()
	return p
}

// Grow makes room for targets the graph gained since the plan was made
// (they are Unwanted until wanted).
func (p *Plan) Grow() {
	n := p.g.Len()
	if n <= len(p.state) {
		return
	}
	add := n - len(p.state)
	p.state = append(p.state, make([]State, add)...)
	p.pending = append(p.pending, make([]int32, add)...)
	p.priority = append(p.priority, make([]int64, add)...)
	p.redo = append(p.redo, make([]bool, add)...)
	p.ready.index = append(p.ready.index, make([]int32, add)...)
	p.counts[Unwanted] += add
}

// State returns where target id stands.
func (p *Plan) State(id int) State { return p.state[id] }

// Count returns how many targets are in state s.
func (p *Plan) Count(s State) int { return p.counts[s] }

// Wanted returns how many targets are in the plan.
func (p *Plan) Wanted() int { return len(p.state) - p.counts[Unwanted] }

// SetPriority sets the priority of target id: of the Ready targets, Next
// hands out the one of highest priority first, and those of equal priority
// in the order they became ready. A builder gives each target the length
// of the longest chain of work behind it, so that the critical path starts
// first.
func (p *Plan) SetPriority(id int, priority int64) {
	p.priority[id] = priority
	if p.state[id] == Ready {
		p.ready.fix(id, priority)
	}
}

// Priority returns the priority of target id.
func (p *Plan) Priority(id int) int64 { return p.priority[id] }

// Want puts the targets ids and everything they depend on in the plan, if
// they are not in it yet. It may be called while a build runs: a new target
// whose deps are all finished is Ready at once (or Blocked, if one of them
// failed or was blocked), and one that waits for running deps is released
// by their Finish.
func (p *Plan) Want(ids ...int) {
	// Depth first, deps before their reverse deps, without recursion:
	// a target is added once all its unwanted deps are.
	type frame struct{ id, next int }
	var stack []frame
	// What becomes ready is queued in topological order, as if it had
	// been found by a walk of the plan.
	p.collect = true
	defer p.flushCollected()
	for _, root := range ids {
		if p.state[root] != Unwanted {
			continue
		}
		stack = append(stack[:0], frame{id: root})
		p.enter(root)
		for len(stack) > 0 {
			top := &stack[len(stack)-1]
			deps := p.g.Deps(top.id)
			if top.next < len(deps) {
				d := int(deps[top.next])
				top.next++
				if p.state[d] == Unwanted {
					p.enter(d)
					stack = append(stack, frame{id: d})
				}
				continue
			}
			p.recount(top.id)
			stack = stack[:len(stack)-1]
		}
	}
}

// enter makes an unwanted target Waiting with its deps not counted yet
// (pending -1): a release does not touch it until they are.
func (p *Plan) enter(id int) {
	p.setState(id, Waiting)
	p.pending[id] = -1
}

// MarkDone makes a wanted target that was not handed out Done: a watch
// session that read its Buildfile again knows that a target whose
// definition did not change is still up to date. Its deps should be Done
// too.
func (p *Plan) MarkDone(id int) {
	switch p.state[id] {
	case Done:
		return
	case Ready:
		p.ready.remove(id)
	case Waiting:
	default:
		panic(fmt.Sprintf("plan: MarkDone of target %d, which is %s", id, p.state[id]))
	}
	p.finish(id, Done)
}

// Next hands out the Ready target of highest priority, which becomes Taken;
// false when none is ready or the plan is stopped.
func (p *Plan) Next() (int, bool) {
	if p.stopped || p.ready.len() == 0 {
		return 0, false
	}
	id := p.ready.pop()
	p.setState(id, Taken)
	return id, true
}

// Return gives back a Taken target that did not start (the build stopped
// before a slot was free for it): it is Ready again, and Next hands it out
// again once the plan is not stopped.
func (p *Plan) Return(id int) {
	p.mustBe(id, Taken, "Return")
	if p.redo[id] {
		p.redo[id] = false
		p.setState(id, Waiting)
		p.recount(id)
		return
	}
	p.setState(id, Ready)
	p.ready.push(p, id)
}

// Wait makes a Taken target wait again: deciding it, the builder found
// deps it did not know of (a dyndep file), made them edges of the graph and
// wanted them. Its unfinished deps are counted anew: with none, it is
// Ready again at once (or Blocked).
func (p *Plan) Wait(id int) {
	p.mustBe(id, Taken, "Wait")
	p.redo[id] = false
	p.setState(id, Waiting)
	p.recount(id)
}

// Finish records the outcome of a Taken target (ok: Done, else Failed) and
// releases its reverse deps. A target that Redo reached while it was taken
// waits again instead, whatever the outcome. It returns the final state.
func (p *Plan) Finish(id int, ok bool) State {
	p.mustBe(id, Taken, "Finish")
	if p.redo[id] {
		p.redo[id] = false
		p.setState(id, Waiting)
		p.recount(id)
		return p.state[id]
	}
	if ok {
		p.finish(id, Done)
	} else {
		p.finish(id, Failed)
	}
	return p.state[id]
}

// finish ends target id with state s (Done, Failed or Blocked) and
// releases its reverse deps in the plan.
func (p *Plan) finish(id int, s State) {
	p.setState(id, s)
	if s == Blocked {
		p.blocked = append(p.blocked, id)
	}
	for _, rd := range p.g.RDeps(id) {
		r := int(rd)
		if p.state[r] != Waiting || p.pending[r] <= 0 {
			continue // unwanted, or its deps are not counted yet
		}
		p.pending[r]--
		if p.pending[r] == 0 {
			p.depsFinished(r)
		}
	}
}

// depsFinished decides a Waiting target whose deps are all finished: Ready,
// or Blocked when one of them did not finish well.
func (p *Plan) depsFinished(id int) {
	for _, d := range p.g.Deps(id) {
		if s := p.state[d]; s == Failed || s == Blocked {
			p.finish(id, Blocked)
			return
		}
	}
	p.setState(id, Ready)
	if p.collect {
		p.collected = append(p.collected, id)
		return
	}
	p.ready.push(p, id)
}

// flushCollected queues the targets collected as ready, in topological
// order.
func (p *Plan) flushCollected() {
	p.collect = false
	slices.Sort(p.collected)
	for _, id := range p.collected {
		p.ready.push(p, id)
	}
	p.collected = p.collected[:0]
}

// TakeBlocked returns the targets that became Blocked since the last call,
// in the order they did, so that the builder can say why each never ran.
func (p *Plan) TakeBlocked() []int {
	b := p.blocked
	p.blocked = nil
	return b
}

// Stop makes Next hand out nothing more: a build that failed without -k,
// or was interrupted. Ready and waiting targets stay where they are (not
// run); taken targets still finish, and still release their reverse deps
// (which may become blocked).
func (p *Plan) Stop() { p.stopped = true }

// Stopped reports whether Stop was called (and not Resume).
func (p *Plan) Stopped() bool { return p.stopped }

// Resume undoes Stop: the next build of a watch session starts what the
// last one left.
func (p *Plan) Resume() { p.stopped = false }

// Reset is a target that Redo made wait again, and the state it was in.
type Reset struct {
	ID  int
	Was State
}

// Redo makes the targets ids, which must be in the plan, wait to be done
// again, with every target of the plan that depends on them: a file they
// read changed. A target that is Taken stays Taken until its current run is
// reported (Finish or Return), and then waits again; the targets that
// depend on it wait for that. Each target's unfinished deps are counted
// anew; those with none are Ready at once. It returns the targets it
// reached, in topological order, with the states they were in.
func (p *Plan) Redo(ids ...int) []Reset {
	var reset []Reset
	var stack []int
	seen := map[int]bool{}
	for _, id := range ids {
		if p.state[id] != Unwanted && !seen[id] {
			seen[id] = true
			stack = append(stack, id)
		}
	}
	for len(stack) > 0 {
		id := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		reset = append(reset, Reset{ID: id, Was: p.state[id]})
		for _, rd := range p.g.RDeps(id) {
			r := int(rd)
			if p.state[r] != Unwanted && !seen[r] {
				seen[r] = true
				stack = append(stack, r)
			}
		}
	}
	slices.SortFunc(reset, func(a, b Reset) int { return a.ID - b.ID })
	for _, r := range reset {
		switch r.Was {
		case Taken:
			p.redo[r.ID] = true
		case Ready:
			p.ready.remove(r.ID)
			p.enter(r.ID)
		default:
			p.enter(r.ID)
		}
	}
	// Count the deps once every state is known, deps first so that a
	// target made Ready or Blocked releases nothing twice.
	for _, r := range reset {
		if p.state[r.ID] == Waiting {
			p.recount(r.ID)
		}
	}
	return reset
}

// recount counts the unfinished deps of a Waiting target and decides it
// when there are none.
func (p *Plan) recount(id int) {
	var pending int32
	for _, d := range p.g.Deps(id) {
		if s := p.state[d]; s != Unwanted && !s.Finished() {
			pending++
		}
	}
	p.pending[id] = pending
	if pending == 0 {
		p.depsFinished(id)
	}
}

// Pending returns how many deps of a Waiting target are not finished.
func (p *Plan) Pending(id int) int { return int(p.pending[id]) }

// Each calls f for every target of the plan in state s, in topological
// order.
func (p *Plan) Each(s State, f func(id int)) {
	if p.counts[s] == 0 {
		return
	}
	for id, st := range p.state {
		if st == s {
			f(id)
		}
	}
}

func (p *Plan) setState(id int, s State) {
	p.counts[p.state[id]]--
	p.counts[s]++
	p.state[id] = s
}

func (p *Plan) mustBe(id int, s State, op string) {
	if p.state[id] != s {
		panic(fmt.Sprintf("plan: %s of target %d, which is %s, not %s", op, id, p.state[id], s))
	}
}
