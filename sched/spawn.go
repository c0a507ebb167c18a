package sched

import (
	"fmt"
	"os"
	"runtime"
	"syscall"
)

// workerMarker is the argument that makes a re-execution of the program a
// worker (see IsWorker). It is spelled so that no real command line uses it.
const workerMarker = "-gobuildj.sched.worker"

// selfExe names the running program's own binary. Executing it rather than
// os.Args[0] keeps the workers' code identical to the scheduler's even if the
// file on disk is rebuilt or removed during a run.
const selfExe = "/proc/self/exe"

// spawner starts worker processes from one goroutine locked to its OS thread.
// Linux delivers a child's parent-death signal (Pdeathsig) when the thread
// that forked it exits, and the Go runtime may retire idle threads; a locked
// thread that lives until every worker it started has been reaped makes
// Pdeathsig mean "the scheduler died" (golang/go#27505).
type spawner struct {
	reqs chan spawnRequest
}

type spawnRequest struct {
	opts  *Options
	reply chan spawnReply
}

type spawnReply struct {
	w   *worker
	err error
}

func newSpawner() *spawner {
	sp := &spawner{reqs: make(chan spawnRequest)}
	go func() {
		// Never unlocked: when the goroutine ends (stop, once every
		// worker is reaped) its thread ends with it.
		runtime.LockOSThread()
		for req := range sp.reqs {
			w, err := startWorker(req.opts)
			req.reply <- spawnReply{w, err}
		}
	}()
	return sp
}

// spawn starts a worker process with opts on the spawner's thread.
func (sp *spawner) spawn(opts *Options) (*worker, error) {
	reply := make(chan spawnReply, 1)
	sp.reqs <- spawnRequest{opts, reply}
	r := <-reply
	return r.w, r.err
}

// stop ends the spawner's goroutine and thread. Every worker it started must
// have been reaped.
func (sp *spawner) stop() { close(sp.reqs) }

// startWorker re-executes the program as a worker: fd 3 reads tasks, fd 4
// writes results, opts.ExtraFiles follow from fd 5. The worker leads its own
// process group (everything its tasks start stays in it, so signals for a
// task go to -pid) and gets SIGTERM if the scheduler dies.
func startWorker(opts *Options) (*worker, error) {
	taskR, taskW, err := os.Pipe()
	if err != nil {
		return nil, fmt.Errorf("create task pipe: %w", err)
	}
	resR, resW, err := os.Pipe()
	if err != nil {
		taskR.Close()
		taskW.Close()
		return nil, fmt.Errorf("create result pipe: %w", err)
	}
	devNull, err := os.Open(os.DevNull)
	if err != nil {
		taskR.Close()
		taskW.Close()
		resR.Close()
		resW.Close()
		return nil, fmt.Errorf("open %s: %w", os.DevNull, err)
	}
	env := opts.Env
	if env == nil {
		env = os.Environ()
	}
	files := make([]*os.File, 0, 5+len(opts.ExtraFiles))
	files = append(files, devNull, os.Stdout, os.Stderr, taskR, resW)
	files = append(files, opts.ExtraFiles...)
	exe, arg0 := selfExe, os.Args[0]
	if opts.Executable != "" {
		exe, arg0 = opts.Executable, opts.Executable
	}
	proc, err := os.StartProcess(exe, []string{arg0, workerMarker}, &os.ProcAttr{
		Env:   env,
		Files: files,
		Sys: &syscall.SysProcAttr{
			Setpgid:   true,
			Pdeathsig: syscall.SIGTERM,
		},
	})
	// The child has its own copies now; ours would keep the pipes from
	// reporting EOF when the worker dies.
	devNull.Close()
	taskR.Close()
	resW.Close()
	if err != nil {
		taskW.Close()
		resR.Close()
		return nil, fmt.Errorf("start worker process: %w", err)
	}
	w := &worker{pid: proc.Pid, proc: proc, toWorker: taskW, fromWorker: resR}
	w.fw.w = taskW
	return w, nil
}
