// Package query answers questions about a build graph without building
// anything: which targets it has (WriteList, for `gobuildj list`), what one
// target is (its commands, deps, reverse deps, inputs, outputs, what its
// last depfile named) and whether a build would run it now, and why, as
// typed event.Reason values (Describe and WouldRun, for `gobuildj query`).
package query

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/gobuildj/gobuildj/cache"
	"github.com/gobuildj/gobuildj/graph"
)

// Description is what gobuildj knows of one target.
type Description struct {
	// Target is the target described.
	Target *graph.Target
	// Rule is the rule the target stands for (its alias), or nil.
	Rule *graph.Rule
	// DeclaredIn is the Buildfile declaring it, relative to the root
	// Buildfile's folder ("" if unknown).
	DeclaredIn string
	// Recorded says the state holds a record of a run of the target;
	// Discovered are then the inputs its depfile named at that run, and
	// Traced and Probed what its trace saw it read undeclared and look
	// for in vain.
	Recorded       bool
	Discovered     []string
	Traced, Probed []string
	// WouldRun says whether a build would run it now, and why.
	WouldRun Verdict
}

// Describe gathers what g and its state say of t, a target of g, and
// whether a build would run it (a dry run: nothing runs, nothing is
// recorded).
func Describe(g *graph.Graph, t *graph.Target) (*Description, error) {
	d := &Description{Target: t}
	for _, r := range g.Rules {
		if r.Target == t {
			d.Rule = r
		}
	}
	if rel, err := filepath.Rel(g.Root, t.File); err == nil && t.File != "" {
		d.DeclaredIn = rel
	}
	store, err := cache.OpenReadOnlyState(g.State())
	if err != nil {
		return nil, fmt.Errorf("state: %w", err)
	}
	rec, recorded := store.Target(t.Name)
	store.Close()
	d.Recorded, d.Discovered = recorded, rec.Discovered
	d.Traced, d.Probed = rec.Traced, rec.Probed
	if d.WouldRun, err = WouldRun(g, t, recorded); err != nil {
		return nil, fmt.Errorf("query %s: %w", t.Name, err)
	}
	return d, nil
}

// String is the text of `gobuildj query`: the target's name, then a field
// a line ("  key: value"), lists one item a line below their key.
func (d *Description) String() string {
	t := d.Target
	var b strings.Builder
	b.WriteString(t.Name + "\n")
	field := func(key, value string) {
		if value != "" {
			fmt.Fprintf(&b, "  %s: %s\n", key, value)
		}
	}
	list := func(key string, items []string) {
		fmt.Fprintf(&b, "  %s:", key)
		if len(items) == 0 {
			b.WriteString(" (none)\n")
			return
		}
		b.WriteString("\n")
		for _, it := range items {
			fmt.Fprintf(&b, "    %s\n", it)
		}
	}
	if t.Description != t.Name {
		field("description", t.Description)
	}
	if t.Rule != "" {
		field("rule", fmt.Sprintf("%s (for %s)", t.Rule, t.Match))
	}
	if r := d.Rule; r != nil {
		field("rule", fmt.Sprintf("%s: over %s, %d targets", r.Name, strings.Join(r.Foreach, ", "), len(r.Instances)))
	}
	field("declared in", d.DeclaredIn)
	if t.Dir != "." {
		field("dir", t.Dir)
	}
	field("pool", t.Pool)
	if t.Always {
		field("always", "true")
	}
	if len(t.Cmds) > 0 {
		list("cmd", t.Cmds)
	}
	list("deps", names(t.Deps))
	list("reverse deps", names(t.RDeps))
	list("inputs", t.Inputs)
	if t.Depfile != "" {
		field("depfile", t.Depfile)
		list("inputs its last depfile named", d.Discovered)
	}
	if t.Trace || len(d.Traced) > 0 || len(d.Probed) > 0 {
		field("trace", fmt.Sprint(t.Trace))
		list("inputs its last traced run read", d.Traced)
		list("paths its last traced run looked for in vain", d.Probed)
	}
	if t.Dyndep != "" {
		field("dyndep", t.Dyndep+" (the inputs and deps it names are known once the dep that writes it has run)")
	}
	list("outputs", t.Outputs)
	field("would run", d.WouldRun.String())
	return b.String()
}

// names returns the names of ts.
func names(ts []*graph.Target) []string {
	out := make([]string, len(ts))
	for i, t := range ts {
		out[i] = t.Name
	}
	return out
}
