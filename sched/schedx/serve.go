package schedx

import (
	"context"
	"errors"
	"sync"

	"github.com/gobuildj/gobuildj/sched"
)

// ErrNoMoreTasks is what a Serve producer returns when there is no more
// work: Serve then returns once the tasks already produced have ended.
var ErrNoMoreTasks = errors.New("schedx: no more tasks")

// Serve runs a producer/consumer loop on s: whenever fewer than jobs of the
// tasks it produced are queued or running (pass s's Options.Jobs to keep
// every worker busy and nothing waiting; <= 0 means 1), it calls produce for
// the next task, which may block until work arrives; each task's outcome
// then goes to consume (after the task's own OnEnd, on the goroutine that
// calls it). Serve runs the scheduler (it calls s.Run, holding it with
// s.Hold while produce may produce) and returns when produce returned
// ErrNoMoreTasks and every task has ended.
//
// When ctx ends (for a clean shutdown on SIGINT, derive it with
// signal.NotifyContext), Serve stops producing and stops the scheduler:
// running tasks get their TermSignal, then SIGKILL after their grace, and
// their outcomes still reach consume; tasks still queued are dropped
// (s.Clear), and consume gets them too, with StateDropped. It then returns
// ctx's cause. A producer error other than ErrNoMoreTasks stops the
// scheduler the same way and is returned. produce runs on a goroutine of
// its own and must return when ctx ends.
func Serve(ctx context.Context, s *sched.Scheduler, jobs int,
	produce func(ctx context.Context) (*sched.Task, error), consume func(t *sched.Task, r sched.Result)) error {
	if jobs <= 0 {
		jobs = 1
	}
	release := s.Hold()
	var (
		mu       sync.Mutex
		inFlight int                      // produced and not ended
		room     = make(chan struct{}, 1) // a token after a task ended
	)
	var prodErr error
	producing := make(chan struct{})
	go func() {
		defer func() {
			close(producing)
			release()
		}()
		for {
			for {
				mu.Lock()
				n := inFlight
				mu.Unlock()
				if n < jobs {
					break
				}
				select {
				case <-room:
				case <-ctx.Done():
				}
				if ctx.Err() != nil {
					s.Stop()
					return
				}
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
			end := t.OnEnd
			t.OnEnd = func(r sched.Result) {
				if end != nil {
					end(r)
				}
				if consume != nil {
					consume(t, r)
				}
				mu.Lock()
				inFlight--
				mu.Unlock()
				select {
				case room <- struct{}{}:
				default:
				}
			}
			mu.Lock()
			inFlight++
			mu.Unlock()
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
