package main

import (
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/gobuildj/gobuildj/graph"
	"github.com/gobuildj/gobuildj/query"
)

// The subcommands named as ninja's tools (ninja -t targets, inputs,
// commands): listings of the graph that run and record nothing.

func newTargetsCommand(f *buildFlags, stdout io.Writer) *cobra.Command {
	return &cobra.Command{
		Use:   "targets",
		Short: "List every target, those rules make too, with its description (ninja -t targets)",
		Long: `targets prints every target of the Buildfile, those its rules make
included, sorted by name, each with its description; the default targets
are marked "(default)". It is "gobuildj list --all", in ninja's words.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			g, err := loadGraph(*f)
			if err != nil {
				return err
			}
			return query.WriteList(stdout, g, true)
		},
	}
}

func newInputsCommand(f *buildFlags, stdout io.Writer) *cobra.Command {
	return &cobra.Command{
		Use:   "inputs TARGET...",
		Short: "List the files the targets are built from, transitively (ninja -t inputs)",
		Long: `inputs prints, sorted and one a line, every file that the commands of the
targets named, and of every target they depend on, read: their declared
inputs, what their depfiles named at their last runs, and the outputs of
the deps (not those of the targets named).`,
		Args:              cobra.MinimumNArgs(1),
		ValidArgsFunction: completeTargets(f),
		RunE: func(cmd *cobra.Command, args []string) error {
			g, sel, err := loadSelected(*f, args)
			if err != nil {
				return err
			}
			files, err := query.Inputs(g, sel)
			if err != nil {
				return err
			}
			return writeLines(stdout, files)
		},
	}
}

func newCommandsCommand(f *buildFlags, stdout io.Writer) *cobra.Command {
	return &cobra.Command{
		Use:   "commands [TARGET...]",
		Short: "Print the commands that build the targets, in order (ninja -t commands)",
		Long: `commands prints the commands that build the targets named (by default the
default targets) and everything they depend on, one a line, every
target's commands after those of its deps: what a build from nothing
runs, whatever is up to date now. A command that runs in a target's dir
is printed "cd DIR && command".`,
		ValidArgsFunction: completeTargets(f),
		RunE: func(cmd *cobra.Command, args []string) error {
			g, sel, err := loadSelected(*f, args)
			if err != nil {
				return err
			}
			return writeLines(stdout, query.Commands(g, sel))
		},
	}
}

// loadSelected loads the graph and selects the targets args name (the
// default ones when none).
func loadSelected(f buildFlags, args []string) (*graph.Graph, []*graph.Target, error) {
	args = f.takeVars(args)
	g, err := loadGraph(f)
	if err != nil {
		return nil, nil, err
	}
	sel, err := g.Select(args)
	if err != nil {
		return nil, nil, err
	}
	return g, sel, nil
}

// writeLines writes each of lines to w, a line each.
func writeLines(w io.Writer, lines []string) error {
	for _, l := range lines {
		if _, err := fmt.Fprintln(w, l); err != nil {
			return err
		}
	}
	return nil
}

func newMissingDepsCommand(f *buildFlags, stdout io.Writer) *cobra.Command {
	return &cobra.Command{
		Use:   "missingdeps",
		Short: "Find commands that read a generated file without a dep on its producer (ninja -t missingdeps)",
		Long: `missingdeps looks at the inputs that the targets' depfiles named at their
last runs (run a build first) for files that another target declares as
outputs while the reader does not depend on that target, directly or not:
a build may run the reader before the file is written, or not again after
it changes. It prints one line for each, then a count, and exits 1 if it
found any, 0 if none.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			g, err := loadGraph(*f)
			if err != nil {
				return err
			}
			missing, checked, err := query.MissingDeps(g)
			if err != nil {
				return err
			}
			for _, m := range missing {
				fmt.Fprintln(stdout, m)
			}
			fmt.Fprintf(stdout, "gobuildj: %d missing dep(s) among the recorded depfile inputs of %d target(s)\n", len(missing), checked)
			if len(missing) > 0 {
				return errMissingDeps
			}
			return nil
		},
	}
}
