package graph

import (
	"path/filepath"

	"golang.org/x/sys/unix"

	"github.com/gobuildj/gobuildj/internal/fileid"
	"github.com/gobuildj/gobuildj/internal/statedir"
)

// Kept is the graph a resident process (the build server) last found in
// the snapshot, kept across its builds: while the snapshot file is the
// same one (it is only ever replaced by a rename), a load checks the
// snapshot's key again (the Buildfiles, the folders globs read, the
// environment, the overrides, the commands of [vars]) but neither hashes
// the file nor decodes the graph, and maps nothing more. The zero Kept is
// empty.
type Kept struct {
	g    *Graph
	path string             // the Buildfile's absolute path
	snap fileid.Fingerprint // of the snapshot file g came from
}

// LoadCachedKept is LoadCachedWith, answered from kept when the snapshot
// is the one its graph came from and its key still holds; a graph found
// in a snapshot is kept for the next load.
func LoadCachedKept(path string, write bool, overrides []Override, kept *Kept) (*Graph, error) {
	abs, err := filepath.Abs(path)
	if err == nil && kept.g != nil && kept.path == abs {
		if g, ok := kept.reuse(abs, overrides); ok {
			g.display = displayName(path)
			return g, nil
		}
	}
	kept.g = nil
	g, err := LoadCachedWith(path, write, overrides)
	if err != nil || !g.fromSnapshot || abs == "" {
		return g, err
	}
	snap, serr := fileid.Stat(statedir.For(filepath.Dir(abs), abs).Snapshot())
	if serr == nil {
		kept.g, kept.path, kept.snap = g, abs, snap
	}
	return g, nil
}

// reuse checks the key of the snapshot against the kept graph's.
func (k *Kept) reuse(abs string, overrides []Override) (*Graph, bool) {
	exe, ok := executableState()
	if !ok {
		return nil, false
	}
	f, err := statedir.Open(statedir.For(filepath.Dir(abs), abs).Snapshot())
	if err != nil {
		return nil, false
	}
	defer f.Close()
	var st unix.Stat_t
	if err := unix.Fstat(int(f.Fd()), &st); err != nil || fileid.FromStat(&st) != k.snap || st.Size <= 0 || st.Size != int64(int(st.Size)) {
		return nil, false
	}
	data, err := unix.Mmap(int(f.Fd()), 0, int(st.Size), unix.PROT_READ, unix.MAP_PRIVATE)
	if err != nil {
		return nil, false
	}
	defer unix.Munmap(data) // the kept graph points into an earlier mapping
	if _, err := checkSnapshot(data, abs, exe, newCmdRuns(), overrides, false); err != nil {
		return nil, false
	}
	return k.g, true
}
