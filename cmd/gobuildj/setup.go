package main

import (
	"fmt"
	"io"
	"os"

	"github.com/gobuildj/gobuildj/console"
	"github.com/gobuildj/gobuildj/engine"
	"github.com/gobuildj/gobuildj/engine/admit"
	"github.com/gobuildj/gobuildj/graph"
)

// session is what a build and a watch session set up alike from their
// flags: the loaded graph, the printer on stdout, the log of the last
// build, and the engine options the flags give.
type session struct {
	g       *graph.Graph
	printer *console.Printer
	lastLog *console.LastLog
	opts    engine.Options
	// stopWidth stops following the terminal's width, if it is followed.
	stopWidth func()
	// startDir is the working folder gobuildj started in (before -C).
	startDir string
}

// newSession checks the flags the two commands share, loads the
// Buildfile (saving a snapshot for the next load when snapshot is set) and
// sets up how the build is shown.
func newSession(f buildFlags, stdout io.Writer, snapshot bool) (*session, error) {
	if f.jobs < 1 {
		return nil, usageError{fmt.Errorf("-j %d: expected a number of jobs of at least 1", f.jobs)}
	}
	if f.maxLoad < 0 {
		return nil, usageError{fmt.Errorf("-l %g: expected a load average of at least 0 (0: no limit)", f.maxLoad)}
	}
	js := admit.JobserverMode(f.jobserver)
	switch js {
	case admit.JobserverPipe, admit.JobserverFifo, admit.JobserverNone:
	default:
		return nil, usageError{fmt.Errorf("--jobserver %q: expected pipe, fifo or none", f.jobserver)}
	}
	startDir, err := os.Getwd()
	if err != nil {
		return nil, fmt.Errorf("working folder: %w", err)
	}
	g, err := loadGraphFor(f, snapshot)
	if err != nil {
		return nil, err
	}
	sandboxed, err := sandboxMode(f.sandbox, g, f.stderr)
	if err != nil {
		return nil, err
	}
	live, color, width, err := terminalMode(stdout, f.color)
	if err != nil {
		return nil, err
	}
	printer := console.New(stdout, live, color, width)
	printer.SetQuiet(f.quiet)
	if spec, ok := os.LookupEnv("GOBUILDJ_STATUS"); ok {
		if err := printer.SetStatusFormat(spec); err != nil {
			return nil, usageError{fmt.Errorf("GOBUILDJ_STATUS %q: %w", spec, err)}
		}
	}
	stopWidth := func() {}
	var resized <-chan os.Signal
	if f.client != nil {
		resized = f.client.resized
	}
	if file, ok := stdout.(fdWriter); ok && live {
		stopWidth = followWidth(file, printer, resized)
	}
	if os.Getenv("GITHUB_ACTIONS") == "true" {
		workspace := os.Getenv("GITHUB_WORKSPACE")
		if workspace == "" {
			workspace = startDir
		}
		printer.EnableGitHubActions(workspace)
	}
	parent := inheritJobserver(&f, js, printer)
	s := &session{
		g:         g,
		printer:   printer,
		lastLog:   console.NewLastLog(g.Root, g.File, printer.Message),
		startDir:  startDir,
		stopWidth: stopWidth,
		opts: engine.Options{
			Jobs:          f.jobs,
			MaxLoad:       f.maxLoad,
			KeepGoing:     f.keepGoing,
			Retries:       f.retries,
			Sandbox:       sandboxed,
			Force:         f.force,
			Verbose:       f.verbose,
			Explain:       f.explain,
			KeepStale:     f.keepStale,
			Trace:         f.traceDeps,
			KillGrace:     f.killGrace,
			Jobserver:     js,
			MakeJobserver: parent,
		},
	}
	if c := f.client; c != nil {
		s.opts.Stdin, s.opts.Stdout, s.opts.Stderr = c.stdin, c.stdout, c.stderr
		s.opts.Stat = c.stat
	}
	return s, nil
}

// close closes the last build's log, if a build that failed before its
// end left it open, and stops following the terminal's width.
func (s *session) close() {
	s.lastLog.Close()
	s.stopWidth()
}
