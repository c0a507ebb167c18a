// Package admit decides when a job that must run may start. It holds the
// one queue where such jobs wait, and the chain of limits each must pass:
// the build's -j, pools, the GNU make jobserver, the cap on local commands
// beside a build farm, TCP ports. A limit is a Limiter; a new limit (a load
// average, say) is one more Limiter, not another queue.
//
// A job that passes every limit holds what each gave it until Release,
// which gives all of it back exactly once, whatever the way the job ended
// (success, failure, cancel, interrupt). A job that waits holds nothing:
// dropping it from the queue (Remove, Clear) frees nothing because nothing
// was taken. So no exit path can lose a slot.
package admit

import (
	"cmp"
	"container/heap"
	"errors"
	"fmt"
	"slices"
	"time"
)

// Job is a job as the limits see it: what it asks for, and, once admitted,
// what it holds. The caller owns its other fields (ID).
type Job struct {
	// ID is the caller's name for the job (a target's number).
	ID int
	// Priority orders the queue: higher first; equal ones in the order
	// they were added.
	Priority int64
	// Pool is the pool whose depth limits the job ("" for none).
	Pool string
	// Remote is set for a job that runs on a build farm: it takes no
	// slot of the local limits (-j, the jobserver).
	Remote bool
	// Ports is how many TCP ports the job reserves while it runs.
	Ports int
	// Pipelined is set for a job that may be admitted ahead (Ahead): its
	// runner can queue it on a busy worker, to start only in the place of
	// a job that ends.
	Pipelined bool

	// PortList holds the ports it was given, once admitted.
	PortList []int
	// Err is set, instead of admitting it, when a limit can never let
	// it pass (no free port): the job fails with it.
	Err error

	seq      uint64
	class    *class
	index    int // in its class's heap, -1 when not queued
	holds    [maxLimiters]uint64
	admitted bool
	// blockedAt is its class's blocked time per limit when it was added;
	// waited, once admitted, how long each limit held it back.
	blockedAt, waited [maxLimiters]time.Duration
}

// maxLimiters bounds the chain, so that a job keeps its holds inline.
const maxLimiters = 8

// Limiter is one limit on the jobs that run at once. Its methods are called
// by the Queue, on the goroutine that owns it; a Limiter that learns of
// room elsewhere (the jobserver's pipe) says so through the wake function
// it was built with, and the owner then calls Admit again.
type Limiter interface {
	// Take takes room for j and returns what it took (for Give), or
	// false, holding nothing, when there is none now. An error means j
	// can never pass. A limiter that does not limit j returns true.
	Take(j *Job) (hold uint64, ok bool, err error)
	// Give gives back what Take took for j.
	Give(j *Job, hold uint64)
}

// Idler is a Limiter that holds something on behalf of the queue (a
// jobserver token read ahead) and gives it back when nobody waits.
type Idler interface {
	Idle()
}

// Queue is where jobs wait for room, highest priority first. Jobs of
// different pools (and local and remote jobs) wait in separate lines, so
// that a job held back by its pool does not hold back those behind it that
// its pool does not limit. It is not safe for concurrent use.
type Queue struct {
	chain   []Limiter
	classes []*class
	seq     uint64
	waiting int
	out     []*Job
	// now is the clock of the wait times (time.Now; tests set their own),
	// and last when they were last brought up to date.
	now  func() time.Time
	last time.Time
}

// class is a line of the queue: the jobs of one pool, local or remote.
type class struct {
	pool   string
	remote bool
	heap   []*Job
	full   bool // no room was found for its best job in this pass of Admit
	// blockedOn is the limit that refused its best job in the last pass
	// of Admit (-1: none), and blocked how long, in all, each limit held
	// its best job back: a job's wait on a limit is the growth of its
	// class's blocked time while it waited (jobs behind the best wait for
	// the same thing).
	blockedOn int
	blocked   [maxLimiters]time.Duration
}

// NewQueue returns an empty queue whose jobs must pass limits, in order.
func NewQueue(limits ...Limiter) *Queue {
	if len(limits) > maxLimiters {
		panic(fmt.Sprintf("admit: %d limiters, at most %d", len(limits), maxLimiters))
	}
	return &Queue{chain: limits, now: time.Now}
}

// SetClock makes the queue time waits with now instead of time.Now.
func (q *Queue) SetClock(now func() time.Time) { q.now = now }

// accrue brings the blocked time of every class up to now.
func (q *Queue) accrue() {
	t := q.now()
	if !q.last.IsZero() {
		d := t.Sub(q.last)
		for _, c := range q.classes {
			if c.blockedOn >= 0 && d > 0 {
				c.blocked[c.blockedOn] += d
			}
		}
	}
	q.last = t
}

// Add queues j until Admit finds room for it.
func (q *Queue) Add(j *Job) {
	if j.class != nil && j.index >= 0 {
		panic(fmt.Sprintf("admit: job %d added twice", j.ID))
	}
	j.admitted, j.Err, j.PortList = false, nil, nil
	q.seq++
	j.seq = q.seq
	c := q.classOf(j)
	q.accrue()
	j.class = c
	j.blockedAt, j.waited = c.blocked, [maxLimiters]time.Duration{}
	c.push(j)
	q.waiting++
}

func (q *Queue) classOf(j *Job) *class {
	for _, c := range q.classes {
		if c.pool == j.Pool && c.remote == j.Remote {
			return c
		}
	}
	c := &class{pool: j.Pool, remote: j.Remote, blockedOn: -1}
	q.classes = append(q.classes, c)
	return c
}

