package worker

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"github.com/gobuildj/gobuildj/sched"
)

// Stdio are the terminal files a foreground job's commands get.
type Stdio struct {
	Stdin, Stdout, Stderr *os.File
}

// Limits bound a foreground job: Timeout (0: none) sends SIGTERM, and
// KillAfter later SIGKILL; a value received from Stop does the same.
type Limits struct {
	Timeout   time.Duration
	KillAfter time.Duration
	Stop      <-chan struct{}
}

// RunForeground runs job from the calling process rather than in a worker,
// for the console pool: each command runs with /bin/sh -c on the terminal's
// stdin, stdout and stderr (its output is not captured: Result.Output is
// empty), in a process group of its own. When stdin is the terminal and the
// caller is in its foreground, that group becomes the terminal's
// foreground group while the command runs, as a shell does it: Ctrl-C and
// Ctrl-Z reach the command (and only it; a command killed by SIGINT says
// so in Result.Signal), and the terminal comes back afterwards. A timeout
// or a stop signals the whole group. extra are passed as descriptors 3, 4,
// ... (a jobserver), in place of Job.Files. As in a worker, the folders of
// the outputs are created first, the outputs are fingerprinted after
// success and deleted after a failure.
func RunForeground(job *Job, stdio Stdio, extra []*os.File, lim Limits) (Result, error) {
	start := time.Now()
	res := Result{FailedCmd: -1}
	before, err := prepare(job)
	if err != nil {
		return res, fmt.Errorf("target %s: %w", job.Target, err)
	}
	env := newRunner().environ(job)
	job, env, cleanTemp, err := sandboxJob(job, env)
	if err != nil {
		return res, fmt.Errorf("target %s: %w", job.Target, err)
	}
	defer cleanTemp()
	var deadline <-chan time.Time
	if lim.Timeout > 0 {
		timer := time.NewTimer(lim.Timeout)
		defer timer.Stop()
		deadline = timer.C
	}
	for i, line := range job.Cmds {
		sh := job.Shell
		if sh == "" {
			sh = "/bin/sh"
		}
		cmd := exec.Command(sh, "-c", line)
		cmd.Dir, cmd.Env = job.Dir, env
		cmd.Stdin, cmd.Stdout, cmd.Stderr = stdio.Stdin, stdio.Stdout, stdio.Stderr
		cmd.ExtraFiles = extra
		cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
		tty, fg := foregroundTerminal(stdio.Stdin)
		if fg {
			cmd.SysProcAttr = &syscall.SysProcAttr{Foreground: true, Ctty: tty}
		}
		sig, err := runWithin(cmd, job, deadline, lim)
		if fg {
			takeTerminal(tty)
		}
		var exit *exec.ExitError
		switch {
		case errors.As(err, &exit):
			ws, _ := exit.Sys().(syscall.WaitStatus)
			if ws.Signaled() {
				res.FailedCmd, res.ExitCode, res.Signal = i, -1, sched.SignalName(ws.Signal())
			} else {
				res.FailedCmd, res.ExitCode = i, ws.ExitStatus()
			}
		case err != nil:
			res.FailedCmd, res.ExitCode, res.StartErr = i, 127, startError(line, err)
		case sig != "":
			res.FailedCmd, res.ExitCode, res.Signal = i, -1, sig // it finished, but was told to stop
		}
		if res.FailedCmd >= 0 {
			break
		}
	}
	if res.FailedCmd < 0 {
		if err := fingerprint(job, &res); err != nil {
			deleteOutputs(job, before, &res)
			return res, fmt.Errorf("target %s: %w", job.Target, err)
		}
	}
	if !res.OK() {
		deleteOutputs(job, before, &res)
	}
	res.Duration = time.Since(start)
	return res, nil
}

// runWithin runs cmd, a command of job (started in its sandbox, if it has
// one), sending it SIGTERM when deadline fires or lim.Stop delivers, and
// SIGKILL lim.KillAfter later. It returns the name of the signal it sent,
// if any, and cmd.Wait's error.
func runWithin(cmd *exec.Cmd, job *Job, deadline <-chan time.Time, lim Limits) (string, error) {
	if err := confined(job, cmd.Start); err != nil {
		return "", err
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	sent := ""
	var kill <-chan time.Time
	stop := lim.Stop
	for {
		select {
		case err := <-done:
			return sent, err
		case <-deadline:
		case <-stop:
		case <-kill:
			signalGroup(cmd, syscall.SIGKILL)
			kill = nil
			continue
		}
		// A deadline or a stop: SIGTERM once, SIGKILL later.
		deadline, stop = nil, nil
		if sent == "" {
			sent = "SIGTERM"
			signalGroup(cmd, syscall.SIGTERM)
			if lim.KillAfter > 0 {
				kill = time.After(lim.KillAfter)
			}
		}
	}
}

// signalGroup sends sig to the process group of cmd (its own).
func signalGroup(cmd *exec.Cmd, sig syscall.Signal) {
	unix.Kill(-cmd.Process.Pid, sig)
}

// foregroundTerminal returns the descriptor of f and whether it is a
// terminal whose foreground process group is the caller's.
func foregroundTerminal(f *os.File) (int, bool) {
	if f == nil {
		return -1, false
	}
	fd := int(f.Fd())
	pgrp, err := unix.IoctlGetInt(fd, unix.TIOCGPGRP)
	return fd, err == nil && pgrp == unix.Getpgrp()
}

// takeTerminal makes the caller's process group the foreground group of
// the terminal tty again. The caller is in the background until then, so
// SIGTTOU, which would stop it, is ignored meanwhile.
func takeTerminal(tty int) {
	signal.Ignore(syscall.SIGTTOU)
	defer signal.Reset(syscall.SIGTTOU)
	unix.IoctlSetPointerInt(tty, unix.TIOCSPGRP, unix.Getpgrp())
}
