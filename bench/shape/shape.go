// Package shape makes synthetic build graphs and writes them in the formats
// of gobuildj, ninja, make and go-task, so that the tools can be timed side
// by side on equal work. Every command is a plain program: `cp` of one file,
// or `cat` of several into one (through the shell's redirection).
//
// Shape "wide": N independent leaves `cp src/I.txt out/I.o`, one aggregate
// per 100 leaves, and `all` over the aggregates.
//
// Shape "layered": N sources -> N objects (`cp src/I.txt out/I.o`) -> 10
// libraries (`cat` of their objects into out/libK.a) -> 1 binary (`cat` of
// the libraries into out/app), and `all` over the binary.
package shape

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// libs is the number of libraries of the layered shape.
const libs = 10

// Node is one target with a command: it reads inputs and writes out.
type Node struct {
	Name   string
	Out    string   // the file it writes
	Inputs []string // files: sources or outputs of other nodes
	Deps   []string // names of nodes whose outputs are inputs
	Prog   string   // "cp" (one input to Out) or "cat" (Inputs into Out)
	// Cmd, when set, is the node's command in the Buildfile instead of
	// Prog's (the other tools' files keep Prog): benchmarks of gobuildj
	// alone make probes of some nodes with it.
	Cmd string
}

// group is an alias target over nodes or other groups.
type group struct {
	name    string
	members []string // target names
	files   []string // the files they stand for (ninja and make depend on files)
}

// Graph is a shape in neutral form; each writer spells it for one tool.
type Graph struct {
	N      int     // sources
	Nodes  []Node  // in dependency order: a node comes after the nodes it reads
	groups []group // in dependency order: members come first; the last is "all"
}

// New makes the graph of shape ("wide" or "layered") over n sources.
func New(shape string, n int) (*Graph, error) {
	if n < 1 {
		return nil, fmt.Errorf("-n %d: expected at least 1", n)
	}
	g := &Graph{N: n}
	leaves := make([]string, n)
	for i := range n {
		name := fmt.Sprintf("t%d", i)
		g.Nodes = append(g.Nodes, Node{Name: name, Out: fmt.Sprintf("out/%d.o", i),
			Inputs: []string{fmt.Sprintf("src/%d.txt", i)}, Prog: "cp"})
		leaves[i] = name
	}
	switch shape {
	case "wide":
		var all group
		all.name = "all"
		for k := 0; k*100 < n; k++ {
			grp := group{name: fmt.Sprintf("g%d", k)}
			for i := k * 100; i < n && i < (k+1)*100; i++ {
				grp.members = append(grp.members, g.Nodes[i].Name)
				grp.files = append(grp.files, g.Nodes[i].Out)
			}
			g.groups = append(g.groups, grp)
			all.members = append(all.members, grp.name)
			all.files = append(all.files, grp.name)
		}
		g.groups = append(g.groups, all)
	case "layered":
		app := Node{Name: "app", Out: "out/app", Prog: "cat"}
		for k := range libs {
			lib := Node{Name: fmt.Sprintf("lib%d", k), Out: fmt.Sprintf("out/lib%d.a", k), Prog: "cat"}
			for i := k; i < n; i += libs {
				lib.Inputs = append(lib.Inputs, g.Nodes[i].Out)
				lib.Deps = append(lib.Deps, g.Nodes[i].Name)
			}
			if len(lib.Inputs) == 0 {
				continue
			}
			// gobuildj's ${in} is sorted by path: every tool gets that order.
			sort.Strings(lib.Inputs)
			g.Nodes = append(g.Nodes, lib)
			app.Inputs = append(app.Inputs, lib.Out)
			app.Deps = append(app.Deps, lib.Name)
		}
		g.Nodes = append(g.Nodes, app)
		g.groups = append(g.groups, group{name: "all", members: []string{"app"}, files: []string{"out/app"}})
	default:
		return nil, fmt.Errorf("-shape %q: expected wide or layered", shape)
	}
	return g, nil
}

// Write writes the sources and the four build files into dir.
func (g *Graph) Write(dir string) error {
	if err := os.MkdirAll(filepath.Join(dir, "src"), 0o755); err != nil {
		return err
	}
	for i := range g.N {
		if err := os.WriteFile(filepath.Join(dir, "src", fmt.Sprintf("%d.txt", i)), fmt.Appendf(nil, "source %d\n", i), 0o644); err != nil {
			return err
		}
	}
	for _, f := range []struct {
		name  string
		write func(w *bufio.Writer)
	}{
		{"Buildfile.toml", g.buildfile},
		{"build.ninja", g.ninja},
		{"Makefile", g.makefile},
		{"Taskfile.yml", g.taskfile},
	} {
		if err := writeFile(filepath.Join(dir, f.name), f.write); err != nil {
			return err
		}
	}
	return nil
}

