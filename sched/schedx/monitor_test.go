package schedx_test

import (
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/gobuildj/gobuildj/sched"
	"github.com/gobuildj/gobuildj/sched/schedx"
)

func TestIntrospection(t *testing.T) {
	m := schedx.NewMonitor(0)
	s := sched.New(sched.Options{Jobs: 2, OnEvent: m.Observe})
	var tasks []*sched.Task
	var ctxs sync.Map
	for i := range 5 {
		task := &sched.Task{Func: "test.waitmsg", Key: strconv.Itoa(i), OnEnd: func(r sched.Result) {
			if r.Err != nil {
				t.Errorf("task %d: %v", i, r.Err)
			}
		}}
		task.OnStart = func(ctx *sched.SchedulerContext) { ctxs.Store(task, ctx) }
		tasks = append(tasks, task)
		s.AddTask(task)
	}
	done := make(chan error, 1)
	go func() { done <- s.Run() }()

	busy := func() []schedx.WorkerStatus {
		var out []schedx.WorkerStatus
		for _, w := range m.Workers() {
			if w.Task != nil {
				out = append(out, w)
			}
		}
		return out
	}
	if !eventually(time.Minute, func() bool { return len(busy()) == 2 }) {
		t.Fatalf("workers %+v, want 2 busy", m.Workers())
	}
	for _, w := range busy() {
		if w.Started.Before(w.Queued) || w.Pid == 0 || w.Task.State() != sched.StateRunning {
			t.Errorf("worker %+v: task %s", w, w.Task.State())
		}
	}
	pending := m.Pending()
	if len(pending) != 3 {
		t.Fatalf("%d pending tasks, want 3", len(pending))
	}
	for i, p := range pending {
		if p.Task != tasks[i+2] || p.Queued.IsZero() || p.Task.State() != sched.StateQueued {
			t.Errorf("pending %d: %+v (%s)", i, p, p.Task.State())
		}
	}
	if n := s.ProcessCount(); n != 2 {
		t.Errorf("ProcessCount() = %d, want 2", n)
	}
	// Release the tasks one by one as they start.
	for _, task := range tasks {
		var ctx any
		if !eventually(time.Minute, func() bool { var ok bool; ctx, ok = ctxs.Load(task); return ok }) {
			t.Fatalf("task %s never started", task.Key)
		}
		ctx.(*sched.SchedulerContext).Send([]byte("go"))
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if n := s.ProcessCount(); n != 0 {
		t.Errorf("ProcessCount() = %d after Run", n)
	}
	// The backlog tells each task's story in order.
	var story []string
	for _, e := range m.Backlog() {
		if e.Task == tasks[4] {
			story = append(story, e.Kind.String())
		}
	}
	if want := []string{"queued", "started", "finished"}; !slices.Equal(story, want) {
		t.Errorf("backlog of task 4: %q, want %q", story, want)
	}
	workers := 0
	for _, e := range m.Backlog() {
		if e.Kind == sched.EventWorkerExited {
			workers++
		}
	}
	if workers != 2 {
		t.Errorf("%d worker exits in the backlog, want 2:\n%v", workers, m.Backlog())
	}
	q, st, f := tasks[4].Times()
	if q.IsZero() || st.Before(q) || f.Before(st) {
		t.Errorf("times of task 4: %v %v %v", q, st, f)
	}
}

func TestBacklogKeepsTheLatest(t *testing.T) {
	m := schedx.NewMonitor(3)
	s := sched.New(sched.Options{OnEvent: m.Observe})
	for i := range 5 {
		s.AddTask(&sched.Task{Func: "test.echo", Key: strconv.Itoa(i)})
	}
	var keys []string
	for _, e := range m.Backlog() {
		keys = append(keys, e.Task.Key)
	}
	if !slices.Equal(keys, []string{"2", "3", "4"}) {
		t.Errorf("backlog %q, want the last 3 events", keys)
	}
	s.Clear()
	none := schedx.NewMonitor(-1)
	s = sched.New(sched.Options{OnEvent: none.Observe})
	s.AddTask(&sched.Task{Func: "test.echo", Key: "x"})
	if len(none.Backlog()) != 0 {
		t.Error("a disabled backlog kept events")
	}
	if p := none.Pending(); len(p) != 1 || p[0].Task.Key != "x" {
		t.Errorf("Pending() without a backlog = %+v, want the one task", p)
	}
	s.Clear()
	if p := none.Pending(); len(p) != 0 {
		t.Errorf("Pending() after Clear = %+v", p)
	}
}
