package admit

import (
	"errors"
	"fmt"
	"slices"
	"testing"
)

func ids(jobs []*Job) []int {
	var out []int
	for _, j := range jobs {
		out = append(out, j.ID)
	}
	return out
}

func TestAdmitsBestFirstWithinTheLimit(t *testing.T) {
	slots := LocalSlots(2)
	q := NewQueue(slots)
	for i, prio := range []int64{1, 5, 5, 3} {
		q.Add(&Job{ID: i, Priority: prio})
	}
	if got := ids(q.Admit()); !slices.Equal(got, []int{1, 2}) {
		t.Fatalf("admitted %v, want the two of priority 5 in arrival order", got)
	}
	if q.Len() != 2 || slots.Used() != 2 {
		t.Fatalf("%d waiting, %s", q.Len(), slots)
	}
	if got := q.Admit(); len(got) != 0 {
		t.Fatalf("admitted %v with no room", ids(got))
	}
}

func TestReleaseGivesBackOnceOnEveryPath(t *testing.T) {
	slots := LocalSlots(1)
	pools := NewPools(map[string]int{"link": 1})
	q := NewQueue(pools, slots)
	a := &Job{ID: 1, Pool: "link"}
	q.Add(a)
	q.Admit()
	q.Release(a)
	q.Release(a) // a second exit path: nothing more is given back
	if slots.Used() != 0 || pools.Used("link") != 0 {
		t.Fatalf("after release: %s, link %d", slots, pools.Used("link"))
	}
	b := &Job{ID: 2}
	q.Release(b) // never admitted: nothing to give back
	if slots.Used() != 0 {
		t.Fatalf("release of a job never admitted took a slot back: %s", slots)
	}
}

func TestAPoolHoldsBackOnlyItsOwnJobs(t *testing.T) {
	slots := LocalSlots(4)
	pools := NewPools(map[string]int{"link": 1})
	q := NewQueue(pools, slots)
	q.Add(&Job{ID: 1, Pool: "link", Priority: 9})
	q.Add(&Job{ID: 2, Pool: "link", Priority: 8})
	q.Add(&Job{ID: 3, Priority: 1})
	got := q.Admit()
	if !slices.Equal(ids(got), []int{1, 3}) {
		t.Fatalf("admitted %v, want 1 (link) and 3: 2 waits for the pool only", ids(got))
	}
	q.Release(got[0])
	if got := ids(q.Admit()); !slices.Equal(got, []int{2}) {
		t.Fatalf("after the link job ended: %v", got)
	}
}

// recorder is a limiter that admits what its room allows and records what
// it was given back.
type recorder struct {
	room  int
	taken int
	given []int
}

func (r *recorder) Take(j *Job) (uint64, bool, error) {
	if r.taken >= r.room {
		return 0, false, nil
	}
	r.taken++
	return uint64(j.ID), true, nil
}

func (r *recorder) Give(j *Job, hold uint64) {
	r.taken--
	r.given = append(r.given, int(hold))
}

func TestTheChainIsAllOrNothing(t *testing.T) {
	first := &recorder{room: 5}
	second := &recorder{room: 0}
	q := NewQueue(first, second)
	j := &Job{ID: 7}
	q.Add(j)
	if got := q.Admit(); len(got) != 0 {
		t.Fatal("admitted through a full limiter")
	}
	if first.taken != 0 || !slices.Equal(first.given, []int{7}) {
		t.Fatalf("the first limiter kept %d, was given back %v", first.taken, first.given)
	}
	if !q.Waiting(j) {
		t.Fatal("the job left the queue")
	}
	second.room = 1
	if got := ids(q.Admit()); !slices.Equal(got, []int{7}) {
		t.Fatalf("admitted %v", got)
	}
	q.Release(j)
	if first.taken != 0 || second.taken != 0 {
		t.Fatal("release left room taken")
	}
}

