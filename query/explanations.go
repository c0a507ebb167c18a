package query

import (
	"sync"

	"github.com/gobuildj/gobuildj/event"
)

// explanations is an event.Listener that keeps the reasons a dry run with
// --explain gives, in the order given; it ignores every other event.
type explanations struct {
	mu      sync.Mutex
	reasons map[string]event.Reason
	order   []string
}

func newExplanations() *explanations {
	return &explanations{reasons: map[string]event.Reason{}}
}

// reason is the reason given for target, if one was.
func (x *explanations) reason(target string) (event.Reason, bool) {
	x.mu.Lock()
	defer x.mu.Unlock()
	r, ok := x.reasons[target]
	return r, ok
}

// all are the targets explained and their reasons, in order.
func (x *explanations) all() []DepRun {
	x.mu.Lock()
	defer x.mu.Unlock()
	out := make([]DepRun, 0, len(x.order))
	for _, name := range x.order {
		out = append(out, DepRun{Target: name, Reason: x.reasons[name]})
	}
	return out
}

// Explain keeps why target would run.
func (x *explanations) Explain(target string, reason event.Reason) {
	x.mu.Lock()
	defer x.mu.Unlock()
	x.reasons[target] = reason
	x.order = append(x.order, target)
}

// Planned ignores the count.
func (x *explanations) Planned(int) {}

// Started ignores the event.
func (x *explanations) Started(event.Start) {}

// Finished ignores the event.
func (x *explanations) Finished(event.Finish) {}

// Skipped ignores the event.
func (x *explanations) Skipped(event.Skip) {}

// Message ignores the line.
func (x *explanations) Message(string) {}

// Done ignores the summary.
func (x *explanations) Done(event.Summary) {}
