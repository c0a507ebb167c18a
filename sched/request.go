package sched

import (
	"errors"
	"fmt"
	"sync/atomic"
)

// Request is a question a task asked the scheduler with
// WorkerContext.Request, as OnRequest receives it: a free port, a job token,
// a lease on a shared resource. The task waits until it is answered, so it
// must be answered exactly once, with Reply or Fail; the answer may come
// later and from any goroutine (when a token comes back).
type Request struct {
	// Body is the question, as the task sent it.
	Body []byte

	ctx      *SchedulerContext
	req      uint64
	answered atomic.Bool
}

// Context returns the running task that asked.
func (r *Request) Context() *SchedulerContext { return r.ctx }

// Reply answers the request with answer; WorkerContext.Request returns it.
// It fails if the request was already answered or the task has finished.
func (r *Request) Reply(answer []byte) error { return r.answer(true, answer) }

// Fail answers the request with an error; WorkerContext.Request returns an
// error with its text.
func (r *Request) Fail(err error) error { return r.answer(false, []byte(err.Error())) }

func (r *Request) answer(ok bool, body []byte) error {
	if r.answered.Swap(true) {
		return errors.New("sched: request answered twice")
	}
	c := r.ctx
	if c.finished.Load() {
		return fmt.Errorf("sched: answer to worker %d: task %d has finished", c.w.pid, c.id)
	}
	if err := c.w.fw.writeReply(c.id, r.req, ok, body); err != nil {
		return fmt.Errorf("sched: answer to worker %d: %w", c.w.pid, err)
	}
	return nil
}

// handleRequest hands a task's request to its OnRequest handler (or
// Options.OnRequest), or fails it when there is none.
func (r *run) handleRequest(w *worker, body []byte) {
	id, reqID, data, err := decodeRequest(body)
	if err != nil {
		return
	}
	rt := w.task
	if rt == nil || rt.ctx.id != id {
		// The task has ended: nobody waits for the answer.
		return
	}
	req := &Request{Body: data, ctx: &rt.ctx, req: reqID}
	handler := rt.t.OnRequest
	if handler == nil {
		handler = r.s.opts.OnRequest
	}
	if handler == nil {
		_ = req.Fail(fmt.Errorf("sched: task %s made a request but neither Task.OnRequest nor Options.OnRequest is set", rt.t.Func))
		return
	}
	handler(&rt.ctx, req)
}

// reply is an answer to a request, in the worker.
type reply struct {
	ok   bool
	data []byte
}

// Request asks the scheduler a question (the task's OnRequest, or
// Options.OnRequest, answers it) and waits for the answer. It returns an
// error if the scheduler failed the request, or if the task is told to stop
// (Done closes) before the answer comes. It may be called from any
// goroutine while the task runs.
func (c *WorkerContext) Request(body []byte) ([]byte, error) {
	if c.finished.Load() {
		return nil, fmt.Errorf("sched: request from task %d: the task has finished", c.id)
	}
	ch := make(chan reply, 1)
	c.reqMu.Lock()
	c.nextReq++
	reqID := c.nextReq
	if c.replies == nil {
		c.replies = map[uint64]chan reply{}
	}
	c.replies[reqID] = ch
	c.reqMu.Unlock()
	defer func() {
		c.reqMu.Lock()
		delete(c.replies, reqID)
		c.reqMu.Unlock()
	}()
	if err := c.p.out.writeRequest(c.id, reqID, body); err != nil {
		return nil, fmt.Errorf("sched: request from task %d: %w", c.id, err)
	}
	select {
	case rep := <-ch:
		if !rep.ok {
			return nil, fmt.Errorf("sched: request refused: %s", rep.data)
		}
		return rep.data, nil
	case <-c.done:
		return nil, fmt.Errorf("sched: request abandoned: the task was sent %s", SignalName(c.Signal()))
	}
}

// deliverReply hands the scheduler's answer to the waiting Request.
func (c *WorkerContext) deliverReply(reqID uint64, ok bool, data []byte) {
	c.reqMu.Lock()
	ch := c.replies[reqID]
	c.reqMu.Unlock()
	if ch != nil {
		ch <- reply{ok, data} // buffered, one answer per request
	}
}
