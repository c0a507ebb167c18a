package sched

import (
	"errors"
	"fmt"
	"io"
	"os"
	"sync/atomic"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// worker is a worker process as Run's loop sees it.
type worker struct {
	pid        int
	proc       *os.Process
	toWorker   *os.File // task pipe, write end: closing it tells the worker to exit
	fromWorker *os.File // result pipe, read end
	fw         frameWriter
	ready      bool // the worker said it serves tasks

	task      *taskRun // nil when idle
	next      *taskRun // sent ahead (Options.Ahead), not started yet
	exiting   bool     // told to exit: its exit is expected
	idleGen   uint64   // invalidates idle timers
	idleTimer *time.Timer

	signaled atomic.Bool // KillWorkers signalled it: its exit is expected
}

type eventKind uint8

const (
	evFrame       eventKind = iota // a message, request or result frame from a worker
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
	ahead       int // workers' next tasks
	stopped     bool
	killed      bool // Kill was seen
	killSeen    uint64
	emptyCalled bool
	nextID      uint64
	spawnErr    error
}

// Run starts queued tasks in workers, up to Options.Jobs at once, and calls
// their handlers, until the queue is empty, no task is running, no timer is
// active and no Hold keeps it alive (after Stop or Kill: the queue
// is left as it is). The workers are then told to exit and reaped. Run
// returns an error if it is already running or if a worker process could
// not be started (each task that needed it fails with that error).
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
	r.adoptPrestarted()
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
		r.deliver()
		r.startTasks()
		if r.running == 0 && r.ahead == 0 && r.s.settled(r.stopped) {
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

// deliver calls the handlers of what happened outside the loop: timers that
// are due, and tasks canceled in the queue.
func (r *run) deliver() {
	s := r.s
	for {
		s.mu.Lock()
		fired, canceled := s.fired, s.canceled
		s.fired, s.canceled = nil, nil
		s.mu.Unlock()
		if len(fired) == 0 && len(canceled) == 0 {
			return
		}
		for _, rt := range canceled {
			rt.end(Result{State: StateCanceled, Err: ErrCanceled, Finished: unixTime(rt.finishedNs.Load())})
		}
		for _, t := range fired {
			t.call()
		}
	}
}

// checkRequests applies Stop, Kill and Cancel.
func (r *run) checkRequests() {
	s := r.s
	s.mu.Lock()
	stop, killGen, cancels, withdraw := s.stop, s.killGen, s.cancels, s.withdraw
	s.cancels, s.withdraw = false, false
	s.mu.Unlock()
	if killGen != r.killSeen {
		r.killSeen = killGen
		r.stopped, r.killed = true, true
		for _, w := range r.workers {
			if w.task != nil {
				killGroup(w.pid, unix.SIGKILL)
			}
		}
		r.withdrawAll(false)
	}
	if stop && !r.stopped {
		r.stopped = true
		for _, w := range r.workers {
			if rt := w.task; rt != nil {
				r.termWithGrace(w, rt)
			}
		}
		r.withdrawAll(false)
	}
	if withdraw {
		r.withdrawAll(true)
	}
	if cancels {
		for _, w := range r.workers {
			if rt := w.task; rt != nil && rt.canceled.Load() {
				r.termWithGrace(w, rt)
			}
			if rt := w.next; rt != nil && rt.canceled.Load() {
				r.withdraw(w, false)
			}
		}
	}
}

// termWithGrace sends a running task its TermSignal and arms SIGKILL after
// its KillTimeout, or Options.StopKillTimeout without one.
func (r *run) termWithGrace(w *worker, rt *taskRun) {
	r.term(w, rt)
	if rt.killTimer == nil {
		d := rt.t.KillTimeout
		if d <= 0 {
			d = orDefault(r.s.opts.StopKillTimeout)
		}
		r.armKill(w, rt, d)
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
		if r.stopped {
			return
		}
		if r.occupied() >= r.s.jobs {
			r.sendAhead()
			return
		}
		rt, ok, empty := r.s.pop()
		if !ok {
			if !empty || r.emptyCalled || r.s.opts.OnEmptyQueue == nil {
				r.rebalance()
				r.sendAhead()
				return
			}
			r.emptyCalled = true
			r.s.opts.OnEmptyQueue()
			continue
		}
		if _, ok := lookup(rt.t.Func); !ok && r.s.opts.Executable == "" {
			r.fail(rt, fmt.Errorf("sched: unknown task function %q (not registered with sched.Register)", rt.t.Func))
			continue
		}
		w, err := r.worker()
		if err != nil {
			if r.spawnErr == nil {
				r.spawnErr = err
			}
			r.fail(rt, err)
			continue
		}
		r.start(w, rt)
	}
}

// fail finishes a task that never reached a worker.
func (r *run) fail(rt *taskRun, err error) {
	now := time.Now()
	state := StateFailed
	if rt.canceled.Load() {
		state, err = StateCanceled, fmt.Errorf("%w: %w", ErrCanceled, err)
	}
	r.s.mu.Lock()
	r.s.eventLocked(now, EventFailed, 0, rt.t, err.Error())
	r.s.mu.Unlock()
	rt.finishedNs.Store(now.UnixNano())
	rt.state.Store(int32(state))
	rt.end(Result{State: state, Err: err, Finished: now})
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
	r.s.mu.Lock()
	r.s.live = append(r.s.live, w)
	r.s.eventLocked(time.Now(), EventWorkerStarted, w.pid, nil, "")
	r.s.mu.Unlock()
	go r.read(w)
	return w, nil
}

// start sends rt to w, with the messages OnStart sent to it in a worker
// that died before it started the task, and arms its timers. A ready
// worker found dead (an idle worker killed, whose exit the loop has not
// seen yet) gets no task: rt goes back to the front of the queue, and w is
// left to its exit event.
func (r *run) start(w *worker, rt *taskRun) {
	r.nextID++
	t := rt.t
	rt.started = time.Now()
	c := &rt.ctx
	c.mu.Lock()
	c.w, c.id, c.task = w, r.nextID, t
	err := w.fw.writeTask(c.id, t.Func, t.Payload)
	for _, msg := range c.early {
		if err != nil {
			break
		}
		err = w.fw.writeMessage(c.id, msg)
	}
	c.mu.Unlock()
	if err != nil {
		if errors.Is(err, syscall.EPIPE) {
			if rt.canceled.Load() {
				r.fail(rt, errors.New("its worker died before it started"))
				return
			}
			if w.ready {
				r.s.requeue(rt)
				return
			}
			// A new worker that died at once: its exit event fails
			// the task with the reason.
		} else {
			// The task cannot be sent (too large): the worker is fine.
			r.makeIdle(w)
			r.fail(rt, fmt.Errorf("sched: send task to worker %d: %w", w.pid, err))
			return
		}
	}
	r.activate(w, rt, rt.started)
}

// activate makes rt, sent to w, its running task from at on: it counts
// against Jobs, its timers run from now, and OnStart is called. A task
// that starts after Stop or Kill (sent ahead, its worker started it before
// the withdrawal arrived) is stopped as the running tasks were.
func (r *run) activate(w *worker, rt *taskRun, at time.Time) {
	t := rt.t
	rt.started = at
	w.task = rt
	r.running++
	r.s.running.Store(int64(r.running))
	r.emptyCalled = false
	rt.startedNs.Store(rt.started.UnixNano())
	r.s.mu.Lock()
	r.s.eventLocked(rt.started, EventStarted, w.pid, t, "")
	r.s.mu.Unlock()
	if d := t.TermTimeout; d > 0 {
		id := rt.ctx.id
		rt.termTimer = time.AfterFunc(d, func() { r.post(event{kind: evTermTimeout, w: w, id: id}) })
	} else if d := t.KillTimeout; d > 0 {
		r.armKill(w, rt, d)
	}
	switch {
	case r.killed:
		killGroup(w.pid, unix.SIGKILL)
	case rt.canceled.Load() || r.stopped: // canceled or stopped while its worker started
		r.termWithGrace(w, rt)
	}
	if t.OnStart != nil && !rt.onStartCalled {
		rt.onStartCalled = true
		t.OnStart(&rt.ctx)
	}
}

func (r *run) armKill(w *worker, rt *taskRun, d time.Duration) {
	if d <= 0 {
		return
	}
	id := rt.ctx.id
	rt.killTimer = time.AfterFunc(d, func() { r.post(event{kind: evKillTimeout, w: w, id: id}) })
}

// term tells the task, once, to stop with its TermSignal. The worker closes
// the task's Done channel and only then sends the signal to its group: a
// command that catches the signal and exits well is seen as stopped, never
// followed by the task's next command. (Signalled from here, the command
// could end before the worker had read the frame.) A worker wedged past the
// signal is killed at KillTimeout.
func (r *run) term(w *worker, rt *taskRun) {
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
			rt.timedOut = true
			r.s.event(EventTermTimeout, w.pid, rt.t, "")
		}
	case evKillTimeout:
		if rt := w.task; rt != nil && rt.ctx.id == ev.id {
			killGroup(w.pid, unix.SIGKILL)
			r.s.event(EventKillTimeout, w.pid, rt.t, "")
		}
	case evReady:
		w.ready = true
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
		if err != nil {
			return
		}
		if rt == nil || rt.ctx.id != id {
			// Not from a task: from the worker process itself.
			if f := r.s.opts.OnMessage; f != nil {
				f(w.pid, msg)
			}
			return
		}
		if rt.t.OnMessage != nil {
			rt.t.OnMessage(&rt.ctx, msg)
		}
	case frameStarted:
		id, _, err := cutUvarint(body)
		if err != nil {
			return
		}
		if next := w.next; rt == nil && next != nil && next.ctx.id == id {
			// The worker started the task sent ahead after a result
			// that did not hand over to it (held, or sent while the
			// result was on its way).
			r.takeNext(w)
			r.activate(w, next, time.Now())
			rt = next
		}
		if rt == nil || rt.ctx.id != id || rt.acked {
			return
		}
		r.ack(rt)
	case frameRequest:
		r.handleRequest(w, body)
	case frameResult:
		id, status, data, err := decodeResult(body)
		if err != nil || rt == nil || rt.ctx.id != id {
			return
		}
		var res Result
		if status&resultOK != 0 {
			res.Value = data
		} else {
			res.Err = errors.New(string(data))
		}
		next := w.next
		if status&resultNext == 0 || next == nil {
			next = nil
		} else {
			// The worker started it in this task's place.
			r.takeNext(w)
			res.Next = next.t
		}
		r.finish(w, res)
		if next != nil {
			// The result said it started: no frameStarted follows.
			r.ack(next)
			r.activate(w, next, time.Now())
		}
		if status&resultHeld != 0 {
			// OnEnd may have cleared or stopped: the withdrawals go
			// before the word that the worker may go on.
			r.checkRequests()
			_ = w.fw.writeID(frameGo, id) // an error means the worker died: its exit is on the way
		}
	case frameWithdrawn:
		id, _, err := cutUvarint(body)
		if err != nil || w.next == nil || w.next.ctx.id != id {
			return
		}
		next := r.takeNext(w)
		if w.task == nil && !w.exiting && w.proc != nil {
			r.makeIdle(w)
		}
		r.giveBack(next)
	}
}

