package trace

import (
	"bytes"
	"os"
	"path/filepath"

	"golang.org/x/sys/unix"
)

// exists reports whether path exists now, and its type (unix.S_IFMT
// bits), following a final symlink if follow: the tracer looks before the
// tracee's call runs, so a path that does not exist was probed, not read.
func exists(path string, follow bool) (typ uint32, ok bool) {
	flags := 0
	if !follow {
		flags = unix.AT_SYMLINK_NOFOLLOW
	}
	var st unix.Stat_t
	if unix.Fstatat(unix.AT_FDCWD, path, &st, flags) != nil {
		return 0, false
	}
	return st.Mode & unix.S_IFMT, true
}

// record classifies the system call c that thread tid stopped at, with
// arguments args, into b.
func (t *tracer) record(tid int, c *call, args *[6]uint64) {
	b, r := &t.b, &t.res
	var flags uint64
	if c.flags != noArg {
		flags = args[c.flags]
	}
	switch c.op {
	case opOpen, opOpen2, opCreat, opTruncate:
		path, ok := r.resolve(tid, args, c.src)
		if !ok {
			return
		}
		write := c.op == opCreat || c.op == opTruncate
		if c.op == opOpen2 {
			if f, ok := r.mem.readUint64(tid, flags); ok {
				flags = f
			} else {
				flags = 0
			}
		}
		if c.op == opOpen || c.op == opOpen2 {
			write = flags&unix.O_ACCMODE != unix.O_RDONLY || flags&(unix.O_CREAT|unix.O_TRUNC) != 0
		}
		if write {
			b.AddWritten(path)
			return
		}
		lookup := flags&unix.O_PATH != 0 // a descriptor that reads nothing
		typ, ok := exists(path, flags&unix.O_NOFOLLOW == 0)
		switch {
		case !ok:
			b.AddProbed(path)
		case typ != unix.S_IFDIR && !lookup: // a folder opened to list it or as a dirfd: not a file read
			b.AddRead(path)
		}
	case opExec, opReadlink:
		if c.op == opExec && c.flags != noArg && flags&unix.AT_EMPTY_PATH != 0 {
			return // fexecve: a descriptor, not a path
		}
		path, ok := r.resolve(tid, args, c.src)
		if !ok {
			return
		}
		follow := c.follow && (c.flags == noArg || flags&unix.AT_SYMLINK_NOFOLLOW == 0)
		typ, ok := exists(path, follow)
		switch {
		case !ok:
			b.AddProbed(path)
		case c.op == opExec && typ == unix.S_IFREG:
			b.AddRead(path)
			t.addInterpreters(path)
		case c.op == opReadlink && typ == unix.S_IFLNK:
			// readlink of what is not a link (realpath asks of every
			// folder on the way) fails and reads nothing.
			b.AddRead(path)
		}
	case opStat:
		path, ok := r.resolve(tid, args, c.src)
		if !ok {
			return
		}
		follow := c.follow && (c.flags == noArg || flags&unix.AT_SYMLINK_NOFOLLOW == 0)
		if _, ok := exists(path, follow); !ok {
			b.AddProbed(path)
		}
	case opUnlink:
		if path, ok := r.resolve(tid, args, c.src); ok {
			if _, ok := exists(path, false); ok {
				b.AddDeleted(path)
			}
		}
	case opMkdir:
		if path, ok := r.resolve(tid, args, c.src); ok {
			if _, ok := exists(path, false); !ok {
				b.AddWritten(path)
			}
		}
	case opRename:
		src, okSrc := r.resolve(tid, args, c.src)
		dst, okDst := r.resolve(tid, args, c.dst)
		if c.flags != noArg && flags&unix.RENAME_EXCHANGE != 0 {
			if okSrc && okDst {
				b.AddWritten(src)
				b.AddWritten(dst)
			}
			return
		}
		if okSrc {
			b.AddDeleted(src)
		}
		if okDst {
			b.AddWritten(dst)
		}
	case opLink, opSymlink:
		if dst, ok := r.resolve(tid, args, c.dst); ok {
			b.AddWritten(dst)
		}
	}
}

// maxInterpreters bounds a chain of scripts whose interpreter is a script
// (the kernel allows 4 levels).
const maxInterpreters = 4

// addInterpreters records as read the interpreter of the script at path
// (its #! line), and the interpreter's, and so on: the kernel loads them
// at the execve without a system call of the command's.
func (t *tracer) addInterpreters(path string) {
	var head [256]byte
	for range maxInterpreters {
		fd, err := unix.Open(path, unix.O_RDONLY|unix.O_CLOEXEC|unix.O_NONBLOCK, 0)
		if err != nil {
			return
		}
		n, _ := unix.Read(fd, head[:])
		unix.Close(fd)
		line, ok := bytes.CutPrefix(head[:max(n, 0)], []byte("#!"))
		if !ok {
			return
		}
		if i := bytes.IndexByte(line, '\n'); i >= 0 {
			line = line[:i]
		}
		fields := bytes.Fields(line)
		if len(fields) == 0 || fields[0][0] != '/' {
			return
		}
		path = filepath.Clean(string(fields[0]))
		if _, ok := exists(path, true); !ok {
			t.b.AddProbed(path)
			return
		}
		t.b.AddRead(path)
	}
}

// recordExec records the exec of the program at path, relative to dir, and
// its interpreters: the tracer's own start of the command, which no stop
// shows when the tracer installs the filter.
func (t *tracer) recordExec(path, dir string) {
	if !filepath.IsAbs(path) {
		if !filepath.IsAbs(dir) {
			wd, err := os.Getwd()
			if err != nil {
				return
			}
			dir = filepath.Join(wd, dir)
		}
		path = filepath.Join(dir, path)
	}
	t.b.AddRead(path)
	t.addInterpreters(path)
}
