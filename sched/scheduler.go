package sched

import (
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// Task is a unit of work for a worker process: the registered function Func
// applied to Payload, with handlers that the scheduler calls as the task
// progresses, one at a time, on the goroutine that called Run. A Task must
// not be modified after it is given to AddTask.
type Task struct {
	Func    string // name given to Register
	Payload []byte // passed to the function in the worker

	// TermTimeout, if positive, sends TermSignal to the worker's process
	// group (the worker and everything its task started) when the task
	// has run this long.
	TermTimeout time.Duration
	// TermSignal is the signal of TermTimeout and Stop; 0 means SIGTERM.
	// The worker itself catches SIGTERM, SIGINT, SIGHUP, SIGUSR1 and
	// SIGUSR2 (they close WorkerContext.Done); another signal acts on the
	// worker as it would on any process.
	TermSignal syscall.Signal
	// KillTimeout, if positive, sends SIGKILL to the worker's process
	// group this long after TermSignal was sent, or, without TermTimeout,
	// this long after the task started. The task then fails with "worker
	// was killed by SIGKILL" and the worker is replaced.
	KillTimeout time.Duration

	// OnStart is called when the task has been sent to a worker; ctx can
	// send the task messages (data not known when it was queued).
	OnStart func(ctx *SchedulerContext)
	// OnMessage is called for each message the task sends; ctx can answer.
	OnMessage func(ctx *SchedulerContext, msg []byte)
	// OnTermTimeout is called when TermTimeout expires (not on Stop).
	OnTermTimeout func()
	// OnKillTimeout is called when the task's group is sent SIGKILL
	// because its KillTimeout (or Options.StopKillTimeout) expired.
	OnKillTimeout func()
	// OnFinish is called once with the task's outcome, unless the task was
	// still queued when Clear was called or when Run returned.
	OnFinish func(Result)
}

// Result is the outcome of a task.
type Result struct {
	// Value is what the task function returned, when Err is nil.
	Value []byte
	// Err is nil on success. Otherwise it is the task function's error (its
	// text), a *WorkerExitError when the worker died ("worker was killed by
	// SIGKILL", "worker exited with code 3"), or an error saying the task
	// could not be started (unknown function, no worker could be started).
	Err error
	// Worker is the process id of the worker that ran the task (0 if none).
	Worker int
	// Queued, Started and Finished are when the task was given to AddTask,
	// sent to a worker (zero if never) and when its outcome was known.
	Queued, Started, Finished time.Time
}

// Options configures a Scheduler.
type Options struct {
	// Jobs is the maximum number of tasks running at once, which is also
	// the maximum number of worker processes; <= 0 means 1.
	Jobs int
	// WorkerIdleTimeout, if positive, stops a worker that has had no task
	// for this long; it is replaced when needed.
	WorkerIdleTimeout time.Duration
	// WorkerKillTimeout is how long Run waits, once it is done, for its
	// workers to exit before it sends SIGKILL to their groups. 0 means 5s;
	// negative means never.
	WorkerKillTimeout time.Duration
	// StopKillTimeout is how long after Stop the group of a running task
	// that has no KillTimeout is sent SIGKILL. 0 means 5s; negative means
	// never.
	StopKillTimeout time.Duration
	// OnEmptyQueue is called when the queue is empty and a worker slot is
	// free; it may add tasks. It is called again only after a task ends.
	OnEmptyQueue func()
	// OnUnexpectedWorkerExit is called when a worker without a task exits
	// although it was not told to (a worker with a task fails the task
	// instead). status is as ProcessStatus gives it.
	OnUnexpectedWorkerExit func(pid int, status string)
	// Env is the workers' environment; nil means os.Environ() when each
	// worker starts.
	Env []string
	// ExtraFiles are open in every worker from fd 5 on: ExtraFiles[i] is
	// fd 5+i there. They are close-on-exec in the worker: pass them on to
	// a command explicitly (exec.Cmd.ExtraFiles, syscall.ProcAttr.Files).
	ExtraFiles []*os.File
	// Executable, if set, is the program workers run instead of this one:
	// another binary whose main hands control to WorkerMain, which may
	// register tasks this program does not link (a task it lacks fails
	// with an error from the worker).
	Executable string
}

const defaultKillTimeout = 5 * time.Second

// Scheduler runs tasks in a pool of worker processes, which are
// re-executions of the program itself (see WorkerMain). Tasks may be added
// at any time, from any goroutine, including from the handlers of other
// tasks; Run executes them, up to Options.Jobs at once.
type Scheduler struct {
	opts Options
	jobs int
	wake chan struct{} // a token wakes Run's loop after AddTask, Stop, Kill

	running atomic.Int64 // tasks in workers, written by Run's loop

	mu      sync.Mutex
	queue   []queuedTask
	stop    bool   // Stop or Kill: start nothing more until Run returns
	killGen uint64 // incremented by Kill
	active  bool   // Run is running
}

type queuedTask struct {
	t  *Task
	at time.Time
}

// New returns a Scheduler configured by opts.
func New(opts Options) *Scheduler {
	jobs := opts.Jobs
	if jobs <= 0 {
		jobs = 1
	}
	return &Scheduler{opts: opts, jobs: jobs, wake: make(chan struct{}, 1)}
}

// AddTask queues t. It may be called from any goroutine at any time: before
// Run, during Run (typically from a handler) or after (the task then waits
// for the next Run).
func (s *Scheduler) AddTask(t *Task) {
	now := time.Now()
	s.mu.Lock()
	s.queue = append(s.queue, queuedTask{t, now})
	s.mu.Unlock()
	s.poke()
}

// Stop makes the current Run (or the next one, if none is running) start no
// more tasks: queued tasks stay queued for a later Run. Every running task's
// group is sent its TermSignal now, and SIGKILL after its KillTimeout or,
// without one, after Options.StopKillTimeout. Run returns once no task is
// running. Stop may be called from any goroutine.
func (s *Scheduler) Stop() {
	s.mu.Lock()
	s.stop = true
	s.mu.Unlock()
	s.poke()
}

// Kill is Stop without the grace: every running task's group is sent SIGKILL
// now (the tasks fail with "worker was killed by SIGKILL"). It may be called
// from any goroutine.
func (s *Scheduler) Kill() {
	s.mu.Lock()
	s.stop = true
	s.killGen++
	s.mu.Unlock()
	s.poke()
}

// Clear drops every queued task; their OnFinish is not called. Running tasks
// are not affected.
func (s *Scheduler) Clear() {
	s.mu.Lock()
	s.queue = nil
	s.mu.Unlock()
}

// Running returns the number of tasks currently in workers.
func (s *Scheduler) Running() int { return int(s.running.Load()) }

// Queued returns the number of tasks waiting to start.
func (s *Scheduler) Queued() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.queue)
}

