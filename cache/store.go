package cache

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/gobuildj/gobuildj/internal/statedir"
)

const (
	// compactMinRecords is the log size, in records, below which Close never
	// compacts: rewriting a tiny log saves nothing.
	compactMinRecords = 256
)

// ErrReadOnly is wrapped by the error of a write to a Store opened with
// OpenReadOnly.
var ErrReadOnly = errors.New("the state was opened read-only")

// Store is the state kept under .gobuildj/ beside the Buildfile: for each
// target the record of its last successful run, and for each file the
// FileState last seen (see Files). It answers "may this target be skipped,
// and if not, why?" (Check).
//
// On disk it is an append-only log of checksummed records, like ninja's
// .ninja_log: cheap to append, and safe against kill -9 or power loss at any
// instant, because a load keeps the intact records before the first damaged
// one and any such prefix is a sound state (the targets the lost records
// described simply rebuild). Close compacts the log (a new file, fsynced and
// renamed over the old one) when more than half of its records are stale.
// Flocks on the Buildfile's folder and on .gobuildj/lock keep two gobuildj
// processes from using one state at once, even when .gobuildj/ is removed
// while one runs (see lockState).
//
// A Store is safe for concurrent use.
type Store struct {
	dir      string // absolute Buildfile folder
	prefix   string // dir with a trailing slash: paths under it are kept relative
	state    statedir.Dir
	logPath  string // state.StateLog()
	readOnly bool

	mu       sync.RWMutex
	log      *os.File          // the log, opened for appending; nil when read-only
	lock     *stateLock        // holds the flocks; nil when read-only
	size     int64             // length of the intact log: a failed append is cut back to it
	records  int               // records in the log, live or stale
	targets  map[string]string // name -> body of its record (see readEntry)
	warnings []string
	closed   bool
	broken   error // a failed append could not be undone: append nothing more

	files *Files

	// failures are the markers of the targets whose last run failed
	// (failure.go); nil while there are none. Guarded by mu.
	failures map[string]Failure

	digestsOnce sync.Once
	digests     *Digests // the SHA-256 table, made on first use
}

// Open opens the store of the Buildfile folder dir, creating .gobuildj/ and
// its log if needed, and locks it until Close. It fails, wrapping ErrLocked,
// if another gobuildj holds it. A damaged log is not an error: what can be
// read is kept, the rest dropped, and Warnings says so.
func Open(dir string) (*Store, error) {
	state, err := stateFolderOf(dir)
	if err != nil {
		return nil, err
	}
	return open(state, nil)
}

// OpenState is Open of the state of one Buildfile (statedir.For): two
// Buildfiles of one folder keep their own records.
func OpenState(state statedir.Dir) (*Store, error) { return open(state, nil) }

func open(state statedir.Dir, pre *Preloaded) (*Store, error) {
	state, err := state.Abs()
	if err != nil {
		return nil, err
	}
	s := newStore(state, false)
	if err := os.Mkdir(s.state.Path(), 0o777); err == nil {
		// Keep the state out of version control without asking.
		_ = os.WriteFile(s.state.GitIgnore(), []byte(statedir.GitIgnoreContent), 0o666)
	} else if !errors.Is(err, fs.ErrExist) {
		return nil, fmt.Errorf("create state folder: %w", err)
	}
	if err := statedir.CheckFolder(s.state.Path()); err != nil {
		return nil, err
	}
	if s.lock, err = lockState(s.state.Lock(), s.dir); err != nil {
		return nil, err
	}
	if err := s.openLog(pre); err != nil {
		unlockState(s.lock)
		return nil, err
	}
	// Left by a compaction that was interrupted: never renamed, never read.
	if tmps, err := s.state.StateLogTemps(); err == nil {
		for _, tmp := range tmps {
			os.Remove(tmp)
		}
	}
	return s, nil
}

