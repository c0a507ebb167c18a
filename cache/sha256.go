package cache

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"sync"
	"time"

	"golang.org/x/sys/unix"

	"github.com/gobuildj/gobuildj/internal/fileid"
	"github.com/gobuildj/gobuildj/internal/statedir"
	"github.com/gobuildj/gobuildj/internal/wire"
)

// kindDigest is the record kind of the SHA-256 table: a path, the file's
// state, its executable bit and its SHA-256.
const kindDigest byte = 4

// Digests is the SHA-256 table: for each file, its SHA-256 and executable
// bit as they were at a recorded stat fingerprint. A remote cache names
// blobs by SHA-256, while the local state keeps xxh3 (much faster, but not
// collision-resistant, so never fit for a shared key); the table makes each
// file cost one SHA-256 per change of its content rather than one per build.
// An entry is trusted only while the file's size, mtime, ctime and inode are
// the recorded ones and the recording was not racy (see FileState).
//
// The table lives in .gobuildj/sha256.log, framed like the state log, and is
// read on first use only, so builds without a remote cache never pay for it.
// It is written under the Store's lock by Flush and by the Store's Close.
// Digests is safe for concurrent use.
type Digests struct {
	store *Store
	path  string

	mu      sync.Mutex
	loaded  bool
	entries map[string]digestEntry // by key (see Store.resolve)
	pending map[string]struct{}
	records int // records in the file, live or stale
	size    int64
	warn    string
}

type digestEntry struct {
	state FileState // fingerprint and Racy; Hash unused
	exec  bool
	sum   [sha256.Size]byte
}

// Digests returns the store's SHA-256 table. Every call returns the same one.
func (s *Store) Digests() *Digests {
	s.digestsOnce.Do(func() {
		s.digests = &Digests{store: s, path: s.state.SHA256Table()}
	})
	return s.digests
}

// SHA256 returns the SHA-256 of the file at path (absolute, or relative to
// the store's folder), its size and whether it is executable, reading the
// file only if its remembered entry cannot be trusted.
func (d *Digests) SHA256(path string) (sum [sha256.Size]byte, size int64, exec bool, err error) {
	abs, key := d.store.resolve(path)
	var st unix.Stat_t
	if err := unix.Stat(abs, &st); err != nil {
		return sum, 0, false, &os.PathError{Op: "stat", Path: abs, Err: err}
	}
	cur := fingerprintOf(&st)
	d.mu.Lock()
	d.loadLocked()
	e, ok := d.entries[key]
	d.mu.Unlock()
	if ok && !e.state.Racy && e.state.SameFingerprint(cur) && e.exec == isExec(st.Mode) {
		return e.sum, cur.Size, e.exec, nil
	}
	e, err = hashSHA256(abs)
	if err != nil {
		return sum, 0, false, err
	}
	d.put(key, e)
	return e.sum, e.state.Size, e.exec, nil
}

// Remember records sum as the SHA-256 of the file at path, whose state st
// was taken when it was hashed (by a worker, right after its command wrote
// it). It is kept only if the file still has that fingerprint.
func (d *Digests) Remember(path string, st FileState, sum [sha256.Size]byte) {
	abs, key := d.store.resolve(path)
	var now unix.Stat_t
	if err := unix.Stat(abs, &now); err != nil || !fingerprintOf(&now).SameFingerprint(st) {
		return
	}
	d.mu.Lock()
	d.loadLocked()
	d.mu.Unlock()
	d.put(key, digestEntry{state: FileState{Size: st.Size, MtimeNs: st.MtimeNs, CtimeNs: st.CtimeNs, Inode: st.Inode, Racy: st.Racy}, exec: isExec(now.Mode), sum: sum})
}

func isExec(mode uint32) bool { return mode&0o111 != 0 }

func (d *Digests) put(key string, e digestEntry) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if old, ok := d.entries[key]; ok && old == e {
		return
	}
	d.entries[key] = e
	if !d.store.readOnly {
		d.pending[key] = struct{}{}
	}
}

