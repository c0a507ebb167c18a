package admit

import (
	"slices"
	"testing"
)

// With -j2 pipelined, two jobs get room and two more are admitted ahead;
// a job that may not be pipelined waits. A job that ends hands its room to
// one admitted ahead, and a pool slot is held from admission on.
func TestAheadAdmitsOnePerRunningJobAndHandsOff(t *testing.T) {
	slots := LocalSlots(2)
	pools := NewPools(map[string]int{"link": 1})
	q := NewQueue(pools, NewAhead(slots))
	jobs := make([]*Job, 6)
	for i := range jobs {
		jobs[i] = &Job{ID: i, Pipelined: i != 4}
	}
	jobs[5].Pool = "link"
	for _, j := range jobs[:5] {
		q.Add(j)
	}
	if got := ids(q.Admit()); !slices.Equal(got, []int{0, 1, 2, 3}) {
		t.Fatalf("admitted %v, want 2 with room and 2 ahead", got)
	}
	if !q.HoldsRoom(jobs[0]) || !q.HoldsRoom(jobs[1]) || !q.IsAhead(jobs[2]) || !q.IsAhead(jobs[3]) {
		t.Fatal("room and ahead holds are not where they should be")
	}
	if slots.Used() != 2 {
		t.Fatalf("%s, want 2 used: jobs ahead hold no slot", slots)
	}
	if q.Len() != 1 {
		t.Fatal("the job that may not be pipelined did not wait")
	}
	// 0 ends, its worker going on with 2.
	if !q.Handoff(jobs[0], jobs[2]) {
		t.Fatal("handoff refused")
	}
	q.Release(jobs[0])
	if !q.HoldsRoom(jobs[2]) || slots.Used() != 2 {
		t.Fatalf("after the handoff: 2 holds room %v, %s", q.HoldsRoom(jobs[2]), slots)
	}
	if q.Handoff(jobs[1], jobs[0]) {
		t.Fatal("handoff to a released job")
	}
	// 1 ends with nothing after it: its slot is free, 3 takes it.
	q.Release(jobs[1])
	if !q.Upgrade(jobs[3]) || !q.HoldsRoom(jobs[3]) || slots.Used() != 2 {
		t.Fatalf("upgrade: %s", slots)
	}
	// The pool's slot is held by a job admitted ahead.
	q.Release(jobs[2])
	q.Add(jobs[5])
	got := ids(q.Admit())
	if !slices.Contains(got, 4) || !slices.Contains(got, 5) {
		t.Fatalf("admitted %v, want 4 (room) and 5", got)
	}
	q.Add(&Job{ID: 6, Pool: "link", Pipelined: true})
	if got := q.Admit(); len(got) != 0 {
		t.Fatalf("admitted %v beyond the pool's depth", ids(got))
	}
	for _, j := range jobs {
		q.Release(j)
	}
	if slots.Used() != 0 {
		t.Fatalf("%s after every release", slots)
	}
}

// Allow keeps a job from going ahead (the critical path first).
func TestAheadAllow(t *testing.T) {
	a := NewAhead(LocalSlots(1))
	a.Allow = func(j *Job) bool { return j.Priority >= 5 }
	q := NewQueue(a)
	for i, p := range []int64{9, 1, 7} {
		q.Add(&Job{ID: i, Priority: p, Pipelined: true})
	}
	if got := ids(q.Admit()); !slices.Equal(got, []int{0, 2}) {
		t.Fatalf("admitted %v, want 0 with room and 2 ahead", got)
	}
}
