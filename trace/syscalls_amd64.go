package trace

import "golang.org/x/sys/unix"

// auditArch is the seccomp_data.arch of the system calls the filter
// inspects; calls of another ABI (32-bit compat) are let through untraced.
const auditArch = unix.AUDIT_ARCH_X86_64

// calls is the syscall table: every system call the filter stops on.
// chdir and fchdir are not in it: a relative path is resolved with the
// thread's /proc/TID/cwd at the stop, which is always current. Nor are
// readlink and readlinkat (see readlinkCalls).
var calls = map[uint64]*call{
	unix.SYS_OPEN:       {op: opOpen, src: p0, dst: none, flags: 1, follow: true, name: "open"},
	unix.SYS_OPENAT:     {op: opOpen, src: d0p1, dst: none, flags: 2, follow: true, name: "openat"},
	unix.SYS_OPENAT2:    {op: opOpen2, src: d0p1, dst: none, flags: 2, follow: true, name: "openat2"},
	unix.SYS_CREAT:      {op: opCreat, src: p0, dst: none, flags: noArg, follow: true, name: "creat"},
	unix.SYS_EXECVE:     {op: opExec, src: p0, dst: none, flags: noArg, follow: true, name: "execve"},
	unix.SYS_EXECVEAT:   {op: opExec, src: d0p1, dst: none, flags: 4, follow: true, name: "execveat"},
	unix.SYS_STAT:       {op: opStat, src: p0, dst: none, flags: noArg, follow: true, name: "stat"},
	unix.SYS_LSTAT:      {op: opStat, src: p0, dst: none, flags: noArg, follow: false, name: "lstat"},
	unix.SYS_NEWFSTATAT: {op: opStat, src: d0p1, dst: none, flags: 3, follow: true, name: "newfstatat"},
	unix.SYS_STATX:      {op: opStat, src: d0p1, dst: none, flags: 2, follow: true, name: "statx"},
	unix.SYS_ACCESS:     {op: opStat, src: p0, dst: none, flags: noArg, follow: true, name: "access"},
	unix.SYS_FACCESSAT:  {op: opStat, src: d0p1, dst: none, flags: noArg, follow: true, name: "faccessat"},
	unix.SYS_FACCESSAT2: {op: opStat, src: d0p1, dst: none, flags: 3, follow: true, name: "faccessat2"},
	unix.SYS_RENAME:     {op: opRename, src: p0, dst: p1, flags: noArg, name: "rename"},
	unix.SYS_RENAMEAT:   {op: opRename, src: d0p1, dst: d2p3, flags: noArg, name: "renameat"},
	unix.SYS_RENAMEAT2:  {op: opRename, src: d0p1, dst: d2p3, flags: 4, name: "renameat2"},
	unix.SYS_UNLINK:     {op: opUnlink, src: p0, dst: none, flags: noArg, name: "unlink"},
	unix.SYS_UNLINKAT:   {op: opUnlink, src: d0p1, dst: none, flags: noArg, name: "unlinkat"},
	unix.SYS_RMDIR:      {op: opUnlink, src: p0, dst: none, flags: noArg, name: "rmdir"},
	unix.SYS_MKDIR:      {op: opMkdir, src: p0, dst: none, flags: noArg, name: "mkdir"},
	unix.SYS_MKDIRAT:    {op: opMkdir, src: d0p1, dst: none, flags: noArg, name: "mkdirat"},
	unix.SYS_LINK:       {op: opLink, src: p0, dst: p1, flags: noArg, name: "link"},
	unix.SYS_LINKAT:     {op: opLink, src: d0p1, dst: d2p3, flags: noArg, name: "linkat"},
	unix.SYS_SYMLINK:    {op: opSymlink, src: none, dst: p1, flags: noArg, name: "symlink"},
	unix.SYS_SYMLINKAT:  {op: opSymlink, src: none, dst: d1p2, flags: noArg, name: "symlinkat"},
	unix.SYS_TRUNCATE:   {op: opTruncate, src: p0, dst: none, flags: noArg, follow: true, name: "truncate"},
}

// readlinkCalls are left out of the filter: gcc's driver calls realpath
// on every include folder candidate, which readlinks each folder of each
// path (1,600 calls for one cc -c, nearly all failing with EINVAL), and
// those stops were a third of the tracing time of a compile. A link whose
// target a command then opens is seen at the open (by its own name); only
// a command that reads a link's text and never opens through it goes
// unseen.
var readlinkCalls = map[uint64]*call{
	unix.SYS_READLINK:   {op: opReadlink, src: p0, dst: none, flags: noArg, follow: false, name: "readlink"},
	unix.SYS_READLINKAT: {op: opReadlink, src: d0p1, dst: none, flags: noArg, follow: false, name: "readlinkat"},
}

// syscallArgs returns the number and the arguments of the system call a
// thread stopped at.
func syscallArgs(regs *unix.PtraceRegs) (nr uint64, args [6]uint64) {
	return regs.Orig_rax, [6]uint64{regs.Rdi, regs.Rsi, regs.Rdx, regs.R10, regs.R8, regs.R9}
}
