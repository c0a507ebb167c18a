package query

import (
	"errors"
	"fmt"

	"github.com/gobuildj/gobuildj/engine"
	"github.com/gobuildj/gobuildj/event"
	"github.com/gobuildj/gobuildj/graph"
)

// OutOfDate says whether a build of targets would run a command (make -q):
// a dry run that prints nothing, runs nothing and records nothing. A
// *graph.Error says the targets cannot be built.
func OutOfDate(g *graph.Graph, targets []*graph.Target) (bool, error) {
	sum, err := engine.Build(g, targets, engine.Options{Jobs: 1, DryRun: true, Listener: silent{}}, nil)
	var gerr *graph.Error
	if errors.As(err, &gerr) {
		return false, gerr
	}
	if err != nil {
		return false, fmt.Errorf("dry run: %w", err)
	}
	return sum.Run > 0, nil
}

// silent is an event.Listener that ignores every event.
type silent struct{}

// Planned ignores the count.
func (silent) Planned(int) {}

// Explain ignores the reason.
func (silent) Explain(string, event.Reason) {}

// Started ignores the event.
func (silent) Started(event.Start) {}

// Finished ignores the event.
func (silent) Finished(event.Finish) {}

// Skipped ignores the event.
func (silent) Skipped(event.Skip) {}

// Message ignores the line.
func (silent) Message(string) {}

// Done ignores the summary.
func (silent) Done(event.Summary) {}
