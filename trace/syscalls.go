package trace

// op is what a traced system call does to the paths it names.
type op uint8

const (
	opOpen     op = iota // open, openat: flags say read or write
	opOpen2              // openat2: flags in struct open_how
	opCreat              // creat: a write
	opExec               // execve, execveat: a read of the program
	opStat               // stat family, access: a lookup
	opReadlink           // readlink(at): a read of the link
	opRename             // rename family: src deleted, dst written
	opUnlink             // unlink, unlinkat, rmdir: a deletion
	opMkdir              // mkdir(at): a write
	opLink               // link(at): dst written
	opSymlink            // symlink(at): the link (dst) written
	opTruncate           // truncate: a write
)

// noArg marks an argument a call does not have.
const noArg = -1

// pathArg says where a call's path is: its dirfd argument (noArg for
// AT_FDCWD implied) and its path argument (noArg for none).
type pathArg struct{ dirfd, path int8 }

// Where the paths of the calls are.
var (
	p0   = pathArg{noArg, 0}
	p1   = pathArg{noArg, 1}
	d0p1 = pathArg{0, 1}
	d1p2 = pathArg{1, 2}
	d2p3 = pathArg{2, 3}
	none = pathArg{noArg, noArg}
)

// call describes one traced system call: what it does, where its paths
// are, where its flags are and whether its lookup follows a final symlink
// by default.
type call struct {
	op       op
	src, dst pathArg
	flags    int8 // flags argument (open flags, AT_* flags), or noArg
	follow   bool // the lookup follows a final symlink unless flags say not
	name     string
}

// emptyPathFlag is the index of the AT_* flags argument of the calls the
// seccomp filter lets through when AT_EMPTY_PATH is set: with it, they
// name a descriptor, not a path (glibc's fstat is newfstatat(fd, "",
// AT_EMPTY_PATH)).
func (c *call) emptyPathFlag() int8 {
	if c.op == opStat && c.src.dirfd != noArg {
		return c.flags
	}
	return noArg
}
