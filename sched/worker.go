package sched

import (
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"

	"golang.org/x/sys/unix"
)

// IsWorker reports whether this process was started by a Scheduler as a
// worker. A program that uses sched must then call WorkerMain at once, at
// the start of main (or of TestMain), before it does anything else.
func IsWorker() bool { return len(os.Args) > 1 && os.Args[1] == workerMarker }

// termSignals are caught by workers, which must survive their task's
// TermSignal (it is sent to the whole group, the worker included); the
// scheduler also says so with a frame, which closes the task's Done channel.
// Caught, not ignored, dispositions reset to default on exec, so commands
// started by tasks still die of these signals.
var termSignals = []os.Signal{syscall.SIGTERM, syscall.SIGINT, syscall.SIGHUP, syscall.SIGUSR1, syscall.SIGUSR2}

// workerProcess is the worker side of the protocol, in a worker process.
type workerProcess struct {
	out  frameWriter
	ppid int // the scheduler

	mu   sync.Mutex
	cond *sync.Cond // signalled when a task arrives or the gate opens
	// current is the running task, nil between tasks; waiting holds the
	// tasks received and not started: the next one, and one sent ahead
	// while it runs (Options.Ahead).
	current *WorkerContext
	waiting []*WorkerContext
	tasks   int    // tasks received whose result (or withdrawal) is not written yet
	gate    uint64 // a held result the scheduler has not handled yet (frameGo); 0: none
	// quitting: SIGQUIT, exit once no task is busy.
	quitting bool
	retired  bool // the scheduler sent frameExit: EOF is no death
}

// thisWorker is set once by WorkerMain, for CurrentWorker. It is the only
// package state besides the registry, and exists only in worker processes.
var thisWorker atomic.Pointer[workerProcess]

// WorkerMain serves tasks sent by the scheduler that started this process,
// one at a time, and never returns. When the scheduler closes its pipe, the
// worker kills what its tasks left behind in its process group and exits
// with code 0; when the scheduler dies, it kills its whole process group,
// itself included.
func WorkerMain() {
	if !IsWorker() {
		fmt.Fprintln(os.Stderr, "sched.WorkerMain: this process was not started as a worker by a sched.Scheduler")
		os.Exit(2)
	}
	// The protocol pipes (and the scheduler's ExtraFiles) must not leak
	// into the commands that tasks run.
	closeOnExecFrom(3)
	// The scheduler makes the worker a group leader; be sure, since EOF
	// and scheduler death kill the group.
	if unix.Getpgrp() != os.Getpid() {
		_ = unix.Setpgid(0, 0)
	}
	// What a task starts and leaves behind outside the group (a daemon of
	// setsid) comes back to the worker, which kills it (killLeftovers).
	becomeSubreaper()
	// Non-blocking descriptors go through the runtime's poller: a reader
	// parked there does not hold a thread and its P in a read(2) while the
	// goroutine it woke waits to run. No other process shares these
	// descriptions (the scheduler closed its copies, commands get none).
	_ = unix.SetNonblock(3, true)
	_ = unix.SetNonblock(4, true)
	p := &workerProcess{ppid: os.Getppid()}
	p.cond = sync.NewCond(&p.mu)
	p.out.w = os.NewFile(4, "sched-results")
	thisWorker.Store(p)

	sigs := make(chan os.Signal, 4)
	signal.Notify(sigs, termSignals...)
	// SIGQUIT (KillWorkers) stops the worker, rather than make the Go
	// runtime dump every worker's goroutines on the shared stderr.
	signal.Notify(sigs, syscall.SIGQUIT)
	go p.handleSignals(sigs)

	go p.readFrames(os.NewFile(3, "sched-tasks"))
	if err := p.out.writeReady(); err != nil {
		exitGroup()
	}
	for {
		c := p.take()
		announced := false
		for c != nil {
			c, announced = p.run(c, announced), true
		}
	}
}

// take waits for a task that may start (one received, and no held result
// the scheduler has not handled), and makes it the current one.
func (p *workerProcess) take() *WorkerContext {
	p.mu.Lock()
	defer p.mu.Unlock()
	for len(p.waiting) == 0 || p.gate != 0 {
		p.cond.Wait()
	}
	c := p.popWaitingLocked()
	p.current = c
	return c
}

// popWaitingLocked takes the first waiting task.
func (p *workerProcess) popWaitingLocked() *WorkerContext {
	c := p.waiting[0]
	p.waiting[0] = nil
	p.waiting = p.waiting[1:]
	return c
}