// OpenReadOnly opens the store of dir for reading only (dry runs): it
// creates nothing, takes no lock, repairs nothing, and a missing store is
// an empty one. Writes fail with ErrReadOnly; Files remembers new states in
// memory only.
func OpenReadOnly(dir string) (*Store, error) {
	state, err := stateFolderOf(dir)
	if err != nil {
		return nil, err
	}
	return OpenReadOnlyState(state)
}

// OpenReadOnlyState is OpenReadOnly of the state of one Buildfile
// (statedir.For).
func OpenReadOnlyState(state statedir.Dir) (*Store, error) {
	state, err := state.Abs()
	if err != nil {
		return nil, err
	}
	s := newStore(state, true)
	f, err := statedir.Open(s.logPath)
	if errors.Is(err, fs.ErrNotExist) {
		return s, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read state: %w", err)
	}
	data, err := readAll(f)
	f.Close()
	if err != nil {
		return nil, fmt.Errorf("read state: %w", err)
	}
	if problem, torn := headerProblem(data); problem != "" {
		s.warnings = append(s.warnings, fmt.Sprintf("state %s: ignored because %s; every target is considered out of date", s.logPath, problem))
		return s, nil
	} else if torn {
		return s, nil
	}
	if good, damage := s.load(data); damage != "" {
		s.warnings = append(s.warnings, describeDamage(s.logPath, "ignored", headerSize+good, len(data)-headerSize-good, damage))
	}
	return s, nil
}

// stateFolderOf is the state of the Buildfile.toml of the folder dir, made
// absolute.
func stateFolderOf(dir string) (statedir.Dir, error) {
	return statedir.Of(dir).Abs()
}

func newStore(state statedir.Dir, readOnly bool) *Store {
	abs := state.Project()
	s := &Store{
		dir:      abs,
		prefix:   strings.TrimSuffix(abs, "/") + "/",
		state:    state,
		logPath:  state.StateLog(),
		readOnly: readOnly,
		targets:  map[string]string{},
	}
	s.files = newFiles(s)
	return s
}

// openLog opens the log for appending and loads it, repairing what Open
// promises to repair: a torn header starts a fresh log, a header of another
// format moves the file aside, a damaged tail is cut off.
func (s *Store) openLog(pre *Preloaded) error {
	f, err := statedir.OpenFile(s.logPath, os.O_RDWR|os.O_CREATE|os.O_APPEND, 0o666)
	if err != nil {
		return fmt.Errorf("open state: %w", err)
	}
	if data, ok := s.adopt(f, pre); ok {
		return s.openedLog(f, data, pre.good, pre.damage)
	}
	data, err := readAll(f)
	if err != nil {
		f.Close()
		return fmt.Errorf("read state: %w", err)
	}
	problem, torn := headerProblem(data)
	if problem != "" {
		f.Close()
		bad := s.state.BadStateLog()
		if err := os.Rename(s.logPath, bad); err != nil {
			return fmt.Errorf("state %s is unreadable (%s) and could not be moved aside: %w", s.logPath, problem, err)
		}
		s.warnings = append(s.warnings, fmt.Sprintf("state %s: moved to %s because %s; every target will rebuild", s.logPath, bad, problem))
		if f, err = statedir.OpenFile(s.logPath, os.O_RDWR|os.O_CREATE|os.O_APPEND|os.O_EXCL, 0o666); err != nil {
			return fmt.Errorf("create state: %w", err)
		}
		data, torn = nil, true
	}
	if torn {
		// Empty, or killed while writing the header: start the log afresh.
		if err := f.Truncate(0); err != nil {
			f.Close()
			return fmt.Errorf("reset state %s: %w", s.logPath, err)
		}
		if _, err := f.Write(appendHeader(nil)); err != nil {
			f.Close()
			return fmt.Errorf("write state header %s: %w", s.logPath, err)
		}
		s.log, s.size = f, int64(headerSize)
		return nil
	}
	good, damage := s.load(data)
	return s.openedLog(f, data, good, damage)
}

