package watch

import (
	"crypto/sha256"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/fsnotify/fsnotify"
	"golang.org/x/sys/unix"

	"github.com/gobuildj/gobuildj/cache"
)

// StatCache answers the stats of a build from memory for the files that no
// file-system event touched since they were last stated: a resident build
// server's no-op need not stat every file of the graph again.
//
// A file's stat is kept only when inotify watches its folder and every
// folder above it up to the project's (a rename of any of them drops
// everything below), the folder is reached without a symbolic link, and
// it is on a local file system (not NFS, CIFS, FUSE, 9p...), and the
// file has one name (a write through a hard link elsewhere is told to the
// watch of that other folder, not of this one). Before each
// use, a cookie file created in a watched folder and seen coming back
// proves that every event of the changes made before it was taken in
// (inotify keeps one queue in order). An overflow of the kernel's queue,
// a watch that fails, a change of the mount table, or a cookie that does
// not come back within a second drops everything: those builds stat
// every file, as a standalone build does.
//
// What it cannot see: writes through a shared mmap (inotify reports none),
// and changes made where a file is reached by another path that is not
// watched when the folder holds a mount that appeared during a build.
type StatCache struct {
	root   string // absolute; only files inside it are kept
	cookie string // the folder cookies are made in (watched)
	fw     *fsnotify.Watcher

	mu      sync.Mutex
	watched map[string]bool // folders with a watch
	refused map[string]bool // folders that cannot be watched faithfully
	known   map[string]cache.StatResult
	pending map[string]bool // stated now; an event in between clears it
	cookies map[string]chan struct{}
	mounts  [sha256.Size]byte // of /proc/self/mountinfo when known was filled
	seq     int

	// Hits and Misses count the stats answered from memory and from the
	// file system.
	Hits, Misses atomic.Int64
	// Resets counts how often everything was dropped.
	Resets atomic.Int64
	// losses counts the errors of inotify (an overflow of its queue);
	// lastLoss is the last one (under mu).
	losses   atomic.Int64
	lastLoss error
	// gen grows with every change outside the cookie folder, every reset
	// and every stat answered but not kept (see Generation).
	gen atomic.Int64
}

// NewStatCache starts a StatCache for the files under root, making its
// cookies in the folder cookieDir (inside root, existing).
func NewStatCache(root, cookieDir string) (*StatCache, error) {
	fw, err := fsnotify.NewBufferedWatcher(4096)
	if err != nil {
		return nil, fmt.Errorf("watch: %w%s", err, limitHint(err))
	}
	sc := &StatCache{
		root: filepath.Clean(root), cookie: filepath.Clean(cookieDir), fw: fw,
		watched: map[string]bool{}, refused: map[string]bool{},
		known: map[string]cache.StatResult{}, pending: map[string]bool{},
		cookies: map[string]chan struct{}{},
	}
	if err := fw.Add(sc.cookie); err != nil {
		fw.Close()
		return nil, fmt.Errorf("watch %s: %w%s", sc.cookie, err, limitHint(err))
	}
	go sc.loop()
	return sc, nil
}

// Close stops watching.
func (sc *StatCache) Close() error { return sc.fw.Close() }

func (sc *StatCache) loop() {
	for {
		select {
		case ev, ok := <-sc.fw.Events:
			if !ok {
				return
			}
			sc.event(ev.Name)
		case err, ok := <-sc.fw.Errors:
			if !ok {
				return
			}
			sc.lost(err)
		}
	}
}

// event takes in a change of path.
func (sc *StatCache) event(path string) {
	sc.mu.Lock()
	defer sc.mu.Unlock()
	if ch, ok := sc.cookies[path]; ok {
		close(ch)
		delete(sc.cookies, path)
		return
	}
	delete(sc.known, path)
	if path != sc.cookie && !strings.HasPrefix(path, sc.cookie+string(filepath.Separator)) {
		sc.gen.Add(1)
	}
	if _, ok := sc.pending[path]; ok {
		sc.pending[path] = false
	}
	// A watched folder, or one above it, created, removed or renamed:
	// what is below may be other files now, and its watch may be gone (it
	// is watched again when next needed).
	if sc.watched[path] || sc.aboveWatched(path) {
		prefix := path + string(filepath.Separator)
		for d := range sc.watched {
			if d == path || strings.HasPrefix(d, prefix) {
				delete(sc.watched, d)
			}
		}
		sc.resetLocked()
	}
}

