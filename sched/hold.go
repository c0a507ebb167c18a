package sched

import "sync"

// Hold keeps Run running while it has nothing to do, until the returned
// release is called: for a long-lived program, such as a file watcher, that
// adds work from outside the handlers (AddTask, or OnDelay to run code on
// Run's goroutine) whenever something happens. The workers stay up in the
// meantime, so a task added later starts without spawning one. Hold may be
// called from any goroutine, before or during Run; release may be called
// more than once, from any goroutine, and only the first call counts. Stop
// and Kill do not release holds: Run returns once every hold is released
// and the running tasks are over.
func (s *Scheduler) Hold() (release func()) {
	s.mu.Lock()
	s.holds++
	s.mu.Unlock()
	var once sync.Once
	return func() {
		once.Do(func() {
			s.mu.Lock()
			s.holds--
			s.mu.Unlock()
			s.poke()
		})
	}
}
