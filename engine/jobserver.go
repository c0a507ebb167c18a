package engine

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
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
	// JobserverNone offers no jobserver, and ignores one gobuildj runs
	// under.
	JobserverNone JobserverMode = "none"
)

// jobToken is the byte a token is. GNU make writes '+'.
const jobToken = '+'

// jobserver shares a -j budget between gobuildj's commands and the jobs of
// the sub-makes they run, with the tokens of a GNU make jobserver: a pipe or
// fifo holding one byte per free job slot beyond the first (the first slot
// is implicit: whoever runs holds one). It has two roles:
//
//   - server (gobuildj runs on its own): it creates the pipe or fifo with
//     Jobs-1 tokens;
//   - client (gobuildj runs under `make -jN`, which named its jobserver in
//     MAKEFLAGS): it uses make's pipe or fifo, and gobuildj's own slot is
//     the one make took to run it.
//
// Either way, gobuildj takes a token for every command it runs beside the
// first, and its commands get the same jobserver, so gobuildj's commands and
// their sub-makes together never run more jobs than the budget.
//
// The gate part of it holds back tasks until they have a token: submit
// starts a task at once when nothing else runs or a token is at hand, and
// otherwise queues it for the reader goroutine, which waits on the pipe
// until a token comes back. A finishing task passes its token (or its
// implicit slot) straight to the next queued task.
//
// Invariant: every token read from the pipe is written back exactly once.
// held counts the tokens gobuildj has; a task gives its token back in its
// Cleanup, which runs whether the task finished, failed, or was dropped from
// the scheduler's queue; close writes back what tasks left in a queue that
// no Run will empty (an interrupted build). The outer make checks the count
// when it exits ("INTERNAL: Exiting with N jobserver tokens available").
type jobserver struct {
	mode    JobserverMode
	client  bool     // the jobserver is make's
	r, w    *os.File // the pipe's ends, or the fifo opened twice; given to commands
	tr      *os.File // a private, non-blocking description of the pipe for the reader
	fifo    string   // the fifo's path (fifo mode)
	jobs    int      // the -j that commands see in MAKEFLAGS
	sched   *sched.Scheduler
	workerR int // descriptor numbers of r and w in the workers
	workerW int

	mu       sync.Mutex
	cond     *sync.Cond
	inFlight int // tasks submitted and not finished
	// implicit is set while a task holds the implicit slot. It can be
	// free while others run (the task that held it ended first): the next
	// task takes it without a token.
	implicit bool
	held     int           // tokens read and not written back
	queue    []*sched.Task // tasks waiting for a token
	closed   bool
	readerUp bool
	// readerDone is closed when the reader goroutine has returned.
	readerDone chan struct{}
}