// taskLocked finds a task received and not finished by its id.
func (p *workerProcess) taskLocked(id uint64) *WorkerContext {
	if p.current != nil && p.current.id == id {
		return p.current
	}
	for _, c := range p.waiting {
		if c.id == id {
			return c
		}
	}
	return nil
}

// withdraw drops a task sent ahead if it has not started, and says so.
func (p *workerProcess) withdraw(id uint64) {
	p.mu.Lock()
	i := slices.IndexFunc(p.waiting, func(c *WorkerContext) bool { return c.id == id })
	if i < 0 {
		// Started (or never here): it runs and answers as any task.
		p.mu.Unlock()
		return
	}
	p.waiting = slices.Delete(p.waiting, i, i+1)
	p.tasks--
	p.mu.Unlock()
	if err := p.out.writeID(frameWithdrawn, id); err != nil {
		exitGroup() // the scheduler is gone
	}
}

// closeOnExecFrom marks every descriptor >= from close-on-exec.
func closeOnExecFrom(from int) {
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		unix.CloseOnExec(3)
		unix.CloseOnExec(4)
		return
	}
	for _, e := range ents {
		if fd, err := strconv.Atoi(e.Name()); err == nil && fd >= from {
			unix.CloseOnExec(fd)
		}
	}
}

// exitGroup kills the worker's process group, the worker included. It is
// how a worker ends when its scheduler is gone or the protocol broke: no
// process started by its tasks outlives it.
func exitGroup() {
	killLeftovers(0)
	_ = unix.Kill(0, unix.SIGKILL)
	os.Exit(1) // not reached
}

// exitNormally ends a worker that its scheduler told to exit, with code
// 0, so that the scheduler does not take its end for a kill. It ends the
// processes its tasks left that escaped its group (killLeftovers, one
// system call when there are none). What its tasks left running in its
// process group is not its to find: the
// scheduler kills the group as soon as the worker's result pipe closes,
// while the exited worker, not yet reaped, still holds the group's number.
// (Looking for the group's processes here meant reading the stat of every
// process of the machine at the end of every build.)
func exitNormally() {
	// Those that left the group are the worker's to end: the scheduler's
	// kill of the group misses them.
	killLeftovers(leftoverGrace)
	// Not os.Exit: a worker has nothing to flush, and the race detector's
	// exit hook would make each worker take a second to end.
	unix.Exit(0)
}

// handleSignals ends the worker when a signal says the scheduler died
// (Pdeathsig). SIGQUIT stops the worker: the running task's Done closes,
// and the worker exits normally once the task's result is written (at once
// if it has no task). Other signals are the task's TermSignal, which the
// scheduler also sends as a frame for the right task.
func (p *workerProcess) handleSignals(sigs <-chan os.Signal) {
	for sig := range sigs {
		if os.Getppid() != p.ppid {
			exitGroup()
		}
		if sig != syscall.SIGQUIT {
			continue
		}
		p.mu.Lock()
		p.quitting = true
		c, busy := p.current, p.tasks > 0
		p.mu.Unlock()
		if c != nil {
			c.term(syscall.SIGQUIT)
		}
		if !busy {
			exitNormally()
		}
	}
}

