// Package graphviz writes a build graph in Graphviz's dot language, for
// `gobuildj graph`: an arrow from each dep to the target that needs it,
// targets with commands as boxes (dashed in a pool), aliases as ellipses,
// and the targets of a rule framed together under the rule's name.
package graphviz

import (
	"fmt"
	"io"
	"strings"

	"github.com/gobuildj/gobuildj/graph"
)

// Write writes targets (which must be in g's order) as a dot digraph to w,
// with the edges between them; deps not among targets are left out.
func Write(w io.Writer, g *graph.Graph, targets []*graph.Target) error {
	if _, err := io.WriteString(w, Dot(g, targets)); err != nil {
		return fmt.Errorf("graphviz: %w", err)
	}
	return nil
}

// Dot is what Write writes, as a string.
func Dot(g *graph.Graph, targets []*graph.Target) string {
	var b strings.Builder
	b.WriteString("digraph gobuildj {\n")
	b.WriteString("  rankdir=LR;\n")
	b.WriteString("  node [shape=box, fontname=\"Helvetica\", fontsize=10, height=0.3];\n")
	b.WriteString("  edge [color=\"#555555\"];\n")
	shown := make(map[*graph.Target]bool, len(targets))
	for _, t := range targets {
		shown[t] = true
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
		fmt.Fprintf(&b, "  subgraph cluster_%d {\n    label=%s;\n    style=rounded;\n    color=\"#999999\";\n    fontname=\"Helvetica\";\n    fontsize=10;\n", i, Quote("rule "+r.Name))
		for _, t := range members {
			writeNode(&b, "    ", t)
		}
		b.WriteString("  }\n")
	}
	for _, t := range targets {
		if !inRule[t] {
			writeNode(&b, "  ", t)
		}
	}
	for _, t := range targets {
		for _, d := range t.Deps {
			if shown[d] {
				fmt.Fprintf(&b, "  %s -> %s;\n", Quote(d.Name), Quote(t.Name))
			}
		}
	}
	b.WriteString("}\n")
	return b.String()
}

// writeNode writes t's node statement, indented.
func writeNode(b *strings.Builder, indent string, t *graph.Target) {
	attrs := "label=" + Quote(Label(t))
	if t.IsAlias() {
		attrs += ", shape=ellipse"
	}
	if t.Pool != "" {
		attrs += ", style=dashed"
	}
	fmt.Fprintf(b, "%s%s [%s];\n", indent, Quote(t.Name), attrs)
}