// aboveWatched says whether a watched folder lies under path.
func (sc *StatCache) aboveWatched(path string) bool {
	prefix := path + string(filepath.Separator)
	for d := range sc.watched {
		if strings.HasPrefix(d, prefix) {
			return true
		}
	}
	return false
}

// lost takes in an error of inotify: an overflow of its queue, or another
// loss of events. Anything may have changed.
func (sc *StatCache) lost(err error) {
	sc.mu.Lock()
	defer sc.mu.Unlock()
	sc.resetLocked()
	sc.lastLoss = err
	sc.losses.Add(1)
}

// Losses says how many times inotify lost events (an overflow of its
// queue: every stat kept was dropped then), and the last error it gave.
func (sc *StatCache) Losses() (int64, error) {
	sc.mu.Lock()
	defer sc.mu.Unlock()
	return sc.losses.Load(), sc.lastLoss
}

// resetLocked drops every stat kept; the watches stay.
func (sc *StatCache) resetLocked() {
	sc.known = map[string]cache.StatResult{}
	for p := range sc.pending {
		sc.pending[p] = false
	}
	sc.Resets.Add(1)
	sc.gen.Add(1)
}

// sync returns once every event of the changes made before it was taken
// in, or false (everything dropped) if that cannot be known.
func (sc *StatCache) sync() bool {
	sc.mu.Lock()
	sc.seq++
	name := filepath.Join(sc.cookie, fmt.Sprintf(".statcache-cookie-%d-%d", os.Getpid(), sc.seq))
	ch := make(chan struct{})
	sc.cookies[name] = ch
	sc.mu.Unlock()
	f, err := os.OpenFile(name, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err == nil {
		f.Close()
		defer os.Remove(name)
		select {
		case <-ch:
			return true
		case <-time.After(time.Second):
		}
	}
	sc.mu.Lock()
	delete(sc.cookies, name)
	sc.resetLocked()
	sc.mu.Unlock()
	return false
}

// mountTable hashes the mount table: a mount made or removed under a
// watched folder changes what its paths reach without an event there.
func mountTable() ([sha256.Size]byte, bool) {
	b, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		return [sha256.Size]byte{}, false
	}
	return sha256.Sum256(b), true
}

// Stat is cache.StatAll, answered from memory where it can be.
func (sc *StatCache) Stat(dir string, paths []string, workers int) []cache.StatResult {
	if filepath.Clean(dir) != sc.root || !sc.sync() {
		sc.gen.Add(1)
		return cache.StatAll(dir, paths, workers)
	}
	mounts, ok := mountTable()
	out := make([]cache.StatResult, len(paths))
	var miss []int
	var missPaths []string
	sc.mu.Lock()
	if !ok || mounts != sc.mounts {
		sc.resetLocked()
		sc.mounts = mounts
	}
	for i, p := range paths {
		abs := sc.abs(p)
		if r, ok := sc.known[abs]; ok {
			out[i] = r
			continue
		}
		miss = append(miss, i)
		missPaths = append(missPaths, p)
	}
	sc.mu.Unlock()
	sc.Hits.Add(int64(len(paths) - len(miss)))
	sc.Misses.Add(int64(len(miss)))
	if len(miss) == 0 {
		return out
	}
	// Watch the folders first: a change after the watch is seen, so the
	// stat taken after it may be kept.
	keep := make([]bool, len(miss))
	sc.mu.Lock()
	for k, i := range miss {
		abs := sc.abs(paths[i])
		if sc.watchLocked(filepath.Dir(abs)) {
			keep[k] = true
			// Its own copy: the path may point into a mapping of the
			// graph snapshot that a later build does not share.
			sc.pending[strings.Clone(abs)] = true
		}
	}
	sc.mu.Unlock()
	res := cache.StatAll(dir, missPaths, workers)
	sc.mu.Lock()
	for k, i := range miss {
		out[i] = res[k]
		if !keep[k] {
			sc.gen.Add(1)
			continue
		}
		abs := sc.abs(paths[i])
		if sc.pending[abs] && !res[k].HardLinked {
			sc.known[strings.Clone(abs)] = res[k]
		} else {
			sc.gen.Add(1)
		}
		delete(sc.pending, abs)
	}
	sc.mu.Unlock()
	return out
}

