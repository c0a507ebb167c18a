package affected

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"time"
)

// DefaultTimeout bounds each git command: a hung credential helper or a
// huge repository must not hold a build forever.
const DefaultTimeout = 30 * time.Second

// git runs git commands in one folder, each with a fixed argv (never
// through a shell) and a timeout.
type git struct {
	dir     string
	timeout time.Duration
}

// exitError is a git command that ran and exited non-zero.
type exitError struct {
	args   []string
	code   int
	stderr string
}

func (e *exitError) Error() string {
	msg := fmt.Sprintf("git %s: exit code %d", strings.Join(e.args, " "), e.code)
	if e.stderr != "" {
		msg += ": " + e.stderr
	}
	return msg
}

// run runs git with args and returns its stdout. A non-zero exit is an
// *exitError with git's first line of stderr.
func (g git) run(args ...string) ([]byte, error) {
	timeout := g.timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, "git", args...)
	cmd.Dir = g.dir
	// A child of git (a credential helper, a hook) holding the pipes open
	// must not outlive the timeout either.
	cmd.WaitDelay = time.Second
	// No lock on the index for status (a concurrent git command in an
	// editor keeps working), messages in English to quote them, and never
	// a prompt for credentials.
	cmd.Env = append(os.Environ(), "GIT_OPTIONAL_LOCKS=0", "LC_ALL=C", "GIT_TERMINAL_PROMPT=0")
	var stdout, stderr bytes.Buffer
	cmd.Stdout = &stdout
	cmd.Stderr = &stderr
	err := cmd.Run()
	if ctx.Err() != nil {
		return nil, fmt.Errorf("git %s: timed out after %v", strings.Join(args, " "), timeout)
	}
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		line, _, _ := strings.Cut(strings.TrimSpace(stderr.String()), "\n")
		return nil, &exitError{args: args, code: exit.ExitCode(), stderr: line}
	}
	if err != nil {
		return nil, fmt.Errorf("--affected needs git: %w", err)
	}
	return stdout.Bytes(), nil
}

// line runs git and returns its output's first line, trimmed.
func (g git) line(args ...string) (string, error) {
	out, err := g.run(args...)
	if err != nil {
		return "", err
	}
	l, _, _ := strings.Cut(strings.TrimSpace(string(out)), "\n")
	return l, nil
}

// exitCode returns the exit code of a git command that ran and failed,
// or -1 for another error.
func exitCode(err error) int {
	var e *exitError
	if errors.As(err, &e) {
		return e.code
	}
	return -1
}

// nulFields splits git's -z output into its NUL-terminated fields.
func nulFields(out []byte) []string {
	var fields []string
	for _, f := range bytes.Split(out, []byte{0}) {
		if len(f) > 0 {
			fields = append(fields, string(f))
		}
	}
	return fields
}