// openedLog finishes opening the log f whose records, good bytes of them
// intact, were loaded from data: a damaged tail is cut off.
func (s *Store) openedLog(f *os.File, data []byte, good int, damage string) error {
	s.log, s.size = f, int64(headerSize+good)
	if damage != "" {
		// Appending after the damage would hide the new records from every
		// later load, so cut it off first.
		if err := f.Truncate(s.size); err != nil {
			f.Close()
			return fmt.Errorf("cut the damaged end of state %s: %w", s.logPath, err)
		}
		s.warnings = append(s.warnings, describeDamage(s.logPath, "dropped", int(s.size), len(data)-int(s.size), damage))
	}
	return nil
}

// readAll returns the whole of f from its start. It maps the file rather
// than reading it: the strings of the records loaded from it share its
// memory, so a log of megabytes is neither copied nor zeroed first. The
// mapping is never undone (strings of records may outlive the Store); it
// stays valid because the log is only ever appended to, cut after its last
// intact record, or replaced by a rename.
func readAll(f *os.File) ([]byte, error) {
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	size := fi.Size()
	if size == 0 {
		return nil, nil
	}
	if size == int64(int(size)) {
		if data, err := unix.Mmap(int(f.Fd()), 0, int(size), unix.PROT_READ, unix.MAP_PRIVATE); err == nil {
			return data, nil
		}
	}
	data := make([]byte, size)
	n, err := f.ReadAt(data, 0)
	if err != nil && err != io.EOF {
		return nil, err
	}
	return data[:n], nil
}

// load decodes the records of data (a whole log with a valid header) into
// s. It returns the length of the intact records and, if the log does not
// end there, what is wrong after them.
func (s *Store) load(data []byte) (good int, damage string) {
	// Every path and name decoded is a substring of recs, so a load of
	// thousands of records allocates no strings. recs shares data's memory
	// without a copy: data is never modified after this point.
	recs := unsafe.String(unsafe.SliceData(data[headerSize:]), len(data)-headerSize)
	nTargets, nFiles := countKinds(recs)
	s.targets = make(map[string]string, nTargets)
	s.files.states = make(map[string]FileState, nFiles)
	files := s.files.states
	good, damage = scanRecords(recs, func(body string) error {
		e, err := readEntry(body)
		if err != nil {
			return err
		}
		s.records++
		switch e.kind {
		case kindTarget:
			s.targets[e.name] = body
			if len(s.failures) > 0 {
				delete(s.failures, e.name)
			}
		case kindTombstone:
			delete(s.targets, e.name)
		case kindFailure:
			delete(s.targets, e.name)
			if s.failures == nil {
				s.failures = map[string]Failure{}
			}
			s.failures[e.name] = e.failure
		case kindFile:
			files[e.name] = e.file
		}
		return nil
	})
	return good, damage
}

// Warnings describes what went wrong reading the state (a damaged tail, an
// unreadable log), in words for the user; nil if nothing did.
func (s *Store) Warnings() []string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return slices.Clone(s.warnings)
}

// Target returns the record of target name's last successful run.
func (s *Store) Target(name string) (TargetRecord, bool) {
	body, ok := s.targetBody(name)
	if !ok {
		return TargetRecord{}, false
	}
	rec, err := decodeTarget(body)
	if err != nil { // cannot happen: the load or RecordTarget checked it
		return TargetRecord{}, false
	}
	return rec, true
}

// LastDuration returns how long the last successful run of target name
// took, if there is a record of one: cheaper than Target, for ordering work.
func (s *Store) LastDuration(name string) (time.Duration, bool) {
	body, ok := s.targetBody(name)
	if !ok {
		return 0, false
	}
	return viewDuration(body)
}

// targetBody returns the body of the record of target name.
func (s *Store) targetBody(name string) (string, bool) {
	s.mu.RLock()
	body, ok := s.targets[name]
	s.mu.RUnlock()
	return body, ok
}

