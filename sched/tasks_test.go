package sched_test

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/gobuildj/gobuildj/sched"
	"golang.org/x/sys/unix"
)

// Tasks used by the tests. They are registered in init so that the workers,
// which re-execute the test binary, know them too.
func init() {
	sched.Register("test.echo", func(_ *sched.WorkerContext, p []byte) ([]byte, error) {
		return append([]byte(nil), p...), nil
	})
	sched.Register("test.fail", func(_ *sched.WorkerContext, p []byte) ([]byte, error) {
		return nil, errors.New(string(p))
	})
	sched.Register("test.panic", func(_ *sched.WorkerContext, p []byte) ([]byte, error) {
		panic(string(p))
	})
	sched.Register("test.pid", func(_ *sched.WorkerContext, _ []byte) ([]byte, error) {
		return []byte(fmt.Sprintf("%d %d", os.Getpid(), unix.Getpgrp())), nil
	})
	sched.Register("test.env", func(_ *sched.WorkerContext, p []byte) ([]byte, error) {
		return []byte(os.Getenv(string(p))), nil
	})
	sched.Register("test.exe", func(_ *sched.WorkerContext, _ []byte) ([]byte, error) {
		exe, err := os.Executable()
		return []byte(exe), err
	})
	sched.Register("test.span", span)
	sched.Register("test.ask", ask)
	sched.Register("test.sh", sh)
	sched.Register("test.suicide", suicide)
	sched.Register("test.waitdone", func(ctx *sched.WorkerContext, _ []byte) ([]byte, error) {
		select {
		case <-ctx.Done():
			return []byte("stopped by " + sched.SignalName(ctx.Signal())), nil
		case <-time.After(time.Minute):
			return nil, errors.New("Done was not closed")
		}
	})
	sched.Register("test.block", func(*sched.WorkerContext, []byte) ([]byte, error) {
		time.Sleep(time.Hour)
		return nil, nil
	})
	sched.Register("test.waitmsg", func(ctx *sched.WorkerContext, _ []byte) ([]byte, error) {
		select {
		case m := <-ctx.Receive():
			return m, nil
		case <-time.After(time.Minute):
			return nil, errors.New("no message")
		}
	})
	sched.Register("test.fds", fds)
	sched.Register("test.current", func(ctx *sched.WorkerContext, _ []byte) ([]byte, error) {
		c, ok := sched.CurrentWorker()
		return []byte(strconv.FormatBool(ok && c == ctx)), nil
	})
	sched.Register("example.upper", func(_ *sched.WorkerContext, p []byte) ([]byte, error) {
		return bytes.ToUpper(p), nil
	})
	sched.Register("bench.nop", func(*sched.WorkerContext, []byte) ([]byte, error) { return nil, nil })
}

// span records when it ran, in the worker: payload "DIR N" creates a file in
// DIR and waits until N such files exist (a barrier that makes the first N
// tasks overlap), then returns "START END" in Unix nanoseconds.
func span(_ *sched.WorkerContext, p []byte) ([]byte, error) {
	dir, n, _ := strings.Cut(string(p), " ")
	want, _ := strconv.Atoi(n)
	start := time.Now()
	name := filepath.Join(dir, fmt.Sprintf("%d-%d", os.Getpid(), start.UnixNano()))
	if err := os.WriteFile(name, nil, 0o666); err != nil {
		return nil, err
	}
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); {
		ents, err := os.ReadDir(dir)
		if err != nil {
			return nil, err
		}
		if len(ents) >= want {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	time.Sleep(20 * time.Millisecond)
	return []byte(fmt.Sprintf("%d %d", start.UnixNano(), time.Now().UnixNano())), nil
}

// ask expects a first message from OnStart, then asks the scheduler
// payload-many questions and returns the answers.
func ask(ctx *sched.WorkerContext, p []byte) ([]byte, error) {
	n, _ := strconv.Atoi(string(p))
	first := <-ctx.Receive()
	answers := []string{string(first)}
	for i := range n {
		if err := ctx.Send([]byte("q" + strconv.Itoa(i))); err != nil {
			return nil, err
		}
	}
	for range n {
		select {
		case a := <-ctx.Receive():
			answers = append(answers, string(a))
		case <-time.After(30 * time.Second):
			return nil, errors.New("no answer")
		}
	}
	return []byte(strings.Join(answers, ",")), nil
}

// sh runs payload with /bin/sh -c in the worker's group, telling the
// scheduler once it started (once it ignores SIGTERM, for a payload that
// starts with `trap "" TERM;`).
func sh(ctx *sched.WorkerContext, p []byte) ([]byte, error) {
	cmd := exec.Command("/bin/sh", "-c", string(p))
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	if strings.HasPrefix(string(p), `trap "" TERM;`) {
		// Report the start once the shell ignores SIGTERM.
		ignoring := func() bool {
			status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", cmd.Process.Pid))
			if err != nil {
				return false
			}
			_, rest, _ := strings.Cut(string(status), "SigIgn:")
			mask, _ := strconv.ParseUint(strings.TrimSpace(strings.SplitN(rest, "\n", 2)[0]), 16, 64)
			return mask&(1<<(syscall.SIGTERM-1)) != 0
		}
		for deadline := time.Now().Add(30 * time.Second); !ignoring() && time.Now().Before(deadline); {
			time.Sleep(time.Millisecond)
		}
	}
	if err := ctx.Send([]byte("started " + strconv.Itoa(cmd.Process.Pid))); err != nil {
		return nil, err
	}
	err := cmd.Wait()
	if cmd.ProcessState.Sys().(syscall.WaitStatus).Signaled() {
		// The signal reached the whole group: Done closes too (the
		// worker's signal handler may lag behind the shell's death).
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("%v (Done closed by %s)", err, sched.SignalName(ctx.Signal()))
		case <-time.After(30 * time.Second):
		}
	}
	if err != nil {
		return nil, err
	}
	return []byte("ok"), nil
}

// suicide starts a command in its worker's group, then SIGKILLs its own
// worker.
func suicide(ctx *sched.WorkerContext, _ []byte) ([]byte, error) {
	cmd := exec.Command("sleep", "300")
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	if err := ctx.Send([]byte(strconv.Itoa(cmd.Process.Pid))); err != nil {
		return nil, err
	}
	time.Sleep(50 * time.Millisecond)
	_ = syscall.Kill(os.Getpid(), syscall.SIGKILL)
	time.Sleep(time.Hour)
	return nil, nil
}

// fds writes "hi" to fd 5 (Options.ExtraFiles[0]) and reports whether fds
// 3, 4 and 5 are close-on-exec.
func fds(*sched.WorkerContext, []byte) ([]byte, error) {
	if _, err := unix.Write(5, []byte("hi")); err != nil {
		return nil, fmt.Errorf("write fd 5: %w", err)
	}
	var out []string
	for fd := 3; fd <= 5; fd++ {
		flags, err := unix.FcntlInt(uintptr(fd), unix.F_GETFD, 0)
		if err != nil {
			return nil, fmt.Errorf("fcntl %d: %w", fd, err)
		}
		out = append(out, fmt.Sprintf("%d:%v", fd, flags&unix.FD_CLOEXEC != 0))
	}
	return []byte(strings.Join(out, " ")), nil
}