func (s *Scheduler) poke() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

func (s *Scheduler) pop() (queuedTask, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.queue) == 0 {
		return queuedTask{}, false
	}
	q := s.queue[0]
	s.queue[0] = queuedTask{}
	s.queue = s.queue[1:]
	return q, true
}

func (s *Scheduler) queueEmpty() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.queue) == 0
}

// SchedulerContext is a running task as seen from the scheduler: handlers
// receive it to talk to the task's worker.
type SchedulerContext struct {
	w        *worker
	id       uint64
	finished atomic.Bool
}

// Send sends msg to the task; the task function receives it from
// WorkerContext.Receive. Send may be called from any goroutine; it fails
// once the task has finished. msg may be reused when Send returns.
func (c *SchedulerContext) Send(msg []byte) error {
	if c.finished.Load() {
		return fmt.Errorf("sched: send to worker %d: task %d has finished", c.w.pid, c.id)
	}
	if err := c.w.fw.writeMessage(c.id, msg); err != nil {
		return fmt.Errorf("sched: send to worker %d: %w", c.w.pid, err)
	}
	return nil
}

// Pid returns the process id of the task's worker, which is also the id of
// the process group of everything the task started.
func (c *SchedulerContext) Pid() int { return c.w.pid }

// worker is a worker process as Run's loop sees it.
type worker struct {
	pid        int
	proc       *os.Process
	toWorker   *os.File // task pipe, write end: closing it tells the worker to exit
	fromWorker *os.File // result pipe, read end
	fw         frameWriter
	ready      bool           // the worker said it serves tasks
	pendingSig syscall.Signal // a TermSignal to send to the group once ready

	task      *runningTask // nil when idle
	exiting   bool         // told to exit: its exit is expected
	idleGen   uint64       // invalidates idle timers
	idleTimer *time.Timer
}

