package main

import (
	"io"

	"github.com/spf13/cobra"

	"github.com/gobuildj/gobuildj/query"
)

func newListCommand(f *buildFlags, stdout io.Writer) *cobra.Command {
	var all bool
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List the targets with their descriptions",
		Long: `list prints the Buildfile's targets, sorted by name, each with its
description when it has one. A rule is listed once, with its pattern and
its number of targets; --all lists every target it makes too. The default
targets are marked "(default)".`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			g, err := loadGraph(*f)
			if err != nil {
				return err
			}
			return query.WriteList(stdout, g, all)
		},
	}
	cmd.Flags().BoolVarP(&all, "all", "a", false, "also list the targets that rules make")
	return cmd
}
