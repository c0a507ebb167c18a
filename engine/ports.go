package engine

import (
	"github.com/gobuildj/gobuildj/sched"
	"github.com/gobuildj/gobuildj/worker"
)

// leasePorts makes a target with `ports = n` get n free TCP ports when its
// commands start: the scheduler chooses them in OnStart (so that ports are
// held only while commands run, never while a target waits), sends them to
// the worker, which puts them in GOBUILDJ_PORTS, and takes them back when
// the task is over (Cleanup, whatever the outcome). No two targets running
// at once get the same port.
func (b *build) leasePorts(task *sched.Task, n int) {
	var held []int
	start := task.OnStart
	task.OnStart = func(ctx *sched.SchedulerContext) {
		ports, err := b.ports.Take(n)
		if err != nil {
			// The worker fails the target with this reason.
			_ = ctx.Send([]byte(worker.PortsError + err.Error()))
		} else {
			held = ports
			_ = ctx.Send(worker.PortsMessage(ports))
		}
		if start != nil {
			start(ctx)
		}
	}
	cleanup := task.Cleanup
	task.Cleanup = func() {
		b.ports.Release(held)
		held = nil
		if cleanup != nil {
			cleanup()
		}
	}
}
