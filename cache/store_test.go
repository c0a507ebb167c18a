package cache

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gobuildj/gobuildj/internal/statedir"
)

// logPath is where the store of dir keeps its log.
func logPath(dir string) string { return statedir.Of(dir).StateLog() }

func mustOpen(tb testing.TB, dir string) *Store {
	tb.Helper()
	s, err := Open(dir)
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

func mustClose(tb testing.TB, s *Store) {
	tb.Helper()
	if err := s.Close(); err != nil {
		tb.Fatal(err)
	}
}

func mustRecord(tb testing.TB, s *Store, rec TargetRecord) {
	tb.Helper()
	if err := s.RecordTarget(rec); err != nil {
		tb.Fatal(err)
	}
}

func fileSize(tb testing.TB, path string) int64 {
	tb.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		tb.Fatal(err)
	}
	return fi.Size()
}

// wantTargets fails unless s holds exactly the records of names, each equal
// to sampleRecord(name).
func wantTargets(tb testing.TB, s *Store, names ...string) {
	tb.Helper()
	if got := s.Targets(); !slices.Equal(got, names) && !(len(got) == 0 && len(names) == 0) {
		tb.Fatalf("Targets() = %q, want %q", got, names)
	}
	for _, name := range names {
		rec, ok := s.Target(name)
		if want := sampleRecord(name); !ok || !reflect.DeepEqual(rec, want) {
			tb.Fatalf("Target(%q) = %+v, %v\nwant %+v", name, rec, ok, want)
		}
	}
}

func TestStoreRoundTrip(t *testing.T) {
	dir := t.TempDir()
	s := mustOpen(t, dir)
	for _, name := range []string{"a", "b", "c"} {
		mustRecord(t, s, sampleRecord(name))
	}
	if err := s.ForgetTarget("b"); err != nil {
		t.Fatal(err)
	}
	if err := s.ForgetTarget("never-built"); err != nil {
		t.Fatal(err)
	}
	st := FileState{Size: 3, MtimeNs: 4, CtimeNs: 5, Inode: 6, Hash: HashBytes([]byte("x"))}
	s.Files().Remember(filepath.Join(dir, "src", "x.c"), st)
	wantTargets(t, s, "a", "c")
	mustClose(t, s)

	state := statedir.Of(dir)
	for _, name := range []string{state.GitIgnore(), state.Lock(), state.StateLog()} {
		if _, err := os.Stat(name); err != nil {
			t.Errorf("the state folder lacks %s: %v", name, err)
		}
	}

	for _, open := range []func(string) (*Store, error){Open, OpenReadOnly} {
		s, err := open(dir)
		if err != nil {
			t.Fatal(err)
		}
		wantTargets(t, s, "a", "c")
		if got := s.Files().states["src/x.c"]; got != st {
			t.Errorf("file state after reopening = %+v, want %+v", got, st)
		}
		if w := s.Warnings(); w != nil {
			t.Errorf("warnings on a sound log: %q", w)
		}
		mustClose(t, s)
	}
}

func TestOpenReadOnlyCreatesNothing(t *testing.T) {
	dir := t.TempDir()
	s, err := OpenReadOnly(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Targets()) != 0 {
		t.Error("a missing store must be empty")
	}
	if err := s.RecordTarget(sampleRecord("a")); !errors.Is(err, ErrReadOnly) {
		t.Errorf("RecordTarget on a read-only store: err = %v, want ErrReadOnly", err)
	}
	s.Files().Remember(filepath.Join(dir, "f"), FileState{Hash: HashBytes(nil)})
	if err := s.Files().Flush(); err != nil {
		t.Errorf("Flush of a read-only store must do nothing: %v", err)
	}
	mustClose(t, s)
	if _, err := os.Stat(statedir.Of(dir).Path()); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("OpenReadOnly created %s", statedir.Name)
	}
}

func TestClosedStore(t *testing.T) {
	s := mustOpen(t, t.TempDir())
	mustClose(t, s)
	mustClose(t, s) // twice is fine
	if err := s.RecordTarget(sampleRecord("a")); err == nil || !strings.Contains(err.Error(), "closed") {
		t.Errorf("RecordTarget after Close: err = %v", err)
	}
}

// recordSizes writes the records of names one by one into a new store in
// dir and returns the log's size after the header and after each record.
func recordSizes(t *testing.T, dir string, names ...string) []int64 {
	t.Helper()
	s := mustOpen(t, dir)
	sizes := []int64{fileSize(t, logPath(dir))}
	for _, name := range names {
		mustRecord(t, s, sampleRecord(name))
		sizes = append(sizes, fileSize(t, logPath(dir)))
	}
	mustClose(t, s)
	return sizes
}

