package sched_test

import (
	"errors"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/gobuildj/gobuildj/sched"
)

// point is a typed payload, message and result.
type point struct {
	X, Y int
	Name string
}

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
	// test.typed receives a point from OnStart, reports its progress as a
	// typed message and returns the sum of the payload and the message.
	sched.RegisterFunc("test.typed", func(ctx *sched.WorkerContext, p point) (point, error) {
		m, err := sched.Typed[point]{}.Receive(ctx)
		if err != nil {
			return point{}, err
		}
		if err := (sched.Typed[string]{}).ToScheduler(ctx, "got "+m.Name); err != nil {
			return point{}, err
		}
		return point{X: p.X + m.X, Y: p.Y + m.Y, Name: p.Name + "+" + m.Name}, nil
	})
	// test.request asks for the payload's number of ports, one by one,
	// and returns them space-separated.
	sched.Register("test.request", func(ctx *sched.WorkerContext, p []byte) ([]byte, error) {
		n, _ := strconv.Atoi(string(p))
		var got []string
		for i := range n {
			port, err := sched.Ask[int](ctx, "port "+strconv.Itoa(i))
			if err != nil {
				return nil, err
			}
			got = append(got, strconv.Itoa(port))
		}
		return []byte(strings.Join(got, " ")), nil
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
	// test.bind receives its ports from OnStart (a Typed []int), listens on
	// each, accepts one connection per port from itself, and returns the
	// ports it served.
	sched.Register("test.bind", func(ctx *sched.WorkerContext, _ []byte) ([]byte, error) {
		ports, err := sched.Typed[[]int]{}.Receive(ctx)
		if err != nil {
			return nil, err
		}
		var served []string
		for _, port := range ports {
			l, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", port))
			if err != nil {
				return nil, fmt.Errorf("bind port %d: %w", port, err)
			}
			// Hold the port while the other tasks bind theirs.
			time.Sleep(100 * time.Millisecond)
			c, err := net.Dial("tcp", l.Addr().String())
			if err == nil {
				c.Close()
			}
			l.Close()
			if err != nil {
				return nil, err
			}
			served = append(served, strconv.Itoa(port))
		}
		return []byte(strings.Join(served, " ")), nil
	})
	// test.sleep sleeps for the payload's duration, or until Done.
	sched.Register("test.sleep", func(ctx *sched.WorkerContext, p []byte) ([]byte, error) {
		d, err := time.ParseDuration(string(p))
		if err != nil {
			return nil, err
		}
		select {
		case <-time.After(d):
			return p, nil
		case <-ctx.Done():
			return nil, errors.New("stopped by " + sched.SignalName(ctx.Signal()))
		}
	})
}
