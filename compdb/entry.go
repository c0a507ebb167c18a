// Package compdb makes a JSON compilation database (compile_commands.json)
// from a build graph, as "ninja -t compdb" does: the file clangd,
// clang-tidy and IDEs read to know how each source file is compiled.
// Nothing is built.
package compdb

import (
	"path/filepath"
	"strings"

	"github.com/gobuildj/gobuildj/graph"
)

// Entry is one command of a compilation database.
type Entry struct {
	// Directory is the absolute folder the command runs in.
	Directory string `json:"directory"`
	// Command is the command that names File, else all the target's
	// commands joined with &&.
	Command string `json:"command"`
	// File is the target's first input that is a source file, else its
	// first input, relative to Directory.
	File string `json:"file"`
	// Output is the target's first output, relative to Directory.
	Output string `json:"output,omitempty"`
}

// EntryOf is the entry of t, a target of g with at least one input.
func EntryOf(g *graph.Graph, t *graph.Target) Entry {
	dir := filepath.Join(g.Root, t.Dir)
	rel := func(p string) string {
		if !filepath.IsAbs(p) {
			p = filepath.Join(g.Root, p)
		}
		if r, err := filepath.Rel(dir, p); err == nil {
			return r
		}
		return p
	}
	file := t.Inputs[0]
	for _, in := range t.Inputs {
		if IsSource(in) {
			file = in
			break
		}
	}
	e := Entry{Directory: dir, File: rel(file), Command: strings.Join(t.Cmds, " && ")}
	for _, c := range t.Cmds {
		if strings.Contains(c, e.File) {
			e.Command = c
			break
		}
	}
	if len(t.Outputs) > 0 {
		e.Output = rel(t.Outputs[0])
	}
	return e
}

// Entries are the entries of targets, in their order.
func Entries(g *graph.Graph, targets []*graph.Target) []Entry {
	entries := make([]Entry, 0, len(targets))
	for _, t := range targets {
		entries = append(entries, EntryOf(g, t))
	}
	return entries
}

// IsSource reports whether path names a file a compiler translates (.c,
// .cc, .cpp, .m, .S, ...), as opposed to a header or another input.
func IsSource(path string) bool {
	switch filepath.Ext(path) {
	case ".c", ".cc", ".cpp", ".cxx", ".c++", ".C",
		".m", ".mm", ".s", ".S", ".sx", ".cu",
		".f", ".f90", ".go", ".rs", ".swift":
		return true
	}
	return false
}
