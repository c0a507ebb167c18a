package main

import (
	"fmt"
	"io"

	"github.com/gobuildj/gobuildj/engine"
	"github.com/gobuildj/gobuildj/graph"
	"github.com/gobuildj/gobuildj/sandbox"
)

// The values of --sandbox: a bare --sandbox sandboxes every target, and
// falls back to running unsandboxed (with a warning) on a kernel without
// Landlock; --sandbox=strict makes that an error.
const (
	sandboxOn     = "on"
	sandboxStrict = "strict"
)

// sandboxMode decides which targets of g run sandboxed, from --sandbox
// (flag) and the targets' own sandbox keys: the kernel is asked only when
// some target would be. On a kernel that cannot, it warns once on stderr
// (if not nil) and sandboxes none, or with strict fails (exit 2).
func sandboxMode(flag string, g *graph.Graph, stderr io.Writer) (engine.SandboxMode, error) {
	mode := engine.SandboxDeclared
	switch flag {
	case "":
		if !anySandboxed(g) {
			return mode, nil
		}
	case sandboxOn, sandboxStrict:
		mode = engine.SandboxAll
	default:
		return mode, usageError{fmt.Errorf("--sandbox=%s: expected --sandbox (every target, unsandboxed with a warning where the kernel has no Landlock) or --sandbox=strict (an error there)", flag)}
	}
	use, warning, err := sandbox.Decide(sandbox.ABI(), flag == sandboxStrict)
	if err != nil {
		return mode, usageError{err}
	}
	if !use {
		if stderr != nil {
			fmt.Fprintf(stderr, "gobuildj: warning: %s\n", warning)
		}
		return engine.SandboxOff, nil
	}
	return mode, nil
}

// anySandboxed reports whether a target of g says sandbox = true.
func anySandboxed(g *graph.Graph) bool {
	for _, t := range g.Targets {
		if t.Sandbox {
			return true
		}
	}
	return false
}
