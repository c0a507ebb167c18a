package trace

import (
	"fmt"
	"runtime"
	"syscall"

	"golang.org/x/sys/unix"
)

// ptraceOptions follow every process and thread the command starts and
// report the seccomp filter's stops; EXITKILL kills what is left of the
// command when the tracer's thread ends.
const ptraceOptions = unix.PTRACE_O_TRACESECCOMP | unix.PTRACE_O_TRACEFORK | unix.PTRACE_O_TRACEVFORK |
	unix.PTRACE_O_TRACECLONE | unix.PTRACE_O_TRACEEXEC | unix.PTRACE_O_EXITKILL

// Process is a command running under the tracer.
type Process struct {
	// Pid is the command's process id.
	Pid int

	exitR int           // read end of the exit pipe
	done  chan struct{} // closed when the tracer is finished
	ws    syscall.WaitStatus
	rep   *Report
	err   error
}

// tracer is the state of the ptrace loop: it lives on one locked OS
// thread, the one that started the command, since ptrace requests are
// only accepted from the tracing thread.
type tracer struct {
	root   int
	inject bool         // install the filter into the root at its exec stop
	fresh  map[int]bool // tracees; true until their first (attach) stop
	res    resolver
	b      Builder
}

// Start starts path with argv under the tracer, with the directory,
// environment and descriptors of attr (attr.Sys is replaced). The command
// is expected to install the filter (InstallFilter) before it execs what
// is to be traced, as the launcher of package internal/launch does; a
// command that does not is followed through its forks and execs but none
// of its file system calls is seen. The tracer stops when the command's
// first process exits; processes it left running are killed then.
func Start(path string, argv []string, attr *syscall.ProcAttr) (*Process, error) {
	return start(path, argv, attr, false)
}

// StartDirect is Start for a command that does not install the filter
// itself: the tracer installs it into the command's first process at its
// exec, before its first instruction, so that no launcher is needed. It is
// supported on amd64 only; elsewhere the command is killed and Wait
// returns an error. A command that cannot be executed (ENOEXEC, say)
// makes it return an error, as syscall.ForkExec does.
func StartDirect(path string, argv []string, attr *syscall.ProcAttr) (*Process, error) {
	return start(path, argv, attr, true)
}

func start(path string, argv []string, attr *syscall.ProcAttr, inject bool) (*Process, error) {
	var e [2]int
	if err := unix.Pipe2(e[:], unix.O_CLOEXEC); err != nil {
		return nil, fmt.Errorf("create exit pipe: %w", err)
	}
	p := &Process{exitR: e[0], done: make(chan struct{})}
	started := make(chan error, 1)
	a := *attr
	a.Sys = &syscall.SysProcAttr{Ptrace: true}
	go func() {
		// Never unlocked: the thread ends with the goroutine, and with
		// it (PTRACE_O_EXITKILL) any tracee left.
		runtime.LockOSThread()
		defer close(p.done)
		defer unix.Close(e[1])
		pid, err := syscall.ForkExec(path, argv, &a)
		if err != nil {
			started <- fmt.Errorf("start %s: %w", path, err)
			return
		}
		p.Pid = pid
		started <- nil
		t := &tracer{root: pid, inject: inject, fresh: map[int]bool{}}
		if inject {
			// The filter comes after this exec: it is not seen.
			t.recordExec(path, a.Dir)
		}
		p.ws, p.err = t.loop()
		p.rep = t.b.Report()
	}()
	if err := <-started; err != nil {
		<-p.done
		unix.Close(e[0])
		return nil, err
	}
	return p, nil
}

// ExitFD is a descriptor that becomes readable (end of file) when the
// command's first process has exited: the tracer is then about to finish.
// Wait closes it.
func (p *Process) ExitFD() int { return p.exitR }

// Wait waits for the tracer to finish and returns the command's wait
// status and what it did to files.
func (p *Process) Wait() (syscall.WaitStatus, *Report, error) {
	<-p.done
	if p.exitR >= 0 {
		unix.Close(p.exitR)
		p.exitR = -1
	}
	return p.ws, p.rep, p.err
}

// Run runs path with argv under the tracer (see Start) and returns its
// wait status and report.
func Run(path string, argv []string, attr *syscall.ProcAttr) (syscall.WaitStatus, *Report, error) {
	p, err := Start(path, argv, attr)
	if err != nil {
		return 0, nil, err
	}
	return p.Wait()
}

