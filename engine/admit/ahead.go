package admit

// Ahead is the limit of the commands that run at once (its inner limits:
// -j, the load average, the jobserver) with room for one more job per
// running one: a job it admits ahead holds no room of the inner limits.
// The runner queues it on a busy worker, to start in the place of the job
// that worker ends (a worker pipelined one job ahead), and the job that
// ended hands it its room (Queue.Handoff). So the jobs holding room of the
// inner limits are never fewer than the commands that run, and the workers
// never wait for the builder between two jobs.
//
// A job is admitted ahead only if it asks (Job.Pipelined) and the inner
// limits refuse it; at most as many jobs as hold room are ahead.
type Ahead struct {
	// Allow, if set, says whether j may be admitted ahead now (the
	// builder's critical-path order: not before a job that the end of a
	// running one may make ready).
	Allow   func(j *Job) bool
	inner   []Limiter
	running int // jobs holding room of the inner limits
	ahead   int // jobs admitted ahead
	refused int // the inner limit that refused last, for Name
}

// The holds of Ahead: a running job's packs its inner holds, a byte each.
const (
	aheadHold   uint64 = 1 << 63
	runningHold uint64 = 1 << 62
	innerBits          = 8
)

// NewAhead returns the limit of inner with room ahead; inner holds must
// fit a byte each, and there may be at most 7 of them.
func NewAhead(inner ...Limiter) *Ahead { return &Ahead{inner: inner} }

// Take implements Limiter.
func (a *Ahead) Take(j *Job) (uint64, bool, error) {
	hold, ok, err := a.takeInner(j)
	switch {
	case err != nil:
		return 0, false, err
	case ok:
		a.running++
		return hold, true, nil
	case j.Pipelined && !j.Remote && a.ahead < a.running && (a.Allow == nil || a.Allow(j)):
		a.ahead++
		return aheadHold, true, nil
	}
	return 0, false, nil
}

// takeInner passes j through the inner limits, all or nothing, and
// returns the running hold.
func (a *Ahead) takeInner(j *Job) (uint64, bool, error) {
	var packed uint64
	for i, l := range a.inner {
		hold, ok, err := l.Take(j)
		if !ok || err != nil {
			for k := i - 1; k >= 0; k-- {
				a.inner[k].Give(j, packed>>(innerBits*k)&0xff)
			}
			a.refused = i
			return 0, false, err
		}
		packed |= hold << (innerBits * i)
	}
	return runningHold | packed, true, nil
}

// Give implements Limiter.
func (a *Ahead) Give(j *Job, hold uint64) {
	switch {
	case hold&aheadHold != 0:
		a.ahead--
	case hold&runningHold != 0:
		a.running--
		for k := len(a.inner) - 1; k >= 0; k-- {
			a.inner[k].Give(j, hold>>(innerBits*k)&0xff)
		}
	}
}

// Idle implements Idler for the inner limits that are.
func (a *Ahead) Idle() {
	for _, l := range a.inner {
		if i, ok := l.(Idler); ok {
			i.Idle()
		}
	}
}

// Name implements Namer: the inner limit that refused last.
func (a *Ahead) Name() string {
	if a.refused < len(a.inner) {
		if n, ok := a.inner[a.refused].(Namer); ok {
			return n.Name()
		}
	}
	return "-j"
}

// Ahead is how many jobs are admitted ahead.
func (a *Ahead) Ahead() int { return a.ahead }

// Handoff gives the room of the inner limits that from holds to to, a job
// admitted ahead that starts in its place: from keeps its other holds
// (pool, ports) until Release, to holds room as if admitted so. It returns
// false, changing nothing, if from holds no such room or to was not
// admitted ahead.
func (q *Queue) Handoff(from, to *Job) bool {
	if !from.admitted || !to.admitted {
		return false
	}
	for i, l := range q.chain {
		a, ok := l.(*Ahead)
		if !ok {
			continue
		}
		if from.holds[i]&runningHold == 0 || to.holds[i]&aheadHold == 0 {
			return false
		}
		to.holds[i], from.holds[i] = from.holds[i], 0
		a.ahead--
		return true
	}
	return false
}

// Admitting returns the jobs admitted so far by the Admit in progress
// (for a Limiter's callback, such as Ahead.Allow).
func (q *Queue) Admitting() []*Job { return q.out }

// Upgrade gives j, admitted ahead, room of the inner limits if they have
// some now: it may then start on any worker. A limit with no room (the
// jobserver) starts waiting for some, and wakes the queue's owner.
func (q *Queue) Upgrade(j *Job) bool {
	if !j.admitted {
		return false
	}
	for i, l := range q.chain {
		a, ok := l.(*Ahead)
		if !ok {
			continue
		}
		if j.holds[i]&aheadHold == 0 {
			return false
		}
		hold, ok, err := a.takeInner(j)
		if !ok || err != nil {
			return false
		}
		j.holds[i] = hold
		a.ahead--
		a.running++
		return true
	}
	return false
}

// IsAhead reports whether j was admitted ahead and holds no room of the
// inner limits of an Ahead yet.
func (q *Queue) IsAhead(j *Job) bool {
	if !j.admitted {
		return false
	}
	for i, l := range q.chain {
		if _, ok := l.(*Ahead); ok {
			return j.holds[i]&aheadHold != 0
		}
	}
	return false
}

// HoldsRoom reports whether j holds room of the inner limits of an Ahead
// (it was admitted so, or was handed it).
func (q *Queue) HoldsRoom(j *Job) bool {
	if !j.admitted {
		return false
	}
	for i, l := range q.chain {
		if _, ok := l.(*Ahead); ok {
			return j.holds[i]&runningHold != 0
		}
	}
	return false
}