// hashSHA256 reads the file at path once for its SHA-256, with the stat
// fingerprint taken from the open descriptor before reading.
func hashSHA256(path string) (digestEntry, error) {
	start := time.Now()
	f, st, err := fileid.OpenRegular(path)
	if err != nil {
		return digestEntry{}, fmt.Errorf("sha256: %w", err)
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.CopyBuffer(h, f, make([]byte, 256<<10)); err != nil {
		return digestEntry{}, fmt.Errorf("sha256 %s: %w", path, err)
	}
	e := digestEntry{state: fingerprintOf(&st), exec: isExec(st.Mode)}
	e.state.Racy = e.state.Fingerprint().Racy(start)
	h.Sum(e.sum[:0])
	return e, nil
}

// loadLocked reads the table's file the first time it is needed. A damaged
// tail is dropped (those files are hashed again); d.mu must be held.
func (d *Digests) loadLocked() {
	if d.loaded {
		return
	}
	d.loaded = true
	d.entries = map[string]digestEntry{}
	d.pending = map[string]struct{}{}
	data, err := statedir.ReadFile(d.path)
	if err != nil {
		return // none yet, or unreadable: start afresh
	}
	if problem, _ := headerProblem(data); problem != "" || len(data) < headerSize {
		return
	}
	recs := string(data[headerSize:])
	good, _ := scanRecords(recs, func(body string) error {
		dec := newDecoder(body)
		if dec.Byte() != kindDigest {
			return errBadRecord
		}
		key := dec.Str()
		var e digestEntry
		dec.fileState(&e.state)
		e.exec = dec.Byte() == 1
		if dec.Len() != sha256.Size || dec.Bad() {
			return errBadRecord
		}
		copy(e.sum[:], dec.Rest())
		d.entries[key] = e
		d.records++
		return nil
	})
	d.size = int64(headerSize + good)
}

// Flush appends the entries remembered since the last Flush to the table's
// file, or rewrites it when most of its records are stale. The caller holds
// the store's lock (the engine flushes before closing the store).
func (d *Digests) Flush() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if !d.loaded || len(d.pending) == 0 || d.store.readOnly {
		return nil
	}
	if d.records >= compactMinRecords && d.records+len(d.pending) > 2*len(d.entries) {
		return d.rewriteLocked()
	}
	var b []byte
	if d.size < int64(headerSize) {
		b = appendHeader(nil)
	}
	for key := range d.pending {
		b = appendDigestRecord(b, key, d.entries[key])
	}
	f, err := statedir.OpenFile(d.path, os.O_WRONLY|os.O_CREATE, 0o666)
	if err != nil {
		return fmt.Errorf("sha256 table: %w", err)
	}
	defer f.Close()
	// Write after the intact records, over a damaged tail if there is one.
	if _, err := f.WriteAt(b, max(d.size, 0)); err != nil {
		return fmt.Errorf("sha256 table: %w", err)
	}
	if err := f.Truncate(max(d.size, 0) + int64(len(b))); err != nil {
		return fmt.Errorf("sha256 table: %w", err)
	}
	if d.size < int64(headerSize) {
		d.size = 0
	}
	d.size += int64(len(b))
	d.records += len(d.pending)
	d.pending = map[string]struct{}{}
	return nil
}

// rewriteLocked writes the live entries of files that still exist into a
// new file renamed over the old one.
func (d *Digests) rewriteLocked() error {
	b := appendHeader(nil)
	n := 0
	for key, e := range d.entries {
		if _, err := os.Lstat(d.store.abs(key)); errors.Is(err, fs.ErrNotExist) {
			delete(d.entries, key)
			continue
		}
		b = appendDigestRecord(b, key, e)
		n++
	}
	tmp := d.path + ".tmp"
	if err := os.WriteFile(tmp, b, 0o666); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("sha256 table: %w", err)
	}
	if err := os.Rename(tmp, d.path); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("sha256 table: %w", err)
	}
	d.size, d.records = int64(len(b)), n
	d.pending = map[string]struct{}{}
	return nil
}

func appendDigestRecord(b []byte, key string, e digestEntry) []byte {
	b, start := beginRecord(b)
	b = append(b, kindDigest)
	b = wire.AppendString(b, key)
	st := e.state
	st.Hash = Hash{}
	b = appendFileState(b, &st)
	b = wire.AppendBool(b, e.exec)
	b = append(b, e.sum[:]...)
	return endRecord(b, start)
}
