// Package sched runs tasks in a pool of worker processes, in the manner of
// tezt's Scheduler: a scheduler queues tasks, at most Jobs run at once, each
// in a long-lived worker process, and the scheduler reacts to their progress
// with handlers (OnStart, OnMessage, OnEnd) that may queue more tasks. It
// runs on Linux only (process groups, parent-death signals, /proc).
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
//		s.AddTask(&sched.Task{Func: "double", Payload: []byte("x"), OnEnd: ...})
//		if err := s.Run(); err != nil { ... }
//	}
//
// # The story of a task
//
// A task is queued (AddTask), sent to a worker (OnStart), talks with the
// scheduler while it runs, and ends: OnEnd is called exactly once for every
// task the scheduler accepted, with a Result whose State says how it ended
// (succeeded, failed, canceled, or dropped from the queue by Clear or
// Replace). Task.State and Task.Times tell where it is and when it got
// there.
//
// While it runs, a task and the scheduler exchange messages
// (WorkerContext.Send and OnMessage, SchedulerContext.Send and
// WorkerContext.Receive), and the task may ask questions that the scheduler
// answers now or later (WorkerContext.Request and OnRequest). Its worker
// leads a process group that holds everything the task starts: TermTimeout
// sends it TermSignal (WorkerContext.Done closes), KillTimeout SIGKILL; a
// worker that dies fails its task and is replaced, its group with it. What
// leaves the group (a daemon of setsid) is still the worker's: it is their
// subreaper, and ends them when the task ends and when it exits, unless it
// is killed with SIGKILL itself.
//
// # Controlling the work
//
// Stop starts nothing more and terminates running tasks with a grace; Kill
// does it at once; Clear empties the queue; Cancel ends one task;
// KillWorkers signals every worker's group. OnDelay sets timers, Hold keeps
// Run alive while work may come, Prestart starts workers early. Handlers run
// one at a time on Run's goroutine (but see OnEnd and Options.OnEvent);
// methods may be called from any goroutine.
//
// # Pipelining
//
// With Options.Ahead, a busy worker is also sent the next queued task, which
// it starts the moment its current one ends, without waiting for the
// scheduler to handle the result; the result then names it (Result.Next).
// Clear, Stop, Kill and Cancel withdraw a task sent ahead that has not
// started; a task that calls WorkerContext.Hold keeps its worker from going
// on until its OnEnd has run (a failure that must start nothing more); an
// AheadOnly task starts only in the place of another, until Promote.
//
// Package sched/schedx holds the extras, built on this public API alone:
// bounded queues, unique tasks, a dropbox (on Replace), groups, Serve, typed
// messages, and a Monitor (on Options.OnEvent). Package ports leases free
// TCP ports.
package sched
