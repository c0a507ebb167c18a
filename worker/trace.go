package worker

import (
	"fmt"
	"syscall"

	"github.com/gobuildj/gobuildj/internal/launch"
	"github.com/gobuildj/gobuildj/trace"
	"golang.org/x/sys/unix"
)

// selfExe is the launcher's executable: this worker's own binary, which
// starts as the launcher when given launch.Argv's arguments.
const selfExe = "/proc/self/exe"

// spawnTraced is spawn for a job with Trace: it runs path through the
// launcher (package internal/launch), which installs the tracer's filter
// and execs it, under the tracer, with the same descriptors, directory,
// environment and process group as spawn, and adds the command's report
// to r.traced. rfd and wfd are the output pipe's ends; spawnTraced closes
// both.
func (r *runner) spawnTraced(path string, argv []string, job *Job, env []string, rfd, wfd int, out *outputBuf) (syscall.WaitStatus, error) {
	largv := launch.Argv(selfExe, &launch.Spec{Path: path, Argv: argv, Sandbox: job.Sandbox, Trace: true})
	p, err := trace.Start(selfExe, largv, &syscall.ProcAttr{Dir: job.Dir, Env: env, Files: r.files})
	unix.Close(wfd)
	if err != nil {
		unix.Close(rfd)
		return 0, fmt.Errorf("start %s: %w", path, err)
	}
	readErr := drain(rfd, p.ExitFD(), out)
	unix.Close(rfd)
	ws, rep, err := p.Wait()
	r.traced.Merge(rep)
	if err != nil {
		return ws, fmt.Errorf("trace %s: %w", path, err)
	}
	if readErr != nil {
		return ws, fmt.Errorf("read output of %s: %w", path, readErr)
	}
	return ws, nil
}