// RunDirect is Run with StartDirect.
func RunDirect(path string, argv []string, attr *syscall.ProcAttr) (syscall.WaitStatus, *Report, error) {
	p, err := StartDirect(path, argv, attr)
	if err != nil {
		return 0, nil, err
	}
	return p.Wait()
}

// wait waits for any tracee or child of this thread (__WNOTHREAD: not the
// children other goroutines start on other threads).
func wait(ws *syscall.WaitStatus) (int, error) {
	for {
		pid, err := syscall.Wait4(-1, ws, unix.WALL|unix.WNOTHREAD, nil)
		if err != syscall.EINTR {
			return pid, err
		}
	}
}

// loop serves the tracees' stops until the root process exits.
func (t *tracer) loop() (syscall.WaitStatus, error) {
	var ws syscall.WaitStatus
	// The first stop: the SIGTRAP of the root's execve (PTRACE_TRACEME).
	if _, err := syscall.Wait4(t.root, &ws, unix.WALL, nil); err != nil {
		return ws, fmt.Errorf("wait for traced command: %w", err)
	}
	if !ws.Stopped() {
		return ws, nil // killed before it ran
	}
	if err := unix.PtraceSetOptions(t.root, ptraceOptions); err != nil {
		unix.Kill(t.root, unix.SIGKILL)
		syscall.Wait4(t.root, &ws, unix.WALL, nil)
		return ws, fmt.Errorf("trace command: %w", err)
	}
	if t.inject {
		if err := injectFilter(t.root); err != nil {
			unix.Kill(t.root, unix.SIGKILL)
			syscall.Wait4(t.root, &ws, unix.WALL, nil)
			return ws, fmt.Errorf("trace command: %w", err)
		}
	}
	t.fresh[t.root] = false
	unix.PtraceCont(t.root, 0)
	var regs unix.PtraceRegs
	for {
		tid, err := wait(&ws)
		if err != nil {
			return ws, fmt.Errorf("wait for traced command: %w", err)
		}
		switch {
		case ws.Exited() || ws.Signaled():
			delete(t.fresh, tid)
			if tid == t.root {
				return ws, nil
			}
			continue
		case !ws.Stopped():
			continue
		}
		sig := ws.StopSignal()
		if sig == syscall.SIGTRAP {
			switch ws.TrapCause() {
			case unix.PTRACE_EVENT_SECCOMP:
				if unix.PtraceGetRegs(tid, &regs) == nil {
					nr, args := syscallArgs(&regs)
					if c := calls[nr]; c != nil {
						t.record(tid, c, &args)
					}
				}
				unix.PtraceCont(tid, 0)
				continue
			case unix.PTRACE_EVENT_FORK, unix.PTRACE_EVENT_VFORK, unix.PTRACE_EVENT_CLONE:
				if msg, err := unix.PtraceGetEventMsg(tid); err == nil {
					if _, seen := t.fresh[int(msg)]; !seen {
						t.fresh[int(msg)] = true
					}
				}
				unix.PtraceCont(tid, 0)
				continue
			case unix.PTRACE_EVENT_EXEC:
				// The other threads of the process are gone; the
				// execing thread now has the leader's id.
				if msg, err := unix.PtraceGetEventMsg(tid); err == nil && int(msg) != tid {
					delete(t.fresh, int(msg))
				}
				unix.PtraceCont(tid, 0)
				continue
			}
		}
		if fresh, known := t.fresh[tid]; !known || fresh {
			// A new tracee's attach stop, maybe before its parent's
			// event.
			t.fresh[tid] = false
			if sig == syscall.SIGSTOP {
				unix.PtraceCont(tid, 0)
				continue
			}
		}
		if isStopSignal(sig) {
			var info [128]byte
			if _, _, errno := unix.Syscall6(unix.SYS_PTRACE, unix.PTRACE_GETSIGINFO, uintptr(tid), 0, uintptr(unsafePointer(&info)), 0, 0); errno == unix.EINVAL {
				// A group stop: let it go on rather than hold a
				// stopped command that nothing would resume.
				unix.PtraceCont(tid, 0)
				continue
			}
		}
		unix.PtraceCont(tid, int(sig)) // deliver the signal
	}
}

func isStopSignal(sig syscall.Signal) bool {
	switch sig {
	case syscall.SIGSTOP, syscall.SIGTSTP, syscall.SIGTTIN, syscall.SIGTTOU:
		return true
	}
	return false
}
