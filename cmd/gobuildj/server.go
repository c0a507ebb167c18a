package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/sys/unix"

	"github.com/gobuildj/gobuildj/internal/statedir"
)

const serverLong = `gobuildj server runs a build server for the Buildfile's folder (as -C and -f
say): a process that stays up and builds for the gobuildj commands run there.
A plain "gobuildj [flags] [targets]" finds it on the socket .gobuildj/server.sock
(mode 0600; only its owner may use it), hands it its arguments, environment,
working folder and terminal, and the server builds as the command would have:
the same output on the same terminal, the same exit code; Ctrl-C, SIGTERM and
SIGHUP stop that build, a resized window is followed, and a command that dies
stops its build. What a server cannot do as the command would (a subcommand,
--remote-*, profiles, a nested make's jobserver, another Buildfile, another
gobuildj binary) the command does by itself, as without a server.

One build at a time: a second command waits ("waiting for another build
through the server"). A server killed during a build: its command says "the
server died; building without it" and builds by itself. The server ends after
--idle without a build (default 3h), when its Buildfile or socket disappears,
and on gobuildj server stop.

  gobuildj server start   start one, detached (its output: .gobuildj/server.log)
  gobuildj server stop    stop it (a build in progress is interrupted)
  gobuildj server status  its pid, uptime, builds, targets and memory (RSS)

gobuildj --daemon (or GOBUILDJ_DAEMON=1) starts one when none runs and builds
through it; GOBUILDJ_NO_SERVER=1 never uses one.`

// checkIdle refuses an --idle that is not a positive duration.
func checkIdle(idle time.Duration) error {
	if idle <= 0 {
		return usageError{fmt.Errorf("--idle %s: expected a positive duration such as 3h", idle)}
	}
	return nil
}

// defaultIdle is how long a server waits for a build before it ends.
const defaultIdle = 3 * time.Hour

// withBuildfile is a subcommand's RunE that finds the Buildfile the flags
// name and hands it to run.
func withBuildfile(f *buildFlags, run func(buildfile string) error) func(*cobra.Command, []string) error {
	return func(*cobra.Command, []string) error {
		buildfile, err := buildfileOf(*f)
		if err != nil {
			return err
		}
		return run(buildfile)
	}
}

func newServerCommand(f *buildFlags, stdout io.Writer, gate *signalGate) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "server start|stop|status",
		Short: "Run a build server for this folder, which builds for the gobuildj commands run here",
		Long:  serverLong,
		Args:  cobra.NoArgs,
	}
	var idle time.Duration
	var profile string // hidden --cpuprofile: a CPU profile of the server's life
	start := &cobra.Command{
		Use:   "start",
		Short: "Start the folder's build server, detached",
		Args:  cobra.NoArgs,
		RunE: withBuildfile(f, func(buildfile string) error {
			if err := checkIdle(idle); err != nil {
				return err
			}
			pid, err := startServer(buildfile, idle, profile)
			if err != nil {
				return err
			}
			fmt.Fprintf(stdout, "gobuildj server: started for %s (pid %d)\n", buildfile, pid)
			return nil
		}),
	}
	start.Flags().DurationVar(&idle, "idle", defaultIdle, "end after `D` without a build")
	start.Flags().StringVar(&profile, "cpuprofile", "", "write a CPU profile of the server to `FILE` when it ends (go tool pprof)")
	_ = start.Flags().MarkHidden("cpuprofile")
	run := &cobra.Command{
		Use:    "run",
		Short:  "Run the folder's build server in the foreground",
		Hidden: true,
		Args:   cobra.NoArgs,
		RunE: withBuildfile(f, func(buildfile string) error {
			if err := checkIdle(idle); err != nil {
				return err
			}
			if profile != "" {
				stop, err := startProfile(profile)
				if err != nil {
					return usageError{err}
				}
				defer stop()
			}
			gate.Take()
			return serve(buildfile, idle, stdout, gate.Signals())
		}),
	}
	run.Flags().DurationVar(&idle, "idle", defaultIdle, "end after `D` without a build")
	run.Flags().StringVar(&profile, "cpuprofile", "", "write a CPU profile of the server to `FILE` when it ends")
	stop := &cobra.Command{
		Use:   "stop",
		Short: "Stop the folder's build server",
		Args:  cobra.NoArgs,
		RunE: withBuildfile(f, func(buildfile string) error {
			return stopServer(buildfile, stdout)
		}),
	}
	status := &cobra.Command{
		Use:   "status",
		Short: "Say whether the folder's build server runs, and what it holds",
		Args:  cobra.NoArgs,
		RunE: withBuildfile(f, func(buildfile string) error {
			return serverStatusOf(buildfile, stdout)
		}),
	}
	cmd.AddCommand(start, stop, status, run)
	return cmd
}

// buildfileOf is the absolute path of the Buildfile that -C and -f name.
func buildfileOf(f buildFlags) (string, error) {
	path := f.file
	if !filepath.IsAbs(path) && f.dir != "" {
		path = filepath.Join(f.dir, path)
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", usageError{fmt.Errorf("-f: %w", err)}
	}
	if _, err := os.Stat(abs); err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return "", usageError{fmt.Errorf("no %s in %s (gobuildj does not look in parent folders; use -C DIR or -f FILE)", filepath.Base(abs), filepath.Dir(abs))}
		}
		return "", usageError{fmt.Errorf("-f: %w", err)}
	}
	return abs, nil
}