// Targets returns the names of the targets with a record, sorted.
func (s *Store) Targets() []string {
	s.mu.RLock()
	names := make([]string, 0, len(s.targets))
	for name := range s.targets {
		names = append(names, name)
	}
	s.mu.RUnlock()
	slices.Sort(names)
	return names
}

// RecordTarget records rec as the last successful run of rec.Name, which
// clears the marker of a failed run (LastFailure). The
// record reaches the file in one write(2) before RecordTarget returns, but
// is not fsynced: a kill -9 loses nothing, a power loss at worst the latest
// records (whose targets then rebuild).
func (s *Store) RecordTarget(rec TargetRecord) error {
	if rec.Name == "" {
		return errors.New("record target: empty target name")
	}
	b, start := beginRecord(nil)
	b = endRecord(appendTargetBody(b, &rec), start)
	if len(b)-frameSize > maxRecordSize {
		return fmt.Errorf("record target %q: record of %d bytes is too big", rec.Name, len(b))
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.appendLocked(b, 1); err != nil {
		return fmt.Errorf("record target %q: %w", rec.Name, err)
	}
	s.targets[rec.Name] = string(b[frameSize:])
	delete(s.failures, rec.Name)
	return nil
}

// ForgetTarget drops the record of target name (appending a tombstone), so
// that its next build runs it: its outputs can no longer be trusted.
func (s *Store) ForgetTarget(name string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.targets[name]; !ok {
		return nil // the log already ends with no record of it
	}
	b, start := beginRecord(nil)
	b = endRecord(appendTombstoneBody(b, name), start)
	if err := s.appendLocked(b, 1); err != nil {
		return fmt.Errorf("forget target %q: %w", name, err)
	}
	delete(s.targets, name)
	return nil
}

// appendLocked appends n complete records to the log in one write. s.mu
// must be held.
func (s *Store) appendLocked(b []byte, n int) error {
	switch {
	case s.closed:
		return fmt.Errorf("state %s is closed", s.logPath)
	case s.readOnly:
		return fmt.Errorf("state %s: %w", s.logPath, ErrReadOnly)
	case s.broken != nil:
		return s.broken
	}
	if _, err := s.log.Write(b); err != nil {
		// A partial record would hide every record appended after it.
		if terr := s.log.Truncate(s.size); terr != nil {
			s.broken = fmt.Errorf("state %s is damaged after a failed write (%v) and could not be repaired (%v); the targets built from now on will rebuild next time", s.logPath, err, terr)
		}
		return fmt.Errorf("append to state %s: %w", s.logPath, err)
	}
	s.size += int64(len(b))
	s.records += n
	return nil
}

// Close writes the file states remembered since the last Flush, compacts
// the log if more than half of it is stale, and releases the lock. Closing
// twice is harmless.
func (s *Store) Close() error {
	s.mu.RLock()
	closed := s.closed
	s.mu.RUnlock()
	if closed {
		return nil
	}
	if err := s.removed(); err != nil {
		// Whatever is flushed now would go to the removed log as well:
		// this build leaves no record, and its commands run again next
		// time, which claims nothing that was not built.
		s.mu.Lock()
		defer s.mu.Unlock()
		if s.closed {
			return nil
		}
		s.closed = true
		return errors.Join(err, s.log.Close(), unlockState(s.lock))
	}
	errs := []error{s.files.Flush()}
	if s.digests != nil {
		errs = append(errs, s.digests.Flush())
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil
	}
	s.closed = true
	if s.readOnly {
		return errors.Join(errs...)
	}
	if errs[0] == nil && s.broken == nil && s.needsCompactionLocked() {
		errs = append(errs, s.compactLocked())
	}
	if err := s.log.Close(); err != nil {
		errs = append(errs, fmt.Errorf("close state: %w", err))
	}
	errs = append(errs, unlockState(s.lock))
	return errors.Join(errs...)
}

// removed returns an error if the log this Store appends to is no longer
// in the state folder: the folder, or the log, was removed (rm -rf
// .gobuildj) while the build ran, and what was appended since is lost with
// the file. The next build finds no record and runs the commands again.
func (s *Store) removed() error {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.readOnly || s.closed || s.log == nil {
		return nil
	}
	var st unix.Stat_t
	if err := unix.Fstat(int(s.log.Fd()), &st); err != nil || st.Nlink > 0 {
		return nil
	}
	return fmt.Errorf("state %s was removed during the build (was %s deleted?): what this build did is not recorded, and its commands will run again next time", s.logPath, s.state.Path())
}

// needsCompactionLocked reports whether more than half of the log's records
// are stale (superseded, tombstones, or tombstoned). s.mu must be held.
func (s *Store) needsCompactionLocked() bool {
	live := len(s.targets) + len(s.failures) + s.files.len()
	return s.records >= compactMinRecords && s.records > 2*live
}

// compactLocked rewrites the log with only its live records: into a
// temporary file that is fsynced and then renamed over the log, so that a
// crash at any moment leaves either the old log or the new one. File
// states of files that no longer exist are dropped on the way. s.mu must be
// held.
func (s *Store) compactLocked() (err error) {
	tmp, err := s.state.CreateStateLogTemp()
	if err != nil {
		return fmt.Errorf("compact state %s: %w", s.logPath, err)
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
			err = fmt.Errorf("compact state %s (the log itself is intact): %w", s.logPath, err)
		}
	}()

	b := appendHeader(make([]byte, 0, s.size))
	names := make([]string, 0, len(s.targets))
	for name := range s.targets {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		var start int
		b, start = beginRecord(b)
		b = endRecord(append(b, s.targets[name]...), start)
	}
	failed := make([]string, 0, len(s.failures))
	for name := range s.failures {
		failed = append(failed, name)
	}
	slices.Sort(failed)
	for _, name := range failed {
		var start int
		b, start = beginRecord(b)
		b = endRecord(appendFailureBody(b, name, s.failures[name]), start)
	}
	for _, ps := range s.files.snapshot() {
		if _, err := StatFile(s.abs(ps.Path)); errors.Is(err, fs.ErrNotExist) {
			continue
		}
		var start int
		b, start = beginRecord(b)
		b = endRecord(appendFileBody(b, ps.Path, &ps.State), start)
	}

	if _, err := tmp.Write(b); err != nil {
		return err
	}
	if err := tmp.Sync(); err != nil {
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), s.logPath); err != nil {
		return err
	}
	// The rename is durable once the folder is synced; if that fails the
	// old log or the new one survives a crash, both sound.
	if d, err := os.Open(s.state.Path()); err == nil {
		d.Sync()
		d.Close()
	}
	return nil
}

// resolve returns the absolute path of path (relative paths are relative to
// the store's folder) and the key it is stored under: relative to the
// store's folder when inside it, so that the state survives moving the
// project, and as given otherwise.
func (s *Store) resolve(path string) (abs, key string) {
	if filepath.IsAbs(path) {
		if strings.HasPrefix(path, s.prefix) {
			return path, path[len(s.prefix):]
		}
		if path == s.dir {
			return path, "."
		}
		return path, path
	}
	key = filepath.Clean(path)
	return filepath.Join(s.dir, key), key
}

// keyOf is the key of path (see resolve), without making it absolute.
func (s *Store) keyOf(path string) string {
	if filepath.IsAbs(path) {
		_, key := s.resolve(path)
		return key
	}
	return filepath.Clean(path)
}

// abs returns the absolute path of a key (or of a path relative to the
// store's folder).
func (s *Store) abs(key string) string {
	if filepath.IsAbs(key) {
		return key
	}
	return filepath.Join(s.dir, key)
}
