package graph

import (
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"syscall"
	"time"

	"github.com/zeebo/xxh3"
	"golang.org/x/sys/unix"

	"github.com/gobuildj/gobuildj/internal/fileid"
)

// recordingFS is the file system that globs read during a Load. It notes
// every folder listed and every path looked at, so that a snapshot of the
// graph knows which changes to the file system make it stale: a file added
// to or removed from a listed folder changes the folder's mtime; a path
// that appears, disappears or changes type changes its stat.
type recordingFS struct {
	fsys fs.FS
	root string

	mu    sync.Mutex
	seen  map[string]bool // path (slash-separated, relative to root) -> listed (else only stated)
	order []string
	files []buildfileKey // the Buildfiles read, as they were read
}

// readFile reads a Buildfile and notes its stat (taken first) and the hash
// of the bytes read: a change after the stat shows in the next stat, so a
// snapshot keyed so never describes other bytes than those parsed.
func (r *recordingFS) readFile(path string) ([]byte, error) {
	st, statErr := fileid.Stat(path)
	data, err := readBuildfile(path)
	if err != nil {
		return nil, err
	}
	if statErr != nil {
		st = fileid.Fingerprint{Size: -1}
	}
	r.mu.Lock()
	r.files = append(r.files, buildfileKey{path: path, st: st, hash: xxh3.Hash128(data)})
	r.mu.Unlock()
	return data, nil
}

// MaxBuildfileSize bounds the size of a Buildfile, so that a huge file (or
// /dev/zero) gets an error instead of all the memory.
const MaxBuildfileSize = 64 << 20

// readBuildfile reads the Buildfile at path, which must be a regular file
// of at most MaxBuildfileSize bytes. It is opened without blocking, so that
// a FIFO in its place is an error, not a wait for a writer that never
// comes.
func readBuildfile(path string) ([]byte, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if fi.IsDir() {
		return nil, &fs.PathError{Op: "read", Path: path, Err: syscall.EISDIR}
	}
	if !fi.Mode().IsRegular() {
		kind := "not a regular file"
		switch {
		case fi.Mode()&fs.ModeNamedPipe != 0:
			kind = "a named pipe (FIFO)"
		case fi.Mode()&fs.ModeDevice != 0:
			kind = "a device"
		case fi.Mode()&fs.ModeSocket != 0:
			kind = "a socket"
		}
		return nil, &fs.PathError{Op: "read", Path: path, Err: fmt.Errorf("it is %s, expected a regular file", kind)}
	}
	data, err := io.ReadAll(io.LimitReader(f, MaxBuildfileSize+1))
	if err != nil {
		return nil, err
	}
	if len(data) > MaxBuildfileSize {
		return nil, &fs.PathError{Op: "read", Path: path, Err: fmt.Errorf("it is larger than %d MiB, the most a Buildfile may hold", MaxBuildfileSize>>20)}
	}
	return data, nil
}

func newRecordingFS(root string) *recordingFS {
	return &recordingFS{fsys: os.DirFS(root), root: root, seen: map[string]bool{}}
}

func (r *recordingFS) note(name string, listed bool) {
	r.mu.Lock()
	old, ok := r.seen[name]
	if !ok {
		r.order = append(r.order, name)
	}
	r.seen[name] = old || listed
	r.mu.Unlock()
}

// Open opens a file of the underlying file system; a folder opened this
// way (to be listed) is noted as listed.
func (r *recordingFS) Open(name string) (fs.File, error) {
	r.note(name, true)
	return r.fsys.Open(name)
}

// ReadDir lists a folder and notes it.
func (r *recordingFS) ReadDir(name string) ([]fs.DirEntry, error) {
	r.note(name, true)
	return fs.ReadDir(r.fsys, name)
}

// Stat stats a path and notes it.
func (r *recordingFS) Stat(name string) (fs.FileInfo, error) {
	r.note(name, false)
	return fs.Stat(r.fsys, name)
}

// pathState is what a snapshot keeps of a path that globs looked at, to
// tell later whether it is still the same.
type pathState struct {
	name   string // slash-separated, relative to the root
	listed bool   // a folder whose entries were read: its mtime and ctime count
	kind   uint8  // pathMissing, pathFile or pathDir
	mtime  int64  // listed folders only
	ctime  int64
	inode  uint64
}

const (
	pathMissing uint8 = iota
	pathFile
	pathDir
)

// states stats every noted path now. It reports false if a listed folder
// changed too recently to be trusted: a file added within the same
// timestamp tick as the listing would not change its mtime (see
// fileid.RacyTime), so no snapshot should rely on it.
func (r *recordingFS) states(listedAt time.Time) ([]pathState, bool) {
	r.mu.Lock()
	names := slices.Clone(r.order)
	r.mu.Unlock()
	slices.Sort(names)
	out := make([]pathState, 0, len(names))
	for _, name := range names {
		ps := statPath(r.root, name, r.seen[name])
		if ps.listed && fileid.RacyTime(ps.mtime, listedAt) {
			return nil, false
		}
		out = append(out, ps)
	}
	return out, true
}

// statPath takes the state of name (relative to root) now.
func statPath(root, name string, listed bool) pathState {
	ps := pathState{name: name, listed: listed}
	var st unix.Stat_t
	if err := unix.Stat(filepath.Join(root, filepath.FromSlash(name)), &st); err != nil {
		return ps
	}
	ps.kind = pathFile
	if st.Mode&unix.S_IFMT == unix.S_IFDIR {
		ps.kind = pathDir
	}
	if listed {
		fp := fileid.FromStat(&st)
		ps.mtime, ps.ctime, ps.inode = fp.MtimeNs, fp.CtimeNs, fp.Inode
	}
	return ps
}

// same reports whether the path is still as ps recorded it.
func (ps *pathState) same(root string) bool {
	return statPath(root, ps.name, ps.listed) == *ps
}
