package sched_test

import (
	"fmt"
	"os"
	"testing"

	"github.com/gobuildj/gobuildj/sched"
)

// The test binary is also the worker program: a Scheduler re-executes it
// with the worker marker, and TestMain hands control to WorkerMain.
func TestMain(m *testing.M) {
	if os.Getenv("SCHED_TEST_NO_WORKERMAIN") == "1" && sched.IsWorker() {
		// A program that forgot to call WorkerMain.
		os.Exit(3)
	}
	if sched.IsWorker() {
		sched.WorkerMain()
	}
	if os.Getenv("SCHED_TEST_HELPER") == "scheduler" {
		if err := helperScheduler(); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// helperScheduler is a scheduler process for TestSchedulerDeathKillsWorkers:
// it runs two tasks whose commands sleep, prints "ready PID" for each worker
// once its commands run, and waits to be killed.
func helperScheduler() error {
	s := sched.New(sched.Options{Jobs: 2})
	for range 2 {
		s.AddTask(&sched.Task{
			Func:    "test.sh",
			Payload: []byte("sleep 300 & sleep 300; wait"),
			OnMessage: func(ctx *sched.SchedulerContext, msg []byte) {
				fmt.Printf("ready %d\n", ctx.Pid())
			},
		})
	}
	return s.Run()
}
