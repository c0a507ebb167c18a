package admit

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

// What a job holds of the jobserver (Take's hold).
const (
	holdNothing  = 0 // a remote job: not limited
	holdImplicit = 1 // the implicit slot
	holdToken    = 2 // a token read from the pipe
)

// Jobserver is the limit of a GNU make jobserver: it shares a -j budget
// between gobuildj's commands and the jobs of the sub-makes they run, with
// the tokens of a pipe or fifo holding one byte per free job slot beyond
// the first (the first slot is implicit: whoever runs holds one). It has
// two roles:
//
//   - server (gobuildj runs on its own): it creates the pipe or fifo with
//     Jobs-1 tokens;
//   - client (gobuildj runs under `make -jN`, which named its jobserver in
//     MAKEFLAGS): it uses make's pipe or fifo, and gobuildj's own slot is
//     the one make took to run it.
//
// Either way a local job takes the implicit slot when it is free, else a
// token, and its commands get the same jobserver (Files, MakeFlags), so
// gobuildj's commands and their sub-makes together never run more jobs
// than the budget. When no token is at hand, Take says no and a reader
// goroutine waits on the pipe for one; it keeps the token it gets for the
// next Take and calls wake, so that the queue's owner admits again. A token
// nobody waits for any more goes back (Idle).
//
// Invariant: every token read from the pipe is written back exactly once:
// held counts the tokens gobuildj has (given to jobs, or spare), Give and
// Idle write back, Close writes back whatever is left. The outer make
// checks the count when it exits ("INTERNAL: Exiting with N jobserver
// tokens available").
type Jobserver struct {
	mode   JobserverMode
	client bool     // the jobserver is make's
	r, w   *os.File // the pipe's ends, or the fifo opened twice; given to commands
	tr     *os.File // a private, non-blocking description of the pipe for the reader
	tfd    int      // tr's descriptor, for reads that must not wait
	fifo   string   // the fifo's path (fifo mode)
	jobs   int      // the -j that commands see in MAKEFLAGS
	wake   func()

	mu       sync.Mutex
	cond     *sync.Cond
	implicit bool // a job holds the implicit slot
	held     int  // tokens read and not written back
	spare    int  // of held, those no job holds: read ahead by the reader
	want     bool // a Take found no room: the reader waits for a token
	closed   bool
	readerUp bool
	// readerDone is closed when the reader goroutine has returned.
	readerDone chan struct{}
}

// NewJobserver returns the jobserver of a build: a client of parent when
// gobuildj runs under make's jobserver, else a server of the given form
// with jobs-1 tokens (its fifo in folder dir). wake is called, from another
// goroutine, when a token arrives for a job that waits. It returns nil for
// JobserverNone.
func NewJobserver(mode JobserverMode, jobs int, dir string, parent *MakeJobserver, wake func()) (*Jobserver, error) {
	j := &Jobserver{mode: mode, jobs: jobs, wake: wake, readerDone: make(chan struct{})}
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
	j.tfd = tfd
	j.tr = os.NewFile(uintptr(tfd), "jobserver-tokens")
	if !j.client && jobs > 1 {
		tokens := make([]byte, jobs-1)
		for i := range tokens {
			tokens[i] = jobToken
		}
		if _, err := unix.Write(int(j.w.Fd()), tokens); err != nil {
			j.Close()
			return nil, fmt.Errorf("jobserver: writing tokens: %w", err)
		}
	}
	return j, nil
}

// join makes j a client of make's jobserver.
func (j *Jobserver) join(p *MakeJobserver) error {
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
	// here, since commands get them explicitly.
	unix.CloseOnExec(p.R)
	unix.CloseOnExec(p.W)
	j.r = os.NewFile(uintptr(p.R), "make-jobserver-r")
	j.w = os.NewFile(uintptr(p.W), "make-jobserver-w")
	return nil
}

// Mode is the form of the jobserver.
func (j *Jobserver) Mode() JobserverMode { return j.mode }

