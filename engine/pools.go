package engine

import (
	"github.com/gobuildj/gobuildj/graph"
	"github.com/gobuildj/gobuildj/sched"
)

// pools holds back the tasks of a pool that has as many commands running
// as its depth, as the jobserver holds back tasks without a token: a task
// queued here reaches the scheduler when a task of its pool finishes. It is
// touched only by the goroutine that runs the build (the scheduler calls
// OnFinish there).
type pools struct {
	depth   map[string]int
	running map[string]int
	queue   map[string][]poolTask
}

// poolTask is a task waiting for a slot of its pool.
type poolTask struct {
	task       *sched.Task
	remoteExec bool // it runs on a remote server (see submit)
}

func newPools(g *graph.Graph) *pools {
	return &pools{depth: g.Pools, running: map[string]int{}, queue: map[string][]poolTask{}}
}

// dispatch hands the task of node n to the scheduler (through the
// jobserver or the remote gate, if any) when its pool has room, else
// queues it in its pool.
func (b *build) dispatch(n *node, task *sched.Task, remoteExec bool) {
	pool := n.t.Pool
	if pool == "" {
		b.submit(task, remoteExec)
		return
	}
	if b.pools == nil {
		b.pools = newPools(b.g)
	}
	finish := task.OnFinish
	task.OnFinish = func(res sched.Result) {
		b.pools.running[pool]--
		b.poolNext(pool)
		if finish != nil {
			finish(res)
		}
	}
	if b.pools.running[pool] < b.pools.depth[pool] {
		b.pools.running[pool]++
		b.submit(task, remoteExec)
		return
	}
	b.pools.queue[pool] = insertPoolTask(b.pools.queue[pool], poolTask{task, remoteExec})
}

// poolNext starts the next queued task of pool, unless the build is
// stopping (its queued tasks then never start, and count as not run).
func (b *build) poolNext(pool string) {
	q := b.pools.queue[pool]
	if len(q) == 0 || b.stopping || b.interrupted.Load() {
		return
	}
	b.pools.queue[pool] = q[1:]
	b.pools.running[pool]++
	b.submit(q[0].task, q[0].remoteExec)
}

// queued counts the tasks that wait for a slot of their pool.
func (p *pools) queued() int {
	if p == nil {
		return 0
	}
	n := 0
	for _, q := range p.queue {
		n += len(q)
	}
	return n
}

// submit hands a task to the scheduler: through the remote gate when a
// remote server runs commands, else through the jobserver if there is one.
func (b *build) submit(task *sched.Task, remoteExec bool) {
	switch {
	case b.remoteSubmit(task, remoteExec):
	case b.js != nil:
		b.js.submit(task)
	default:
		b.sched.AddTask(task)
	}
}

// clear drops the tasks waiting for a slot of their pool (the build is
// stopping).
func (p *pools) clear() {
	if p == nil {
		return
	}
	clear(p.queue)
}

// remove takes task out of its pool's queue; false if it is not there.
func (p *pools) remove(task *sched.Task) bool {
	if p == nil {
		return false
	}
	for pool, q := range p.queue {
		for i, pt := range q {
			if pt.task == task {
				p.queue[pool] = append(q[:i:i], q[i+1:]...)
				return true
			}
		}
	}
	return false
}