func writeFile(path string, write func(w *bufio.Writer)) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 1<<16)
	write(w)
	if err := w.Flush(); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	return f.Close()
}

// tomlString spells s as a TOML basic string.
func tomlString(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, "\\u%04X", r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// quoted spells names as a TOML or YAML flow list.
func quoted(names []string) string {
	var b strings.Builder
	b.WriteByte('[')
	for i, s := range names {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteByte('"')
		b.WriteString(s)
		b.WriteByte('"')
	}
	b.WriteByte(']')
	return b.String()
}

func (g *Graph) buildfile(w *bufio.Writer) {
	for i := len(g.groups) - 1; i >= 0; i-- {
		grp := g.groups[i]
		fmt.Fprintf(w, "[targets.%s]\ndeps = %s\n", grp.name, quoted(grp.members))
	}
	for _, nd := range g.Nodes {
		cmd := "cp ${in} ${out}"
		switch {
		case nd.Cmd != "":
			cmd = nd.Cmd
		case nd.Prog == "cat":
			// cat writes to stdout: the shell redirects it.
			cmd = "cat ${in} > ${out}"
		}
		fmt.Fprintf(w, "[targets.%s]\ninputs = %s\noutputs = [\"%s\"]\ncmd = %s\n", nd.Name, quoted(nd.Inputs), nd.Out, tomlString(cmd))
	}
}

func (g *Graph) ninja(w *bufio.Writer) {
	fmt.Fprintf(w, "rule cp\n  command = cp $in $out\nrule cat\n  command = cat $in > $out\n")
	for _, nd := range g.Nodes {
		fmt.Fprintf(w, "build %s: %s %s\n", nd.Out, nd.Prog, strings.Join(nd.Inputs, " "))
	}
	for _, grp := range g.groups {
		fmt.Fprintf(w, "build %s: phony %s\n", grp.name, strings.Join(grp.files, " "))
	}
	fmt.Fprintf(w, "default all\n")
}

func (g *Graph) makefile(w *bufio.Writer) {
	// Without its built-in rules make searches dozens of implicit rules
	// for every file (2.7 s of a 10,000-target no-op): a fast Makefile
	// turns them off.
	fmt.Fprintf(w, "MAKEFLAGS += --no-builtin-rules\n.SUFFIXES:\n")
	phony := make([]string, 0, len(g.groups))
	for i := len(g.groups) - 1; i >= 0; i-- {
		grp := g.groups[i]
		fmt.Fprintf(w, "%s: %s\n", grp.name, strings.Join(grp.files, " "))
		phony = append(phony, grp.name)
	}
	fmt.Fprintf(w, ".PHONY: %s\n", strings.Join(phony, " "))
	// A pattern rule for the objects, as a Makefile would be written;
	// make execs it without a shell.
	fmt.Fprintf(w, "out/%%.o: src/%%.txt | out\n\tcp $< $@\nout:\n\tmkdir -p out\n")
	for _, nd := range g.Nodes {
		if nd.Prog == "cat" {
			fmt.Fprintf(w, "%s: %s\n\tcat $^ > $@\n", nd.Out, strings.Join(nd.Inputs, " "))
		}
	}
}

// taskfile writes go-task's spelling: method checksum (content hashes, as
// gobuildj), sources and generates per task, deps by task name.
func (g *Graph) taskfile(w *bufio.Writer) {
	fmt.Fprintf(w, "version: '3'\nmethod: checksum\ntasks:\n")
	// go-task has no ordering but deps (run in parallel) and the commands
	// of a task (in sequence): "all" makes the output folder, then builds.
	fmt.Fprintf(w, "  all:\n    cmds:\n      - task: outdir\n      - task: build\n")
	fmt.Fprintf(w, "  outdir:\n    cmds: [mkdir -p out]\n    status: [test -d out]\n")
	for i := len(g.groups) - 1; i >= 0; i-- {
		grp := g.groups[i]
		name := grp.name
		if name == "all" {
			name = "build"
		}
		fmt.Fprintf(w, "  %s:\n    deps: %s\n", name, quoted(grp.members))
	}
	for _, nd := range g.Nodes {
		cmd := "cp " + nd.Inputs[0] + " " + nd.Out
		if nd.Prog == "cat" {
			cmd = "cat " + strings.Join(nd.Inputs, " ") + " > " + nd.Out
		}
		fmt.Fprintf(w, "  %s:\n", nd.Name)
		if len(nd.Deps) > 0 {
			fmt.Fprintf(w, "    deps: %s\n", quoted(nd.Deps))
		}
		fmt.Fprintf(w, "    sources: %s\n    generates: [%s]\n    cmds: [\"%s\"]\n", quoted(nd.Inputs), nd.Out, cmd)
	}
}
