package main

import (
	"io"

	"github.com/spf13/cobra"

	"github.com/gobuildj/gobuildj/query"
)

func newQueryCommand(f *buildFlags, stdout io.Writer) *cobra.Command {
	return &cobra.Command{
		Use:   "query TARGET",
		Short: "Show a target: its deps, reverse deps, inputs, outputs, and why it would run now",
		Long: `query prints what gobuildj knows of one target (named by its name or an
output path): its description, commands, deps and reverse deps, inputs
(with those its depfile named at its last run), outputs, and whether a
build would run it now and why, as --explain says it. It runs and records
nothing.`,
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: completeTargets(f),
		RunE: func(cmd *cobra.Command, args []string) error {
			g, err := loadGraph(*f)
			if err != nil {
				return err
			}
			sel, err := g.Select(args)
			if err != nil {
				return err
			}
			d, err := query.Describe(g, sel[0])
			if err != nil {
				return err
			}
			_, err = io.WriteString(stdout, d.String())
			return err
		},
	}
}
