package main

import (
	"math"
	"runtime"
	"runtime/debug"
	"sync"

	"github.com/gobuildj/gobuildj/event"
)

// startupHeapLimit is the heap size at which the garbage collector runs
// anyway while it is off for the start of a build (a huge Buildfile).
const startupHeapLimit = 128 << 20

// pauseGC turns the garbage collector off for the start of a build: loading
// the graph and checking what is up to date allocate a lot that stays live
// (the graph, the state) and little garbage, so a collection there costs
// time and frees nothing. A build with nothing to run ends before the
// collector would matter. The returned function turns it back on (GOGC as
// the environment set it), for the long part where commands run.
//
// While commands run, a soft memory limit (runHeapLimit, or 1.5 times the
// heap when the collector comes back on, whichever is larger) keeps the
// heap from doubling its live size between collections as GOGC=100 lets it:
// a 50,000-target build then stays well under 200 MiB. GOMEMLIMIT, if set,
// is kept instead.
func pauseGC() (resume func()) {
	percent := debug.SetGCPercent(-1)
	limit := debug.SetMemoryLimit(startupHeapLimit)
	var once sync.Once
	return func() {
		once.Do(func() {
			if limit == math.MaxInt64 { // GOMEMLIMIT not set
				var ms runtime.MemStats
				runtime.ReadMemStats(&ms)
				limit = max(runHeapLimit, int64(ms.HeapAlloc/2*3))
			}
			debug.SetMemoryLimit(limit)
			debug.SetGCPercent(percent)
		})
	}
}

// runHeapLimit is the least soft memory limit while commands run.
const runHeapLimit = 160 << 20

// resumeGCOnPlan is a Listener that turns the garbage collector back on when
// the build knows what it will run, before the first command starts.
type resumeGCOnPlan struct {
	event.Listener
	resume func()
}

func (s resumeGCOnPlan) Planned(total int) {
	s.resume()
	s.Listener.Planned(total)
}
