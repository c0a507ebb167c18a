// Package schedx holds the extras of package sched, built only on its
// public API: what other schedulers in the manner of tezt offer beside the
// core verbs.
//
//   - Queue bounds how many tasks a producer may have waiting (Push waits
//     for room, TryPush does not): back-pressure.
//   - Unique runs each piece of work (a task Key) once at a time.
//   - Dropbox merges a burst of requests for the same work into the task
//     that waits in the queue (sched.Scheduler.Replace).
//   - Group counts a set of tasks as they end, cancels them together and
//     tells when they are all done.
//   - Serve runs a producer/consumer loop that shuts down cleanly when its
//     context ends (signal.NotifyContext for SIGINT).
//   - Typed, RegisterFunc, NewTask and Ask carry Go values (as JSON) where
//     sched carries bytes: payloads, results, messages, requests.
//   - Monitor keeps the recent events, the queue and the live workers, fed
//     by sched.Options.OnEvent.
//
// Queue, Unique, Dropbox, Group and Serve are ways into a scheduler that
// wrap the handlers of the tasks given through them (OnStart, OnEnd) before
// they queue them: set a task's handlers first, and give a task to one of
// them only, never to the scheduler as well. Like sched, it runs
// on Linux only, and a program that uses it must hand control to
// sched.WorkerMain when sched.IsWorker reports true (see package sched).
package schedx
