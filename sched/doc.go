// Package sched runs tasks in a pool of worker processes, in the manner of
// tezt's Scheduler: a scheduler queues tasks, at most Jobs run at once, each
// in a long-lived worker process, and the scheduler reacts to their progress
// with handlers (OnStart, OnMessage, OnFinish) that may queue more tasks.
//
// Workers are re-executions of the program itself (Go cannot fork without
// exec), so task code is a function registered by name from an init
// function, and the program's main must hand control to WorkerMain when it
// runs as a worker:
//
//	func init() { sched.Register("double", double) }
//
//	func main() {
//		if sched.IsWorker() {
//			sched.WorkerMain() // never returns
//		}
//		s := sched.New(sched.Options{Jobs: 4})
//		s.AddTask(&sched.Task{Func: "double", Payload: []byte("x"), OnFinish: ...})
//		if err := s.Run(); err != nil { ... }
//	}
//
// A task and the scheduler exchange messages while it runs
// (WorkerContext.Send and OnMessage, SchedulerContext.Send and
// WorkerContext.Receive). Each worker leads its own process group, which
// holds everything its task starts: TermTimeout sends the task's TermSignal
// to the whole group (and closes WorkerContext.Done), KillTimeout then sends
// SIGKILL. A worker that dies fails its task with a reason such as "worker
// was killed by SIGKILL" and is replaced; no process of its group survives
// it. Workers exit when the scheduler tells them to (end of Run, idle
// timeout), and also when the scheduler dies: they see EOF on their pipe or
// get a parent-death signal, and kill their group.
//
// All handlers run one at a time on the goroutine that called Run.
// AddTask, Stop, Kill, Clear, Running and Queued may be called from any
// goroutine.
package sched
