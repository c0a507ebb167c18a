package trace

import (
	"bytes"
	"encoding/binary"
	"path/filepath"
	"strconv"
	"unsafe"

	"golang.org/x/sys/unix"
)

// atFDCWD is AT_FDCWD as the low 32 bits of a dirfd argument.
const atFDCWD = uint32(0xffffff9c) // -100

// pathMax bounds the path read from a tracee (PATH_MAX).
const pathMax = 4096

// memReader reads from the memory of stopped tracees, reusing its buffer.
type memReader struct {
	buf      [pathMax]byte
	noVMRead bool // process_vm_readv is unavailable: PTRACE_PEEKDATA
}

// readString reads the NUL-terminated string at addr in thread tid's
// memory. It reads up to a page boundary at a time, since the next page
// may be unmapped. ok is false when nothing could be read, or when the
// string fills PATH_MAX without its NUL.
func (m *memReader) readString(tid int, addr uint64) (string, bool) {
	if addr == 0 {
		return "", false
	}
	n := 0
	for n < len(m.buf) {
		chunk := 4096 - int((addr+uint64(n))%4096)
		chunk = min(chunk, len(m.buf)-n)
		k := m.read(tid, addr+uint64(n), m.buf[n:n+chunk])
		if k <= 0 {
			return "", false
		}
		if i := bytes.IndexByte(m.buf[n:n+k], 0); i >= 0 {
			return string(m.buf[:n+i]), true
		}
		n += k
	}
	return "", false
}

// read copies tracee memory at addr into p, returning how many bytes it
// got (0 on failure).
func (m *memReader) read(tid int, addr uint64, p []byte) int {
	if !m.noVMRead {
		local := []unix.Iovec{{Base: &p[0], Len: uint64(len(p))}}
		remote := []unix.RemoteIovec{{Base: uintptr(addr), Len: len(p)}}
		k, err := unix.ProcessVMReadv(tid, local, remote, 0)
		if err == nil {
			return k
		}
		if err != unix.ENOSYS && err != unix.EPERM {
			return 0
		}
		m.noVMRead = true
	}
	// PEEKDATA reads aligned words: enough for a path, word by word.
	k, err := unix.PtracePeekData(tid, uintptr(addr), p)
	if err != nil {
		return 0
	}
	return k
}

// readUint64 reads a little-endian word (openat2's open_how.flags).
func (m *memReader) readUint64(tid int, addr uint64) (uint64, bool) {
	var b [8]byte
	if addr == 0 || m.read(tid, addr, b[:]) != 8 {
		return 0, false
	}
	return binary.LittleEndian.Uint64(b[:]), true
}

// resolver turns the path arguments of a stopped thread into absolute
// paths. It reads the thread's working directory and descriptors from
// /proc at the stop, when they are exactly what the kernel will use: no
// chdir, fchdir, dup or close needs tracking.
type resolver struct {
	mem  memReader
	link [pathMax]byte
}

// resolve returns the absolute, clean path that argument a of thread tid
// names, relative to dirfd (atFDCWD for none). ok is false for an empty
// path, an unreadable one, or a base that is not a folder of the file
// tree (a pipe, an anonymous inode, a deleted folder).
func (r *resolver) resolve(tid int, args *[6]uint64, a pathArg) (string, bool) {
	if a.path == noArg {
		return "", false
	}
	p, ok := r.mem.readString(tid, args[a.path])
	if !ok || p == "" {
		return "", false
	}
	if p[0] == '/' {
		return filepath.Clean(p), true
	}
	fd := atFDCWD
	if a.dirfd != noArg {
		fd = uint32(args[a.dirfd])
	}
	base, ok := r.base(tid, fd)
	if !ok {
		return "", false
	}
	return filepath.Join(base, p), true
}

// base returns thread tid's working directory, or the path of its
// descriptor fd.
func (r *resolver) base(tid int, fd uint32) (string, bool) {
	var pb [48]byte
	b := append(pb[:0], "/proc/"...)
	b = strconv.AppendInt(b, int64(tid), 10)
	if fd == atFDCWD {
		b = append(b, "/cwd"...)
	} else {
		b = append(b, "/fd/"...)
		b = strconv.AppendInt(b, int64(int32(fd)), 10)
	}
	n, err := unix.Readlink(unsafeString(b), r.link[:])
	if err != nil || n == 0 || n == len(r.link) || r.link[0] != '/' {
		return "", false
	}
	if bytes.HasSuffix(r.link[:n], []byte(" (deleted)")) {
		return "", false
	}
	return string(r.link[:n]), true
}

func unsafeString(b []byte) string { return unsafe.String(unsafe.SliceData(b), len(b)) }

func unsafePointer[T any](p *T) unsafe.Pointer { return unsafe.Pointer(p) }
