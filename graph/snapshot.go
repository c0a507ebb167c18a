package graph

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
	"unsafe"

	"github.com/zeebo/xxh3"
	"golang.org/x/sys/unix"

	"github.com/gobuildj/gobuildj/internal/fileid"
	"github.com/gobuildj/gobuildj/internal/statedir"
	"github.com/gobuildj/gobuildj/internal/wire"
)

// A snapshot is a graph as Load made it, in a binary file under .gobuildj/
// that a later LoadCached maps into memory instead of parsing TOML again:
// a no-op build of 10,000 targets spends most of its time parsing
// otherwise. It is keyed by everything Load read: the gobuildj binary, the
// Buildfile's path and the content of every Buildfile (a stat fast path
// avoids reading them, but a changed stat or a racy one means a read and a
// content hash), and the state of every folder and path its globs looked
// at (a file added to or removed from a folder changes its mtime), and the
// environment variables that ${env:NAME} read (by a hash of their values),
// and the variables set on the command line (cmdline.go), and the commands
// of [vars] with what they printed (by a hash): those run again before the
// snapshot is used (cmdvar.go). Load reads nothing else.
//
// Layout (integers are uvarints unless said otherwise, strings an index in
// the string table):
//
//	"GBJGRAPH" u32le version
//	key:    exe size, mtime, ctime, inode; Buildfile path (length + bytes);
//	        Buildfiles: count, each path, size, mtime, ctime, inode, racy, xxh3-128;
//	        paths: count, each name, listed, kind, mtime, ctime, inode;
//	        environment: count, each name, set, xxh3-128 of the value;
//	        command-line variables: count, each name, value;
//	        commands: count, each folder, command, xxh3-128 of the value
//	strings: count, each length, then all the bytes
//	graph:  the fields of Graph, then each Target in topological order
//	u64le xxh3 of everything before
const (
	snapMagic   = "GBJGRAPH"
	snapVersion = 14 // 2: tools, env_inputs and the environment read; 3: [remote] exec_timeout; 4: Target.Consumes; 5: secondary, intermediate; 6: remove_stale; 7: dyndep; 8: commands of [vars]; 9: retries; 10: warnings; 11: command-line variables; 12: sandbox; 13: [check]; 14: trace
)

// errStale is any reason not to use a snapshot.
var errStale = errors.New("stale or unreadable snapshot")

// LoadCached loads the Buildfile at path as Load does, from the snapshot in
// the .gobuildj folder beside it when that snapshot is still valid. After a
// Load it writes a new snapshot if write is set and the folder exists (the
// state store creates it; a dry run writes nothing).
func LoadCached(path string, write bool) (*Graph, error) {
	return LoadCachedWith(path, write, nil)
}

// LoadCachedWith is LoadCached with variables set on the command line: a
// snapshot made with other values, or other variables, is not used.
func LoadCachedWith(path string, write bool, overrides []Override) (*Graph, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return LoadWith(path, overrides)
	}
	state := statedir.For(filepath.Dir(abs), abs)
	exe, exeOK := executableState()
	runs := newCmdRuns()
	if exeOK {
		if g, err := readSnapshot(state.Snapshot(), abs, exe, runs, overrides); err == nil {
			g.display = displayName(path)
			g.overrides = overrides
			return g, nil
		}
	}
	started := time.Now()
	g, rec, err := load(path, runs, overrides)
	if err != nil || !write || !exeOK {
		return g, err
	}
	// What the graph depends on is taken now: by the time the snapshot is
	// saved, the build may have added files to the folders globs read.
	key, ok := snapshotKey(g, rec, exe, started)
	if !ok {
		return g, nil
	}
	g.unsaved = func() error { return writeSnapshot(state, g, key) }
	if st, err := os.Stat(state.Path()); err == nil && st.IsDir() {
		// A snapshot that cannot be written is only a missed shortcut.
		_ = g.SaveSnapshot()
	}
	return g, nil
}