// readFrames reads the scheduler's frames: tasks go to the main goroutine,
// messages to the running task's mailbox. EOF ends the worker.
func (p *workerProcess) readFrames(in io.Reader) {
	fr := newFrameReader(in)
	for {
		kind, body, err := fr.next()
		if err != nil {
			if err != io.EOF {
				fmt.Fprintf(os.Stderr, "sched worker %d: reading tasks: %v\n", os.Getpid(), err)
				exitGroup()
			}
			if !p.retired || os.Getppid() != p.ppid {
				exitGroup() // the scheduler died
			}
			exitNormally() // the scheduler told this worker to exit
		}
		switch kind {
		case frameExit:
			p.retired = true
		case frameTask:
			id, name, payload, err := decodeTask(body)
			if err != nil {
				fmt.Fprintf(os.Stderr, "sched worker %d: bad task frame: %v\n", os.Getpid(), err)
				exitGroup()
			}
			c := newWorkerContext(p, id, name, payload)
			p.mu.Lock()
			p.waiting = append(p.waiting, c)
			p.tasks++
			p.cond.Signal()
			p.mu.Unlock()
		case frameWithdraw:
			id, _, err := cutUvarint(body)
			if err != nil {
				fmt.Fprintf(os.Stderr, "sched worker %d: bad withdraw frame: %v\n", os.Getpid(), err)
				exitGroup()
			}
			p.withdraw(id)
		case frameGo:
			id, _, err := cutUvarint(body)
			if err != nil {
				fmt.Fprintf(os.Stderr, "sched worker %d: bad go frame: %v\n", os.Getpid(), err)
				exitGroup()
			}
			p.mu.Lock()
			if p.gate == id {
				p.gate = 0
				p.cond.Broadcast()
			}
			p.mu.Unlock()
		case frameTerm:
			id, sig, err := decodeTerm(body)
			if err != nil {
				fmt.Fprintf(os.Stderr, "sched worker %d: bad term frame: %v\n", os.Getpid(), err)
				exitGroup()
			}
			p.mu.Lock()
			c := p.taskLocked(id) // current, or received and not started yet
			p.mu.Unlock()
			if c != nil {
				// Done first, then the signal: see run.term.
				c.term(sig)
				killGroup(os.Getpid(), sig)
			}
		case frameReply:
			id, req, ok, data, err := decodeReply(body)
			if err != nil {
				fmt.Fprintf(os.Stderr, "sched worker %d: bad reply frame: %v\n", os.Getpid(), err)
				exitGroup()
			}
			p.mu.Lock()
			c := p.current
			p.mu.Unlock()
			if c != nil && c.id == id {
				c.deliverReply(req, ok, data)
			}
		case frameMessage:
			id, msg, err := cutUvarint(body)
			if err != nil {
				fmt.Fprintf(os.Stderr, "sched worker %d: bad message frame: %v\n", os.Getpid(), err)
				exitGroup()
			}
			p.mu.Lock()
			c := p.taskLocked(id)
			p.mu.Unlock()
			if c != nil {
				c.deliver(msg)
			}
		default:
			fmt.Fprintf(os.Stderr, "sched worker %d: frame of unknown kind %d\n", os.Getpid(), kind)
			exitGroup()
		}
	}
}

// run runs one task and sends its result. A worker that SIGQUIT stopped
// runs no task and exits once it has answered. It returns the task sent
// ahead that starts in this one's place, already current, or nil: the
// choice is made, under the lock, as the result is written, so that a
// withdrawal either finds the task waiting or finds it started, and the
// result frame tells the scheduler which (resultNext).
//
// announced says that the result before it said it started (resultNext):
// it needs no frameStarted of its own.
func (p *workerProcess) run(c *WorkerContext, announced bool) *WorkerContext {
	p.mu.Lock()
	quitting := p.quitting
	p.mu.Unlock()
	if quitting {
		exitNormally()
	}
	if !announced {
		if err := p.out.writeStarted(c.id); err != nil {
			exitGroup() // the scheduler is gone
		}
	}
	value, err := c.call()
	// Forget the task before answering.
	p.mu.Lock()
	p.current = nil
	p.mu.Unlock()
	c.finish()
	// The task is over, and so must be what it started (a worker runs
	// one task at a time): its end is the end of its processes.
	killLeftovers(leftoverGrace)
	var status byte
	if err != nil {
		value = []byte(err.Error())
	} else {
		status = resultOK
	}
	var next *WorkerContext
	p.mu.Lock()
	switch {
	case c.held.Load():
		p.gate = c.id
		status |= resultHeld
	case len(p.waiting) > 0 && !p.quitting:
		next = p.popWaitingLocked()
		p.current = next
		status |= resultNext
	}
	err = p.out.writeResult(c.id, status, value)
	p.mu.Unlock()
	if err != nil {
		exitGroup() // the scheduler is gone
	}
	p.mu.Lock()
	p.tasks--
	quitting = p.quitting
	p.mu.Unlock()
	if quitting && next == nil {
		exitNormally()
	}
	return next
}

