package sched_test

import (
	"errors"
	"slices"
	"testing"

	"github.com/gobuildj/gobuildj/sched"
)

// Replace puts a task in the place of a queued one, which is dropped; it
// refuses a task that is not queued.
func TestReplace(t *testing.T) {
	var rec recorder
	s := sched.New(sched.Options{Jobs: 1, OnEvent: rec.record})
	var ran []string
	var dropped sched.Result
	task := func(p string) *sched.Task {
		return &sched.Task{Func: "test.echo", Payload: []byte(p), OnEnd: func(r sched.Result) {
			if r.State == sched.StateDropped {
				dropped = r
				return
			}
			ran = append(ran, string(r.Value))
		}}
	}
	first, old, last := task("first"), task("old"), task("last")
	s.AddTask(first)
	s.AddTask(old)
	s.AddTask(last)
	oldQueued, _, _ := old.Times()
	repl := task("new")
	if !s.Replace(old, repl) {
		t.Fatal("Replace of a queued task returned false")
	}
	if old.State() != sched.StateDropped || !errors.Is(dropped.Err, sched.ErrDropped) {
		t.Errorf("the replaced task is %s and ended with %v, want dropped", old.State(), dropped.Err)
	}
	if q, _, _ := repl.Times(); !q.Equal(oldQueued) {
		t.Errorf("the new task was queued at %v, want the old one's %v", q, oldQueued)
	}
	if s.Replace(old, task("again")) {
		t.Error("Replace of a dropped task returned true")
	}
	if s.Replace(task("never queued"), task("x")) {
		t.Error("Replace of a task never queued returned true")
	}
	if s.Queued() != 3 {
		t.Errorf("Queued() = %d, want 3", s.Queued())
	}
	run(t, s)
	if want := []string{"first", "new", "last"}; !slices.Equal(ran, want) {
		t.Errorf("ran %q, want %q (the new task in the old one's place)", ran, want)
	}
	if s.Replace(first, task("y")) {
		t.Error("Replace of a finished task returned true")
	}
	var story []string
	for _, e := range rec.all() {
		if e.Task == old || e.Task == repl {
			story = append(story, e.Kind.String())
		}
	}
	if want := []string{"queued", "dropped", "queued", "started", "finished"}; !slices.Equal(story, want) {
		t.Errorf("events of the old and new tasks: %q, want %q", story, want)
	}
}
