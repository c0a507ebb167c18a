package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/gobuildj/gobuildj/graph"
)

const compdbLong = `compdb writes a JSON compilation database (compile_commands.json), which
clangd, clang-tidy and IDEs read to know how each source file is compiled, as
"ninja -t compdb" does. Nothing is built.

With no target named, every target with a command and an input is listed.
A named target is listed itself; an alias (or a rule) stands for the targets
it depends on, looked through as far as aliases go. --deps adds everything
the named targets depend on.

Each entry's "file" is the target's first input that is a source file (.c,
.cc, .cpp, .m, .S, ...; else its first input), "directory" the folder its
command runs in, "command" the command that names the file (else all of
them, joined with &&) and "output" its first output.`

// compdbEntry is one command of a JSON compilation database.
type compdbEntry struct {
	Directory string `json:"directory"`
	Command   string `json:"command"`
	File      string `json:"file"`
	Output    string `json:"output,omitempty"`
}

func newCompdbCommand(f *buildFlags, stdout io.Writer) *cobra.Command {
	var out string
	var deps bool
	cmd := &cobra.Command{
		Use:   "compdb [flags] [targets...]",
		Short: "Write compile_commands.json for the named targets (default: all)",
		Long:  compdbLong,
		RunE: func(cmd *cobra.Command, args []string) error {
			g, err := loadGraph(*f)
			if err != nil {
				return err
			}
			targets, err := compdbTargets(g, args, deps)
			if err != nil {
				return err
			}
			entries := make([]compdbEntry, 0, len(targets))
			for _, t := range targets {
				entries = append(entries, compdbEntryOf(g, t))
			}
			data, err := json.MarshalIndent(entries, "", "  ")
			if err != nil {
				return fmt.Errorf("compdb: %w", err)
			}
			data = append(data, '\n')
			if out == "-" {
				_, err := stdout.Write(data)
				return err
			}
			if out == "" {
				out = filepath.Join(g.Root, "compile_commands.json")
			}
			if err := writeFileAtomic(out, data); err != nil {
				return fmt.Errorf("compdb: %w", err)
			}
			fmt.Fprintf(stdout, "gobuildj: wrote %d commands to %s\n", len(entries), out)
			return nil
		},
	}
	fl := cmd.Flags()
	fl.SortFlags = false
	fl.StringVarP(&out, "output", "o", "", "write to `FILE` (default: compile_commands.json beside the Buildfile; - for stdout)")
	fl.BoolVar(&deps, "deps", false, "also list every target the named ones depend on")
	return cmd
}

// compdbTargets chooses the targets to list, in build order: with no name
// every target with a command and an input; else the named ones (aliases
// looked through) and, with deps, all they depend on.
func compdbTargets(g *graph.Graph, names []string, deps bool) ([]*graph.Target, error) {
	chosen := make([]bool, len(g.Targets))
	if len(names) == 0 {
		for _, t := range g.Targets {
			chosen[t.ID] = true
		}
	} else {
		named, err := g.Select(names)
		if err != nil {
			return nil, err
		}
		seen := make([]bool, len(g.Targets))
		var walk func(t *graph.Target, all bool)
		walk = func(t *graph.Target, all bool) {
			if seen[t.ID] {
				return
			}
			seen[t.ID] = true
			chosen[t.ID] = true
			if t.IsAlias() || all {
				for _, d := range t.Deps {
					walk(d, all)
				}
			}
		}
		for _, t := range named {
			walk(t, deps)
		}
	}
	var out []*graph.Target
	for _, t := range g.Targets {
		if chosen[t.ID] && !t.IsAlias() && len(t.Inputs) > 0 {
			out = append(out, t)
		}
	}
	return out, nil
}

// sourceExts are the extensions of files a compiler translates, as opposed
// to headers and other inputs.
var sourceExts = map[string]bool{
	".c": true, ".cc": true, ".cpp": true, ".cxx": true, ".c++": true, ".C": true,
	".m": true, ".mm": true, ".s": true, ".S": true, ".sx": true, ".cu": true,
	".f": true, ".f90": true, ".go": true, ".rs": true, ".swift": true,
}

func compdbEntryOf(g *graph.Graph, t *graph.Target) compdbEntry {
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
		if sourceExts[filepath.Ext(in)] {
			file = in
			break
		}
	}
	e := compdbEntry{Directory: dir, File: rel(file), Command: strings.Join(t.Cmds, " && ")}
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

// writeFileAtomic replaces path with data through a temporary file in the
// same folder, so that a reader never sees half a file.
func writeFileAtomic(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return err
	}
	_, err = tmp.Write(data)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(tmp.Name(), 0o644)
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		os.Remove(tmp.Name())
	}
	return err
}
