package schedx_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"testing"
	"time"

	"github.com/gobuildj/gobuildj/sched"
	"github.com/gobuildj/gobuildj/sched/schedx"
)

// The test binary is also the worker program: a Scheduler re-executes it
// with the worker marker, and TestMain hands control to WorkerMain, as the
// main of any program built on sched must.
func TestMain(m *testing.M) {
	if sched.IsWorker() {
		sched.WorkerMain()
	}
	if os.Getenv("SCHEDX_TEST_HELPER") == "serve" {
		if err := helperServe(); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// helperServe is a producer/consumer server for TestServeShutsDownOnSIGINT:
// it produces endless tasks whose commands sleep, prints "ready PID" for
// each worker once its command runs, and on SIGINT shuts down cleanly,
// printing how many results the consumer got.
func helperServe() error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	const jobs = 2
	s := sched.New(sched.Options{Jobs: jobs, StopKillTimeout: 10 * time.Second})
	consumed := 0
	err := schedx.Serve(ctx, s, jobs, func(ctx context.Context) (*sched.Task, error) {
		return &sched.Task{
			Func:    "test.sh",
			Payload: []byte("sleep 300"),
			OnMessage: func(ctx *sched.SchedulerContext, msg []byte) {
				fmt.Printf("ready %d\n", ctx.Pid())
			},
		}, nil
	}, func(t *sched.Task, r sched.Result) {
		consumed++
	})
	fmt.Printf("consumed %d: %v\n", consumed, err)
	if !errors.Is(err, context.Canceled) {
		return fmt.Errorf("Serve returned %v, want context.Canceled", err)
	}
	return nil
}
