package sched_test

import (
	"fmt"
	"log"
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

func init() {
	sched.Register("example.port", func(ctx *sched.WorkerContext, _ []byte) ([]byte, error) {
		port, err := ctx.Request([]byte("port"))
		if err != nil {
			return nil, err
		}
		return []byte(fmt.Sprintf("%t", len(port) > 0)), nil
	})
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
			req.Reply([]byte(strconv.Itoa(p[0])))
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

func ExampleProcessStatus() {
	fmt.Println(sched.ProcessStatus(syscall.WaitStatus(0)))
	fmt.Println(sched.ProcessStatus(syscall.WaitStatus(syscall.SIGTERM)))
	// Output:
	// exited with code 0
	// was killed by SIGTERM
}
