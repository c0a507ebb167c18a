package sched_test

import (
	"fmt"
	"os"
	"time"

	"github.com/gobuildj/gobuildj/sched"
)

// Tasks of the feature tests, registered in init like those of tasks_test.go.
func init() {
	// test.later returns at once and leaves a goroutine that sends a
	// message from the worker, outside any task, after the payload's delay.
	sched.Register("test.later", func(_ *sched.WorkerContext, p []byte) ([]byte, error) {
		d, err := time.ParseDuration(string(p))
		if err != nil {
			return nil, err
		}
		go func() {
			time.Sleep(d)
			if err := sched.WorkerSend([]byte(fmt.Sprintf("late from %d", os.Getpid()))); err != nil {
				fmt.Fprintln(os.Stderr, err)
			}
		}()
		return []byte("returned"), nil
	})
	// test.rawrequest asks one raw request and returns the answer or the
	// error text.
	sched.Register("test.rawrequest", func(ctx *sched.WorkerContext, p []byte) ([]byte, error) {
		a, err := ctx.Request(p)
		if err != nil {
			return []byte("error: " + err.Error()), nil
		}
		return a, nil
	})
}