// TestTornTail cuts the log at every byte offset inside its last record
// (as a kill -9 or power loss in the middle of the write could): every
// earlier record loads, the damage is reported, cut off, and records
// appended afterwards load too.
func TestTornTail(t *testing.T) {
	src := t.TempDir()
	sizes := recordSizes(t, src, "a", "b", "c")
	full, err := os.ReadFile(logPath(src))
	if err != nil {
		t.Fatal(err)
	}
	lastStart := sizes[2]
	for cut := lastStart; cut < int64(len(full)); cut++ {
		dir := t.TempDir()
		writeFile(t, logPath(dir), full[:cut])
		s := mustOpen(t, dir)
		wantTargets(t, s, "a", "b")
		if w := s.Warnings(); (cut > lastStart) != (len(w) == 1) || (len(w) == 1 && !strings.Contains(w[0], "will rebuild")) {
			t.Fatalf("cut at %d: warnings %q", cut, w)
		}
		if got := fileSize(t, logPath(dir)); got != lastStart {
			t.Fatalf("cut at %d: the log is %d bytes after Open, want the damage cut to %d", cut, got, lastStart)
		}
		mustRecord(t, s, sampleRecord("d"))
		mustClose(t, s)

		s = mustOpen(t, dir)
		wantTargets(t, s, "a", "b", "d")
		if w := s.Warnings(); w != nil {
			t.Fatalf("cut at %d: warnings after the repair: %q", cut, w)
		}
		mustClose(t, s)
	}
}

// TestFlippedByte flips each byte after the header in turn: the load keeps
// exactly the records before the damaged one and says why.
func TestFlippedByte(t *testing.T) {
	src := t.TempDir()
	names := []string{"a", "b", "c"}
	sizes := recordSizes(t, src, names...)
	full, err := os.ReadFile(logPath(src))
	if err != nil {
		t.Fatal(err)
	}
	for off := int64(headerSize); off < int64(len(full)); off++ {
		damaged := slices.Clone(full)
		damaged[off] ^= 0x40
		dir := t.TempDir()
		writeFile(t, logPath(dir), damaged)
		s, err := OpenReadOnly(dir)
		if err != nil {
			t.Fatal(err)
		}
		intact := 0
		for intact < len(names) && sizes[intact+1] <= off {
			intact++
		}
		wantTargets(t, s, names[:intact]...)
		if w := s.Warnings(); len(w) != 1 || !strings.Contains(w[0], fmt.Sprintf("from offset %d", sizes[intact])) {
			t.Fatalf("flip at %d: warnings %q", off, w)
		}
		mustClose(t, s)
		if got := fileSize(t, logPath(dir)); got != int64(len(full)) {
			t.Fatalf("flip at %d: a read-only store changed the log (%d -> %d bytes)", off, len(full), got)
		}
	}
}

func TestBadHeader(t *testing.T) {
	for _, tc := range []struct {
		name   string
		header []byte
		want   string
	}{
		{"magic", []byte("NOTMINE!\x01\x00\x00\x00"), "bad magic"},
		{"version", append([]byte(logMagic), 99, 0, 0, 0), "format 99"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			recordSizes(t, dir, "a")
			old, err := os.ReadFile(logPath(dir))
			if err != nil {
				t.Fatal(err)
			}
			copy(old, tc.header)
			writeFile(t, logPath(dir), old)

			ro, err := OpenReadOnly(dir)
			if err != nil {
				t.Fatal(err)
			}
			if w := ro.Warnings(); len(w) != 1 || !strings.Contains(w[0], tc.want) || len(ro.Targets()) != 0 {
				t.Errorf("read-only: warnings %q, targets %q", w, ro.Targets())
			}
			mustClose(t, ro)

			s := mustOpen(t, dir)
			w := s.Warnings()
			if len(w) != 1 || !strings.Contains(w[0], tc.want) || !strings.Contains(w[0], "every target will rebuild") {
				t.Errorf("warnings %q, want one naming %q", w, tc.want)
			}
			wantTargets(t, s)
			mustRecord(t, s, sampleRecord("b"))
			mustClose(t, s)
			if moved, err := os.ReadFile(statedir.Of(dir).BadStateLog()); err != nil || string(moved) != string(old) {
				t.Errorf("the unreadable log was not moved aside intact: %v", err)
			}
			s = mustOpen(t, dir)
			wantTargets(t, s, "b")
			mustClose(t, s)
		})
	}
}

