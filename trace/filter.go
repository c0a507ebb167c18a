package trace

import (
	"fmt"
	"sort"
	"unsafe"

	"golang.org/x/net/bpf"
	"golang.org/x/sys/unix"
)

// The filter is assembled with golang.org/x/net/bpf rather than built with
// github.com/elastic/go-seccomp-bpf: it must look at an argument (the
// AT_EMPTY_PATH flag of newfstatat, statx and faccessat2, which then name a
// descriptor, not a path, and are glibc's fstat: letting those through
// saves a stop per fstat), and a flat list of compare-and-jump instructions
// over the syscall table is all it takes; the assembler checks each
// instruction.

// seccomp_data offsets (linux/seccomp.h).
const (
	offNr   = 0
	offArch = 4
	offArgs = 16
)

// filterProgram returns the seccomp program: SECCOMP_RET_TRACE for the
// calls of the syscall table (but for the stat calls given AT_EMPTY_PATH),
// SECCOMP_RET_ALLOW for every other call and for other ABIs.
func filterProgram() ([]bpf.RawInstruction, error) {
	var plain, emptyOK []uint64
	for nr, c := range calls {
		if c.emptyPathFlag() != noArg {
			emptyOK = append(emptyOK, nr)
		} else {
			plain = append(plain, nr)
		}
	}
	sort.Slice(plain, func(i, j int) bool { return plain[i] < plain[j] })
	sort.Slice(emptyOK, func(i, j int) bool { return emptyOK[i] < emptyOK[j] })

	const (
		retAllow = unix.SECCOMP_RET_ALLOW
		retTrace = unix.SECCOMP_RET_TRACE
	)
	// Layout: arch check, load nr, a compare per plain call jumping to
	// the trace return, a compare per emptyOK call jumping to its flag
	// check, allow, trace, then a 4-instruction flag check per emptyOK
	// call (load flags, test, allow, trace).
	n := len(plain) + len(emptyOK)
	allowAt := 3 + n // index of the allow return
	traceAt := allowAt + 1
	prog := []bpf.Instruction{
		bpf.LoadAbsolute{Off: offArch, Size: 4},
		bpf.JumpIf{Cond: bpf.JumpEqual, Val: auditArch, SkipFalse: uint8(allowAt - 2)},
		bpf.LoadAbsolute{Off: offNr, Size: 4},
	}
	skip := func(from, to int) uint8 { return uint8(to - from - 1) }
	for _, nr := range plain {
		i := len(prog)
		prog = append(prog, bpf.JumpIf{Cond: bpf.JumpEqual, Val: uint32(nr), SkipTrue: skip(i, traceAt)})
	}
	for k, nr := range emptyOK {
		i := len(prog)
		prog = append(prog, bpf.JumpIf{Cond: bpf.JumpEqual, Val: uint32(nr), SkipTrue: skip(i, traceAt+1+4*k)})
	}
	prog = append(prog, bpf.RetConstant{Val: retAllow}, bpf.RetConstant{Val: retTrace})
	for _, nr := range emptyOK {
		off := uint32(offArgs + 8*int(calls[nr].emptyPathFlag())) // low half, little-endian
		prog = append(prog,
			bpf.LoadAbsolute{Off: off, Size: 4},
			bpf.JumpIf{Cond: bpf.JumpBitsSet, Val: unix.AT_EMPTY_PATH, SkipTrue: 0, SkipFalse: 1},
			bpf.RetConstant{Val: retAllow},
			bpf.RetConstant{Val: retTrace},
		)
	}
	if len(prog) > 255 {
		return nil, fmt.Errorf("seccomp filter: %d instructions exceed a jump's reach", len(prog))
	}
	raw, err := bpf.Assemble(prog)
	if err != nil {
		return nil, fmt.Errorf("assemble seccomp filter: %w", err)
	}
	return raw, nil
}

// sockFilter returns the filter as the kernel takes it.
func sockFilter() ([]unix.SockFilter, error) {
	raw, err := filterProgram()
	if err != nil {
		return nil, err
	}
	filter := make([]unix.SockFilter, len(raw))
	for i, r := range raw {
		filter[i] = unix.SockFilter{Code: r.Op, Jt: r.Jt, Jf: r.Jf, K: r.K}
	}
	return filter, nil
}

// InstallFilter makes the calling process stop its tracer at every file
// system call, from now on and across execve: it sets PR_SET_NO_NEW_PRIVS
// and loads the seccomp filter on all its threads. The process must be
// traced with PTRACE_O_TRACESECCOMP (Start does that): an untraced process
// gets ENOSYS from every file system call. The launcher (package
// internal/launch) calls it right before it execs the command.
func InstallFilter() error {
	if err := archError(); err != nil {
		return err
	}
	filter, err := sockFilter()
	if err != nil {
		return err
	}
	if err := unix.Prctl(unix.PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0); err != nil {
		return fmt.Errorf("set no_new_privs: %w", err)
	}
	prog := unix.SockFprog{Len: uint16(len(filter)), Filter: &filter[0]}
	// TSYNC: the Go runtime may exec from another thread than this one.
	r, _, errno := unix.Syscall(unix.SYS_SECCOMP, unix.SECCOMP_SET_MODE_FILTER, unix.SECCOMP_FILTER_FLAG_TSYNC, uintptr(unsafe.Pointer(&prog)))
	if errno != 0 {
		return fmt.Errorf("load seccomp filter: %w", errno)
	}
	if r != 0 {
		return fmt.Errorf("load seccomp filter: thread %d could not take it", r)
	}
	return nil
}