// ack notes that rt's worker started it: if the worker dies now, the task
// fails rather than go to another worker.
func (r *run) ack(rt *taskRun) {
	rt.acked = true
	rt.ctx.mu.Lock()
	rt.ctx.acked, rt.ctx.early = true, nil
	rt.ctx.mu.Unlock()
}

// makeIdle puts w, which has no task, among the idle workers.
func (r *run) makeIdle(w *worker) {
	r.idle = append(r.idle, w)
	if d := r.s.opts.WorkerIdleTimeout; d > 0 {
		w.idleGen++
		gen := w.idleGen
		w.idleTimer = time.AfterFunc(d, func() { r.post(event{kind: evIdle, w: w, id: gen}) })
	}
}

// unstart takes rt, which its worker w never started (it died first), off
// w and puts it back at the front of the queue.
func (r *run) unstart(w *worker, rt *taskRun) {
	rt.stopTimers()
	rt.termTimer, rt.killTimer = nil, nil
	rt.termed, rt.timedOut = false, false
	rt.requeues++
	w.task = nil
	r.running--
	r.s.running.Store(int64(r.running))
	r.s.requeue(rt)
}

// maxRequeues bounds how many times a task goes back to the queue because
// its worker died before it started it, against a worker that always dies
// on receiving it.
const maxRequeues = 3

