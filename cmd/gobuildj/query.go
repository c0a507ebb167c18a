package main

import (
	"io"

	"github.com/spf13/cobra"

	"github.com/gobuildj/gobuildj/query"
)

func newQueryCommand(f *buildFlags, stdout io.Writer) *cobra.Command {
	return &cobra.Command{
		Use:   "query TARGET...",
		Short: "Show targets: their deps, reverse deps, inputs, outputs, and why it would run now",
		Long: `query prints what gobuildj knows of one target (named by its name or an
output path): its description, commands, deps and reverse deps, inputs
(with those its depfile named at its last run), outputs, and whether a
build would run it now and why, as --explain says it. Several targets are
described one after the other, a blank line between them. It runs and
records nothing.`,
		Args:              cobra.MinimumNArgs(1),
		ValidArgsFunction: completeTargets(f),
		RunE: func(cmd *cobra.Command, args []string) error {
			args = f.takeVars(args)
			g, err := loadGraph(*f)
			if err != nil {
				return err
			}
			sel, err := g.Select(args)
			if err != nil {
				return err
			}
			for i, t := range sel {
				d, err := query.Describe(g, t)
				if err != nil {
					return err
				}
				text := d.String()
				if i > 0 {
					text = "\n" + text
				}
				if _, err := io.WriteString(stdout, text); err != nil {
					return err
				}
			}
			return nil
		},
	}
}
