package engine

import (
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"syscall"

	"golang.org/x/sys/unix"

	"github.com/gobuildj/gobuildj/sched"
)

// JobserverMode selects how commands are offered gobuildj's -j budget
// through a GNU make jobserver (MAKEFLAGS), so that a nested make, ninja or
// cargo runs its jobs within it instead of on top of it.
type JobserverMode string

// The jobserver forms.
const (
	// JobserverPipe passes an inherited pipe: `--jobserver-auth=3,4`, the
	// only form GNU make 4.3 reads. The default.
	JobserverPipe JobserverMode = "pipe"
	// JobserverFifo names a fifo: `--jobserver-auth=fifo:PATH`, read by
	// GNU make 4.4 and ninja 1.13.
	JobserverFifo JobserverMode = "fifo"
	// JobserverNone offers no jobserver.
	JobserverNone JobserverMode = "none"
)

// jobToken is the byte a token is. GNU make writes '+'.
const jobToken = '+'

// jobserver serves Jobs-1 tokens (the first job is implicit, as in make) to
// gobuildj itself and to the commands it runs. gobuildj takes a token for
// every command it runs beside the first, so gobuildj's commands and their
// sub-makes together never run more than Jobs jobs.
//
// The gate part of it holds back tasks until they have a token: submit
// starts a task at once when nothing else runs or a token is at hand, and
// otherwise queues it for the reader goroutine, which blocks on the pipe
// until a sub-make returns a token. A finishing task passes its token (or
// its implicit slot) straight to the next queued task.
type jobserver struct {
	mode    JobserverMode
	r, w    *os.File // the pipe, or the fifo opened twice
	fifo    string   // the fifo's path (fifo mode)
	sched   *sched.Scheduler
	workerR int // descriptor numbers of r and w in the workers
	workerW int

	mu       sync.Mutex
	cond     *sync.Cond
	inFlight int           // tasks submitted and not finished
	queue    []*sched.Task // tasks waiting for a token
	closed   bool
	readerUp bool
	// readerDone is closed when the reader goroutine has returned.
	readerDone chan struct{}
}

// newJobserver creates the token pipe (or fifo, in folder dir) with jobs-1
// tokens. It returns nil for JobserverNone.
func newJobserver(mode JobserverMode, jobs int, dir string) (*jobserver, error) {
	j := &jobserver{mode: mode, readerDone: make(chan struct{})}
	j.cond = sync.NewCond(&j.mu)
	switch mode {
	case JobserverNone:
		return nil, nil
	case JobserverPipe, "":
		j.mode = JobserverPipe
		var fds [2]int
		// Blocking descriptors: they are shared with every sub-make, and
		// O_NONBLOCK would be shared with them too.
		if err := unix.Pipe2(fds[:], unix.O_CLOEXEC); err != nil {
			return nil, fmt.Errorf("jobserver pipe: %w", err)
		}
		j.r = os.NewFile(uintptr(fds[0]), "jobserver-r")
		j.w = os.NewFile(uintptr(fds[1]), "jobserver-w")
	case JobserverFifo:
		j.fifo = filepath.Join(dir, fmt.Sprintf("gobuildj-jobserver-%d", os.Getpid()))
		os.Remove(j.fifo)
		if err := unix.Mkfifo(j.fifo, 0o600); err != nil {
			return nil, fmt.Errorf("jobserver fifo: %w", err)
		}
		rfd, err := unix.Open(j.fifo, unix.O_RDWR|unix.O_CLOEXEC, 0)
		if err != nil {
			os.Remove(j.fifo)
			return nil, fmt.Errorf("jobserver fifo: %w", err)
		}
		j.r = os.NewFile(uintptr(rfd), "jobserver-fifo")
		j.w = j.r
	default:
		return nil, fmt.Errorf("jobserver %q: expected pipe, fifo or none", mode)
	}
	if jobs > 1 {
		tokens := make([]byte, jobs-1)
		for i := range tokens {
			tokens[i] = jobToken
		}
		if _, err := unix.Write(int(j.w.Fd()), tokens); err != nil {
			j.close()
			return nil, fmt.Errorf("jobserver: writing tokens: %w", err)
		}
	}
	return j, nil
}

// workerFiles are the files each worker must inherit (pipe mode).
func (j *jobserver) workerFiles() []*os.File {
	if j == nil || j.mode != JobserverPipe {
		return nil
	}
	return []*os.File{j.r, j.w}
}

