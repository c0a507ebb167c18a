package main

import (
	"runtime/debug"
	"sync"

	"github.com/gobuildj/gobuildj/engine"
)

// startupHeapLimit is the heap size at which the garbage collector runs
// anyway while it is off for the start of a build (a huge Buildfile).
const startupHeapLimit = 192 << 20

// pauseGC turns the garbage collector off for the start of a build: loading
// the graph and checking what is up to date allocate a lot that stays live
// (the graph, the state) and little garbage, so a collection there costs
// time and frees nothing. A build with nothing to run ends before the
// collector would matter. The returned function turns it back on (GOGC as
// the environment set it), for the long part where commands run.
func pauseGC() (resume func()) {
	percent := debug.SetGCPercent(-1)
	limit := debug.SetMemoryLimit(startupHeapLimit)
	var once sync.Once
	return func() {
		once.Do(func() {
			debug.SetGCPercent(percent)
			debug.SetMemoryLimit(limit)
		})
	}
}

// resumeGCOnPlan is a Status that turns the garbage collector back on when
// the build knows what it will run, before the first command starts.
type resumeGCOnPlan struct {
	engine.Status
	resume func()
}

func (s resumeGCOnPlan) Planned(total int) {
	s.resume()
	s.Status.Planned(total)
}