// finish ends w's task with res.
func (r *run) finish(w *worker, res Result) {
	rt := w.task
	rt.stopTimers()
	rt.ctx.finished.Store(true)
	w.task = nil
	r.running--
	r.s.running.Store(int64(r.running))
	r.emptyCalled = false
	if !w.exiting && w.proc != nil && w.next == nil && res.Next == nil {
		r.makeIdle(w)
	}
	now := time.Now()
	res.Worker = w.pid
	res.Started, res.Finished = rt.started, now
	res.TimedOut = rt.timedOut
	state, kind := StateSucceeded, EventFinished
	switch {
	case rt.canceled.Load():
		state, kind = StateCanceled, EventCanceled
		if res.Err == nil {
			res.Err = ErrCanceled
		} else {
			res.Err = fmt.Errorf("%w: %w", ErrCanceled, res.Err)
		}
	case rt.timedOut:
		state, kind = StateFailed, EventFailed
		res.Err = &TimeoutError{After: rt.t.TermTimeout, Err: res.Err}
	case res.Err != nil:
		state, kind = StateFailed, EventFailed
	}
	rt.finishedNs.Store(now.UnixNano())
	rt.state.Store(int32(state))
	r.s.mu.Lock()
	if kind == EventFinished {
		r.s.eventLocked(now, kind, w.pid, rt.t, "")
	} else {
		r.s.eventLocked(now, kind, w.pid, rt.t, res.Err.Error())
	}
	r.s.mu.Unlock()
	res.State = state
	rt.end(res)
}