// Len is how many jobs wait.
func (q *Queue) Len() int { return q.waiting }

// Admit admits every job it finds room for, best first, and returns them
// (valid until the next Admit). A job admitted with Err set holds nothing:
// it must fail. The others hold their room until Release.
func (q *Queue) Admit() []*Job {
	q.out = q.out[:0]
	q.accrue()
	for _, c := range q.classes {
		c.full, c.blockedOn = false, -1
	}
	for q.waiting > 0 {
		var best *class
		for _, c := range q.classes {
			if len(c.heap) > 0 && !c.full && (best == nil || c.heap[0].before(best.heap[0])) {
				best = c
			}
		}
		if best == nil {
			break
		}
		j := best.heap[0]
		refused, err := q.take(j)
		if refused >= 0 && err == nil {
			best.full = true // no room for its best job in this pass
			best.blockedOn = refused
			continue
		}
		best.pop()
		q.waiting--
		j.Err = err
		j.admitted = err == nil
		for i := range j.waited {
			j.waited[i] = best.blocked[i] - j.blockedAt[i]
		}
		q.out = append(q.out, j)
	}
	if q.waiting == 0 {
		q.idle()
	}
	return q.out
}

// take passes j through the chain: all or nothing. It returns the index of
// the limit that refused j (-1 when it passed), or the error of one it can
// never pass.
func (q *Queue) take(j *Job) (int, error) {
	for i, l := range q.chain {
		hold, ok, err := l.Take(j)
		if !ok || err != nil {
			for k := i - 1; k >= 0; k-- {
				q.chain[k].Give(j, j.holds[k])
			}
			return i, err
		}
		j.holds[i] = hold
	}
	return -1, nil
}

// Namer is a Limiter that names itself for the wait times of jobs ("-j",
// "pool", "jobserver").
type Namer interface {
	Name() string
}

// Wait is how long a job waited for one limit.
type Wait struct {
	On   string // the limit's name; a pool's is "pool NAME"
	Time time.Duration
}

// Waits says how long an admitted job waited for each limit that held it
// back, longest first: the time its class's best job was refused by that
// limit while j waited.
func (q *Queue) Waits(j *Job) []Wait {
	var out []Wait
	for i, d := range j.waited {
		if d <= 0 || i >= len(q.chain) {
			continue
		}
		name := fmt.Sprintf("%T", q.chain[i])
		if n, ok := q.chain[i].(Namer); ok {
			name = n.Name()
		}
		if name == "pool" && j.Pool != "" {
			name += " " + j.Pool
		}
		out = append(out, Wait{On: name, Time: d})
	}
	slices.SortStableFunc(out, func(a, b Wait) int { return cmp.Compare(b.Time, a.Time) })
	return out
}

// Release gives back everything an admitted job holds. Calling it again,
// or for a job that was not admitted, does nothing: every exit path may
// call it.
func (q *Queue) Release(j *Job) {
	if !j.admitted {
		return
	}
	j.admitted = false
	for i := len(q.chain) - 1; i >= 0; i-- {
		q.chain[i].Give(j, j.holds[i])
	}
}

// Remove takes j out of the queue, if it waits there; it holds nothing.
func (q *Queue) Remove(j *Job) bool {
	c := j.class
	if c == nil || j.index < 0 || j.index >= len(c.heap) || c.heap[j.index] != j {
		return false
	}
	c.removeAt(j.index)
	q.waiting--
	if q.waiting == 0 {
		q.idle()
	}
	return true
}

// Clear empties the queue and returns the jobs that waited, best first.
// They held nothing.
func (q *Queue) Clear() []*Job {
	var dropped []*Job
	for q.waiting > 0 {
		var best *class
		for _, c := range q.classes {
			if len(c.heap) > 0 && (best == nil || c.heap[0].before(best.heap[0])) {
				best = c
			}
		}
		dropped = append(dropped, best.pop())
		q.waiting--
	}
	q.idle()
	return dropped
}

// Waiting reports whether j waits in the queue.
func (q *Queue) Waiting(j *Job) bool {
	c := j.class
	return c != nil && j.index >= 0 && j.index < len(c.heap) && c.heap[j.index] == j
}

func (q *Queue) idle() {
	for _, l := range q.chain {
		if i, ok := l.(Idler); ok {
			i.Idle()
		}
	}
}

// ErrNoRoom is wrapped by the error of a limit that a job can never pass.
var ErrNoRoom = errors.New("no room")

func (a *Job) before(b *Job) bool {
	if a.Priority != b.Priority {
		return a.Priority > b.Priority
	}
	return a.seq < b.seq
}

// Len, Less, Swap, Push and Pop implement heap.Interface over the
// class's waiting jobs; Job.index follows each job's place.
func (c *class) Len() int           { return len(c.heap) }
func (c *class) Less(i, k int) bool { return c.heap[i].before(c.heap[k]) }
func (c *class) Swap(i, k int) {
	c.heap[i], c.heap[k] = c.heap[k], c.heap[i]
	c.heap[i].index = i
	c.heap[k].index = k
}
func (c *class) Push(x any) {
	j := x.(*Job)
	j.index = len(c.heap)
	c.heap = append(c.heap, j)
}
func (c *class) Pop() any {
	n := len(c.heap) - 1
	j := c.heap[n]
	c.heap[n] = nil
	c.heap = c.heap[:n]
	j.index = -1
	return j
}

func (c *class) push(j *Job) { heap.Push(c, j) }

func (c *class) pop() *Job { return heap.Pop(c).(*Job) }

func (c *class) removeAt(i int) { heap.Remove(c, i) }
