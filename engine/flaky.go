package engine

import "time"

// A target is flaky across builds when one action key ends in both
// outcomes: the state keeps the key of a target's last failed run
// (cache.Failure) until it passes, so a build in which it passes with that
// key, nothing it reads having changed, says so; and one in which it fails
// with the key of its last good run says so too. A failure whose commands
// did not end on their own (an interrupt, a refused admission) keeps no
// marker: it says nothing of the commands; nor does a sandboxed failure:
// the sandbox, which is not part of the key, may be what failed it.

// failedBefore reports whether n, about to be recorded as passed, failed
// with the same key in an earlier build, and when that run ended.
func (b *builder) failedBefore(n *node) (failed time.Time, flaky bool) {
	if n.action == nil {
		return time.Time{}, false
	}
	f, ok := b.store.LastFailure(n.t.Name)
	if !ok || f.Key != n.key {
		return time.Time{}, false
	}
	return f.Finished, true
}

// forgetFailed forgets the last good run of the failed target n and, if its
// commands ended on their own, keeps the marker of its failure. It reports
// whether that good run had the same key, and when it ended.
func (b *builder) forgetFailed(n *node) (passed time.Time, flaky bool) {
	if n.action == nil || n.attempt == nil || !n.ended || b.interrupted.Load() || b.sandboxed(n.t) {
		b.noteStoreErr(b.store.ForgetTarget(n.t.Name))
		return time.Time{}, false
	}
	passed, flaky, err := b.store.RecordFailure(n.t.Name, n.key, time.Now())
	b.noteStoreErr(err)
	return passed, flaky
}
