package sandbox

import (
	"fmt"
	"runtime"

	ll "github.com/landlock-lsm/go-landlock/landlock/syscall"
	"golang.org/x/sys/unix"
)

// A Ruleset is a Policy made into a Landlock ruleset once, to restrict
// any number of threads with it: a worker builds one per sandboxed job and
// starts each of the job's commands from a thread it restricts (Start).
//
// Why a thread and not the process: Landlock (before ABI 8, and from ABI 8
// on unless landlock_restrict_self is given LANDLOCK_RESTRICT_SELF_TSYNC,
// which Start does not) and no_new_privs apply to the calling thread only,
// and a child inherits them from the thread that forks it. Go's
// syscall.ForkExec forks (clone with CLONE_VFORK) from the thread of the
// goroutine that calls it, and a goroutine locked to its thread
// (runtime.LockOSThread) that returns without unlocking it takes the thread
// with it: the runtime terminates it rather than run other goroutines on
// it (the main thread, which cannot exit, is parked for good instead).
// So the restriction reaches the command and nothing else of the process.
type Ruleset struct {
	fd int
}

// NewRuleset makes p into a ruleset (see Restrict for what p grants). The
// kernel must have Landlock ABI MinABI or later. Close it when done.
func NewRuleset(p Policy) (*Ruleset, error) {
	abi := ABI()
	if abi < MinABI {
		return nil, fmt.Errorf("landlock: %s", unavailable(abi))
	}
	h := handled(abi)
	fd, err := ll.LandlockCreateRuleset(&ll.RulesetAttr{HandledAccessFS: h}, 0)
	if err != nil {
		return nil, fmt.Errorf("landlock: create ruleset: %w", err)
	}
	for _, path := range p.Read {
		if err := addRule(fd, path, readFile, readDir, h); err != nil {
			unix.Close(fd)
			return nil, err
		}
	}
	for _, path := range p.Write {
		if err := addRule(fd, path, writeFile, writeDir, h); err != nil {
			unix.Close(fd)
			return nil, err
		}
	}
	for _, path := range p.List {
		if err := addRule(fd, path, 0, ll.AccessFSReadDir, h); err != nil {
			unix.Close(fd)
			return nil, err
		}
	}
	return &Ruleset{fd: fd}, nil
}

// Close releases the ruleset; threads it restricted stay restricted.
func (r *Ruleset) Close() error {
	if r.fd < 0 {
		return nil
	}
	err := unix.Close(r.fd)
	r.fd = -1
	return err
}

// restrictThread restricts the calling OS thread, for good: the caller
// must have locked its goroutine to it and never unlock it.
func (r *Ruleset) restrictThread() error {
	if err := unix.Prctl(unix.PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0); err != nil {
		return fmt.Errorf("landlock: set no_new_privs: %w", err)
	}
	if err := ll.LandlockRestrictSelf(r.fd, 0); err != nil {
		return fmt.Errorf("landlock: restrict self: %w", err)
	}
	return nil
}

// Start calls start on a new goroutine locked to an OS thread that r
// restricts, waits for it and returns its error: start forks the command
// (syscall.ForkExec, os.StartProcess, exec.Cmd.Start), which inherits the
// restriction. The thread ends with the goroutine, so no other goroutine
// ever runs restricted. start must not wait for the command (a wait can
// happen anywhere) nor open files the ruleset denies.
func (r *Ruleset) Start(start func() error) error {
	done := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		// No UnlockOSThread: the runtime terminates the thread when this
		// goroutine returns.
		if err := r.restrictThread(); err != nil {
			done <- err
			return
		}
		done <- start()
	}()
	return <-done
}
