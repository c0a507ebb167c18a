package sandbox

import (
	"errors"
	"fmt"

	ll "github.com/landlock-lsm/go-landlock/landlock/syscall"
	"golang.org/x/sys/unix"
)

// MinABI is the oldest Landlock ABI the sandbox uses: ABI 2 (Linux 5.19)
// lets a command move a file it wrote in its temp folder into an output
// folder ("refer"). ABI 3 (Linux 6.2) adds truncation control and ABI 5
// (Linux 6.10) ioctl on devices, which Restrict uses when the kernel has
// them. The system calls and rights are those of go-landlock's syscall
// package.
const MinABI = 2

// The access rights a Policy grants, before they are narrowed to those the
// kernel handles (handled).
const (
	readFile  = ll.AccessFSExecute | ll.AccessFSReadFile
	readDir   = readFile | ll.AccessFSReadDir
	writeFile = readFile | ll.AccessFSWriteFile | ll.AccessFSTruncate | ll.AccessFSIoctlDev
	writeDir  = readDir | writeFile | ll.AccessFSRemoveDir | ll.AccessFSRemoveFile | ll.AccessFSMakeChar |
		ll.AccessFSMakeDir | ll.AccessFSMakeReg | ll.AccessFSMakeSock | ll.AccessFSMakeFifo |
		ll.AccessFSMakeBlock | ll.AccessFSMakeSym | ll.AccessFSRefer
)

// handled returns the file-system rights that a kernel of Landlock ABI abi
// restricts, of those a Policy is about: each is denied unless a rule
// grants it. Those it lacks stay unrestricted (ABI 1 always denies moving
// a file to another folder; truncation and device ioctl are free before
// ABIs 3 and 5). Network, signals and sockets are left alone.
func handled(abi int) uint64 {
	h := uint64(ll.AccessFSMakeSym<<1 - 1) // the rights of ABI 1
	if abi >= 2 {
		h |= ll.AccessFSRefer
	}
	if abi >= 3 {
		h |= ll.AccessFSTruncate
	}
	if abi >= 5 {
		h |= ll.AccessFSIoctlDev
	}
	return h
}

// ABI returns the Landlock ABI version of the running kernel: 0 when it has
// no Landlock (too old, or not enabled at boot: "lsm=landlock,...").
func ABI() int {
	v, err := ll.LandlockGetABIVersion()
	if err != nil {
		return 0
	}
	return v
}

// Restrict applies p to the calling OS thread, for good, and to what it
// executes: p.Read may be read, listed and executed, p.Write may also be
// written, truncated, created in, removed from and renamed into;
// everything else is denied (EACCES). A path that does not exist is
// skipped: it grants nothing. The caller must have locked its goroutine to
// the thread (runtime.LockOSThread) and exec from it: the program it
// execs keeps the restriction. Only this thread is restricted, which
// spares signalling every thread of the process (as a whole-process
// restriction needs before Landlock ABI 8). The kernel must have Landlock
// ABI MinABI or later (see Decide). A process that starts commands
// restricts a thread of its own with a Ruleset instead.
func Restrict(p Policy) error {
	r, err := NewRuleset(p)
	if err != nil {
		return err
	}
	defer r.Close()
	return r.restrictThread()
}

// addRule grants path the file rights, or the folder rights if it is a
// folder (the kernel refuses folder rights on a file), of those handled.
func addRule(ruleset int, path string, file, dir, handled uint64) error {
	fd, err := unix.Open(path, unix.O_PATH|unix.O_CLOEXEC, 0)
	if errors.Is(err, unix.ENOENT) || errors.Is(err, unix.ENOTDIR) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("landlock: open %s: %w", path, err)
	}
	defer unix.Close(fd)
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		return fmt.Errorf("landlock: stat %s: %w", path, err)
	}
	access := file
	if st.Mode&unix.S_IFMT == unix.S_IFDIR {
		access = dir
	}
	if access&handled == 0 {
		return nil // a list-only grant of a file: nothing to grant
	}
	attr := ll.PathBeneathAttr{ParentFd: fd, AllowedAccess: access & handled}
	if err := ll.LandlockAddPathBeneathRule(ruleset, &attr, 0); err != nil {
		return fmt.Errorf("landlock: grant %s: %w", path, err)
	}
	return nil
}

// ErrUnavailable is what Decide answers a strict build on a kernel without
// a usable Landlock.
var ErrUnavailable = errors.New("the sandbox is unavailable")

// Decide says whether a build that asks for the sandbox runs its commands
// sandboxed on a kernel of Landlock ABI abi (see ABI). When it cannot, a
// strict build fails with an error that wraps ErrUnavailable and says why;
// another runs its commands unsandboxed, and warning says so (to be
// printed once).
func Decide(abi int, strict bool) (use bool, warning string, err error) {
	if abi >= MinABI {
		return true, "", nil
	}
	why := unavailable(abi)
	if strict {
		return false, "", fmt.Errorf("%w: %s (--sandbox=strict)", ErrUnavailable, why)
	}
	return false, "sandbox: " + why + ": commands run unsandboxed (--sandbox=strict makes this an error)", nil
}

func unavailable(abi int) string {
	if abi <= 0 {
		return "this kernel has no Landlock (Linux 5.13 or later, with landlock among the LSMs enabled at boot)"
	}
	return fmt.Sprintf("this kernel's Landlock is ABI %d, the sandbox needs ABI %d (Linux 5.19) or later", abi, MinABI)
}
