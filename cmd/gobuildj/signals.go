package main

import (
	"fmt"
	"io"
	"os"
	"sync"
)

// signalGate stands between the signals gobuildj catches (SIGINT, SIGTERM,
// SIGHUP) and the build. Until a build takes them over (Take), nothing
// acts on them: loading a Buildfile (a glob over a large tree), stating and
// hashing the inputs, can take seconds, and a Ctrl-C then must not wait
// for it. So, until Take, a signal ends gobuildj at once with exit code
// 130. Nothing is left half-written: the files gobuildj writes before its
// build starts (the graph snapshot, the state log's compaction) are
// written to a temporary file and renamed into place, and the state log
// is only appended to. After Take, signals go to the channel Signals
// returns, which the build reads: it stops its commands before it exits.
type signalGate struct {
	out    chan os.Signal
	stderr io.Writer
	exit   func(code int)
	// forward is set for a build of the build server: exit ends only the
	// client's wait, and the signal still stops the build once it starts.
	forward bool
	done    chan struct{}

	mu    sync.Mutex
	taken bool
}

// newSignalGate starts passing the signals of in through the gate. exit
// ends the process (os.Exit).
func newSignalGate(in <-chan os.Signal, stderr io.Writer, exit func(int)) *signalGate {
	g := &signalGate{out: make(chan os.Signal, 2), stderr: stderr, exit: exit, done: make(chan struct{})}
	go g.pass(in)
	return g
}

// newServerGate is the gate of a build the build server runs for a client:
// a signal before the build takes them over ends the client's wait (exit),
// and is passed on to the build, which stops as soon as it starts. Close
// ends it.
func newServerGate(in <-chan os.Signal, stderr io.Writer, exit func(int)) *signalGate {
	g := &signalGate{out: make(chan os.Signal, 2), stderr: stderr, exit: exit, forward: true, done: make(chan struct{})}
	go g.pass(in)
	return g
}

func (g *signalGate) pass(in <-chan os.Signal) {
	for {
		var sig os.Signal
		var ok bool
		select {
		case sig, ok = <-in:
			if !ok {
				return
			}
		case <-g.done:
			return
		}
		g.mu.Lock()
		taken := g.taken
		g.mu.Unlock()
		if !taken {
			fmt.Fprintf(g.stderr, "gobuildj: %v before the build started; stopping\n", sig)
			g.exit(exitInterrupted)
			if !g.forward {
				return
			}
		}
		select {
		case g.out <- sig:
		case <-g.done:
			return
		}
	}
}

// Close stops passing signals.
func (g *signalGate) Close() { close(g.done) }

// Take hands the signals to the build from now on: they arrive on Signals
// instead of ending the process. It may be called more than once.
func (g *signalGate) Take() {
	g.mu.Lock()
	g.taken = true
	g.mu.Unlock()
}

// Signals is the channel the signals arrive on once taken.
func (g *signalGate) Signals() <-chan os.Signal { return g.out }