func TestStopWithWorkQueuedEverywhere(t *testing.T) {
	// Jobs wait for every kind of limit when the build stops: none of
	// them holds anything, and what runs gives its room back when it
	// ends. The next build then has every slot.
	slots := LocalSlots(2)
	pools := NewPools(map[string]int{"link": 1})
	ports := NewPorts(&fakePorts{})
	q := NewQueue(pools, slots, ports)
	var all []*Job
	for i := range 6 {
		j := &Job{ID: i, Ports: 1}
		if i%2 == 0 {
			j.Pool = "link"
		}
		all = append(all, j)
		q.Add(j)
	}
	running := q.Admit()
	if len(running) != 2 {
		t.Fatalf("admitted %d", len(running))
	}
	dropped := q.Clear()
	if len(dropped) != 4 || q.Len() != 0 {
		t.Fatalf("Clear dropped %d, %d left", len(dropped), q.Len())
	}
	for _, j := range running {
		q.Release(j)
	}
	for _, j := range dropped {
		q.Release(j) // harmless
	}
	if slots.Used() != 0 || pools.Used("link") != 0 || ports.src.(*fakePorts).held != 0 {
		t.Fatalf("after stop: %s, link %d, ports %d", slots, pools.Used("link"), ports.src.(*fakePorts).held)
	}
	for _, j := range dropped {
		q.Add(j)
	}
	if got := q.Admit(); len(got) != 2 {
		t.Fatalf("the next build admitted %d, want 2", len(got))
	}
}

func TestRemoveAWaitingJob(t *testing.T) {
	q := NewQueue(LocalSlots(1))
	a, b, c := &Job{ID: 1}, &Job{ID: 2}, &Job{ID: 3}
	q.Add(a)
	q.Add(b)
	q.Add(c)
	q.Admit()
	if !q.Remove(b) || q.Remove(b) || q.Remove(a) {
		t.Fatal("Remove: b once, and never a, which runs")
	}
	q.Release(a)
	if got := ids(q.Admit()); !slices.Equal(got, []int{3}) {
		t.Fatalf("admitted %v", got)
	}
}

type fakePorts struct {
	held int
	fail bool
}

func (f *fakePorts) Take(n int) ([]int, error) {
	if f.fail {
		return nil, errors.New("none free")
	}
	f.held += n
	out := make([]int, n)
	for i := range out {
		out[i] = 40000 + f.held - i
	}
	return out, nil
}

func (f *fakePorts) Release(p []int) { f.held -= len(p) }

func TestPortsAreHeldWhileAdmitted(t *testing.T) {
	src := &fakePorts{}
	slots := LocalSlots(4)
	q := NewQueue(slots, NewPorts(src))
	j := &Job{ID: 1, Ports: 3}
	q.Add(j)
	q.Admit()
	if len(j.PortList) != 3 || src.held != 3 {
		t.Fatalf("ports %v, held %d", j.PortList, src.held)
	}
	q.Release(j)
	if src.held != 0 {
		t.Fatalf("held %d after release", src.held)
	}
	src.fail = true
	k := &Job{ID: 2, Ports: 1}
	q.Add(k)
	got := q.Admit()
	if len(got) != 1 || got[0].Err == nil || slots.Used() != 0 {
		t.Fatalf("a job whose ports cannot be found: %v, err %v, %s", ids(got), k.Err, slots)
	}
	q.Release(k) // holds nothing
	if slots.Used() != 0 {
		t.Fatal("release of a failed admission gave back a slot it never had")
	}
}

func TestRemoteJobsPassLocalLimits(t *testing.T) {
	all := AllSlots(3)
	local := LocalSlots(1)
	q := NewQueue(all, local)
	for i := range 4 {
		q.Add(&Job{ID: i, Remote: i > 0})
	}
	got := q.Admit()
	if len(got) != 3 || local.Used() != 1 || all.Used() != 3 {
		t.Fatalf("admitted %v; %s, %s", ids(got), local, all)
	}
}

func BenchmarkAdmitRelease(b *testing.B) {
	slots := LocalSlots(8)
	pools := NewPools(map[string]int{"link": 1})
	q := NewQueue(pools, slots)
	jobs := make([]*Job, 1000)
	for i := range jobs {
		jobs[i] = &Job{ID: i, Priority: int64(i % 7)}
		if i%10 == 0 {
			jobs[i].Pool = "link"
		}
	}
	b.ResetTimer()
	for range b.N {
		for _, j := range jobs {
			q.Add(j)
		}
		done := 0
		var running []*Job
		for done < len(jobs) {
			running = append(running, q.Admit()...)
			j := running[0]
			running = running[1:]
			q.Release(j)
			done++
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(jobs)), "ns/job")
}

func ExampleQueue() {
	q := NewQueue(NewPools(map[string]int{"link": 1}), LocalSlots(2))
	q.Add(&Job{ID: 1, Pool: "link"})
	q.Add(&Job{ID: 2, Pool: "link"})
	q.Add(&Job{ID: 3})
	first := q.Admit()
	fmt.Println("running:", ids(first))
	q.Release(first[0]) // the first link job ends, however it ended
	fmt.Println("then:", ids(q.Admit()))
	// Output:
	// running: [1 3]
	// then: [2]
}
