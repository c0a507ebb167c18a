// Command gobuildj is a parallel build engine: it reads Buildfile.toml,
// skips what content hashes prove up to date, and runs the rest in a pool of
// worker processes.
package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/gobuildj/gobuildj/engine"
	"github.com/gobuildj/gobuildj/graph"
	"github.com/gobuildj/gobuildj/internal/launch"
	"github.com/gobuildj/gobuildj/sched"
)

// Exit codes, as SPEC section 4 fixes them.
const (
	exitOK          = 0
	exitFailed      = 1
	exitUsage       = 2
	exitInterrupted = 130
)

func main() {
	if launch.IsLauncher() {
		launch.Main()
	}
	if sched.IsWorker() {
		sched.WorkerMain()
	}
	interrupts := make(chan os.Signal, 2)
	// A closed terminal (SIGHUP) stops a build as Ctrl-C does: its commands
	// are stopped, not left running behind an exited gobuildj.
	signal.Notify(interrupts, syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP)
	// A build server of this workspace builds for this command if it can;
	// if not, the command builds by itself.
	if code, ok := buildThroughServer(os.Args[1:], interrupts, os.Stderr); ok {
		os.Exit(code)
	}
	// Until a build takes them over, they end gobuildj at once (exit 130).
	gate := newSignalGate(interrupts, os.Stderr, os.Exit)
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr, gate))
}

// run executes the command line args and returns the exit code.
func run(args []string, stdout, stderr io.Writer, gate *signalGate) int {
	return runFor(args, stdout, stderr, gate, nil)
}

// runFor is run for a client of the build server (client set): the build
// is shown on the client's terminal and commands get its stdin.
func runFor(args []string, stdout, stderr io.Writer, gate *signalGate, client *clientStdio) int {
	if args == nil {
		args = []string{} // nil would be the process's own arguments
	}
	cmd := newRootCommand(stdout, stderr, gate, client, args)
	cmd.SetArgs(args)
	err := cmd.Execute()
	if err == nil {
		return exitOK
	}
	code := exitCode(err)
	if !errors.Is(err, errReported) {
		fmt.Fprintf(stderr, "gobuildj: error: %v\n", err)
	}
	return code
}

// errReported marks an error whose story the build output already told.
var errReported = errors.New("reported")

// errOutOfDate is -q's answer that a build would run a command: exit 1,
// nothing printed.
var errOutOfDate = fmt.Errorf("%w: out of date", errReported)

// errMissingDeps is missingdeps' finding some: exit 1, the list printed.
var errMissingDeps = fmt.Errorf("%w: missing deps", errReported)

// errNoServerRuns is server status's answer that no server runs: exit 1.
var errNoServerRuns = fmt.Errorf("%w: no server", errReported)

// usageError is bad usage of the command line (exit 2).
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

func exitCode(err error) int {
	var gerr *graph.Error
	var status exitStatusError
	if errors.As(err, &status) {
		return status.code
	}
	switch {
	case errors.Is(err, engine.ErrInterrupted):
		return exitInterrupted
	case errors.Is(err, engine.ErrFailed), errors.Is(err, errOutOfDate), errors.Is(err, errMissingDeps), errors.Is(err, errDepFindings), errors.Is(err, errNoServerRuns):
		return exitFailed
	case errors.As(err, &gerr):
		return exitUsage
	}
	return exitUsage
}