// runningTask is a task in a worker.
type runningTask struct {
	ctx       SchedulerContext
	t         *Task
	queued    time.Time
	started   time.Time
	termed    bool // TermSignal was sent
	termTimer *time.Timer
	killTimer *time.Timer
}

func (rt *runningTask) stopTimers() {
	if rt.termTimer != nil {
		rt.termTimer.Stop()
	}
	if rt.killTimer != nil {
		rt.killTimer.Stop()
	}
}

type eventKind uint8

const (
	evFrame       eventKind = iota // a message or result frame from a worker
	evExit                         // a worker exited and was reaped
	evTermTimeout                  // a task's TermTimeout expired
	evKillTimeout                  // a task's kill timer expired
	evIdle                         // a worker's idle timer expired
	evReady                        // a worker started serving tasks
)

// event is what reader goroutines and timers tell Run's loop.
type event struct {
	kind  eventKind
	w     *worker
	frame byte   // evFrame: kind of frame
	body  []byte // evFrame: frame body
	id    uint64 // timers: task id or idle generation
	ws    syscall.WaitStatus
	err   error // evExit: protocol or wait error
}

// run is the state of one call to Run, owned by its loop goroutine.
type run struct {
	s           *Scheduler
	events      chan event
	done        chan struct{} // closed when Run returns: late posts are dropped
	spawner     *spawner
	workers     []*worker // all live workers, including exiting ones
	idle        []*worker // workers without a task, most recently used last
	running     int
	stopped     bool
	killSeen    uint64
	emptyCalled bool
	nextID      uint64
	spawnErr    error
}

// Run starts queued tasks in workers, up to Options.Jobs at once, and calls
// their handlers, until the queue is empty and no task is running (after
// Stop or Kill: until no task is running). The workers are then told to exit
// and reaped. Run returns an error if it is already running or if a worker
// process could not be started (each task that needed it fails with that
// error).
func (s *Scheduler) Run() error {
	s.mu.Lock()
	if s.active {
		s.mu.Unlock()
		return errors.New("sched: Run called while another Run is in progress")
	}
	s.active = true
	killSeen := s.killGen
	s.mu.Unlock()

	r := &run{
		s:        s,
		events:   make(chan event, 64),
		done:     make(chan struct{}),
		killSeen: killSeen,
	}
	defer func() {
		if p := recover(); p != nil {
			r.abort()
			panic(p)
		}
	}()
	r.loop()
	r.shutdown()

	s.mu.Lock()
	s.active = false
	s.stop = false
	s.mu.Unlock()
	if r.spawnErr != nil {
		return fmt.Errorf("sched: %w", r.spawnErr)
	}
	return nil
}

func (r *run) loop() {
	for {
		r.startTasks()
		if r.running == 0 && (r.stopped || r.s.queueEmpty()) {
			return
		}
		select {
		case ev := <-r.events:
			r.handle(ev)
		case <-r.s.wake:
		}
	}
}

// post hands ev to the loop, or drops it if Run has returned.
func (r *run) post(ev event) {
	select {
	case r.events <- ev:
	case <-r.done:
	}
}

