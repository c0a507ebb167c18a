package admit

import "fmt"

// Slots is a limit of so many jobs at once: the build's -j for the
// commands run on this machine (Local), or the number of worker processes
// for every job (All, beside a build farm whose jobs need a worker each to
// wait on the farm).
type Slots struct {
	name     string
	capacity int
	used     int
	local    bool
}

// LocalSlots returns a limit of n jobs at once that run on this machine;
// remote jobs pass it freely.
func LocalSlots(n int) *Slots { return &Slots{name: "-j", capacity: max(n, 1), local: true} }

// AllSlots returns a limit of n jobs at once, local or remote.
func AllSlots(n int) *Slots { return &Slots{name: "workers", capacity: max(n, 1)} }

// Take implements Limiter.
func (s *Slots) Take(j *Job) (uint64, bool, error) {
	if s.local && j.Remote {
		return 0, true, nil
	}
	if s.used >= s.capacity {
		return 0, false, nil
	}
	s.used++
	return 1, true, nil
}

// Give implements Limiter.
func (s *Slots) Give(j *Job, hold uint64) {
	if hold == 1 {
		s.used--
	}
}

// Used is how many slots are taken.
func (s *Slots) Used() int { return s.used }

// String names the limit and its use: "-j 3/4".
func (s *Slots) String() string { return fmt.Sprintf("%s %d/%d", s.name, s.used, s.capacity) }

// Pools limits each pool to its depth: at most that many of its jobs run
// at once. Jobs of no pool, or of a pool without a depth, pass.
type Pools struct {
	depth map[string]int
	used  map[string]int
}

// NewPools returns the limit of pools with the given depths.
func NewPools(depth map[string]int) *Pools {
	return &Pools{depth: depth, used: map[string]int{}}
}

// Take implements Limiter.
func (p *Pools) Take(j *Job) (uint64, bool, error) {
	if j.Pool == "" {
		return 0, true, nil
	}
	d, ok := p.depth[j.Pool]
	if !ok || d <= 0 {
		return 0, true, nil
	}
	if p.used[j.Pool] >= d {
		return 0, false, nil
	}
	p.used[j.Pool]++
	return 1, true, nil
}

// Give implements Limiter.
func (p *Pools) Give(j *Job, hold uint64) {
	if hold == 1 {
		p.used[j.Pool]--
	}
}

// Used is how many jobs of pool run.
func (p *Pools) Used(pool string) int { return p.used[pool] }

// Name implements Namer: "-j", or "workers" beside a build farm.
func (s *Slots) Name() string { return s.name }

// Name implements Namer; Queue.Waits adds the pool's name.
func (p *Pools) Name() string { return "pool" }
