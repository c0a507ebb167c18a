package sched

import (
	"context"
	"errors"
)

// ErrNoMoreTasks is what a Serve producer returns when there is no more
// work: Serve then returns once the tasks already produced have ended.
var ErrNoMoreTasks = errors.New("sched: no more tasks")

// Serve runs a producer/consumer loop on the scheduler: whenever a worker
// slot is free (fewer than Options.Jobs tasks queued or running) it calls
// produce for the next task, which may block until work arrives; each
// task's outcome then goes to consume (after the task's own OnEnd, on the
// goroutine that calls it). Serve runs the scheduler (it calls Run) and returns
// when produce returned ErrNoMoreTasks and every task has ended.
//
// When ctx ends (for a clean shutdown on SIGINT, derive it with
// signal.NotifyContext), Serve stops producing and stops the scheduler:
// running tasks get their TermSignal, then SIGKILL after their grace, and
// their outcomes still reach consume; tasks still queued are dropped
// (Clear), and consume gets them too, with StateDropped. It then returns ctx's cause. A producer error other than
// ErrNoMoreTasks stops the scheduler the same way and is returned. produce
// runs on a goroutine of its own and must return when ctx ends.
func (s *Scheduler) Serve(ctx context.Context, produce func(ctx context.Context) (*Task, error), consume func(t *Task, r Result)) error {
	s.mu.Lock()
	s.holds++
	s.mu.Unlock()
	var prodErr error
	producing := make(chan struct{})
	go func() {
		defer func() {
			s.mu.Lock()
			s.holds--
			s.mu.Unlock()
			close(producing)
			s.poke()
		}()
		for {
			if err := s.waitRoom(ctx, func() bool { return s.busy < s.jobs }, func() {}); err != nil {
				s.Stop()
				return
			}
			t, err := produce(ctx)
			if errors.Is(err, ErrNoMoreTasks) {
				return
			}
			if err != nil || ctx.Err() != nil {
				if ctx.Err() == nil {
					prodErr = err
				}
				s.Stop()
				return
			}
			if consume != nil {
				end := t.OnEnd
				t.OnEnd = func(r Result) {
					if end != nil {
						end(r)
					}
					consume(t, r)
				}
			}
			s.AddTask(t)
		}
	}()
	runErr := s.Run()
	<-producing
	if prodErr != nil || ctx.Err() != nil {
		s.Clear()
	}
	switch {
	case runErr != nil:
		return runErr
	case prodErr != nil:
		return prodErr
	case ctx.Err() != nil:
		return context.Cause(ctx)
	}
	return nil
}
