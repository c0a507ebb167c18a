package main

import (
	"bytes"
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/gobuildj/gobuildj/graph"
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
			return writeList(stdout, g, all)
		},
	}
	cmd.Flags().BoolVarP(&all, "all", "a", false, "also list the targets that rules make")
	return cmd
}

// writeList prints the targets of g in two columns: name and description.
func writeList(out io.Writer, g *graph.Graph, all bool) error {
	rules := make(map[*graph.Target]*graph.Rule, len(g.Rules))
	for _, r := range g.Rules {
		rules[r.Target] = r
	}
	defaults := g.Default
	if len(defaults) == 0 {
		if _, ok := g.Lookup("all"); ok {
			defaults = []string{"all"}
		}
	}
	isDefault := make(map[*graph.Target]bool, len(defaults))
	for _, name := range defaults {
		if t, ok := g.Lookup(name); ok {
			isDefault[t] = true
		}
	}
	targets := make([]*graph.Target, 0, len(g.Targets))
	for _, t := range g.Targets {
		if all || t.Rule == "" {
			targets = append(targets, t)
		}
	}
	slices.SortFunc(targets, func(a, b *graph.Target) int { return strings.Compare(a.Name, b.Name) })
	var buf bytes.Buffer
	tw := tabwriter.NewWriter(&buf, 0, 8, 2, ' ', 0)
	for _, t := range targets {
		desc := ""
		if t.Description != t.Name {
			desc = t.Description
		}
		if r := rules[t]; r != nil {
			n := "targets"
			if len(r.Instances) == 1 {
				n = "target"
			}
			desc = fmt.Sprintf("rule over %s (%d %s)", strings.Join(r.Foreach, ", "), len(r.Instances), n)
		}
		if isDefault[t] {
			desc = strings.TrimSpace(desc + " (default)")
		}
		fmt.Fprintf(tw, "%s\t%s\n", t.Name, desc)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for line := range strings.Lines(buf.String()) {
		if _, err := io.WriteString(out, strings.TrimRight(line, " \n")+"\n"); err != nil {
			return err
		}
	}
	return nil
}
