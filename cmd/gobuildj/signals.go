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

	mu    sync.Mutex
	taken bool
}

// newSignalGate starts passing the signals of in through the gate. exit
// ends the process (os.Exit).
func newSignalGate(in <-chan os.Signal, stderr io.Writer, exit func(int)) *signalGate {
	g := &signalGate{out: make(chan os.Signal, 2), stderr: stderr, exit: exit}
	go g.pass(in)
	return g
}

func (g *signalGate) pass(in <-chan os.Signal) {
	for sig := range in {
		g.mu.Lock()
		taken := g.taken
		g.mu.Unlock()
		if !taken {
			fmt.Fprintf(g.stderr, "gobuildj: %v before the build started; stopping\n", sig)
			g.exit(exitInterrupted)
			return
		}
		g.out <- sig
	}
}

// Take hands the signals to the build from now on: they arrive on Signals
// instead of ending the process. It may be called more than once.
func (g *signalGate) Take() {
	g.mu.Lock()
	g.taken = true
	g.mu.Unlock()
}

// Signals is the channel the signals arrive on once taken.
func (g *signalGate) Signals() <-chan os.Signal { return g.out }
