package sched

import (
	"errors"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// Processes that leave their process group (setsid, setpgid: a daemon)
// escape the signals a worker's group gets. A worker makes itself their
// reaper instead (PR_SET_CHILD_SUBREAPER): whatever its tasks start and
// leave behind becomes its child when its parent exits, and the worker kills
// its descendants when a task ends and when it exits. The kernel offers no
// such hold without cgroups once the worker itself is killed by SIGKILL:
// what its tasks left then goes to init.

// leftoverGrace is how long leftovers have between SIGTERM and SIGKILL.
const leftoverGrace = 200 * time.Millisecond

// leftoverGiveUp bounds how long after SIGKILL a worker waits for its
// leftovers to be gone (a process stuck in the kernel cannot die sooner).
const leftoverGiveUp = time.Second

// becomeSubreaper makes orphaned descendants of this process its children
// rather than init's. It fails only on kernels older than 3.4, where
// leftovers outside the group are not found.
func becomeSubreaper() {
	_ = unix.Prctl(unix.PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
}

// killLeftovers ends every descendant of this process: SIGTERM, then
// SIGKILL after grace for those still there (at once if grace is 0), and
// reaps the children it adopted. It must only be called while no task runs
// a process of its own (between tasks, or on the way out): it reaps any
// child. With no child at all, it costs one system call.
func killLeftovers(grace time.Duration) {
	if !hasChildren() {
		return
	}
	sig := syscall.SIGTERM
	if grace <= 0 {
		sig = syscall.SIGKILL
	}
	termDeadline := time.Now().Add(grace)
	giveUp := termDeadline.Add(leftoverGiveUp)
	signaled := map[int]syscall.Signal{}
	for {
		reapChildren()
		pids := descendants(os.Getpid())
		if len(pids) == 0 {
			return
		}
		now := time.Now()
		if now.After(giveUp) {
			return
		}
		if sig == syscall.SIGTERM && now.After(termDeadline) {
			sig = syscall.SIGKILL
		}
		for _, pid := range pids {
			if signaled[pid] != sig {
				signaled[pid] = sig
				_ = unix.Kill(pid, sig)
				if sig == syscall.SIGTERM {
					_ = unix.Kill(pid, syscall.SIGCONT) // a stopped process must see it
				}
			}
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// hasChildren reports whether this process has a child, alive or not yet
// reaped.
func hasChildren() bool {
	var info unix.Siginfo
	err := unix.Waitid(unix.P_ALL, 0, &info, unix.WEXITED|unix.WNOHANG|unix.WNOWAIT, nil)
	return !errors.Is(err, unix.ECHILD)
}

// reapChildren reaps the children of this process that have exited.
func reapChildren() {
	for {
		var ws unix.WaitStatus
		pid, err := unix.Wait4(-1, &ws, unix.WNOHANG, nil)
		if err == unix.EINTR {
			continue
		}
		if pid <= 0 || err != nil {
			return
		}
	}
}

// descendants lists the processes below pid, from the kernel's lists of
// children of each thread (/proc/PID/task/TID/children), or, where the
// kernel keeps none, from the parent of every process of the machine.
func descendants(pid int) []int {
	var found []int
	queue := []int{pid}
	for len(queue) > 0 {
		p := queue[0]
		queue = queue[1:]
		kids, ok := childrenOf(p)
		if !ok {
			return descendantsByScan(pid)
		}
		found = append(found, kids...)
		queue = append(queue, kids...)
	}
	return found
}

// childrenOf lists the children of pid; false if the kernel does not keep
// the lists (a process that is gone has none).
func childrenOf(pid int) ([]int, bool) {
	dir := "/proc/" + strconv.Itoa(pid) + "/task"
	tasks, err := os.ReadDir(dir)
	if err != nil {
		return nil, true // gone
	}
	var kids []int
	for _, t := range tasks {
		b, err := os.ReadFile(dir + "/" + t.Name() + "/children")
		if errors.Is(err, os.ErrNotExist) {
			if _, serr := os.Stat(dir + "/" + t.Name()); serr == nil {
				return nil, false // no CONFIG_PROC_CHILDREN
			}
			continue
		}
		for _, f := range strings.Fields(string(b)) {
			if k, err := strconv.Atoi(f); err == nil {
				kids = append(kids, k)
			}
		}
	}
	return kids, true
}

// descendantsByScan lists the processes below pid from the parent of every
// process of the machine.
func descendantsByScan(pid int) []int {
	ents, err := os.ReadDir("/proc")
	if err != nil {
		return nil
	}
	kids := map[int][]int{}
	for _, e := range ents {
		p, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		b, err := os.ReadFile("/proc/" + e.Name() + "/stat")
		if err != nil {
			continue
		}
		// pid (comm) state ppid ...: comm may hold anything but ')'
		// ends it last.
		rest := string(b)
		if i := strings.LastIndexByte(rest, ')'); i >= 0 {
			rest = rest[i+1:]
		}
		if f := strings.Fields(rest); len(f) >= 2 {
			if ppid, err := strconv.Atoi(f[1]); err == nil {
				kids[ppid] = append(kids[ppid], p)
			}
		}
	}
	var found []int
	queue := []int{pid}
	for len(queue) > 0 {
		p := queue[0]
		queue = queue[1:]
		found = append(found, kids[p]...)
		queue = append(queue, kids[p]...)
	}
	return found
}
