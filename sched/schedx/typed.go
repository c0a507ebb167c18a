package schedx

import (
	"encoding/json"
	"fmt"

	"github.com/gobuildj/gobuildj/sched"
)

// Typed carries values of type T where package sched carries bytes:
// payloads, results, messages both ways, requests and their answers. Values
// are encoded as JSON, so T's exported fields travel (and a field that JSON
// cannot encode, such as a channel, is an error). It has no state: use
// Typed[T]{} where needed. The raw byte API stays the fast path; Typed is
// for the convenience of programs whose tasks are not counted in
// microseconds.
type Typed[T any] struct{}

// Encode returns v's encoding.
func (Typed[T]) Encode(v T) ([]byte, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("schedx: encode %T: %w", v, err)
	}
	return b, nil
}

// Decode returns the value encoded in b.
func (Typed[T]) Decode(b []byte) (T, error) {
	var v T
	if err := json.Unmarshal(b, &v); err != nil {
		return v, fmt.Errorf("schedx: decode %T: %w", v, err)
	}
	return v, nil
}

// ToWorker sends v to a running task (sched.SchedulerContext.Send).
func (c Typed[T]) ToWorker(ctx *sched.SchedulerContext, v T) error {
	b, err := c.Encode(v)
	if err != nil {
		return err
	}
	return ctx.Send(b)
}

// ToScheduler sends v from a task to its OnMessage (sched.WorkerContext.Send).
func (c Typed[T]) ToScheduler(ctx *sched.WorkerContext, v T) error {
	b, err := c.Encode(v)
	if err != nil {
		return err
	}
	return ctx.Send(b)
}

// Receive waits for the task's next message from the scheduler and decodes
// it. It fails if the task is told to stop (Done closes) first.
func (c Typed[T]) Receive(ctx *sched.WorkerContext) (T, error) {
	select {
	case b := <-ctx.Receive():
		return c.Decode(b)
	case <-ctx.Done():
		var zero T
		return zero, fmt.Errorf("schedx: receive abandoned: the task was sent %s", sched.SignalName(ctx.Signal()))
	}
}

// Reply answers a request with v (sched.Request.Reply).
func (c Typed[T]) Reply(req *sched.Request, v T) error {
	b, err := c.Encode(v)
	if err != nil {
		_ = req.Fail(err)
		return err
	}
	return req.Reply(b)
}

// Ask makes a request with question q and decodes the answer as an A
// (sched.WorkerContext.Request with Typed encodings).
func Ask[A, Q any](ctx *sched.WorkerContext, q Q) (A, error) {
	var zero A
	b, err := Typed[Q]{}.Encode(q)
	if err != nil {
		return zero, err
	}
	answer, err := ctx.Request(b)
	if err != nil {
		return zero, err
	}
	return Typed[A]{}.Decode(answer)
}

// RegisterFunc registers a task function that takes a P and returns an R
// (see sched.Register); the scheduler's side encodes the payload with
// Typed[P].Encode and decodes Result.Value with Typed[R].Decode. A payload
// that does not decode fails the task.
func RegisterFunc[P, R any](name string, fn func(ctx *sched.WorkerContext, p P) (R, error)) {
	sched.Register(name, func(ctx *sched.WorkerContext, payload []byte) ([]byte, error) {
		p, err := Typed[P]{}.Decode(payload)
		if err != nil {
			return nil, err
		}
		r, err := fn(ctx, p)
		if err != nil {
			return nil, err
		}
		return Typed[R]{}.Encode(r)
	})
}

// NewTask returns a task that runs the function registered as name (by
// RegisterFunc) on p. Set its handlers before giving it to the scheduler.
func NewTask[P any](name string, p P) (*sched.Task, error) {
	b, err := Typed[P]{}.Encode(p)
	if err != nil {
		return nil, err
	}
	return &sched.Task{Func: name, Payload: b}, nil
}