// SaveSnapshot writes the snapshot that LoadCached (asked to write one)
// could not write because the .gobuildj folder did not exist yet: a build
// calls it once the state store made the folder. It does nothing for a
// graph that came from a snapshot or was saved already.
func (g *Graph) SaveSnapshot() error {
	if g.unsaved == nil {
		return nil
	}
	save := g.unsaved
	g.unsaved = nil
	return save()
}

// executableState identifies the running gobuildj: a snapshot written by
// another build of it may describe another graph format or semantics.
func executableState() (fileid.Fingerprint, bool) {
	fp, err := fileid.Stat("/proc/self/exe")
	return fp, err == nil
}

// buildfileKey is what a snapshot keeps of a Buildfile it was made from.
type buildfileKey struct {
	path string
	st   fileid.Fingerprint
	racy bool // modified too close to the read: its stat proves nothing
	hash xxh3.Uint128
}

// snapshotKey is what a graph just loaded depends on; false if some of it
// changed too recently to be trusted.
type snapKey struct {
	exe   fileid.Fingerprint
	files []buildfileKey
	paths []pathState
	env   []envKey
	vars  []Override // set on the command line
	cmds  []cmdKey
}

// cmdKey is what a snapshot keeps of a command of [vars] the load ran.
type cmdKey struct {
	dir, command string
	hash         xxh3.Uint128
}

// cmdKeys returns what the snapshot keeps of the commands r ran, once each.
func cmdKeys(r *cmdRuns) []cmdKey {
	if r == nil {
		return nil
	}
	var keys []cmdKey
	seen := make(map[*cmdRun]bool, len(r.ran))
	for _, run := range r.ran {
		if !seen[run] {
			seen[run] = true
			keys = append(keys, cmdKey{dir: run.dir, command: run.command, hash: xxh3.HashString128(run.value)})
		}
	}
	return keys
}

// envKey is what a snapshot keeps of an environment variable the load read.
type envKey struct {
	name string
	set  bool
	hash xxh3.Uint128
}

// envKeys returns what the snapshot keeps of the environment e read.
func envKeys(e *envReads) []envKey {
	names := e.names()
	keys := make([]envKey, len(names))
	for i, n := range names {
		v := e.read[n]
		keys[i] = envKey{name: n, set: v.set, hash: xxh3.HashString128(v.value)}
	}
	return keys
}

func snapshotKey(g *Graph, rec *recordingFS, exe fileid.Fingerprint, started time.Time) (*snapKey, bool) {
	paths, ok := rec.states(started)
	if !ok {
		return nil, false
	}
	k := &snapKey{exe: exe, paths: paths, env: envKeys(g.env), vars: g.overrides, cmds: cmdKeys(g.cmds)}
	rec.mu.Lock()
	defer rec.mu.Unlock()
	for _, f := range rec.files {
		f.racy = fileid.RacyTime(f.st.MtimeNs, started)
		k.files = append(k.files, f)
	}
	return k, len(k.files) > 0
}