// stateOf is the state folder of a Buildfile's folder.
func stateOf(buildfile string) statedir.Dir { return statedir.Of(filepath.Dir(buildfile)) }

// startServer starts a server for buildfile in a new session, its output
// going to the state folder's server.log, and waits until it listens.
func startServer(buildfile string, idle time.Duration, profile string) (int, error) {
	state := stateOf(buildfile)
	if err := state.Mkdir(); err != nil {
		return 0, err
	}
	if conn, err := dialServer(state.ServerSocket()); err == nil {
		conn.Close()
		return 0, fmt.Errorf("a build server already runs for %s (gobuildj server status)", filepath.Dir(buildfile))
	}
	exe, err := os.Executable()
	if err != nil {
		return 0, fmt.Errorf("server: %w", err)
	}
	logFile, err := statedir.OpenFile(state.ServerLog(), os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return 0, fmt.Errorf("server log: %w", err)
	}
	defer logFile.Close()
	devNull, err := os.Open(os.DevNull)
	if err != nil {
		return 0, err
	}
	defer devNull.Close()
	args := []string{"-f", buildfile, "server", "run", "--idle", idle.String()}
	if profile != "" {
		abs, err := filepath.Abs(profile)
		if err != nil {
			return 0, fmt.Errorf("--cpuprofile: %w", err)
		}
		args = append(args, "--cpuprofile", abs)
	}
	cmd := exec.Command(exe, args...)
	cmd.Dir = filepath.Dir(buildfile)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = devNull, logFile, logFile
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if err := cmd.Start(); err != nil {
		return 0, fmt.Errorf("server: %w", err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if conn, err := dialServer(state.ServerSocket()); err == nil {
			conn.Close()
			return cmd.Process.Pid, nil
		}
		select {
		case err := <-exited:
			return 0, fmt.Errorf("the build server ended at once (%v); see %s", err, state.ServerLog())
		case <-time.After(5 * time.Millisecond):
		}
	}
	return 0, fmt.Errorf("the build server does not answer; see %s", state.ServerLog())
}

// askServer sends a request without files and returns the first reply.
func askServer(buildfile string, req serverRequest) (serverReply, error) {
	var rep serverReply
	conn, err := dialServer(stateOf(buildfile).ServerSocket())
	if err != nil {
		return rep, err
	}
	defer conn.Close()
	if err := sendRequest(conn, req); err != nil {
		return rep, err
	}
	if err := decodeReply(conn, &rep); err != nil {
		return rep, fmt.Errorf("server: %w", err)
	}
	return rep, nil
}

// stopServer stops the server of buildfile and waits until it is gone.
func stopServer(buildfile string, stdout io.Writer) error {
	rep, err := askServer(buildfile, serverRequest{Op: opStop})
	if errors.Is(err, errNoServer) {
		fmt.Fprintf(stdout, "gobuildj server: none runs for %s\n", filepath.Dir(buildfile))
		return nil
	}
	if err != nil {
		return err
	}
	if rep.Status == nil {
		return fmt.Errorf("server: unexpected reply %q", rep.Kind)
	}
	pid := rep.Status.PID
	deadline := time.Now().Add(30 * time.Second)
	for processAlive(pid) {
		if time.Now().After(deadline) {
			return fmt.Errorf("the build server (pid %d) did not stop within 30s", pid)
		}
		time.Sleep(5 * time.Millisecond)
	}
	fmt.Fprintf(stdout, "gobuildj server: stopped (pid %d)\n", pid)
	return nil
}

// processAlive says whether the process pid runs (a zombie does not).
func processAlive(pid int) bool {
	if unix.Kill(pid, 0) != nil {
		return false
	}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	s := string(b)
	return !strings.HasPrefix(s[strings.LastIndexByte(s, ')')+1:], " Z")
}

// serverStatusOf prints what the server of buildfile says of itself.
func serverStatusOf(buildfile string, stdout io.Writer) error {
	rep, err := askServer(buildfile, serverRequest{Op: opStatus})
	if errors.Is(err, errNoServer) {
		fmt.Fprintf(stdout, "gobuildj server: none runs for %s\n", filepath.Dir(buildfile))
		return errNoServerRuns
	}
	if err != nil {
		return err
	}
	st := rep.Status
	if st == nil {
		return fmt.Errorf("server: unexpected reply %q", rep.Kind)
	}
	up := time.Since(time.Unix(0, st.Started)).Round(time.Second)
	var b strings.Builder
	fmt.Fprintf(&b, "gobuildj server: runs for %s\n", st.Buildfile)
	fmt.Fprintf(&b, "  pid      %d\n", st.PID)
	fmt.Fprintf(&b, "  uptime   %s (ends after %s without a build)\n", up, st.Idle)
	fmt.Fprintf(&b, "  builds   %d\n", st.Builds)
	fmt.Fprintf(&b, "  targets  %d\n", st.Targets)
	fmt.Fprintf(&b, "  memory   %.1f MiB (RSS; %.1f MiB of it the heap, the rest mapped state files)\n", float64(st.RSS)/(1<<20), float64(st.Anon)/(1<<20))
	_, err = io.WriteString(stdout, b.String())
	return err
}