// attach connects the jobserver to the scheduler whose workers received
// workerFiles from descriptor firstFd on.
func (j *jobserver) attach(s *sched.Scheduler, firstFd int) {
	j.sched = s
	j.workerR, j.workerW = firstFd, firstFd+1
}

// commandSetup returns the worker descriptors a command must receive (as
// its fds 3 and 4) and the MAKEFLAGS value it must see.
func (j *jobserver) commandSetup(jobs int) (files []int, makeflags string) {
	if j == nil {
		return nil, ""
	}
	if j.mode == JobserverFifo {
		return nil, fmt.Sprintf(" -j%d --jobserver-auth=fifo:%s", jobs, j.fifo)
	}
	return []int{j.workerR, j.workerW}, fmt.Sprintf(" -j%d --jobserver-auth=3,4", jobs)
}

// submit starts t now if it may run (nothing else runs, or a token is
// taken), else queues it until a token comes back. t.OnFinish is wrapped to
// give back what the task held.
func (j *jobserver) submit(t *sched.Task) {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.inFlight == 0 {
		j.startLocked(t, false)
		return
	}
	j.queue = append(j.queue, t)
	if !j.readerUp {
		j.readerUp = true
		go j.reader()
	}
	j.cond.Signal()
}

// startLocked hands t to the scheduler, holding a token or the implicit slot.
func (j *jobserver) startLocked(t *sched.Task, token bool) {
	j.inFlight++
	finish := t.OnFinish
	t.OnFinish = func(res sched.Result) {
		j.release(token)
		if finish != nil {
			finish(res)
		}
	}
	j.sched.AddTask(t)
}

// release gives back what a finished task held: to the next queued task if
// there is one, else to the pipe.
func (j *jobserver) release(token bool) {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.inFlight--
	if len(j.queue) > 0 && !j.closed {
		next := j.queue[0]
		j.queue = j.queue[1:]
		j.startLocked(next, token)
		return
	}
	if token {
		j.putToken()
	}
}

func (j *jobserver) putToken() {
	for {
		_, err := unix.Write(int(j.w.Fd()), []byte{jobToken})
		if err != syscall.EINTR {
			return
		}
	}
}

// reader takes tokens from the pipe for queued tasks. It blocks in read(2)
// on a blocking descriptor, so it owns its thread while it waits.
func (j *jobserver) reader() {
	defer close(j.readerDone)
	buf := make([]byte, 1)
	for {
		j.mu.Lock()
		for len(j.queue) == 0 && !j.closed {
			j.cond.Wait()
		}
		if j.closed {
			j.mu.Unlock()
			return
		}
		j.mu.Unlock()

		n, err := unix.Read(int(j.r.Fd()), buf)
		if err == syscall.EINTR {
			continue
		}
		if err != nil || n == 0 {
			return
		}
		j.mu.Lock()
		switch {
		case j.closed:
			j.mu.Unlock()
			return
		case len(j.queue) > 0 && j.inFlight > 0:
			next := j.queue[0]
			j.queue = j.queue[1:]
			j.startLocked(next, true)
		case len(j.queue) > 0:
			// Everything finished meanwhile: the next task takes the
			// implicit slot and the token goes back.
			next := j.queue[0]
			j.queue = j.queue[1:]
			j.startLocked(next, false)
			j.putToken()
		default:
			j.putToken()
		}
		j.mu.Unlock()
	}
}

// clear drops the queued tasks (the build is stopping).
func (j *jobserver) clear() {
	if j == nil {
		return
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	j.queue = nil
}

// pending reports whether tasks wait for a token.
func (j *jobserver) pending() int {
	j.mu.Lock()
	defer j.mu.Unlock()
	return len(j.queue)
}

// close stops the reader and releases the pipe or fifo.
func (j *jobserver) close() {
	if j == nil {
		return
	}
	j.mu.Lock()
	j.closed = true
	j.queue = nil
	readerUp := j.readerUp
	j.cond.Broadcast()
	j.mu.Unlock()
	if readerUp {
		// Wake a reader blocked in read(2); it sees closed and returns.
		j.putToken()
		<-j.readerDone
	}
	if j.w != j.r {
		j.w.Close()
	}
	j.r.Close()
	if j.fifo != "" {
		os.Remove(j.fifo)
	}
}
