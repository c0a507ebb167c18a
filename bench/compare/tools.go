package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/gobuildj/gobuildj/internal/statedir"
)

// tool is a build tool under test: how to run it in a graph's folder and
// which files hold its state (removed, with out/, before a full build).
type tool struct {
	name    string
	path    string
	args    func(jobs int) []string
	state   []string
	version string
	// server, when set, runs the tool through its build server (gobuildj
	// server), started untimed before a run in a folder without one: the
	// pid of each folder's server.
	server map[string]int
}

// taskVersion is the go-task release installed when it is missing.
const taskVersion = "v3.54.0"

// peers are the tools gobuildj is compared with, each with the way to
// install it on a Debian machine.
func peers() []tool {
	return []tool{
		{name: "ninja", args: func(j int) []string { return []string{"-j" + strconv.Itoa(j), "all"} },
			state: []string{".ninja_log", ".ninja_deps"}},
		{name: "make", args: func(j int) []string { return []string{"-j" + strconv.Itoa(j), "all"} }},
		{name: "go-task", args: func(j int) []string { return []string{"--concurrency", strconv.Itoa(j), "all"} },
			state: []string{".task"}},
	}
}

// binary is the program name of a tool.
func binary(name string) string {
	if name == "go-task" {
		return "task"
	}
	return name
}

// findPeers locates the peers, installing the missing ones when install is
// set (ninja and make with apt-get, go-task with go install); a peer that
// cannot be had is skipped with a message.
func findPeers(install bool, only map[string]bool) []tool {
	var found []tool
	for _, t := range peers() {
		if only != nil && !only[t.name] {
			continue
		}
		path, err := lookPath(binary(t.name))
		if err != nil && install {
			logf("%s is missing: installing it", t.name)
			if ierr := installPeer(t.name); ierr != nil {
				logf("could not install %s: %v", t.name, ierr)
			}
			path, err = lookPath(binary(t.name))
		}
		if err != nil {
			logf("skipping %s: not installed (%s)", t.name, installHint(t.name))
			continue
		}
		t.path = path
		t.version = toolVersion(path)
		found = append(found, t)
	}
	return found
}

// lookPath finds a program in PATH or in the Go bin folder.
func lookPath(name string) (string, error) {
	if p, err := exec.LookPath(name); err == nil {
		return p, nil
	}
	out, err := exec.Command("go", "env", "GOPATH").Output()
	if err != nil {
		return "", err
	}
	for _, dir := range filepath.SplitList(strings.TrimSpace(string(out))) {
		p := filepath.Join(dir, "bin", name)
		if st, err := os.Stat(p); err == nil && st.Mode()&0o111 != 0 {
			return p, nil
		}
	}
	return "", fmt.Errorf("%s not found", name)
}

func installHint(name string) string {
	switch name {
	case "go-task":
		return "go install github.com/go-task/task/v3/cmd/task@" + taskVersion
	case "ninja":
		return "apt-get install ninja-build"
	}
	return "apt-get install " + name
}

func installPeer(name string) error {
	var cmd *exec.Cmd
	switch name {
	case "go-task":
		cmd = exec.Command("go", "install", "github.com/go-task/task/v3/cmd/task@"+taskVersion)
	default:
		if os.Geteuid() != 0 {
			return fmt.Errorf("not root: run %s", installHint(name))
		}
		pkg := name
		if name == "ninja" {
			pkg = "ninja-build"
		}
		if out, err := exec.Command("apt-get", "install", "-y", "-q", pkg).CombinedOutput(); err != nil {
			// The package lists may be missing on a fresh machine.
			if uout, uerr := exec.Command("apt-get", "update", "-q").CombinedOutput(); uerr != nil {
				return fmt.Errorf("apt-get update: %v: %s", uerr, lastLine(uout))
			}
			if out, err = exec.Command("apt-get", "install", "-y", "-q", pkg).CombinedOutput(); err != nil {
				return fmt.Errorf("apt-get install %s: %v: %s", pkg, err, lastLine(out))
			}
		}
		return nil
	}
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("%v: %s", err, lastLine(out))
	}
	return nil
}

func lastLine(b []byte) string {
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	return lines[len(lines)-1]
}

// toolVersion is the first line a tool prints for --version.
func toolVersion(path string) string {
	out, err := exec.Command(path, "--version").Output()
	if err != nil {
		return "?"
	}
	return strings.TrimSpace(strings.SplitN(string(out), "\n", 2)[0])
}