// checkRequests applies Stop and Kill.
func (r *run) checkRequests() {
	s := r.s
	s.mu.Lock()
	stop, killGen := s.stop, s.killGen
	s.mu.Unlock()
	if killGen != r.killSeen {
		r.killSeen = killGen
		r.stopped = true
		for _, w := range r.workers {
			if w.task != nil {
				killGroup(w.pid, unix.SIGKILL)
			}
		}
	}
	if stop && !r.stopped {
		r.stopped = true
		for _, w := range r.workers {
			if rt := w.task; rt != nil {
				r.term(w, rt)
				if rt.killTimer == nil {
					d := rt.t.KillTimeout
					if d <= 0 {
						d = orDefault(s.opts.StopKillTimeout)
					}
					r.armKill(w, rt, d)
				}
			}
		}
	}
}

func orDefault(d time.Duration) time.Duration {
	if d == 0 {
		return defaultKillTimeout
	}
	return d
}

// startTasks starts queued tasks while there are free slots. Handlers it
// calls may Stop or Kill: that is checked before each start.
func (r *run) startTasks() {
	for {
		r.checkRequests()
		if r.stopped || r.running >= r.s.jobs {
			return
		}
		q, ok := r.s.pop()
		if !ok {
			if r.emptyCalled || r.s.opts.OnEmptyQueue == nil {
				return
			}
			r.emptyCalled = true
			r.s.opts.OnEmptyQueue()
			continue
		}
		if _, ok := lookup(q.t.Func); !ok && r.s.opts.Executable == "" {
			r.fail(q, fmt.Errorf("sched: unknown task function %q (not registered with sched.Register)", q.t.Func))
			continue
		}
		w, err := r.worker()
		if err != nil {
			if r.spawnErr == nil {
				r.spawnErr = err
			}
			r.fail(q, err)
			continue
		}
		r.start(w, q)
	}
}

// fail finishes a task that never reached a worker.
func (r *run) fail(q queuedTask, err error) {
	if q.t.OnFinish != nil {
		q.t.OnFinish(Result{Err: err, Queued: q.at, Finished: time.Now()})
	}
}

// worker returns an idle worker, or a new one.
func (r *run) worker() (*worker, error) {
	if n := len(r.idle); n > 0 {
		w := r.idle[n-1]
		r.idle[n-1] = nil
		r.idle = r.idle[:n-1]
		if w.idleTimer != nil {
			w.idleTimer.Stop()
		}
		w.idleGen++
		return w, nil
	}
	if r.spawner == nil {
		r.spawner = newSpawner()
	}
	w, err := r.spawner.spawn(&r.s.opts)
	if err != nil {
		return nil, err
	}
	r.workers = append(r.workers, w)
	go r.read(w)
	return w, nil
}

// start sends q to w and arms its timers.
func (r *run) start(w *worker, q queuedTask) {
	r.nextID++
	rt := &runningTask{t: q.t, queued: q.at, started: time.Now()}
	rt.ctx.w, rt.ctx.id = w, r.nextID
	// A write error means the worker just died; its exit event will fail
	// the task with the reason.
	_ = w.fw.writeTask(rt.ctx.id, q.t.Func, q.t.Payload)
	w.task = rt
	r.running++
	r.s.running.Store(int64(r.running))
	r.emptyCalled = false
	if d := q.t.TermTimeout; d > 0 {
		id := rt.ctx.id
		rt.termTimer = time.AfterFunc(d, func() { r.post(event{kind: evTermTimeout, w: w, id: id}) })
	} else if d := q.t.KillTimeout; d > 0 {
		r.armKill(w, rt, d)
	}
	if q.t.OnStart != nil {
		q.t.OnStart(&rt.ctx)
	}
}

func (r *run) armKill(w *worker, rt *runningTask, d time.Duration) {
	if d <= 0 {
		return
	}
	id := rt.ctx.id
	rt.killTimer = time.AfterFunc(d, func() { r.post(event{kind: evKillTimeout, w: w, id: id}) })
}

