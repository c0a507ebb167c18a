package admit

import (
	"slices"
	"testing"
	"time"
)

// fakeLoad is a load average and a clock a test sets.
type fakeLoad struct {
	load  float64
	reads int
	now   time.Time
}

func (f *fakeLoad) read() (float64, error) { f.reads++; return f.load, nil }
func (f *fakeLoad) clock() time.Time       { return f.now }

func TestLoadAverageHoldsBackNewJobsWhileHigh(t *testing.T) {
	f := &fakeLoad{load: 8, now: time.Unix(1000, 0)}
	woken := make(chan struct{}, 10)
	l := newLoadAverage(4, f.read, f.clock, func() { woken <- struct{}{} })
	q := NewQueue(LocalSlots(4), l)
	jobs := []*Job{{ID: 1}, {ID: 2}, {ID: 3}, {ID: 4, Remote: true}}
	for _, j := range jobs {
		q.Add(j)
	}
	// Above the load, one job starts all the same (nothing runs), and the
	// remote one (another machine's load).
	if got := ids(q.Admit()); !slices.Equal(got, []int{1, 4}) {
		t.Fatalf("admitted %v at load 8 with -l 4, want [1 4]", got)
	}
	select {
	case <-woken:
	case <-time.After(5 * time.Second):
		t.Fatal("no wake after a refusal")
	}
	// Asked again at once, it does not read the load again.
	reads := f.reads
	if got := q.Admit(); len(got) != 0 || f.reads != reads {
		t.Fatalf("admitted %v; %d reads, want %d", ids(got), f.reads, reads)
	}
	// The load falls: read again once LoadPoll passed.
	f.load = 2
	f.now = f.now.Add(LoadPoll / 2)
	if got := q.Admit(); len(got) != 0 {
		t.Fatalf("admitted %v before the next poll", ids(got))
	}
	f.now = f.now.Add(LoadPoll)
	if got := ids(q.Admit()); !slices.Equal(got, []int{2, 3}) {
		t.Fatalf("admitted %v at load 2, want [2 3]", got)
	}
	if f.reads != reads+1 {
		t.Errorf("%d reads, want %d", f.reads, reads+1)
	}
	// Everything ends; above the load again, one starts.
	for _, j := range jobs {
		q.Release(j)
	}
	f.load = 9
	q.Add(&Job{ID: 5})
	q.Add(&Job{ID: 6})
	f.now = f.now.Add(LoadPoll)
	if got := ids(q.Admit()); !slices.Equal(got, []int{5}) {
		t.Fatalf("admitted %v with nothing running at load 9, want [5]", got)
	}
}

func TestReadLoadAverage(t *testing.T) {
	v, err := ReadLoadAverage()
	if err != nil {
		t.Skip(err)
	}
	if v < 0 {
		t.Fatalf("load average %g", v)
	}
}