func (r *run) handleExit(w *worker, ev event) {
	r.remove(w)
	status := ProcessStatus(ev.ws)
	if ev.err != nil {
		status = ev.err.Error()
	}
	r.s.event(EventWorkerExited, w.pid, nil, status)
	if next := w.next; next != nil {
		// Sent ahead, never started: it runs elsewhere.
		r.takeNext(w)
		next.requeues++
		if next.requeues > maxRequeues {
			next.drop = false
			r.fail(next, &WorkerExitError{Pid: w.pid, WaitStatus: ev.ws, NeverReady: !w.ready})
		} else {
			r.giveBack(next)
		}
	}
	if rt := w.task; rt != nil && !rt.acked && w.ready && ev.err == nil &&
		rt.requeues < maxRequeues && !rt.canceled.Load() {
		// The worker died before it started the task (killed while
		// idle, before the loop saw it): the task runs elsewhere.
		r.unstart(w, rt)
		if !w.exiting && !w.signaled.Load() && r.s.opts.OnUnexpectedWorkerExit != nil {
			r.s.opts.OnUnexpectedWorkerExit(w.pid, status)
		}
		return
	}
	if w.task != nil {
		err := ev.err
		if err == nil {
			err = &WorkerExitError{Pid: w.pid, WaitStatus: ev.ws, NeverReady: !w.ready}
		}
		w.exiting = true // not idle any more
		r.finish(w, Result{Err: err})
		return
	}
	if !w.exiting && !w.signaled.Load() && r.s.opts.OnUnexpectedWorkerExit != nil {
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

// retire tells an idle worker to exit (frameExit, then EOF on its task pipe):
// it exits with code 0, and the scheduler kills what is left of its group.
func (r *run) retire(w *worker) {
	w.exiting = true
	if w.idleTimer != nil {
		w.idleTimer.Stop()
	}
	_ = w.fw.writeExit() // an error means the worker is gone already
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
// process it started survives it and no unrelated group can be hit; for the
// same reason the worker leaves the live list (KillWorkers) before the wait.
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
		case frameMessage, frameResult, frameRequest, frameStarted, frameWithdrawn:
			r.post(event{kind: evFrame, w: w, frame: kind, body: body})
			continue
		}
		protoErr = fmt.Errorf("sched: worker %d sent a frame of unknown kind %d", w.pid, kind)
		break
	}
	r.s.mu.Lock()
	killGroup(w.pid, unix.SIGKILL)
	for i, x := range r.s.live {
		if x == w {
			r.s.live = append(r.s.live[:i], r.s.live[i+1:]...)
			break
		}
	}
	r.s.mu.Unlock()
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
				r.s.event(EventWorkerExited, ev.w.pid, nil, ProcessStatus(ev.ws))
			}
		case <-deadline:
			deadline = nil
			r.killAll()
			if f := r.s.opts.OnWorkerKillTimeout; f != nil {
				f()
			}
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

// errAborted ends the tasks that were running when a handler panicked.
var errAborted = errors.New("sched: Run ended by a panic in a handler; the task's worker was killed")

// abort kills every worker when a handler panics; the reader goroutines
// still reap them.
func (r *run) abort() {
	r.killAll()
	var ended []*taskRun
	for _, w := range r.workers {
		if w.idleTimer != nil {
			w.idleTimer.Stop()
		}
		if rt := w.task; rt != nil {
			rt.stopTimers()
			rt.ctx.finished.Store(true)
			w.task = nil
			ended = append(ended, rt)
		}
		if rt := w.next; rt != nil {
			rt.ctx.finished.Store(true)
			w.next = nil
			ended = append(ended, rt)
		}
		w.toWorker.Close()
	}
	close(r.done)
	// The running tasks end with the run; OnEnd of the one whose handler
	// panicked may be the panicking call, and then runs no more.
	now := time.Now()
	r.s.mu.Lock()
	for _, rt := range ended {
		rt.finishedNs.Store(now.UnixNano())
		rt.state.Store(int32(StateFailed))
	}
	r.s.mu.Unlock()
	for _, rt := range ended {
		rt.end(Result{State: StateFailed, Err: errAborted, Started: rt.started, Finished: now})
	}
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
