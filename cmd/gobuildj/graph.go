package main

import (
	"io"

	"github.com/spf13/cobra"

	"github.com/gobuildj/gobuildj/graphviz"
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
			args = f.takeVars(args)
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
				targets = g.Closure(sel)
			}
			return graphviz.Write(stdout, g, targets)
		},
	}
}
