package cache

import (
	"cmp"
	"fmt"
	"slices"
	"sync"
)

// Files is the stat fast path over the file states of a Store: it answers
// "what is the content hash of this file now?" while reading as few files as
// possible. Hash stats the file; if the stat fingerprint (size, mtime,
// ctime, inode) equals the one remembered and that state was not Racy, the
// remembered hash is returned without reading the file. Otherwise the file
// is hashed and its new state remembered: in memory at once, in the store's
// log in batches by Flush (Close also flushes). A state lost before a Flush
// costs one rehash, never a wrong answer.
//
// Paths are absolute, or relative to the store's folder. Files is safe for
// concurrent use: the engine hashes in parallel.
type Files struct {
	store *Store

	flushMu sync.Mutex // keeps Flushes in order, so the last state appended is the last remembered

	mu      sync.RWMutex
	states  map[string]FileState // by key (see Store.resolve)
	pending map[string]struct{}  // keys whose state changed since the last Flush
}

func newFiles(s *Store) *Files {
	return &Files{store: s, states: map[string]FileState{}, pending: map[string]struct{}{}}
}

// Files returns the store's file states. Every call returns the same Files.
func (s *Store) Files() *Files { return s.files }

// Hash returns the content hash of the file at path, without reading it when
// its remembered state can be trusted. A missing file gives an error that
// wraps os.ErrNotExist.
func (f *Files) Hash(path string) (Hash, error) {
	st, err := f.State(path)
	return st.Hash, err
}

// State is Hash returning the file's whole current state.
func (f *Files) State(path string) (FileState, error) {
	abs, key := f.store.resolve(path)
	cur, err := StatFile(abs)
	if err != nil {
		return FileState{}, err
	}
	return f.state(abs, key, cur)
}

// StateWith is State given the file's current stat fingerprint (from
// StatAll) instead of stating it again.
func (f *Files) StateWith(path string, stat StatResult) (FileState, error) {
	if stat.Err != nil {
		return FileState{}, stat.Err
	}
	key := f.store.keyOf(path)
	f.mu.RLock()
	old, ok := f.states[key]
	f.mu.RUnlock()
	if ok && old.trusted(stat.State) {
		return old, nil
	}
	return f.state(f.store.abs(key), key, stat.State)
}

// state returns the state of the file at abs (stored under key) whose
// fingerprint is now cur: the remembered one if it can be trusted, else a
// new one, hashed and remembered.
func (f *Files) state(abs, key string, cur FileState) (FileState, error) {
	f.mu.RLock()
	old, ok := f.states[key]
	f.mu.RUnlock()
	if ok && old.trusted(cur) {
		return old, nil
	}
	st, err := Fingerprint(abs)
	if err != nil {
		return FileState{}, err
	}
	f.remember(key, st)
	return st, nil
}

// trusted reports whether s, a remembered state, still gives the content
// hash of a file whose current fingerprint is cur.
func (s FileState) trusted(cur FileState) bool {
	return !s.Racy && !s.Hash.IsZero() && s.SameFingerprint(cur)
}

// Remembered returns the state last remembered for the file at path,
// without looking at the file.
func (f *Files) Remembered(path string) (FileState, bool) {
	_, key := f.store.resolve(path)
	f.mu.RLock()
	st, ok := f.states[key]
	f.mu.RUnlock()
	return st, ok
}

// Remember records st as the current state of the file at path, e.g. an
// output that a worker hashed right after its command wrote it. A state
// without a hash (from StatFile) carries nothing to remember and is ignored.
func (f *Files) Remember(path string, st FileState) {
	if st.Hash.IsZero() {
		return
	}
	_, key := f.store.resolve(path)
	f.remember(key, st)
}

func (f *Files) remember(key string, st FileState) {
	f.mu.Lock()
	if old, ok := f.states[key]; !ok || old != st {
		f.states[key] = st
		if !f.store.readOnly {
			f.pending[key] = struct{}{}
		}
	}
	f.mu.Unlock()
}

// Flush appends the states remembered since the last Flush to the store's
// log, in one write. On a read-only store it does nothing.
func (f *Files) Flush() error {
	f.flushMu.Lock()
	defer f.flushMu.Unlock()
	f.mu.Lock()
	if len(f.pending) == 0 {
		f.mu.Unlock()
		return nil
	}
	pending := f.pending
	f.pending = map[string]struct{}{}
	var b []byte
	for key := range pending {
		st := f.states[key]
		var start int
		b, start = beginRecord(b)
		b = endRecord(appendFileBody(b, key, &st), start)
	}
	f.mu.Unlock()

	f.store.mu.Lock()
	err := f.store.appendLocked(b, len(pending))
	f.store.mu.Unlock()
	if err != nil {
		// Keep them for the next Flush; memory still has them.
		f.mu.Lock()
		for key := range pending {
			f.pending[key] = struct{}{}
		}
		f.mu.Unlock()
		return fmt.Errorf("remember file states: %w", err)
	}
	return nil
}

// len returns the number of remembered states.
func (f *Files) len() int {
	f.mu.RLock()
	defer f.mu.RUnlock()
	return len(f.states)
}

// snapshot returns every remembered state by key, sorted.
func (f *Files) snapshot() []PathState {
	f.mu.RLock()
	out := make([]PathState, 0, len(f.states))
	for key, st := range f.states {
		out = append(out, PathState{Path: key, State: st})
	}
	f.mu.RUnlock()
	slices.SortFunc(out, func(a, b PathState) int { return cmp.Compare(a.Path, b.Path) })
	return out
}
