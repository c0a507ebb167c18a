package engine

import (
	"fmt"
	"os"
)

// A target whose commands fail may be run again (`retries = N` on the
// target, --retries N for all): a failure then counts only once every
// attempt failed. A failed attempt's outputs are removed, as after any
// failure, and the target goes back to the admission queue while it stays
// taken in the plan, so nothing that waits for it is released meanwhile.
// One that passes after failing is flaky: its Finish says how many
// attempts failed (event.Finish.Failures).

// retriesOf is how many times t's failure is run again in this build.
func (b *builder) retriesOf(n *node) int {
	return max(n.t.Retries, b.opts.Retries)
}

// retry runs n's commands again after a failed attempt, if it has retries
// left and the build goes on, telling the Listener of the failed attempt
// (a Finish with Retried set). It reports whether it did.
func (b *builder) retry(n *node, cmd, why string, output []byte) bool {
	if n.attempt == nil || b.stopping || b.interrupted.Load() || n.failures >= b.retriesOf(n) {
		return false
	}
	for _, o := range b.absOutputs(n.t) {
		os.Remove(o)
	}
	n.failures++
	ev := b.finishEvent(n, false, cmd, why, output)
	ev.Retried = true
	b.ls.Finished(ev)
	b.ls.Message(fmt.Sprintf("gobuildj: %s failed (%s); running it again (retry %d of %d)", n.t.Name, why, n.failures, b.retriesOf(n)))
	b.enqueue(n)
	return true
}

// passed says, for a target that passed after failed attempts, or after
// failing with the same key in an earlier build (earlier), that it is
// flaky.
func (b *builder) passed(n *node, earlier bool) {
	if earlier {
		b.sum.Flaky++
		b.ls.Message(fmt.Sprintf("gobuildj: flaky: %s failed with the same inputs in an earlier build, passed now", n.t.Name))
	}
	if n.attempt == nil || n.failures == 0 {
		return
	}
	if !earlier {
		b.sum.Flaky++
	}
	times := "times"
	if n.failures == 1 {
		times = "time"
	}
	b.ls.Message(fmt.Sprintf("gobuildj: flaky: %s failed %d %s, then passed", n.t.Name, n.failures, times))
	n.failures = 0 // a next build (watch mode) retries afresh
}
