// Package launch is the small launcher process that a worker starts in
// place of a command when the command must run observed: it re-executes
// gobuildj in launcher mode, applies what the Spec asks to itself (the
// tracer's seccomp filter, and the Landlock sandbox of a traced sandboxed
// command), then execs the command, which inherits both. Go cannot run
// code between fork and exec, so this takes one extra exec per command. A
// sandboxed command that is not traced needs no launcher: the worker forks
// it from a thread it restricts (sandbox.Ruleset.Start).
package launch

import (
	"encoding/base64"
	"fmt"
	"os"
	"runtime"
	"syscall"

	"github.com/gobuildj/gobuildj/internal/wire"
	"github.com/gobuildj/gobuildj/sandbox"
	"github.com/gobuildj/gobuildj/trace"
)

// marker is os.Args[1] of a launcher process.
const marker = "__gobuildj_launch"

// Spec is what a launcher applies before it execs Path with Argv (the
// environment and the working directory are the launcher's own).
type Spec struct {
	Path string
	Argv []string
	// Sandbox, if set, restricts the command's file access (package
	// sandbox).
	Sandbox *sandbox.Policy
	// Trace makes the launcher install the tracer's seccomp filter (package
	// trace): the launcher must have been started traced.
	Trace bool
}

// IsLauncher reports whether this process was started by Argv as a
// launcher; main must then call Main at once.
func IsLauncher() bool { return len(os.Args) > 2 && os.Args[1] == marker }

// Argv returns the argument vector that starts self (gobuildj's own
// executable) as a launcher for spec.
func Argv(self string, spec *Spec) []string {
	// An argument cannot hold a NUL byte: the encoding travels as base64.
	// The command's arguments follow as they are, since one argument holds
	// at most 128 KiB (MAX_ARG_STRLEN) and a link command's may hold more.
	return append([]string{self, marker, base64.RawStdEncoding.EncodeToString(spec.encode())}, spec.Argv...)
}

func (s *Spec) encode() []byte {
	var b []byte
	b = wire.AppendString(b, s.Path)
	b = wire.AppendBool(b, s.Sandbox != nil)
	if s.Sandbox != nil {
		b = wire.AppendStrings(b, s.Sandbox.Read)
		b = wire.AppendStrings(b, s.Sandbox.Write)
		b = wire.AppendStrings(b, s.Sandbox.List)
	}
	return wire.AppendBool(b, s.Trace)
}

// decode reads the spec in arg, with the command's arguments argv.
func decode(arg string, argv []string) (Spec, error) {
	raw, err := base64.RawStdEncoding.DecodeString(arg)
	if err != nil {
		return Spec{}, fmt.Errorf("decode launch spec: %w", err)
	}
	r := wire.NewReader(string(raw))
	var spec Spec
	spec.Path = r.Str()
	spec.Argv = argv
	if r.Bool() {
		spec.Sandbox = &sandbox.Policy{Read: readStrings(&r), Write: readStrings(&r), List: readStrings(&r)}
	}
	spec.Trace = r.Bool()
	if r.Bad() || r.Len() != 0 {
		return Spec{}, fmt.Errorf("decode launch spec: truncated or corrupt")
	}
	return spec, nil
}

func readStrings(r *wire.Reader) []string {
	n := r.Count(1)
	if n == 0 {
		return nil
	}
	ss := make([]string, n)
	for i := range ss {
		ss[i] = r.Str()
	}
	return ss
}

// Main is the launcher: it applies the spec in os.Args[2] and execs the
// command, whose arguments follow. It never returns; a failure is reported on stderr with exit
// code 127, as a shell's for a command it cannot run.
func Main() {
	// The sandbox restricts this thread, which must be the one that execs.
	runtime.LockOSThread()
	spec, err := decode(os.Args[2], os.Args[3:])
	if err == nil {
		err = apply(&spec)
	}
	if err == nil {
		err = syscall.Exec(spec.Path, spec.Argv, os.Environ())
		if err == syscall.ENOEXEC {
			// A script without #!: run by the shell, as a worker's
			// untraced command would be (its direct exec fails and it
			// goes through sh).
			err = syscall.Exec("/bin/sh", append([]string{"sh", spec.Path}, spec.Argv[1:]...), os.Environ())
		}
		err = fmt.Errorf("exec %s: %w", spec.Path, err)
	}
	fmt.Fprintf(os.Stderr, "gobuildj: launcher: %v\n", err)
	os.Exit(127)
}

// apply restricts this process as spec asks, sandbox first (so that the
// tracer sees nothing of the launcher's own work).
func apply(spec *Spec) error {
	if spec.Sandbox != nil {
		if err := sandbox.Restrict(*spec.Sandbox); err != nil {
			return fmt.Errorf("sandbox: %w", err)
		}
	}
	if spec.Trace {
		// Last: every file system call from here on stops the tracer,
		// the exec of the command first.
		if err := trace.InstallFilter(); err != nil {
			return fmt.Errorf("trace: %w", err)
		}
	}
	return nil
}