func (sc *StatCache) abs(p string) string {
	if filepath.IsAbs(p) {
		return filepath.Clean(p)
	}
	return filepath.Join(sc.root, p)
}

// watchLocked watches dir and every folder above it up to the root, and
// says whether the files of dir may be kept.
func (sc *StatCache) watchLocked(dir string) bool {
	if sc.watched[dir] {
		return true
	}
	if sc.refused[dir] {
		return false
	}
	if _, err := os.Lstat(dir); err != nil {
		return false // not yet: it may be made by the build
	}
	ok := sc.watchable(dir)
	if ok {
		// From the root down: a rename above is seen before the folders
		// below are watched.
		rel, _ := filepath.Rel(sc.root, dir)
		d := sc.root
		chain := []string{d}
		if rel != "." {
			for _, part := range strings.Split(rel, string(filepath.Separator)) {
				d = filepath.Join(d, part)
				chain = append(chain, d)
			}
		}
		for _, d := range chain {
			if sc.watched[d] {
				continue
			}
			if d == sc.cookie {
				continue // watched from the start
			}
			if err := sc.fw.Add(d); err != nil {
				ok = false
				break
			}
			sc.watched[d] = true
		}
	}
	if !ok {
		sc.refused[dir] = true
	}
	return ok
}

// Network and user-space file systems, whose changes made elsewhere
// inotify does not see.
var remoteFS = map[int64]bool{
	0x6969:     true, // NFS
	0xFF534D42: true, // CIFS
	0xFE534D42: true, // SMB2
	0x517B:     true, // SMB
	0x65735546: true, // FUSE
	0x01021997: true, // 9p
	0x00C36400: true, // Ceph
	0x47504653: true, // GPFS
	0x0BD00BD0: true, // Lustre
	0x013111A8: true, // IBRIX
	0x61756673: true, // AFS
	0x5346414F: true, // OpenAFS
}

// watchable says whether the stats of dir's files can be kept: it lies
// inside the root, is reached without a symbolic link, and is on a local
// file system.
func (sc *StatCache) watchable(dir string) bool {
	if dir != sc.root && !strings.HasPrefix(dir, sc.root+string(filepath.Separator)) {
		return false
	}
	if real, err := filepath.EvalSymlinks(dir); err != nil || real != dir {
		return false
	}
	var fs unix.Statfs_t
	if err := unix.Statfs(dir, &fs); err != nil {
		return false
	}
	return !remoteFS[int64(fs.Type)]
}

// Generation returns a number that stays the same as long as nothing the
// cache answered for may have changed: it grows with every event outside
// the cookie folder, every reset (an overflow, a lost watch, a cookie that
// did not come back, a change of the mount table) and every stat answered
// from the file system without being kept (a folder that cannot be
// watched, reached through a link, on a network file system, a file with
// hard links, or changed while it was stated). It first takes in every event of the changes made
// before the call; ok is false when that cannot be known (the generation
// then grew).
func (sc *StatCache) Generation() (gen int64, ok bool) {
	ok = sc.sync()
	mounts, known := mountTable()
	sc.mu.Lock()
	if !known || mounts != sc.mounts {
		sc.resetLocked()
		sc.mounts = mounts
		ok = false
	}
	sc.mu.Unlock()
	return sc.gen.Load(), ok
}

// Known says how many stats are kept.
func (sc *StatCache) Known() int {
	sc.mu.Lock()
	defer sc.mu.Unlock()
	return len(sc.known)
}
