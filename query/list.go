package query

import (
	"bytes"
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/gobuildj/gobuildj/graph"
)

// WriteList writes g's targets to w, sorted by name, in two columns: the
// name and the description (when it says more than the name). A rule is
// one line, with its pattern and number of targets; all lists the targets
// rules make too. The default targets (`default`, else "all") are marked
// "(default)". This is the text of `gobuildj list`.
func WriteList(w io.Writer, g *graph.Graph, all bool) error {
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
		return fmt.Errorf("list: %w", err)
	}
	for line := range strings.Lines(buf.String()) {
		if _, err := io.WriteString(w, strings.TrimRight(line, " \n")+"\n"); err != nil {
			return fmt.Errorf("list: %w", err)
		}
	}
	return nil
}
