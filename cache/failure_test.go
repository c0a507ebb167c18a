package cache

import (
	"testing"
	"time"
)

func TestFailureRecordGoldenBytes(t *testing.T) {
	b := appendFailureBody(nil, "app", Failure{Key: HashBytes([]byte("key app")), Finished: time.Unix(0, 1700000001000000042)})
	checkGolden(t, "a failure record", b, "04036170703afbd9bebdee719af166fbc67a547a812acac471fe9c9717")
	e, err := readEntry(string(b))
	if err != nil || e.kind != kindFailure || e.name != "app" || e.failure.Key != HashBytes([]byte("key app")) || e.failure.Finished.UnixNano() != 1700000001000000042 {
		t.Fatalf("readEntry of a failure record: %+v, %v", e, err)
	}
	for n := range len(b) - 1 {
		if _, err := readEntry(string(b[:n])); err == nil {
			t.Errorf("a failure record cut to %d bytes decodes", n)
		}
	}
}

// TestFailureMarker: a failure forgets the good run and is kept until a
// good run of the same target, across reopening and compaction; a failure
// with the key of the good run it replaces is flaky.
func TestFailureMarker(t *testing.T) {
	dir := t.TempDir()
	s := mustOpen(t, dir)
	good := sampleRecord("a")
	mustRecord(t, s, good)
	mustRecord(t, s, sampleRecord("b"))
	at := time.Unix(0, 1700000002000000000)

	// Another key than the good run's: not flaky.
	if _, flaky, err := s.RecordFailure("b", HashBytes([]byte("other")), at); err != nil || flaky {
		t.Fatalf("RecordFailure with another key: flaky %v, %v", flaky, err)
	}
	// The good run's key: flaky, and when that run ended is said.
	passed, flaky, err := s.RecordFailure("a", good.Key, at)
	if err != nil || !flaky || !passed.Equal(good.Finished) {
		t.Fatalf("RecordFailure with the good run's key: %v %v, %v; want %v true", passed, flaky, err, good.Finished)
	}
	wantFailures := func(s *Store, what string) {
		t.Helper()
		if got := s.Targets(); len(got) != 0 {
			t.Errorf("%s: the failed targets keep their good runs: %q", what, got)
		}
		if f, ok := s.LastFailure("a"); !ok || f.Key != good.Key || !f.Finished.Equal(at) {
			t.Errorf("%s: LastFailure(a) = %+v, %v", what, f, ok)
		}
		if f, ok := s.LastFailure("b"); !ok || f.Key != HashBytes([]byte("other")) {
			t.Errorf("%s: LastFailure(b) = %+v, %v", what, f, ok)
		}
	}
	wantFailures(s, "after recording")
	mustClose(t, s)

	s, err = OpenPreloaded(dir, Preload(dir))
	if err != nil {
		t.Fatal(err)
	}
	wantFailures(s, "after opening a preloaded log")
	mustClose(t, s)

	s = mustOpen(t, dir)
	wantFailures(s, "after reopening")
	// A good run clears the marker, in memory and in the log.
	mustRecord(t, s, sampleRecord("a"))
	if _, ok := s.LastFailure("a"); ok {
		t.Error("a good run left the failure marker")
	}
	// Enough stale records for Close to compact.
	for range compactMinRecords {
		mustRecord(t, s, sampleRecord("c"))
	}
	mustClose(t, s)

	s = mustOpen(t, dir)
	defer mustClose(t, s)
	if s.records != 3 {
		t.Errorf("the compacted log has %d records, want 3 (a, c, the failure of b)", s.records)
	}
	if _, ok := s.LastFailure("a"); ok {
		t.Error("the marker cleared by a good run is back after reopening")
	}
	if f, ok := s.LastFailure("b"); !ok || f.Key != HashBytes([]byte("other")) || !f.Finished.Equal(at) {
		t.Errorf("compaction lost the failure marker of b: %+v, %v", f, ok)
	}
	wantTargets(t, s, "a", "c")
}
