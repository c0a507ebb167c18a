package schedx_test

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gobuildj/gobuildj/ports"
	"github.com/gobuildj/gobuildj/sched"
	"github.com/gobuildj/gobuildj/sched/schedx"
)

func TestTypedMessagesBothWays(t *testing.T) {
	s := sched.New(sched.Options{Jobs: 1})
	task, err := schedx.NewTask("test.typed", point{X: 1, Y: 2, Name: "p"})
	if err != nil {
		t.Fatal(err)
	}
	var progress []string
	task.OnStart = func(ctx *sched.SchedulerContext) {
		if err := (schedx.Typed[point]{}).ToWorker(ctx, point{X: 10, Y: 20, Name: "m"}); err != nil {
			t.Error(err)
		}
	}
	task.OnMessage = func(_ *sched.SchedulerContext, msg []byte) {
		m, err := schedx.Typed[string]{}.Decode(msg)
		if err != nil {
			t.Error(err)
		}
		progress = append(progress, m)
	}
	var got point
	task.OnEnd = func(r sched.Result) {
		if r.Err != nil {
			t.Fatalf("task failed: %v", r.Err)
		}
		got, err = schedx.Typed[point]{}.Decode(r.Value)
		if err != nil {
			t.Error(err)
		}
	}
	s.AddTask(task)
	run(t, s)
	if want := (point{X: 11, Y: 22, Name: "p+m"}); got != want {
		t.Errorf("result %+v, want %+v", got, want)
	}
	if !slices.Equal(progress, []string{"got m"}) {
		t.Errorf("messages %q", progress)
	}
}

func TestTypedBadPayload(t *testing.T) {
	s := sched.New(sched.Options{Jobs: 1})
	var err error
	s.AddTask(&sched.Task{Func: "test.typed", Payload: []byte("not json"), OnEnd: func(r sched.Result) { err = r.Err }})
	run(t, s)
	if err == nil || !strings.Contains(err.Error(), "decode schedx_test.point") {
		t.Errorf("error %v, want a decoding error", err)
	}
}

func TestRequestsAnsweredLater(t *testing.T) {
	// Three tasks ask for ports one at a time; the scheduler answers from
	// another goroutine, later, with ports from a ports.Pool it shares.
	var pool ports.Pool
	held := map[*sched.Task][]int{}
	var mu sync.Mutex
	s := sched.New(sched.Options{Jobs: 3, OnRequest: func(ctx *sched.SchedulerContext, req *sched.Request) {
		q, err := schedx.Typed[string]{}.Decode(req.Body)
		if err != nil || !strings.HasPrefix(q, "port ") {
			req.Fail(fmt.Errorf("bad question %q", req.Body))
			return
		}
		go func() {
			time.Sleep(10 * time.Millisecond)
			p, err := pool.Take(1)
			if err != nil {
				req.Fail(err)
				return
			}
			mu.Lock()
			held[ctx.Task()] = append(held[ctx.Task()], p[0])
			mu.Unlock()
			if err := (schedx.Typed[int]{}).Reply(req, p[0]); err != nil {
				t.Error(err)
			}
		}()
	}})
	results := map[string]bool{}
	for range 3 {
		s.AddTask(&sched.Task{Func: "test.request", Payload: []byte("2"), OnEnd: func(r sched.Result) {
			if r.Err != nil {
				t.Errorf("task failed: %v", r.Err)
				return
			}
			for _, p := range strings.Fields(string(r.Value)) {
				if results[p] {
					t.Errorf("port %s given twice", p)
				}
				results[p] = true
			}
		}})
	}
	run(t, s)
	if len(results) != 6 {
		t.Errorf("ports %v, want 6 distinct", results)
	}
	if pool.Held() != 6 {
		t.Errorf("%d ports held, want 6", pool.Held())
	}
	for _, p := range held {
		pool.Release(p)
	}
	if pool.Held() != 0 {
		t.Errorf("%d ports held after Release", pool.Held())
	}
}

func TestPortsDistinctAndBindable(t *testing.T) {
	// Eight tasks at once each get two ports in OnStart and bind them.
	const tasks = 8
	var pool ports.Pool
	s := sched.New(sched.Options{Jobs: tasks})
	served := map[string]bool{}
	for range tasks {
		var mine []int
		s.AddTask(&sched.Task{Func: "test.bind",
			OnStart: func(ctx *sched.SchedulerContext) {
				var err error
				if mine, err = pool.Take(2); err != nil {
					t.Error(err)
				}
				schedx.Typed[[]int]{}.ToWorker(ctx, mine)
			},
			OnEnd: func(r sched.Result) {
				if r.Err != nil {
					t.Errorf("task: %v", r.Err)
				}
				for _, p := range strings.Fields(string(r.Value)) {
					if served[p] {
						t.Errorf("port %s served twice", p)
					}
					served[p] = true
				}
				pool.Release(mine)
			},
		})
	}
	run(t, s)
	if len(served) != 2*tasks {
		t.Errorf("%d ports served, want %d", len(served), 2*tasks)
	}
	if pool.Held() != 0 {
		t.Errorf("%d ports still held", pool.Held())
	}
}
