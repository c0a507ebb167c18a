package sched_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"os/signal"
	"slices"
	"strconv"
	"syscall"
	"time"

	"github.com/gobuildj/gobuildj/ports"
	"github.com/gobuildj/gobuildj/sched"
)

// The task function is registered in an init function (here:
// sched.Register("example.upper", ...) in tasks_test.go), and main (here:
// TestMain) starts with:
//
//	if sched.IsWorker() {
//		sched.WorkerMain()
//	}
func ExampleScheduler() {
	s := sched.New(sched.Options{Jobs: 2})
	words := []string{"make", "ninja", "tezt"}
	upper := make([]string, len(words))
	for i, w := range words {
		s.AddTask(&sched.Task{
			Func:    "example.upper",
			Payload: []byte(w),
			OnEnd: func(r sched.Result) {
				if r.Err != nil {
					log.Printf("%s: %v", w, r.Err)
					return
				}
				upper[i] = string(r.Value)
			},
		})
	}
	if err := s.Run(); err != nil {
		log.Fatal(err)
	}
	fmt.Println(upper)
	// Output: [MAKE NINJA TEZT]
}

// rect is the payload of the typed task "example.area".
type rect struct{ W, H int }

func init() {
	sched.RegisterFunc("example.area", func(_ *sched.WorkerContext, r rect) (int, error) {
		if r.W < 0 || r.H < 0 {
			return 0, fmt.Errorf("negative side in %+v", r)
		}
		return r.W * r.H, nil
	})
	sched.Register("example.port", func(ctx *sched.WorkerContext, _ []byte) ([]byte, error) {
		port, err := sched.Ask[int](ctx, "port")
		if err != nil {
			return nil, err
		}
		return []byte(strconv.FormatBool(port > 0)), nil
	})
}

// A typed task: the payload and the result are Go values, encoded as JSON.
func ExampleRegisterFunc() {
	s := sched.New(sched.Options{Jobs: 2})
	for _, r := range []rect{{3, 4}, {-1, 2}} {
		t, err := sched.NewTask("example.area", r)
		if err != nil {
			log.Fatal(err)
		}
		t.OnEnd = func(res sched.Result) {
			if res.Err != nil {
				fmt.Println("error:", res.Err)
				return
			}
			area, _ := sched.Typed[int]{}.Decode(res.Value)
			fmt.Println("area:", area)
		}
		s.AddTask(t)
		s.Run() // one at a time, for a stable output
	}
	// Output:
	// area: 12
	// error: negative side in {W:-1 H:2}
}

// A task asks the scheduler for a free TCP port; the scheduler answers from
// a ports.Pool shared by all tasks, and releases it when the task ends.
func ExampleRequest() {
	var pool ports.Pool
	s := sched.New(sched.Options{Jobs: 1})
	var mine []int
	s.AddTask(&sched.Task{
		Func: "example.port",
		OnRequest: func(ctx *sched.SchedulerContext, req *sched.Request) {
			p, err := pool.Take(1)
			if err != nil {
				req.Fail(err)
				return
			}
			mine = p
			sched.Typed[int]{}.Reply(req, p[0])
		},
		OnEnd: func(r sched.Result) {
			fmt.Printf("got a port: %s\n", r.Value)
			pool.Release(mine)
		},
	})
	if err := s.Run(); err != nil {
		log.Fatal(err)
	}
	fmt.Println("ports held after the run:", pool.Held())
	// Output:
	// got a port: true
	// ports held after the run: 0
}

// A timer keeps Run alive and adds a task when it fires.
func ExampleScheduler_OnDelay() {
	s := sched.New(sched.Options{Jobs: 1})
	s.OnDelay(10*time.Millisecond, func() {
		fmt.Println("timer fired")
		s.AddTask(&sched.Task{Func: "example.upper", Payload: []byte("late task"),
			OnEnd: func(r sched.Result) { fmt.Println(string(r.Value)) }})
	})
	if err := s.Run(); err != nil {
		log.Fatal(err)
	}
	// Output:
	// timer fired
	// LATE TASK
}

// A group follows a batch of tasks: progress, then the final status.
func ExampleGroup() {
	s := sched.New(sched.Options{Jobs: 2})
	g := s.NewGroup("batch")
	for _, w := range []string{"a", "b", "c"} {
		g.Add(&sched.Task{Func: "example.upper", Payload: []byte(w)})
	}
	g.Add(&sched.Task{Func: "test.fail", Payload: []byte("boom")})
	g.Close()
	g.OnDone(func(st sched.GroupStatus) {
		fmt.Printf("%s: %d/%d complete, %d failed, %.0f%%\n", st.Name, st.Complete, st.Total, st.Failed, st.Progress)
	})
	if err := s.Run(); err != nil {
		log.Fatal(err)
	}
	// Output: batch: 4/4 complete, 1 failed, 100%
}

// The dropbox merges requests for the same work that pile up in the queue:
// the latest wins.
func ExampleScheduler_Drop() {
	s := sched.New(sched.Options{Jobs: 1})
	for _, v := range []string{"v1", "v2", "v3"} {
		s.Drop(&sched.Task{Func: "example.upper", Key: "render", Payload: []byte(v),
			OnEnd: func(r sched.Result) {
				if r.State == sched.StateSucceeded {
					fmt.Println("rendered", string(r.Value))
				}
			}}, nil)
	}
	fmt.Println("queued:", s.Queued())
	if err := s.Run(); err != nil {
		log.Fatal(err)
	}
	// Output:
	// queued: 1
	// rendered V3
}

// A producer/consumer loop: the producer is called whenever a worker is
// free; on SIGINT (ctx) it would stop cleanly.
func ExampleScheduler_Serve() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	s := sched.New(sched.Options{Jobs: 2})
	work := []string{"x", "y", "z"}
	var results []string
	err := s.Serve(ctx, func(context.Context) (*sched.Task, error) {
		if len(work) == 0 {
			return nil, sched.ErrNoMoreTasks
		}
		w := work[0]
		work = work[1:]
		return &sched.Task{Func: "example.upper", Payload: []byte(w)}, nil
	}, func(t *sched.Task, r sched.Result) {
		results = append(results, string(r.Value))
	})
	if err != nil {
		log.Fatal(err)
	}
	slices.Sort(results)
	fmt.Println(results)
	// Output: [X Y Z]
}

// Introspection: the queue with its times, and each task's state.
func ExampleScheduler_Pending() {
	s := sched.New(sched.Options{Jobs: 1})
	for _, k := range []string{"first", "second"} {
		s.AddTask(&sched.Task{Func: "example.upper", Key: k})
	}
	for _, p := range s.Pending() {
		fmt.Println(p.Task.Key, p.Task.State(), !p.Queued.IsZero())
	}
	s.Run()
	for _, e := range s.Backlog() {
		if e.Task != nil && e.Task.Key == "first" {
			fmt.Println("first:", e.Kind)
		}
	}
	// Output:
	// first queued true
	// second queued true
	// first: queued
	// first: started
	// first: finished
}

func ExampleProcessStatus() {
	fmt.Println(sched.ProcessStatus(syscall.WaitStatus(0)))
	fmt.Println(sched.ProcessStatus(syscall.WaitStatus(syscall.SIGTERM)))
	// Output:
	// exited with code 0
	// was killed by SIGTERM
}
