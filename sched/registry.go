package sched

import "fmt"

// TaskFunc is a task's code, run in a worker process. It receives the task's
// payload and returns its value; a non-nil error fails the task and its text
// becomes Result.Err on the scheduler's side. A panic is reported the same
// way. The payload is only valid until the function returns; the returned
// value is copied before the worker starts another task, so the function
// may reuse its memory then.
type TaskFunc func(ctx *WorkerContext, payload []byte) ([]byte, error)

// registry maps task names to their functions. It is filled by Register from
// init functions only, so every re-execution of the program (every worker)
// has the same registry as the scheduler, and it is never written while
// workers or schedulers run.
var registry = map[string]TaskFunc{}

// Register makes fn runnable in workers under name (Task.Func). Call it from
// an init function, so that the worker processes, which re-execute the
// program, register the same functions. It panics if name is empty, fn is
// nil or name is already registered.
func Register(name string, fn TaskFunc) {
	if name == "" {
		panic("sched.Register: empty task name")
	}
	if fn == nil {
		panic(fmt.Sprintf("sched.Register: nil function for task %q", name))
	}
	if _, dup := registry[name]; dup {
		panic(fmt.Sprintf("sched.Register: task %q registered twice", name))
	}
	registry[name] = fn
}

// lookup returns the function registered under name.
func lookup(name string) (TaskFunc, bool) {
	fn, ok := registry[name]
	return fn, ok
}
