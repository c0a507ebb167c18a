package sched

import (
	"time"

	"golang.org/x/sys/unix"
)

// prestarted are worker processes started before Run (Prestart), with the
// spawner whose thread started them.
type prestarted struct {
	spawner *spawner
	done    chan struct{} // closed when the processes are started
	workers []*worker
	err     error
}

// Prestart starts up to n worker processes now, in the background, for
// the next Run: a worker is a fresh process of the program, which takes a
// few milliseconds to start, and a caller that knows it will run tasks
// (a build that found a target to rebuild while it goes on checking the
// others) can have them ready by then. Run adopts them as idle workers.
// A caller that ends up not calling Run must call Discard. Prestart does
// nothing after the first call or once Run has begun.
func (s *Scheduler) Prestart(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.pre != nil || s.active || n <= 0 {
		return
	}
	n = min(n, s.jobs)
	p := &prestarted{spawner: newSpawner(), done: make(chan struct{})}
	s.pre = p
	go func() {
		defer close(p.done)
		for range n {
			w, err := p.spawner.spawn(&s.opts)
			if err != nil {
				p.err = err
				return
			}
			p.workers = append(p.workers, w)
		}
	}()
}

// adoptPrestarted makes the workers of Prestart idle workers of run r. A
// worker that failed to start is left to r, which starts its own.
func (r *run) adoptPrestarted() {
	s := r.s
	s.mu.Lock()
	p := s.pre
	s.pre = nil
	s.mu.Unlock()
	if p == nil {
		return
	}
	<-p.done
	r.spawner = p.spawner
	for _, w := range p.workers {
		r.workers = append(r.workers, w)
		r.idle = append(r.idle, w)
		s.mu.Lock()
		s.live = append(s.live, w)
		s.eventLocked(time.Now(), EventWorkerStarted, w.pid, nil, "")
		s.mu.Unlock()
		go r.read(w)
	}
}

// Discard ends the workers that Prestart started if no Run adopted them:
// they are told to exit (each then kills its process group) and reaped,
// killed after Options.WorkerKillTimeout if they do not exit. It is
// harmless without Prestart or after a Run.
func (s *Scheduler) Discard() {
	s.mu.Lock()
	p := s.pre
	s.pre = nil
	s.mu.Unlock()
	if p == nil {
		return
	}
	<-p.done
	for _, w := range p.workers {
		_ = w.fw.writeExit()
		w.toWorker.Close()
	}
	for _, w := range p.workers {
		exited := make(chan struct{})
		go func() {
			w.proc.Wait()
			close(exited)
		}()
		if d := orDefault(s.opts.WorkerKillTimeout); d > 0 {
			select {
			case <-exited:
			case <-time.After(d):
				killGroup(w.pid, unix.SIGKILL)
				<-exited
			}
		} else {
			<-exited
		}
		w.fromWorker.Close()
	}
	p.spawner.stop()
}
