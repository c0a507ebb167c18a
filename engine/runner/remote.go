package runner

import "github.com/gobuildj/gobuildj/remote"

// Remote runs jobs through a remote cache or build farm: each job goes to
// a worker process of gobuildj-remote (the Workers it shares, started with
// that Executable), which looks its action up in the remote cache, runs it
// on the farm with remote execution, or runs it there locally after a
// miss and shares the result. A job's Work.Remote holds its encoded
// remote.Request.
type Remote struct {
	*Workers
}

// NewRemote returns the runner of remote jobs over the given workers.
func NewRemote(w *Workers) *Remote { return &Remote{w} }

// Start implements Runner.
func (r *Remote) Start(j *Job) { r.start(j, remote.TaskName) }
