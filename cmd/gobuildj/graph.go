package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/gobuildj/gobuildj/graph"
)

func newGraphCommand(f *buildFlags, stdout io.Writer) *cobra.Command {
	return &cobra.Command{
		Use:   "graph [targets...]",
		Short: "Print the dependency graph in Graphviz dot",
		Long: `graph prints the targets named (with everything they depend on), or every
target, as a Graphviz dot graph: an arrow goes from a dep to the target that
needs it. Targets with commands are boxes (dashed when they run in a pool),
aliases (targets without commands, and rules) are ellipses, and the
targets a rule makes are grouped in a frame named after it. Render it with,
for example:

  gobuildj graph | dot -Tsvg > graph.svg`,
		ValidArgsFunction: completeTargets(f),
		RunE: func(cmd *cobra.Command, args []string) error {
			g, err := loadGraph(*f)
			if err != nil {
				return err
			}
			targets := g.Targets
			if len(args) > 0 {
				sel, err := g.Select(args)
				if err != nil {
					return err
				}
				targets = closure(g, sel)
			}
			_, err = io.WriteString(stdout, dot(g, targets))
			return err
		},
	}
}

// closure returns sel and everything it depends on, in g's order.
func closure(g *graph.Graph, sel []*graph.Target) []*graph.Target {
	in := make([]bool, len(g.Targets))
	stack := append([]*graph.Target(nil), sel...)
	for len(stack) > 0 {
		t := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if in[t.ID] {
			continue
		}
		in[t.ID] = true
		stack = append(stack, t.Deps...)
	}
	var out []*graph.Target
	for _, t := range g.Targets {
		if in[t.ID] {
			out = append(out, t)
		}
	}
	return out
}

// dot renders targets (in g's order) and the edges between them.
func dot(g *graph.Graph, targets []*graph.Target) string {
	var b strings.Builder
	b.WriteString("digraph gobuildj {\n")
	b.WriteString("  rankdir=LR;\n")
	b.WriteString("  node [shape=box, fontname=\"Helvetica\", fontsize=10, height=0.3];\n")
	b.WriteString("  edge [color=\"#555555\"];\n")
	shown := make(map[*graph.Target]bool, len(targets))
	for _, t := range targets {
		shown[t] = true
	}
	node := func(indent string, t *graph.Target) {
		attrs := "label=" + dotQuote(label(t))
		if t.IsAlias() {
			attrs += ", shape=ellipse"
		}
		if t.Pool != "" {
			attrs += ", style=dashed"
		}
		fmt.Fprintf(&b, "%s%s [%s];\n", indent, dotQuote(t.Name), attrs)
	}
	inRule := make(map[*graph.Target]bool)
	for i, r := range g.Rules {
		var members []*graph.Target
		for _, t := range r.Instances {
			if shown[t] {
				members = append(members, t)
				inRule[t] = true
			}
		}
		if len(members) == 0 {
			continue
		}
		fmt.Fprintf(&b, "  subgraph cluster_%d {\n    label=%s;\n    style=rounded;\n    color=\"#999999\";\n    fontname=\"Helvetica\";\n    fontsize=10;\n", i, dotQuote("rule "+r.Name))
		for _, t := range members {
			node("    ", t)
		}
		b.WriteString("  }\n")
	}
	for _, t := range targets {
		if !inRule[t] {
			node("  ", t)
		}
	}
	for _, t := range targets {
		for _, d := range t.Deps {
			if shown[d] {
				fmt.Fprintf(&b, "  %s -> %s;\n", dotQuote(d.Name), dotQuote(t.Name))
			}
		}
	}
	b.WriteString("}\n")
	return b.String()
}

// label is a node's text: the target's name, and its description when
// that says more.
func label(t *graph.Target) string {
	if t.Description == t.Name || t.Description == "" {
		return t.Name
	}
	return t.Name + "\n" + t.Description
}

// dotQuote quotes s as a dot ID: backslashes and quotes escaped, newlines
// as \n (a centred line break in a label).
func dotQuote(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`)
	return `"` + r.Replace(s) + `"`
}
