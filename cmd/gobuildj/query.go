package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/spf13/cobra"

	"github.com/gobuildj/gobuildj/cache"
	"github.com/gobuildj/gobuildj/engine"
	"github.com/gobuildj/gobuildj/event"
	"github.com/gobuildj/gobuildj/graph"
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
			q, err := describeTarget(g, sel[0])
			if err != nil {
				return err
			}
			_, err = io.WriteString(stdout, q)
			return err
		},
	}
}

// describeTarget is the text of query for t.
func describeTarget(g *graph.Graph, t *graph.Target) (string, error) {
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
	for _, r := range g.Rules {
		if r.Target == t {
			field("rule", fmt.Sprintf("%s: over %s, %d targets", r.Name, strings.Join(r.Foreach, ", "), len(r.Instances)))
		}
	}
	if rel, err := filepath.Rel(g.Root, t.File); err == nil && t.File != "" {
		field("declared in", rel)
	}
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
	store, err := cache.OpenReadOnly(g.Root)
	if err != nil {
		return "", fmt.Errorf("state: %w", err)
	}
	rec, recorded := store.Target(t.Name)
	store.Close()
	if t.Depfile != "" {
		field("depfile", t.Depfile)
		list("inputs its last depfile named", rec.Discovered)
	}
	list("outputs", t.Outputs)
	why, err := wouldRun(g, t, recorded)
	if err != nil {
		return "", err
	}
	field("would run", why)
	return b.String(), nil
}

func names(ts []*graph.Target) []string {
	out := make([]string, len(ts))
	for i, t := range ts {
		out[i] = t.Name
	}
	return out
}

// wouldRun says whether a build of t would run it now, and why, from a dry
// run with --explain. recorded says whether t has a record of a run.
func wouldRun(g *graph.Graph, t *graph.Target, recorded bool) (string, error) {
	if t.IsAlias() {
		return "nothing itself (it has no cmd: it is done when its deps are)", nil
	}
	rec := &explainRecorder{reasons: map[string]event.Reason{}}
	_, err := engine.Build(g, []*graph.Target{t}, engine.Options{Jobs: 1, DryRun: true, Explain: true, Listener: rec}, nil)
	var gerr *graph.Error
	if errors.As(err, &gerr) {
		return "cannot build: " + gerr.Error(), nil
	}
	if err != nil {
		return "", err
	}
	reason, ok := rec.reasons[t.Name]
	switch {
	case !ok:
		return "no (up to date)", nil
	case reason.Kind == event.DepMayChange && !recorded:
		return "yes (no previous run)", nil
	case reason.Kind == event.DepMayChange:
		for _, o := range t.Outputs {
			if _, err := os.Lstat(filepath.Join(g.Root, o)); err != nil {
				return fmt.Sprintf("yes (output %s missing)", o), nil
			}
		}
		var deps []string
		for _, name := range rec.order {
			if name != t.Name {
				deps = append(deps, fmt.Sprintf("%s would run (%s)", name, rec.reasons[name]))
			}
		}
		return "if its deps' outputs change: " + strings.Join(deps, "; "), nil
	}
	return "yes (" + reason.String() + ")", nil
}

// explainRecorder is an event.Listener that keeps the explanations of a dry
// run.
type explainRecorder struct {
	mu      sync.Mutex
	reasons map[string]event.Reason
	order   []string
}

func (r *explainRecorder) Planned(int) {}
func (r *explainRecorder) Explain(target string, reason event.Reason) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.reasons[target] = reason
	r.order = append(r.order, target)
}
func (r *explainRecorder) Started(event.Start)   {}
func (r *explainRecorder) Finished(event.Finish) {}
func (r *explainRecorder) Skipped(event.Skip)    {}
func (r *explainRecorder) Message(string)        {}
func (r *explainRecorder) Done(event.Summary)    {}