// Fifo is the path of the fifo that commands open (fifo mode), "" for a
// pipe: a sandboxed command must be allowed to open it.
func (j *Jobserver) Fifo() string { return j.fifo }

// Files are the pipe's read and write ends, which a command must get as
// its descriptors 3 and 4 for MakeFlags to be true (nil in fifo mode,
// where the path is enough).
func (j *Jobserver) Files() []*os.File {
	if j == nil || j.mode != JobserverPipe {
		return nil
	}
	return []*os.File{j.r, j.w}
}

// MakeFlags is the MAKEFLAGS value a command must see to share the
// budget: the -j of the budget (the build's, or make's for a client) and
// the jobserver, as descriptors 3 and 4 or as the fifo's path.
func (j *Jobserver) MakeFlags() string {
	if j.mode == JobserverFifo {
		return fmt.Sprintf(" -j%d --jobserver-auth=fifo:%s", j.jobs, j.fifo)
	}
	return fmt.Sprintf(" -j%d --jobserver-auth=3,4", j.jobs)
}

// Take implements Limiter: a local job takes the implicit slot if it is
// free, else a token read ahead or at hand in the pipe; without one, the
// reader starts waiting for a token.
func (j *Jobserver) Take(job *Job) (uint64, bool, error) {
	if job.Remote {
		return holdNothing, true, nil
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	switch {
	case !j.implicit:
		j.implicit = true
		return holdImplicit, true, nil
	case j.spare > 0:
		j.spare--
		return holdToken, true, nil
	case j.tryReadLocked():
		return holdToken, true, nil
	}
	j.want = true
	if !j.readerUp {
		j.readerUp = true
		go j.reader()
	}
	j.cond.Signal()
	return holdNothing, false, nil
}

// Give implements Limiter: the implicit slot is free again, or the token
// goes back to the pipe.
func (j *Jobserver) Give(_ *Job, hold uint64) {
	j.mu.Lock()
	defer j.mu.Unlock()
	switch hold {
	case holdImplicit:
		j.implicit = false
	case holdToken:
		if !j.closed {
			j.putTokenLocked()
		}
	}
}

// Idle implements Idler: nobody waits for a token any more; a token read
// ahead goes back.
func (j *Jobserver) Idle() {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.want = false
	for j.spare > 0 && !j.closed {
		j.spare--
		j.putTokenLocked()
	}
}

// tryReadLocked takes a token from the pipe if one is there, without
// waiting.
func (j *Jobserver) tryReadLocked() bool {
	var buf [1]byte
	for {
		n, err := unix.Read(j.tfd, buf[:])
		if err == syscall.EINTR {
			continue
		}
		if err != nil || n != 1 {
			return false
		}
		j.held++
		return true
	}
}

// putTokenLocked writes a held token back.
func (j *Jobserver) putTokenLocked() {
	j.held--
	for {
		_, err := unix.Write(int(j.w.Fd()), []byte{jobToken})
		if err != syscall.EINTR {
			return
		}
	}
}

// reader waits for a token whenever a Take found none, keeps it as spare
// and calls wake. It waits in the runtime's poller, so it holds no thread
// while it waits, and Close wakes it by closing its descriptor.
func (j *Jobserver) reader() {
	defer close(j.readerDone)
	buf := make([]byte, 1)
	for {
		j.mu.Lock()
		for !j.want && !j.closed {
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
		if j.closed {
			j.putTokenLocked()
			j.mu.Unlock()
			return
		}
		j.spare++
		j.want = false
		j.mu.Unlock()
		if j.wake != nil {
			j.wake()
		}
	}
}

// Close stops the reader, writes back every token still held, and releases
// the pipe or fifo. No job may run any more.
func (j *Jobserver) Close() {
	if j == nil {
		return
	}
	j.mu.Lock()
	j.closed = true
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
	j.spare = 0
	j.mu.Unlock()
	j.closeFiles()
}

// closeFiles closes the descriptors, and removes the fifo of a server.
func (j *Jobserver) closeFiles() {
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

// Name implements Namer.
func (j *Jobserver) Name() string { return "jobserver" }
