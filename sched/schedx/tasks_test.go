package schedx_test

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"os/exec"
	"strconv"
	"strings"
	"time"

	"github.com/gobuildj/gobuildj/sched"
	"github.com/gobuildj/gobuildj/sched/schedx"
)

// point is a typed payload, message and result.
type point struct {
	X, Y int
	Name string
}

// Tasks used by the tests. They are registered in init so that the workers,
// which re-execute the test binary, know them too.
func init() {
	sched.Register("test.echo", func(_ *sched.WorkerContext, p []byte) ([]byte, error) {
		return append([]byte(nil), p...), nil
	})
	sched.Register("test.fail", func(_ *sched.WorkerContext, p []byte) ([]byte, error) {
		return nil, errors.New(string(p))
	})
	sched.Register("example.upper", func(_ *sched.WorkerContext, p []byte) ([]byte, error) {
		return bytes.ToUpper(p), nil
	})
	// test.sh runs the payload with /bin/sh, says "started PID" once the
	// shell runs, and returns "ok" or how the shell ended.
	sched.Register("test.sh", func(ctx *sched.WorkerContext, p []byte) ([]byte, error) {
		cmd := exec.Command("/bin/sh", "-c", string(p))
		if err := cmd.Start(); err != nil {
			return nil, err
		}
		if err := ctx.Send([]byte("started " + strconv.Itoa(cmd.Process.Pid))); err != nil {
			return nil, err
		}
		if err := cmd.Wait(); err != nil {
			return nil, err
		}
		return []byte("ok"), nil
	})
	// test.waitmsg returns the first message the scheduler sends it.
	sched.Register("test.waitmsg", func(ctx *sched.WorkerContext, _ []byte) ([]byte, error) {
		select {
		case m := <-ctx.Receive():
			return m, nil
		case <-time.After(time.Minute):
			return nil, errors.New("no message")
		}
	})
	// test.waitdone waits until the task is told to stop.
	sched.Register("test.waitdone", func(ctx *sched.WorkerContext, _ []byte) ([]byte, error) {
		select {
		case <-ctx.Done():
			return []byte("stopped by " + sched.SignalName(ctx.Signal())), nil
		case <-time.After(time.Minute):
			return nil, errors.New("Done was not closed")
		}
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
	// test.typed receives a point from OnStart, reports its progress as a
	// typed message and returns the sum of the payload and the message.
	schedx.RegisterFunc("test.typed", func(ctx *sched.WorkerContext, p point) (point, error) {
		m, err := schedx.Typed[point]{}.Receive(ctx)
		if err != nil {
			return point{}, err
		}
		if err := (schedx.Typed[string]{}).ToScheduler(ctx, "got "+m.Name); err != nil {
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
			port, err := schedx.Ask[int](ctx, "port "+strconv.Itoa(i))
			if err != nil {
				return nil, err
			}
			got = append(got, strconv.Itoa(port))
		}
		return []byte(strings.Join(got, " ")), nil
	})
	// test.bind receives its ports from OnStart (a Typed []int), listens on
	// each, accepts one connection per port from itself, and returns the
	// ports it served.
	sched.Register("test.bind", func(ctx *sched.WorkerContext, _ []byte) ([]byte, error) {
		ports, err := schedx.Typed[[]int]{}.Receive(ctx)
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
}
