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

// spawnTraced is spawn for a job with Trace: it runs path under the
// tracer with the same descriptors, directory, environment and process
// group as spawn, and adds the command's report to r.traced. The tracer
// installs its filter into the command itself where it can; otherwise,
// and when the job is sandboxed too, the command goes through the
// launcher (package internal/launch), which applies both and execs it.
// rfd and wfd are the output pipe's ends; spawnTraced closes both.
func (r *runner) spawnTraced(path string, argv []string, job *Job, env []string, rfd, wfd int, out *outputBuf) (syscall.WaitStatus, error) {
	attr := &syscall.ProcAttr{Dir: job.Dir, Env: env, Files: r.files}
	var p *trace.Process
	var err error
	if job.Sandbox == nil && trace.CanStartDirect() {
		p, err = trace.StartDirect(path, argv, attr)
	} else {
		largv := launch.Argv(selfExe, &launch.Spec{Path: path, Argv: argv, Sandbox: job.Sandbox, Trace: true})
		p, err = trace.Start(selfExe, largv, attr)
	}
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
