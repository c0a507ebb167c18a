package trace

import "golang.org/x/sys/unix"

// auditArch is the seccomp_data.arch of the system calls the filter
// inspects; calls of another ABI (32-bit compat) are let through untraced.
const auditArch = unix.AUDIT_ARCH_AARCH64

// calls is the syscall table (see syscalls_amd64.go); arm64 has only the
// *at forms.
var calls = map[uint64]*call{
	unix.SYS_OPENAT:     {op: opOpen, src: d0p1, dst: none, flags: 2, follow: true, name: "openat"},
	unix.SYS_OPENAT2:    {op: opOpen2, src: d0p1, dst: none, flags: 2, follow: true, name: "openat2"},
	unix.SYS_EXECVE:     {op: opExec, src: p0, dst: none, flags: noArg, follow: true, name: "execve"},
	unix.SYS_EXECVEAT:   {op: opExec, src: d0p1, dst: none, flags: 4, follow: true, name: "execveat"},
	unix.SYS_FSTATAT:    {op: opStat, src: d0p1, dst: none, flags: 3, follow: true, name: "newfstatat"},
	unix.SYS_STATX:      {op: opStat, src: d0p1, dst: none, flags: 2, follow: true, name: "statx"},
	unix.SYS_FACCESSAT:  {op: opStat, src: d0p1, dst: none, flags: noArg, follow: true, name: "faccessat"},
	unix.SYS_FACCESSAT2: {op: opStat, src: d0p1, dst: none, flags: 3, follow: true, name: "faccessat2"},
	unix.SYS_RENAMEAT:   {op: opRename, src: d0p1, dst: d2p3, flags: noArg, name: "renameat"},
	unix.SYS_RENAMEAT2:  {op: opRename, src: d0p1, dst: d2p3, flags: 4, name: "renameat2"},
	unix.SYS_UNLINKAT:   {op: opUnlink, src: d0p1, dst: none, flags: noArg, name: "unlinkat"},
	unix.SYS_MKDIRAT:    {op: opMkdir, src: d0p1, dst: none, flags: noArg, name: "mkdirat"},
	unix.SYS_LINKAT:     {op: opLink, src: d0p1, dst: d2p3, flags: noArg, name: "linkat"},
	unix.SYS_SYMLINKAT:  {op: opSymlink, src: none, dst: d1p2, flags: noArg, name: "symlinkat"},
	unix.SYS_TRUNCATE:   {op: opTruncate, src: p0, dst: none, flags: noArg, follow: true, name: "truncate"},
}

// readlinkCalls are left out of the filter (see syscalls_amd64.go).
var readlinkCalls = map[uint64]*call{
	unix.SYS_READLINKAT: {op: opReadlink, src: d0p1, dst: none, flags: noArg, follow: false, name: "readlinkat"},
}

// syscallArgs returns the number and the arguments of the system call a
// thread stopped at (x8, x0-x5: at a seccomp stop x0 still holds the first
// argument).
func syscallArgs(regs *unix.PtraceRegs) (nr uint64, args [6]uint64) {
	r := &regs.Regs
	return r[8], [6]uint64{r[0], r[1], r[2], r[3], r[4], r[5]}
}