// TestTornHeader: a log killed while its header was written is simply empty.
func TestTornHeader(t *testing.T) {
	for n := 0; n < headerSize; n++ {
		dir := t.TempDir()
		writeFile(t, logPath(dir), appendHeader(nil)[:n])
		s := mustOpen(t, dir)
		if w := s.Warnings(); w != nil {
			t.Errorf("header cut to %d bytes: warnings %q", n, w)
		}
		mustRecord(t, s, sampleRecord("a"))
		mustClose(t, s)
		s = mustOpen(t, dir)
		wantTargets(t, s, "a")
		mustClose(t, s)
	}
}

func TestCompaction(t *testing.T) {
	dir := t.TempDir()
	live := filepath.Join(dir, "live.c")
	writeFile(t, live, []byte("x"))
	liveState, err := Fingerprint(live)
	if err != nil {
		t.Fatal(err)
	}

	s := mustOpen(t, dir)
	for range compactMinRecords {
		mustRecord(t, s, sampleRecord("a"))
	}
	mustRecord(t, s, sampleRecord("b"))
	mustRecord(t, s, sampleRecord("gone"))
	if err := s.ForgetTarget("gone"); err != nil {
		t.Fatal(err)
	}
	s.Files().Remember(live, liveState)
	s.Files().Remember(filepath.Join(dir, "deleted.c"), FileState{Size: 1, Hash: HashBytes([]byte("d"))})
	if err := s.Files().Flush(); err != nil {
		t.Fatal(err)
	}
	stale := fileSize(t, logPath(dir))
	mustClose(t, s)

	s = mustOpen(t, dir)
	if s.records != 3 {
		t.Errorf("the compacted log has %d records, want 3 (a, b, live.c)", s.records)
	}
	wantTargets(t, s, "a", "b")
	if got, ok := s.Files().states["live.c"]; !ok || got != liveState {
		t.Errorf("compaction lost the state of an existing file: %+v", got)
	}
	if _, ok := s.Files().states["deleted.c"]; ok {
		t.Error("compaction kept the state of a file that no longer exists")
	}
	compacted := fileSize(t, logPath(dir))
	if compacted*10 > stale {
		t.Errorf("the log shrank from %d to only %d bytes", stale, compacted)
	}
	// A log that is mostly live is left alone.
	mustRecord(t, s, sampleRecord("a"))
	mustClose(t, s)
	if got := fileSize(t, logPath(dir)); got <= compacted {
		t.Errorf("a mostly live log was compacted (%d -> %d bytes)", compacted, got)
	}
	leftovers, _ := statedir.Of(dir).StateLogTemps()
	if len(leftovers) != 0 {
		t.Errorf("temporary files left behind: %q", leftovers)
	}
}

// TestLockSameProcess: flock locks belong to open file descriptions, so a
// second Store in the same process conflicts like another process would.
func TestLockSameProcess(t *testing.T) {
	dir := t.TempDir()
	s := mustOpen(t, dir)
	_, err := Open(dir)
	if !errors.Is(err, ErrLocked) {
		t.Fatalf("second Open: err = %v, want ErrLocked", err)
	}
	for _, want := range []string{"another gobuildj is running in " + dir, fmt.Sprintf("pid %d", os.Getpid()), "wait for it"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not say %q", err, want)
		}
	}
	// A dry run needs no lock.
	ro, err := OpenReadOnly(dir)
	if err != nil {
		t.Fatalf("OpenReadOnly while locked: %v", err)
	}
	mustClose(t, ro)
	mustClose(t, s)
	mustClose(t, mustOpen(t, dir))
}

// TestFailedAppend: once an append fails and the log cannot be cut back to
// its last good record, the store refuses further appends instead of
// writing records that a later load would never reach; what was written
// before stays readable.
func TestFailedAppend(t *testing.T) {
	dir := t.TempDir()
	s := mustOpen(t, dir)
	mustRecord(t, s, sampleRecord("a"))
	s.log.Close() // every write and truncate now fails
	if err := s.RecordTarget(sampleRecord("b")); !errors.Is(err, os.ErrClosed) || !strings.Contains(err.Error(), logPath(dir)) {
		t.Fatalf("RecordTarget on a failing log: err = %v, want it wrapped and naming the log", err)
	}
	if _, ok := s.Target("b"); ok {
		t.Error("a record that was not written is remembered")
	}
	err := s.RecordTarget(sampleRecord("c"))
	if err == nil || !strings.Contains(err.Error(), "could not be repaired") || !strings.Contains(err.Error(), "will rebuild") {
		t.Fatalf("RecordTarget after a failure that could not be undone: err = %v", err)
	}
	s.Close() // reports the closed log; releases the lock
	s = mustOpen(t, dir)
	defer mustClose(t, s)
	wantTargets(t, s, "a")
}