// writeSnapshot writes the snapshot of g, keyed by k, into the state
// folder: into a temporary file renamed over the old snapshot, so that a
// reader maps either the old one or the new one, whole.
func writeSnapshot(state statedir.Dir, g *Graph, k *snapKey) error {
	var e snapEncoder
	b := wire.AppendFixed32([]byte(snapMagic), snapVersion)
	b = appendFingerprint(b, k.exe)
	b = wire.AppendString(b, g.File)
	b = wire.AppendUvarint(b, uint64(len(k.files)))
	for _, f := range k.files {
		b = wire.AppendString(b, f.path)
		b = appendFingerprint(b, f.st)
		b = wire.AppendBool(b, f.racy)
		b = wire.AppendFixed64(b, f.hash.Hi)
		b = wire.AppendFixed64(b, f.hash.Lo)
	}
	b = wire.AppendUvarint(b, uint64(len(k.paths)))
	for _, p := range k.paths {
		b = wire.AppendString(b, p.name)
		b = wire.AppendBool(b, p.listed)
		b = append(b, p.kind)
		b = wire.AppendVarint(b, p.mtime)
		b = wire.AppendVarint(b, p.ctime)
		b = wire.AppendUvarint(b, p.inode)
	}
	b = wire.AppendUvarint(b, uint64(len(k.env)))
	for _, v := range k.env {
		b = wire.AppendString(b, v.name)
		b = wire.AppendBool(b, v.set)
		b = wire.AppendFixed64(b, v.hash.Hi)
		b = wire.AppendFixed64(b, v.hash.Lo)
	}
	b = wire.AppendUvarint(b, uint64(len(k.vars)))
	for _, o := range k.vars {
		b = wire.AppendString(b, o.Name)
		b = wire.AppendString(b, o.Value)
	}
	b = wire.AppendUvarint(b, uint64(len(k.cmds)))
	for _, c := range k.cmds {
		b = wire.AppendString(b, c.dir)
		b = wire.AppendString(b, c.command)
		b = wire.AppendFixed64(b, c.hash.Hi)
		b = wire.AppendFixed64(b, c.hash.Lo)
	}
	body := e.graph(g)
	b = e.appendStrings(b)
	b = append(b, body...)
	b = wire.AppendFixed64(b, xxh3.Hash(b))

	tmp, err := state.CreateSnapshotTemp()
	if err != nil {
		return fmt.Errorf("write graph snapshot: %w", err)
	}
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return fmt.Errorf("write graph snapshot: %w", err)
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("write graph snapshot: %w", err)
	}
	if err := os.Rename(tmp.Name(), state.Snapshot()); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("write graph snapshot: %w", err)
	}
	removeStaleSnapshotTemps(state, time.Now())
	return nil
}

// staleSnapshotTemp is the age past which a snapshot's temporary file is
// taken for one left by a process that was killed while it wrote it (a
// snapshot takes milliseconds to write): younger ones may be another
// gobuildj's, which is writing its snapshot at this moment.
const staleSnapshotTemp = time.Minute

// removeStaleSnapshotTemps removes the snapshot temporary files of killed
// processes, so that they do not pile up in the state folder.
func removeStaleSnapshotTemps(state statedir.Dir, now time.Time) {
	tmps, err := state.SnapshotTemps()
	if err != nil {
		return
	}
	for _, tmp := range tmps {
		if fi, err := os.Lstat(tmp); err == nil && fi.Mode().IsRegular() && now.Sub(fi.ModTime()) > staleSnapshotTemp {
			os.Remove(tmp)
		}
	}
}

func appendFingerprint(b []byte, fp fileid.Fingerprint) []byte {
	b = wire.AppendVarint(b, fp.Size)
	b = wire.AppendVarint(b, fp.MtimeNs)
	b = wire.AppendVarint(b, fp.CtimeNs)
	return wire.AppendUvarint(b, fp.Inode)
}

// readSnapshot maps the snapshot at path and returns its graph if the
// snapshot was made by this binary from the Buildfile at buildfile and
// nothing it depends on changed since, and it was made with the variables
// overrides set on the command line. The commands of [vars] are run again,
// through runs.
func readSnapshot(path, buildfile string, exe fileid.Fingerprint, runs *cmdRuns, overrides []Override) (*Graph, error) {
	f, err := statedir.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil || fi.Size() < int64(len(snapMagic))+4 || fi.Size() != int64(int(fi.Size())) {
		return nil, errStale
	}
	// The mapping lives as long as the process: the graph's strings point
	// into it. The file is only ever replaced by a rename, never changed.
	data, err := unix.Mmap(int(f.Fd()), 0, int(fi.Size()), unix.PROT_READ, unix.MAP_PRIVATE)
	if err != nil {
		return nil, err
	}
	g, err := decodeSnapshot(data, buildfile, exe, runs, overrides)
	if err != nil {
		_ = unix.Munmap(data)
		return nil, err
	}
	return g, nil
}

