package graph

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// A [vars] entry written { cmd = "..." } takes its value from a command,
// as make's $(shell ...) does:
//
//	[vars]
//	ARCH = { cmd = "uname -m" }
//
// The command is expanded like any value (it may use other [vars] and
// ${env:NAME}, not automatic variables), then run by /bin/sh in the folder
// of the Buildfile that defines it, once per load, with CmdVarTimeout to
// finish and at most MaxCmdVarOutput bytes of output. Its standard output,
// without its trailing newlines and with each other newline made a space,
// is the value. A command that fails, times out or prints too much is an
// error of the Buildfile. What each command printed is part of the graph
// snapshot's key: a snapshot is used again only while every command prints
// what it printed when the graph was loaded, so the commands run at every
// load, also that of list and query.

// CmdVarTimeout is how long a command of [vars] may run, and
// MaxCmdVarOutput how much it may print.
const (
	CmdVarTimeout   = 10 * time.Second
	MaxCmdVarOutput = 1 << 20
)

// decodeCmdVar decodes the table { cmd = "..." } of a [vars] entry (walk
// reports keys other than cmd, varTable a table without cmd).
func decodeCmdVar(m map[string]any) text {
	var t text
	c, ok := m["cmd"]
	if !ok {
		return t // the message names the variable: varTable writes it
	}
	if s, ok := c.(string); ok {
		t.s, t.set = s, true
		return t
	}
	t.bad = problem{"expected a command (a string) such as { cmd = \"uname -m\" }, got " + describe(c), -1}
	return t
}

// cmdRun is one run of a command of [vars].
type cmdRun struct {
	dir, command string // absolute folder, expanded command
	value        string
	err          *expandError // why the run gives no value
}

// cmdRuns runs the commands of [vars] for one load, and remembers what
// they printed. A run already made, while a snapshot was checked, is not
// made again.
type cmdRuns struct {
	done map[[2]string]*cmdRun
	ran  []*cmdRun // in the order the load asked for them
}

// newCmdRuns returns an empty record of runs.
func newCmdRuns() *cmdRuns { return &cmdRuns{done: make(map[[2]string]*cmdRun)} }

// value runs command in dir (once per runs) and returns its value, or why
// there is none.
func (r *cmdRuns) value(dir, command string) (string, *expandError) {
	run := r.run(dir, command)
	r.ran = append(r.ran, run)
	return run.value, run.err
}

// run runs command in dir unless it ran already.
func (r *cmdRuns) run(dir, command string) *cmdRun {
	id := [2]string{dir, command}
	if run, ok := r.done[id]; ok {
		return run
	}
	run := &cmdRun{dir: dir, command: command}
	run.value, run.err = runCmdVar(dir, command)
	r.done[id] = run
	return run
}

// cappedBuffer keeps the first max bytes written to it.
type cappedBuffer struct {
	bytes.Buffer
	max  int
	over bool
}

func (b *cappedBuffer) Write(p []byte) (int, error) {
	if room := b.max - b.Len(); len(p) > room {
		b.over = true
		if room > 0 {
			b.Buffer.Write(p[:room])
		}
		return len(p), nil
	}
	return b.Buffer.Write(p)
}

// runCmdVar runs command with /bin/sh in dir and returns its value.
func runCmdVar(dir, command string) (string, *expandError) {
	ctx, cancel := context.WithTimeout(context.Background(), CmdVarTimeout)
	defer cancel()
	c := exec.CommandContext(ctx, "/bin/sh", "-c", command)
	c.Dir = dir
	c.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	c.Cancel = func() error { return syscall.Kill(-c.Process.Pid, syscall.SIGKILL) }
	c.WaitDelay = time.Second
	stdout := &cappedBuffer{max: MaxCmdVarOutput}
	stderr := &cappedBuffer{max: 4 << 10}
	c.Stdout, c.Stderr = stdout, stderr
	err := c.Run()
	what := fmt.Sprintf("command %s", short(command))
	var exit *exec.ExitError
	switch {
	case ctx.Err() != nil:
		return "", &expandError{msg: fmt.Sprintf("%s did not finish within %s (expected a quick command: it runs at each load)", what, CmdVarTimeout), offset: -1}
	case errors.As(err, &exit):
		status := fmt.Sprintf("exit status %d", exit.ExitCode())
		if ws, ok := exit.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			status = "signal " + ws.Signal().String()
		}
		msg := fmt.Sprintf("%s failed with %s", what, status)
		if e := strings.TrimSpace(stderr.String()); e != "" {
			msg += ": " + e
		}
		return "", &expandError{msg: msg + " (expected a command that succeeds: its output is the value)", offset: -1}
	case err != nil:
		return "", &expandError{msg: fmt.Sprintf("%s cannot run: %v", what, err), offset: -1}
	case stdout.over:
		return "", &expandError{msg: fmt.Sprintf("%s printed more than %d KiB (expected a short value)", what, MaxCmdVarOutput>>10), offset: -1}
	}
	out := strings.TrimRight(stdout.String(), "\r\n")
	if strings.IndexByte(out, 0) >= 0 {
		return "", &expandError{msg: what + " printed a NUL character (expected text)", offset: -1}
	}
	out = strings.ReplaceAll(strings.ReplaceAll(out, "\r\n", " "), "\n", " ")
	return out, nil
}

// runCmd runs the command of variable v, expanded as command, and returns
// its value (auto: the command uses an automatic variable).
func (x *expander) runCmd(v *variable, command string, auto bool) (string, *expandError) {
	if auto {
		return "", &expandError{msg: "a command of [vars] cannot use automatic variables (expected a command that needs no target, such as \"uname -m\"): it runs once, when the Buildfile is read", offset: -1}
	}
	if strings.TrimSpace(command) == "" {
		return "", &expandError{msg: `empty command (expected a command such as { cmd = "uname -m" })`, offset: -1}
	}
	dir := filepath.Dir(v.src.abs)
	if x.cmds == nil {
		return runCmdVar(dir, command)
	}
	return x.cmds.value(dir, command)
}
