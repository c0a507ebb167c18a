package cache

import (
	"fmt"
	"time"

	"github.com/gobuildj/gobuildj/internal/wire"
)

// A target's last failed run is kept as a marker beside the record of its
// last good run, so that the next build can tell a flaky target: one whose
// action key ended in both outcomes, in two builds with nothing changed.
//
// On disk it is a failure record (kindFailure): the target's name, the key
// it failed with and when. It also stands for a tombstone: a failed
// target's outputs can no longer be trusted, so its last good run is
// forgotten with the same append. A later target record of the same name
// (a good run) clears the marker, so a target that passes is never told
// flaky twice for one failure. Logs written before failure records existed
// read as they did; a gobuildj without them stops its load at the first
// one, as at any record it does not know, and rebuilds what came after.

// Failure is the marker of a target's last failed run.
type Failure struct {
	Key      Hash      // the action key the run failed with
	Finished time.Time // when it ended
}

// kindFailure is the kind of a failure record: a target name, the key its
// run failed with and when (see Failure). It forgets the target's last good
// run, as a tombstone does.
const kindFailure byte = 4

// appendFailureBody appends the body of a failure record to b.
func appendFailureBody(b []byte, name string, f Failure) []byte {
	b = append(b, kindFailure)
	b = wire.AppendString(b, name)
	b = append(b, f.Key[:]...)
	var finished int64 // 0 stands for the zero Time
	if !f.Finished.IsZero() {
		finished = f.Finished.UnixNano()
	}
	return wire.AppendFixed64(b, uint64(finished))
}

// failure reads the fields of a failure record after its name.
func (d *decoder) failure() Failure {
	f := Failure{Key: d.hash()}
	if ns := int64(d.Fixed64()); ns != 0 {
		f.Finished = time.Unix(0, ns)
	}
	return f
}

// LastFailure returns the marker of target name's last failed run, if its
// last run failed (and none passed since).
func (s *Store) LastFailure(name string) (Failure, bool) {
	s.mu.RLock()
	f, ok := s.failures[name]
	s.mu.RUnlock()
	return f, ok
}

// RecordFailure records that target name's run with key failed at
// finished, and forgets its last good run (as ForgetTarget does). If that
// good run had the same key, the target ended in both outcomes with the
// same inputs: RecordFailure returns when the good run ended and true.
func (s *Store) RecordFailure(name string, key Hash, finished time.Time) (passed time.Time, flaky bool, err error) {
	if name == "" {
		return time.Time{}, false, fmt.Errorf("record failure: empty target name")
	}
	f := Failure{Key: key, Finished: finished}
	b, start := beginRecord(nil)
	b = endRecord(appendFailureBody(b, name, f), start)
	s.mu.Lock()
	defer s.mu.Unlock()
	if body, ok := s.targets[name]; ok {
		if v, err := viewTarget(body); err == nil && v.key == key {
			passed, flaky = viewFinished(v), true
		}
	}
	if err := s.appendLocked(b, 1); err != nil {
		return passed, flaky, fmt.Errorf("record failure of %q: %w", name, err)
	}
	delete(s.targets, name)
	if s.failures == nil {
		s.failures = map[string]Failure{}
	}
	s.failures[name] = f
	return passed, flaky, nil
}

// viewFinished reads when the run of a target record view ended (zero if
// unknown), past its outputs.
func viewFinished(v targetView) time.Time {
	for range v.outputs {
		v.next()
	}
	v.d.Varint() // the duration
	ns := int64(v.d.Fixed64())
	if v.d.Bad() || ns == 0 {
		return time.Time{}
	}
	return time.Unix(0, ns)
}