func decodeSnapshot(data []byte, buildfile string, exe fileid.Fingerprint, runs *cmdRuns, overrides []Override) (*Graph, error) {
	d, err := checkSnapshot(data, buildfile, exe, runs, overrides, true)
	if err != nil {
		return nil, err
	}
	d.strings()
	g := d.graph()
	if d.Bad() || d.Len() != 0 {
		return nil, fmt.Errorf("%w: it does not decode", errStale)
	}
	g.File, g.Root = buildfile, filepath.Dir(buildfile)
	g.fromSnapshot = true
	return g, nil
}

// checkSnapshot checks the key of a snapshot, its checksum first if sum is
// set, and returns the decoder at the graph that follows the key.
func checkSnapshot(data []byte, buildfile string, exe fileid.Fingerprint, runs *cmdRuns, overrides []Override, sum bool) (*snapDecoder, error) {
	// A checksum of everything before it ends the file: a damaged
	// snapshot is never mistaken for a graph.
	if len(data) < len(snapMagic)+4+8 {
		return nil, errStale
	}
	want := wire.Fixed64At(data[len(data)-8:])
	data = data[:len(data)-8]
	if sum && xxh3.Hash(data) != want {
		return nil, errStale
	}
	if string(data[:len(snapMagic)]) != snapMagic ||
		wire.Fixed32At(data[len(snapMagic):]) != snapVersion {
		return nil, errStale
	}
	d := snapDecoder{Reader: wire.NewReader(unsafe.String(unsafe.SliceData(data[len(snapMagic)+4:]), len(data)-len(snapMagic)-4))}
	if d.fingerprint() != exe || d.Str() != buildfile {
		return nil, errStale
	}
	root := filepath.Dir(buildfile)
	for range d.Count(1) {
		path := d.Str()
		st := d.fingerprint()
		racy := d.Bool()
		hash := xxh3.Uint128{Hi: d.Fixed64(), Lo: d.Fixed64()}
		if d.Bad() {
			return nil, errStale
		}
		if cur, err := fileid.Stat(path); err == nil && cur == st && !racy {
			continue
		}
		content, err := readBuildfile(path)
		if err != nil || xxh3.Hash128(content) != hash {
			return nil, errStale
		}
	}
	for range d.Count(1) {
		ps := pathState{name: d.Str(), listed: d.Bool(), kind: d.Byte(), mtime: d.Varint(), ctime: d.Varint(), inode: d.Uvarint()}
		if d.Bad() || !ps.same(root) {
			return nil, errStale
		}
	}
	for range d.Count(1) {
		name, set := d.Str(), d.Bool()
		hash := xxh3.Uint128{Hi: d.Fixed64(), Lo: d.Fixed64()}
		v, ok := os.LookupEnv(name)
		if d.Bad() || ok != set || xxh3.HashString128(v) != hash {
			return nil, errStale
		}
	}
	if d.Count(1) != len(overrides) {
		return nil, errStale
	}
	for _, o := range overrides {
		if d.Str() != o.Name || d.Str() != o.Value || d.Bad() {
			return nil, errStale
		}
	}
	// Last: a command runs only once the rest of the key holds.
	for range d.Count(1) {
		// Cloned: the runs outlive the mapping of a stale snapshot.
		dir, command := strings.Clone(d.Str()), strings.Clone(d.Str())
		hash := xxh3.Uint128{Hi: d.Fixed64(), Lo: d.Fixed64()}
		if d.Bad() {
			return nil, errStale
		}
		if run := runs.run(dir, command); run.err != nil || xxh3.HashString128(run.value) != hash {
			return nil, errStale
		}
	}
	return &d, nil
}

// FromSnapshot says whether LoadCached found the graph in a valid snapshot
// (rather than reading the Buildfiles).
func (g *Graph) FromSnapshot() bool { return g.fromSnapshot }