// term sends the task's TermSignal to its group, once, and tells the task
// so (its Done channel closes). A worker that has not yet said it is ready
// may not catch the signal yet, and would die of it: its group gets the
// signal once it is ready.
func (r *run) term(w *worker, rt *runningTask) {
	if rt.termed {
		return
	}
	rt.termed = true
	if rt.termTimer != nil {
		rt.termTimer.Stop()
	}
	sig := rt.t.TermSignal
	if sig == 0 {
		sig = syscall.SIGTERM
	}
	_ = w.fw.writeTerm(rt.ctx.id, sig) // an error means the worker died: its exit is on the way
	if w.ready {
		killGroup(w.pid, sig)
	} else {
		w.pendingSig = sig
	}
}

// killGroup signals the process group led by pid. Errors are ignored: the
// only possible one is ESRCH, a group already gone.
func killGroup(pid int, sig syscall.Signal) {
	_ = unix.Kill(-pid, sig)
}

func (r *run) handle(ev event) {
	w := ev.w
	switch ev.kind {
	case evFrame:
		r.handleFrame(w, ev.frame, ev.body)
	case evExit:
		r.handleExit(w, ev)
	case evTermTimeout:
		if rt := w.task; rt != nil && rt.ctx.id == ev.id && !rt.termed {
			r.term(w, rt)
			r.armKill(w, rt, rt.t.KillTimeout)
			if rt.t.OnTermTimeout != nil {
				rt.t.OnTermTimeout()
			}
		}
	case evKillTimeout:
		if rt := w.task; rt != nil && rt.ctx.id == ev.id {
			killGroup(w.pid, unix.SIGKILL)
			if rt.t.OnKillTimeout != nil {
				rt.t.OnKillTimeout()
			}
		}
	case evReady:
		w.ready = true
		if w.pendingSig != 0 {
			killGroup(w.pid, w.pendingSig)
			w.pendingSig = 0
		}
	case evIdle:
		if w.task == nil && !w.exiting && w.idleGen == ev.id {
			r.retire(w)
		}
	}
}

func (r *run) handleFrame(w *worker, kind byte, body []byte) {
	rt := w.task
	switch kind {
	case frameMessage:
		id, msg, err := cutUvarint(body)
		if err == nil && rt != nil && rt.ctx.id == id && rt.t.OnMessage != nil {
			rt.t.OnMessage(&rt.ctx, msg)
		}
	case frameResult:
		id, ok, data, err := decodeResult(body)
		if err != nil || rt == nil || rt.ctx.id != id {
			return
		}
		if ok {
			r.finish(w, Result{Value: data})
		} else {
			r.finish(w, Result{Err: errors.New(string(data))})
		}
	}
}

// finish ends w's task with res.
func (r *run) finish(w *worker, res Result) {
	rt := w.task
	rt.stopTimers()
	rt.ctx.finished.Store(true)
	w.task = nil
	r.running--
	r.s.running.Store(int64(r.running))
	r.emptyCalled = false
	if !w.exiting && w.proc != nil {
		r.idle = append(r.idle, w)
		if d := r.s.opts.WorkerIdleTimeout; d > 0 {
			w.idleGen++
			gen := w.idleGen
			w.idleTimer = time.AfterFunc(d, func() { r.post(event{kind: evIdle, w: w, id: gen}) })
		}
	}
	res.Worker = w.pid
	res.Queued, res.Started, res.Finished = rt.queued, rt.started, time.Now()
	if rt.t.OnFinish != nil {
		rt.t.OnFinish(res)
	}
}

func (r *run) handleExit(w *worker, ev event) {
	r.remove(w)
	if w.task != nil {
		err := ev.err
		if err == nil {
			err = &WorkerExitError{Pid: w.pid, WaitStatus: ev.ws, NeverReady: !w.ready}
		}
		w.exiting = true // not idle any more
		r.finish(w, Result{Err: err})
		return
	}
	if !w.exiting && r.s.opts.OnUnexpectedWorkerExit != nil {
		status := ProcessStatus(ev.ws)
		if ev.err != nil {
			status = ev.err.Error()
		}
		r.s.opts.OnUnexpectedWorkerExit(w.pid, status)
	}
}

