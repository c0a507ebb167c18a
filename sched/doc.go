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
// A task and the scheduler exchange messages while it runs
// (WorkerContext.Send and OnMessage, SchedulerContext.Send and
// WorkerContext.Receive), and a task may ask a question that the scheduler
// answers now or later (WorkerContext.Request and OnRequest: a free port, a
// job token). A worker process may also send messages outside any task
// (WorkerSend, Options.OnMessage).
//
// Each worker leads its own process group, which holds everything its task
// starts: TermTimeout sends the task's TermSignal to the whole group (and
// closes WorkerContext.Done), KillTimeout then sends SIGKILL; a task that
// ran past its TermTimeout fails with a *TimeoutError. A worker that dies
// fails its task with a reason such as "worker was killed by SIGKILL"
// (ProcessStatus words it) and is replaced; no process of its group
// survives it. A task whose worker died before it started the task (an idle
// worker killed just before it got the task) is queued again, with the
// messages OnStart sent it, and OnStart is not called again. Workers exit
// when the scheduler tells them to (end of Run, idle timeout): they see EOF
// on their pipe, kill the rest of their group and exit with code 0. They
// also exit when the scheduler dies: they see EOF or get a parent-death
// signal, and kill their whole group.
//
// # Controlling the work
//
// Stop starts nothing more and terminates running tasks with a grace; Kill
// does it at once; Clear empties the queue; Cancel ends a chosen task;
// KillWorkers signals every worker's group with a chosen signal. OnDelay
// sets timers and Hold keeps Run alive while work may still come (a
// watcher); Prestart starts workers before Run needs them.
//
// # Built on top
//
// Package sched/schedx holds the extras that other schedulers offer, built
// on this package's public API alone: bounded queues with back-pressure
// (Queue: Push, TryPush), unique tasks (Unique), a dropbox that merges a
// burst of requests for the same work (Dropbox, on Replace), groups of tasks
// (Group), a producer/consumer loop that shuts down cleanly (Serve), typed
// payloads and messages (Typed, RegisterFunc, NewTask, Ask), and a view of
// the queue, the workers and the recent events (Monitor, on
// Options.OnEvent). Package ports leases free TCP ports to tasks that run at
// once.
//
// # Concurrency
//
// All handlers run one at a time on the goroutine that called Run, except
// the OnEnd of a task dropped by Clear or Replace, which runs on the
// caller's goroutine once the scheduler's lock is released, and
// Options.OnEvent, which runs under that lock. Every other method may be
// called from any goroutine.
package sched
