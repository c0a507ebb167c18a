package schedx

import "github.com/gobuildj/gobuildj/sched"

// onLeave makes t call leave when it leaves the scheduler's queue: as it
// starts, or as it ends without starting (canceled, dropped, cleared). It
// wraps the handlers t has now, so those must be set before.
func onLeave(t *sched.Task, leave func()) {
	start, end := t.OnStart, t.OnEnd
	t.OnStart = func(ctx *sched.SchedulerContext) {
		leave()
		if start != nil {
			start(ctx)
		}
	}
	t.OnEnd = func(r sched.Result) {
		leave()
		if end != nil {
			end(r)
		}
	}
}