// remove forgets a worker that exited.
func (r *run) remove(w *worker) {
	if w.idleTimer != nil {
		w.idleTimer.Stop()
	}
	w.toWorker.Close()
	for i, x := range r.workers {
		if x == w {
			r.workers = append(r.workers[:i], r.workers[i+1:]...)
			break
		}
	}
	for i, x := range r.idle {
		if x == w {
			r.idle = append(r.idle[:i], r.idle[i+1:]...)
			break
		}
	}
}

// retire tells an idle worker to exit by closing its task pipe: the worker
// sees EOF and kills its own process group.
func (r *run) retire(w *worker) {
	w.exiting = true
	if w.idleTimer != nil {
		w.idleTimer.Stop()
	}
	w.toWorker.Close()
	for i, x := range r.idle {
		if x == w {
			r.idle = append(r.idle[:i], r.idle[i+1:]...)
			break
		}
	}
}

// read forwards w's frames to the loop until the worker is gone, then kills
// what is left of its process group and reaps it. The group is killed before
// the wait, while the dead worker's pid still names the group, so no
// process it started survives it and no unrelated group can be hit.
func (r *run) read(w *worker) {
	fr := newFrameReader(w.fromWorker)
	var protoErr error
	for {
		kind, body, err := fr.next()
		if err != nil {
			if err != io.EOF {
				protoErr = fmt.Errorf("sched: reading from worker %d: %w", w.pid, err)
			}
			break
		}
		switch kind {
		case frameReady:
			r.post(event{kind: evReady, w: w})
			continue
		case frameMessage, frameResult:
			r.post(event{kind: evFrame, w: w, frame: kind, body: body})
			continue
		}
		protoErr = fmt.Errorf("sched: worker %d sent a frame of unknown kind %d", w.pid, kind)
		break
	}
	killGroup(w.pid, unix.SIGKILL)
	ev := event{kind: evExit, w: w, err: protoErr}
	st, err := w.proc.Wait()
	if err != nil && protoErr == nil {
		ev.err = fmt.Errorf("sched: wait for worker %d: %w", w.pid, err)
	} else if err == nil {
		ev.ws, _ = st.Sys().(syscall.WaitStatus)
	}
	w.fromWorker.Close()
	r.post(ev)
}

// shutdown tells every worker to exit and waits until all are reaped,
// killing their groups after Options.WorkerKillTimeout.
func (r *run) shutdown() {
	for _, w := range r.workers {
		if !w.exiting {
			r.retire(w)
		}
	}
	var deadline <-chan time.Time
	if d := orDefault(r.s.opts.WorkerKillTimeout); d > 0 && len(r.workers) > 0 {
		t := time.NewTimer(d)
		defer t.Stop()
		deadline = t.C
	}
	for len(r.workers) > 0 {
		select {
		case ev := <-r.events:
			if ev.kind == evExit {
				r.remove(ev.w)
			}
		case <-deadline:
			deadline = nil
			r.killAll()
		case <-r.s.wake:
			r.s.mu.Lock()
			killGen := r.s.killGen
			r.s.mu.Unlock()
			if killGen != r.killSeen {
				r.killSeen = killGen
				r.killAll()
			}
		}
	}
	close(r.done)
	if r.spawner != nil {
		r.spawner.stop()
	}
}

func (r *run) killAll() {
	for _, w := range r.workers {
		killGroup(w.pid, unix.SIGKILL)
	}
}

// abort kills every worker when a handler panics; the reader goroutines
// still reap them.
func (r *run) abort() {
	r.killAll()
	for _, w := range r.workers {
		if w.idleTimer != nil {
			w.idleTimer.Stop()
		}
		if w.task != nil {
			w.task.stopTimers()
		}
		w.toWorker.Close()
	}
	close(r.done)
	// The spawner's thread must outlive the workers it started (their
	// Pdeathsig would fire early, which is harmless as they are being
	// killed); stopping it now is fine.
	if r.spawner != nil {
		r.spawner.stop()
	}
	r.s.mu.Lock()
	r.s.active = false
	r.s.stop = false
	r.s.mu.Unlock()
	r.s.running.Store(0)
}