// CurrentWorker returns the context of the task running in this worker
// process, for code that was not handed it; false outside a task or outside
// a worker.
func CurrentWorker() (*WorkerContext, bool) {
	p := thisWorker.Load()
	if p == nil {
		return nil, false
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.current, p.current != nil
}

// WorkerSend sends msg to the scheduler from this worker process, outside
// any task: Options.OnMessage receives it. It is for code that runs beside
// tasks (a goroutine a task left behind, a hook at the end of a task) and
// fails outside a worker process. msg may be reused when it returns.
func WorkerSend(msg []byte) error {
	p := thisWorker.Load()
	if p == nil {
		return fmt.Errorf("sched: WorkerSend: this process is not a worker")
	}
	if err := p.out.writeMessage(0, msg); err != nil {
		return fmt.Errorf("sched: WorkerSend: %w", err)
	}
	return nil
}

// WorkerContext is a running task as seen from its worker process: the task
// function receives it to talk to the scheduler and to learn that it should
// stop.
type WorkerContext struct {
	p       *workerProcess
	id      uint64
	name    string
	payload []byte

	done     chan struct{} // closed on TermSignal
	termOnce sync.Once
	sig      atomic.Int32
	ended    chan struct{} // closed when the task function returned
	finished atomic.Bool

	held atomic.Bool // Hold: the worker starts nothing more until the scheduler has the result

	recv    chan []byte
	boxMu   sync.Mutex
	box     [][]byte // messages waiting for room in recv, in order
	pumping bool     // a goroutine is moving box into recv

	reqMu   sync.Mutex
	nextReq uint64
	replies map[uint64]chan reply // requests waiting for an answer
}

// recvBuffer is how many messages wait in Receive's channel before they
// queue in an unbounded mailbox (the reader never blocks on a slow task).
const recvBuffer = 16

func newWorkerContext(p *workerProcess, id uint64, name string, payload []byte) *WorkerContext {
	return &WorkerContext{
		p: p, id: id, name: name, payload: payload,
		done:  make(chan struct{}),
		ended: make(chan struct{}),
		recv:  make(chan []byte, recvBuffer),
	}
}

// call runs the task function, turning a panic into an error.
func (c *WorkerContext) call() (value []byte, err error) {
	fn, ok := lookup(c.name)
	if !ok {
		return nil, fmt.Errorf("sched: unknown task function %q (not registered with sched.Register)", c.name)
	}
	defer func() {
		if v := recover(); v != nil {
			value, err = nil, fmt.Errorf("task %s panicked: %v\n%s", c.name, v, debug.Stack())
		}
	}()
	return fn(c, c.payload)
}

func (c *WorkerContext) finish() {
	c.finished.Store(true)
	close(c.ended)
}

func (c *WorkerContext) term(sig syscall.Signal) {
	c.termOnce.Do(func() {
		c.sig.Store(int32(sig))
		close(c.done)
	})
}

// deliver queues a message from the scheduler, never blocking the reader.
func (c *WorkerContext) deliver(msg []byte) {
	c.boxMu.Lock()
	defer c.boxMu.Unlock()
	if !c.pumping {
		select {
		case c.recv <- msg:
			return
		default:
		}
		c.pumping = true
		go c.pump()
	}
	c.box = append(c.box, msg)
}

// pump moves queued messages into recv, in order, until the box is empty or
// the task has ended.
func (c *WorkerContext) pump() {
	for {
		c.boxMu.Lock()
		if len(c.box) == 0 {
			c.pumping = false
			c.boxMu.Unlock()
			return
		}
		msg := c.box[0]
		c.box[0] = nil
		c.box = c.box[1:]
		c.boxMu.Unlock()
		select {
		case c.recv <- msg:
		case <-c.ended:
			return
		}
	}
}

// Send sends msg to the scheduler, where the task's OnMessage receives it.
// It may be called from any goroutine while the task runs; it fails once
// the task function has returned. msg may be reused when Send returns.
func (c *WorkerContext) Send(msg []byte) error {
	if c.finished.Load() {
		return fmt.Errorf("sched: send from task %d: the task has finished", c.id)
	}
	if err := c.p.out.writeMessage(c.id, msg); err != nil {
		return fmt.Errorf("sched: send from task %d: %w", c.id, err)
	}
	return nil
}

// Hold makes the worker start no other task after this one (not even one
// sent ahead, Options.Ahead) until the scheduler has handled this task's
// result and called its OnEnd: a handler that stops the work on a failure
// (Clear, Stop) then withdraws the task sent ahead before it can start.
// A task calls it when its outcome may be such a failure.
func (c *WorkerContext) Hold() { c.held.Store(true) }

// Receive returns the channel of the messages the scheduler sends to this
// task (SchedulerContext.Send), in order.
func (c *WorkerContext) Receive() <-chan []byte { return c.recv }

// Done returns a channel closed when the scheduler sent the task its
// TermSignal (TermTimeout or Stop): the task should wrap up and return. The
// signal also went to every process the task started.
func (c *WorkerContext) Done() <-chan struct{} { return c.done }

// Signal returns the signal that closed Done, or 0 while Done is open.
func (c *WorkerContext) Signal() syscall.Signal { return syscall.Signal(c.sig.Load()) }
