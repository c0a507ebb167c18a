package schedx_test

import (
	"testing"
	"time"

	"github.com/gobuildj/gobuildj/sched"
	"github.com/gobuildj/gobuildj/sched/internal/proctest"
)

// eventually, groupMembers and groupGone are proctest's, named as the
// tests use them.
func eventually(timeout time.Duration, cond func() bool) bool {
	return proctest.Eventually(timeout, cond)
}

func groupMembers(t testing.TB, pgid int, except ...int) []int {
	t.Helper()
	return proctest.GroupMembers(t, pgid, except...)
}

func groupGone(t testing.TB, pgid int, except ...int) {
	t.Helper()
	proctest.GroupGone(t, pgid, except...)
}

// run runs s and fails the test if Run fails or does not return.
func run(t *testing.T, s *sched.Scheduler) {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- s.Run() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Run: %v", err)
		}
	case <-time.After(2 * time.Minute):
		t.Fatal("Run did not return")
	}
}
