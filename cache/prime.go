package cache

import (
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"

	"golang.org/x/sys/unix"
)

// StatResult is the stat fingerprint of one file, or why it has none.
type StatResult struct {
	State FileState // fingerprint only: no Hash
	Err   error     // wraps os.ErrNotExist for a missing file
}

// StatAll stats every path (absolute, or relative to the folder dir),
// workers goroutines at a time: on a build with thousands of files, stat
// calls made two at a time take about half as long as one after the other
// (the kernel's path walk is the cost, and it runs on every core), and a
// path walked from dir rather than from / is shorter.
func StatAll(dir string, paths []string, workers int) []StatResult {
	out := make([]StatResult, len(paths))
	dfd, err := unix.Open(dir, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		dfd = unix.AT_FDCWD
		dir = ""
	} else {
		defer unix.Close(dfd)
	}
	parallel(len(paths), workers, func(i int) {
		p := paths[i]
		var st unix.Stat_t
		var err error
		if dir == "" || filepath.IsAbs(p) {
			err = unix.Stat(absIn(dir, p), &st)
		} else {
			err = unix.Fstatat(dfd, p, &st, 0)
		}
		if err != nil {
			out[i].Err = &os.PathError{Op: "stat", Path: absIn(dir, p), Err: err}
			return
		}
		out[i].State = fingerprintOf(&st)
	})
	return out
}

// absIn is path made absolute against dir.
func absIn(dir, path string) string {
	if filepath.IsAbs(path) || dir == "" {
		return path
	}
	return filepath.Join(dir, path)
}

// parallel calls do(i) for i in [0, n), workers goroutines at a time (the
// calling one included).
func parallel(n, workers int, do func(i int)) {
	workers = min(workers, n/64+1) // small batches are not worth a goroutine
	if workers <= 1 {
		for i := range n {
			do(i)
		}
		return
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	work := func() {
		for {
			i := int(next.Add(1)) - 1
			if i >= n {
				return
			}
			do(i)
		}
	}
	for range workers - 1 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			work()
		}()
	}
	work()
	wg.Wait()
}

// Prime makes Files answer from stats (StatAll of the same paths) instead of
// stating those files again, until Unprime: for a check before anything
// runs, when no file can have changed since. The paths for which hash(i)
// is true and whose remembered state cannot be trusted are hashed now,
// workers at a time, so that the check that follows finds every answer
// ready. Hashing errors are left for that check, which meets them again.
func (f *Files) Prime(paths []string, stats []StatResult, hash func(i int) bool, workers int) {
	primed := make(map[string]StatResult, len(paths))
	keys := make([]string, len(paths))
	for i, p := range paths {
		keys[i] = f.store.keyOf(p)
		primed[keys[i]] = stats[i]
	}
	f.mu.Lock()
	f.primed = primed
	f.mu.Unlock()
	var stale []int
	f.mu.RLock()
	for i := range paths {
		if stats[i].Err != nil || !hash(i) {
			continue
		}
		if old, ok := f.states[keys[i]]; !ok || !old.trusted(stats[i].State) {
			stale = append(stale, i)
		}
	}
	f.mu.RUnlock()
	parallel(len(stale), workers, func(j int) {
		i := stale[j]
		abs, _ := f.store.resolve(paths[i])
		if st, err := Fingerprint(abs); err == nil {
			f.remember(keys[i], st)
			if !st.SameFingerprint(stats[i].State) {
				// Changed between the stat and the hash: trust neither.
				f.mu.Lock()
				delete(f.primed, keys[i])
				f.mu.Unlock()
			}
		}
	})
}

// Unprime makes Files stat files again: something may have changed them.
func (f *Files) Unprime() {
	f.mu.Lock()
	f.primed = nil
	f.mu.Unlock()
}

// stat returns the fingerprint of the file at abs (stored under key): the
// primed one if there is one.
func (f *Files) stat(abs, key string) (FileState, error) {
	f.mu.RLock()
	p, ok := f.primed[key]
	f.mu.RUnlock()
	if ok {
		return p.State, p.Err
	}
	return StatFile(abs)
}