// newJobserver returns the jobserver of a build: a client of parent when
// gobuildj runs under make's jobserver, else a server of the given form
// with jobs-1 tokens (its fifo in folder dir). It returns nil for
// JobserverNone.
func newJobserver(mode JobserverMode, jobs int, dir string, parent *MakeJobserver) (*jobserver, error) {
	j := &jobserver{mode: mode, jobs: jobs, readerDone: make(chan struct{})}
	j.cond = sync.NewCond(&j.mu)
	switch {
	case mode == JobserverNone:
		return nil, nil
	case parent != nil:
		if err := j.join(parent); err != nil {
			return nil, err
		}
	case mode == JobserverPipe || mode == "":
		j.mode = JobserverPipe
		var fds [2]int
		// Blocking descriptors: they are shared with every sub-make, and
		// O_NONBLOCK would be shared with them too.
		if err := unix.Pipe2(fds[:], unix.O_CLOEXEC); err != nil {
			return nil, fmt.Errorf("jobserver pipe: %w", err)
		}
		j.r = os.NewFile(uintptr(fds[0]), "jobserver-r")
		j.w = os.NewFile(uintptr(fds[1]), "jobserver-w")
	case mode == JobserverFifo:
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
	// The reader waits for tokens in the runtime's poller, on a
	// description of its own: close can then wake it without writing a
	// token that another process might take first, and the shared
	// descriptors stay blocking for the sub-makes.
	path := j.fifo
	if path == "" {
		path = fmt.Sprintf("/proc/self/fd/%d", j.r.Fd())
	}
	tfd, err := unix.Open(path, unix.O_RDWR|unix.O_NONBLOCK|unix.O_CLOEXEC, 0)
	if err != nil {
		j.closeFiles()
		return nil, fmt.Errorf("jobserver: open %s for reading tokens: %w", path, err)
	}
	j.tr = os.NewFile(uintptr(tfd), "jobserver-tokens")
	if !j.client && jobs > 1 {
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

// join makes j a client of make's jobserver.
func (j *jobserver) join(p *MakeJobserver) error {
	j.client = true
	if p.Jobs > 0 {
		j.jobs = p.Jobs
	}
	if p.Fifo != "" {
		j.mode, j.fifo = JobserverFifo, p.Fifo
		fd, err := unix.Open(p.Fifo, unix.O_RDWR|unix.O_CLOEXEC, 0)
		if err != nil {
			return fmt.Errorf("jobserver of make: %w", err)
		}
		j.r = os.NewFile(uintptr(fd), "make-jobserver-fifo")
		j.w = j.r
		return nil
	}
	j.mode = JobserverPipe
	// make's descriptors, kept blocking as make left them; close-on-exec
	// here, since the workers get them explicitly.
	unix.CloseOnExec(p.R)
	unix.CloseOnExec(p.W)
	j.r = os.NewFile(uintptr(p.R), "make-jobserver-r")
	j.w = os.NewFile(uintptr(p.W), "make-jobserver-w")
	return nil
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
// its fds 3 and 4) and the MAKEFLAGS value it must see. The -j it names is
// the budget's: the build's Jobs, or make's -j for a client (the argument
// is not used).
func (j *jobserver) commandSetup(_ int) (files []int, makeflags string) {
	if j == nil {
		return nil, ""
	}
	if j.mode == JobserverFifo {
		return nil, fmt.Sprintf(" -j%d --jobserver-auth=fifo:%s", j.jobs, j.fifo)
	}
	return []int{j.workerR, j.workerW}, fmt.Sprintf(" -j%d --jobserver-auth=3,4", j.jobs)
}

// submit starts t now if it may run (nothing else runs, or a token is
// taken), else queues it until a token comes back. t.Cleanup is wrapped to
// give back what the task held.
func (j *jobserver) submit(t *sched.Task) {
	j.mu.Lock()
	defer j.mu.Unlock()
	if !j.implicit {
		j.startLocked(t, false)
		return
	}
	j.queue = insertTask(j.queue, t)
	if !j.readerUp {
		j.readerUp = true
		go j.reader()
	}
	j.cond.Signal()
}

// startLocked hands t to the scheduler, holding a token or the implicit slot.
func (j *jobserver) startLocked(t *sched.Task, token bool) {
	j.inFlight++
	if !token {
		j.implicit = true
	}
	cleanup := t.Cleanup
	t.Cleanup = func() {
		j.release(token)
		if cleanup != nil {
			cleanup()
		}
	}
	j.sched.AddTask(t)
}

// release gives back what a finished (or dropped) task held: to the next
// queued task if there is one, else to the pipe.
func (j *jobserver) release(token bool) {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.closed {
		return // close gave every held token back
	}
	j.inFlight--
	if len(j.queue) > 0 {
		next := j.queue[0]
		j.queue = j.queue[1:]
		j.startLocked(next, token)
		return
	}
	if token {
		j.putTokenLocked()
	} else {
		j.implicit = false
	}
}

// putTokenLocked writes a held token back.
func (j *jobserver) putTokenLocked() {
	j.held--
	for {
		_, err := unix.Write(int(j.w.Fd()), []byte{jobToken})
		if err != syscall.EINTR {
			return
		}
	}
}

// reader takes tokens from the pipe for queued tasks. It waits in the
// runtime's poller, so it holds no thread while it waits, and close wakes
// it by closing its descriptor.
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

		n, err := j.tr.Read(buf)
		if err != nil || n == 0 {
			return // closed
		}
		j.mu.Lock()
		j.held++
		switch {
		case j.closed:
			j.putTokenLocked()
			j.mu.Unlock()
			return
		case len(j.queue) > 0 && j.implicit:
			next := j.queue[0]
			j.queue = j.queue[1:]
			j.startLocked(next, true)
		case len(j.queue) > 0:
			// The implicit slot became free meanwhile: the next task
			// takes it and the token goes back.
			next := j.queue[0]
			j.queue = j.queue[1:]
			j.startLocked(next, false)
			j.putTokenLocked()
		default:
			j.putTokenLocked()
		}
		j.mu.Unlock()
	}
}

// clear drops the queued tasks (the build is stopping); they hold no token.
func (j *jobserver) clear() {
	if j == nil {
		return
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	j.queue = nil
}

// remove takes t out of the queue of tasks waiting for a token; false if
// it is not there (it was handed to the scheduler).
func (j *jobserver) remove(t *sched.Task) bool {
	if j == nil {
		return false
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	for i, q := range j.queue {
		if q == t {
			j.queue = append(j.queue[:i:i], j.queue[i+1:]...)
			return true
		}
	}
	return false
}

// pending reports whether tasks wait for a token.
func (j *jobserver) pending() int {
	j.mu.Lock()
	defer j.mu.Unlock()
	return len(j.queue)
}

// close stops the reader, writes back every token still held (by tasks
// that stayed in the scheduler's queue), and releases the pipe or fifo. It
// is called once the scheduler's Run has returned.
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
	if j.tr != nil {
		j.tr.Close() // wakes a reader waiting for a token
	}
	if readerUp {
		<-j.readerDone
	}
	j.mu.Lock()
	for j.held > 0 {
		j.putTokenLocked()
	}
	j.mu.Unlock()
	j.closeFiles()
}

// closeFiles closes the descriptors, and removes the fifo of a server.
func (j *jobserver) closeFiles() {
	if j.w != nil && j.w != j.r {
		j.w.Close()
	}
	if j.r != nil {
		j.r.Close()
	}
	if j.fifo != "" && !j.client {
		os.Remove(j.fifo)
	}
}

// MakeJobserver is the GNU make jobserver that gobuildj runs under, as the
// MAKEFLAGS of its environment name it: gobuildj is then a client of it.
type MakeJobserver struct {
	// R and W are the pipe's descriptors (`--jobserver-auth=R,W`), or
	// Fifo the fifo's path (`--jobserver-auth=fifo:PATH`).
	R, W int
	Fifo string
	// Jobs is make's -j (from MAKEFLAGS' -jN), 0 if it is not there.
	Jobs int
}

// ErrJobserverUnavailable wraps the error of a jobserver that MAKEFLAGS
// names but that gobuildj cannot use: make passes its descriptors only to
// the commands it knows to be recursive (`+` or $(MAKE) in the rule).
var ErrJobserverUnavailable = errors.New("jobserver unavailable")

// FindMakeJobserver returns the jobserver that makeflags (the MAKEFLAGS
// gobuildj was started with) names, nil if it names none, or an error
// wrapping ErrJobserverUnavailable if it names one that cannot be used.
func FindMakeJobserver(makeflags string) (*MakeJobserver, error) {
	var auth string
	jobs := 0
	for _, w := range strings.Fields(makeflags) {
		if w == "--" {
			break // variable definitions follow
		}
		switch {
		case strings.HasPrefix(w, "--jobserver-auth="):
			auth = strings.TrimPrefix(w, "--jobserver-auth=")
		case strings.HasPrefix(w, "--jobserver-fds="): // make before 4.2
			auth = strings.TrimPrefix(w, "--jobserver-fds=")
		case strings.HasPrefix(w, "-j"):
			if n, err := strconv.Atoi(w[2:]); err == nil && n > 0 {
				jobs = n
			}
		}
	}
	if auth == "" {
		return nil, nil
	}
	p := &MakeJobserver{Jobs: jobs}
	if path, ok := strings.CutPrefix(auth, "fifo:"); ok {
		var st unix.Stat_t
		if err := unix.Stat(path, &st); err != nil || st.Mode&unix.S_IFMT != unix.S_IFIFO {
			return nil, fmt.Errorf("%w: MAKEFLAGS names fifo %s, which is not a fifo", ErrJobserverUnavailable, path)
		}
		p.Fifo = path
		return p, nil
	}
	rs, ws, ok := strings.Cut(auth, ",")
	r, rerr := strconv.Atoi(rs)
	w, werr := strconv.Atoi(ws)
	if !ok || rerr != nil || werr != nil || r < 0 || w < 0 {
		return nil, fmt.Errorf("%w: MAKEFLAGS names it as %q (expected R,W or fifo:PATH)", ErrJobserverUnavailable, auth)
	}
	if !isPipe(r, unix.O_RDONLY) || !isPipe(w, unix.O_WRONLY) {
		return nil, fmt.Errorf("%w: descriptors %d and %d of MAKEFLAGS are not its open pipe (add '+' to the make rule that runs gobuildj)", ErrJobserverUnavailable, r, w)
	}
	p.R, p.W = r, w
	return p, nil
}

// isPipe reports whether fd is an open pipe or fifo that can be used for
// access (O_RDONLY: read, O_WRONLY: write).
func isPipe(fd, access int) bool {
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil || st.Mode&unix.S_IFMT != unix.S_IFIFO {
		return false
	}
	fl, err := unix.FcntlInt(uintptr(fd), unix.F_GETFL, 0)
	if err != nil {
		return false
	}
	mode := fl & unix.O_ACCMODE
	return mode == unix.O_RDWR || mode == access
}