// sample is one timed run.
type sample struct {
	wall time.Duration
	rss  int64 // peak resident set, bytes: the largest of the process and the children it waited for
}

// runMarker is the first argument of the process that runs a tool for the
// harness. The peak RSS that wait4 reports for a process started with
// vfork (as Go starts them) counts the memory of the process that forked
// it, so a tool is started from this small, fresh process, never from the
// harness with its copies of every output.
const runMarker = "-run-tool"

// run runs t in dir and times it from start to reap. Its output goes to a
// file that is read only to explain a failure.
func (t *tool) run(dir string, jobs int) (sample, error) {
	if t.server != nil {
		if err := t.startServer(dir); err != nil {
			return sample{}, err
		}
	}
	logFile, err := os.CreateTemp("", "bench-out-*")
	if err != nil {
		return sample{}, err
	}
	defer os.Remove(logFile.Name())
	defer logFile.Close()
	self, err := os.Executable()
	if err != nil {
		return sample{}, err
	}
	r, w, err := os.Pipe()
	if err != nil {
		return sample{}, err
	}
	defer r.Close()
	cmd := exec.Command(self, append([]string{runMarker, t.path}, t.args(jobs)...)...)
	cmd.Dir = dir
	cmd.Stdout, cmd.Stderr = logFile, logFile
	cmd.ExtraFiles = []*os.File{w}
	err = cmd.Start()
	w.Close()
	if err != nil {
		return sample{}, err
	}
	report, _ := io.ReadAll(r)
	err = cmd.Wait()
	var s sample
	var code int
	if _, serr := fmt.Sscan(string(report), &s.wall, &s.rss, &code); serr != nil && err == nil {
		err = fmt.Errorf("no report from the runner: %q", report)
	}
	if err == nil && code != 0 {
		err = fmt.Errorf("exit code %d", code)
	}
	if err != nil {
		out, _ := os.ReadFile(logFile.Name())
		if len(out) > 2000 {
			out = out[len(out)-2000:]
		}
		return sample{}, fmt.Errorf("%s in %s: %v\n%s", t.name, dir, err, bytes.TrimSpace(out))
	}
	if pid, ok := t.server[dir]; ok {
		// The build ran in the server: its memory is the server's.
		s.rss = max(s.rss, peakRSS(pid))
	}
	return s, nil
}

// startServer starts the build server of dir unless one runs there: a full
// build's clean removed the last one's socket, and it ended.
func (t *tool) startServer(dir string) error {
	if _, err := os.Lstat(filepath.Join(dir, statedir.Name, "server.sock")); err == nil {
		return nil
	}
	out, err := exec.Command(t.path, "-C", dir, "server", "start").CombinedOutput()
	if err != nil {
		return fmt.Errorf("%s: server start in %s: %v\n%s", t.name, dir, err, out)
	}
	var pid int
	if i := bytes.LastIndex(out, []byte("(pid ")); i >= 0 {
		fmt.Sscanf(string(out[i:]), "(pid %d)", &pid)
	}
	t.server[dir] = pid
	return nil
}

// stopServer stops the build server of dir, if the tool started one.
func (t *tool) stopServer(dir string) {
	if t.server == nil {
		return
	}
	_ = exec.Command(t.path, "-C", dir, "server", "stop").Run()
	delete(t.server, dir)
}

// peakRSS is the peak resident set of the process pid (VmHWM), in bytes.
func peakRSS(pid int) int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			var kb int64
			fmt.Sscan(strings.TrimSpace(rest), &kb)
			return kb << 10
		}
	}
	return 0
}

// runMain is the process that runs one tool: it prints, on descriptor 3,
// the tool's wall time from start to reap (ns), its peak RSS (bytes) and
// its exit code.
func runMain(args []string) {
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	start := time.Now()
	err := cmd.Run()
	wall := time.Since(start)
	code := 0
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit):
		code = exit.ExitCode()
	case err != nil:
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	var rss int64
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		rss = ru.Maxrss * 1024
	}
	fmt.Fprintf(os.NewFile(3, "report"), "%d %d %d\n", int64(wall), rss, code)
	os.Exit(0)
}

// clean removes what a full build rebuilds: the outputs and the tool's state.
func (t *tool) clean(dir string) error {
	for _, p := range append([]string{"out"}, t.state...) {
		if err := os.RemoveAll(filepath.Join(dir, p)); err != nil {
			return err
		}
	}
	return nil
}