func TestConcurrentUse(t *testing.T) {
	dir := t.TempDir()
	s := mustOpen(t, dir)
	var paths []string
	for i := range 20 {
		p := filepath.Join(dir, "src", fmt.Sprintf("%d.c", i))
		writeFile(t, p, []byte(p))
		paths = append(paths, p)
	}
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 25 {
				name := fmt.Sprintf("t%d-%d", g, i)
				if err := s.RecordTarget(sampleRecord(name)); err != nil {
					t.Error(err)
				}
				if _, ok := s.Target(name); !ok {
					t.Errorf("%s not found right after recording it", name)
				}
				if _, err := s.Files().Hash(paths[(g+i)%len(paths)]); err != nil {
					t.Error(err)
				}
				if i%5 == 0 {
					if err := s.Files().Flush(); err != nil {
						t.Error(err)
					}
				}
			}
		})
	}
	wg.Wait()
	mustClose(t, s)
	s = mustOpen(t, dir)
	defer mustClose(t, s)
	if n := len(s.Targets()); n != 200 {
		t.Errorf("%d targets after reopening, want 200", n)
	}
	if n := s.Files().len(); n != len(paths) {
		t.Errorf("%d file states after reopening, want %d", n, len(paths))
	}
}

// writeStore fills a store in dir with n target records shaped like a C
// project's (3 inputs, 1 dep output, 1 output) and the states of their
// files, as a build of it would leave them.
func writeStore(tb testing.TB, dir string, n int) {
	tb.Helper()
	s := mustOpen(tb, dir)
	for i := range n {
		name := fmt.Sprintf("obj/module%05d.o", i)
		rec := sampleRecord(name)
		rec.Inputs[0].Path = fmt.Sprintf("src/module%05d.c", i)
		rec.Outputs = rec.Outputs[:1]
		rec.Outputs[0].Path = "build/" + name
		mustRecord(tb, s, rec)
		st := rec.Outputs[0].State
		s.Files().Remember(filepath.Join(dir, rec.Inputs[0].Path), st)
		s.Files().Remember(filepath.Join(dir, rec.Outputs[0].Path), st)
	}
	mustClose(tb, s)
}

func BenchmarkStoreLoad(b *testing.B) {
	dir := b.TempDir()
	writeStore(b, dir, 10000)
	b.SetBytes(fileSize(b, logPath(dir)))
	b.Run("OpenReadOnly", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			s, err := OpenReadOnly(dir)
			if err != nil {
				b.Fatal(err)
			}
			if len(s.targets) != 10000 {
				b.Fatalf("%d targets", len(s.targets))
			}
			s.Close()
		}
	})
	b.Run("Open+Close", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			s, err := Open(dir)
			if err != nil {
				b.Fatal(err)
			}
			s.Close()
		}
	})
}

// TestLastDuration reads back the duration of a recorded run, also after
// the record went through the log, and nothing for a target without one.
func TestLastDuration(t *testing.T) {
	dir := t.TempDir()
	s := mustOpen(t, dir)
	rec := TargetRecord{Name: "app", Duration: 1234 * time.Millisecond,
		Inputs:  []PathHash{{Path: "a.c", Hash: HashBytes([]byte("a"))}},
		Outputs: []PathState{{Path: "app", State: FileState{Size: 3, Hash: HashBytes([]byte("app"))}}}}
	if err := s.RecordTarget(rec); err != nil {
		t.Fatal(err)
	}
	mustClose(t, s)
	s = mustOpen(t, dir)
	defer mustClose(t, s)
	if d, ok := s.LastDuration("app"); !ok || d != rec.Duration {
		t.Errorf("LastDuration(app) = %v, %v; want %v, true", d, ok, rec.Duration)
	}
	if d, ok := s.LastDuration("lib"); ok {
		t.Errorf("LastDuration(lib) = %v, true; want nothing", d)
	}
}

// BenchmarkStoreSave records 1000 target runs and their output states (one
// append each, then a Flush of the file states on Close), as a build of
// 1000 targets does.
func BenchmarkStoreSave(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		b.StopTimer()
		dir := b.TempDir()
		b.StartTimer()
		writeStore(b, dir, 1000)
	}
}
