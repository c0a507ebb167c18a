package main

import (
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/spf13/cobra"

	"github.com/gobuildj/gobuildj/engine"
	"github.com/gobuildj/gobuildj/graph"
	"github.com/gobuildj/gobuildj/why"
)

func newWhyCommand(f *buildFlags, stdout io.Writer) *cobra.Command {
	var chain, asJSON, fromRemote, traceDeps bool
	var rf remoteFlags
	cmd := &cobra.Command{
		Use:   "why TARGET",
		Short: "Say every difference between a target's last successful run and now",
		Long: `why compares the manifest of TARGET's last successful run (everything
that went into its action key, kept in the state) with its action now, and
prints every difference, not only the first as --explain does: inputs
changed (old and new hash prefixes, and how long ago the file was edited),
inputs added or removed (a glob matching a new file), inputs its depfile
named or its last traced run read, paths that run looked for in vain and
that now hold a file, the commands (a diff of their text), the env entries and dir, the
declared inherited variables (env_inputs: old and new values, unless long
or named like a secret), the tools, and the outputs of deps that it reads.

With --chain it walks up the deps that would run, to the first target whose
own manifest changed: the root cause. --json prints the same as JSON. It
runs and records nothing.

With --remote it compares instead what this machine would send to the
remote cache for TARGET now with the manifest that the last machine that
shared TARGET stored beside its result (--remote-cache URL or the
Buildfile's [remote] table name the server), and prints every difference:
the tools (by SHA-256), the inputs and deps' outputs, the inherited
variables (by digest), the commands and env entries: why this machine
misses what another one built.`,
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
			t := sel[0]
			if t.IsAlias() {
				return usageError{fmt.Errorf("%s has no commands of its own: ask why of one of its deps", t.Name)}
			}
			if fromRemote {
				if chain {
					return usageError{fmt.Errorf("--chain and --remote: expected one of them")}
				}
				return whyRemote(cmd, &rf, g, t, asJSON, stdout)
			}
			exps, err := explainAll(g, sel, traceDeps)
			if err != nil {
				return err
			}
			return printWhy(stdout, exps, t.Name, chain, asJSON)
		},
	}
	cmd.Flags().BoolVar(&chain, "chain", false, "walk up the deps that would run to the root cause")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	cmd.Flags().BoolVar(&fromRemote, "remote", false, "compare with the manifest of the remote cache's latest entry of TARGET")
	cmd.Flags().BoolVar(&traceDeps, "trace-deps", false, "as a build with --trace-deps would: every target's last traced inputs count")
	rf.register(cmd.Flags())
	return cmd
}

// explainAll explains every target with commands that a build of targets
// would consider, in build order; traceDeps as a build with --trace-deps.
func explainAll(g *graph.Graph, targets []*graph.Target, traceDeps bool) ([]why.Explanation, error) {
	cur, err := engine.Manifests(g, targets, engine.Options{Trace: traceDeps})
	if err != nil {
		return nil, err
	}
	return why.Explain(cur, g.Root, time.Now()), nil
}

// whyChainJSON is the JSON of why --chain.
type whyChainJSON struct {
	Chain     []why.Explanation `json:"chain"`
	RootCause string            `json:"root_cause,omitempty"`
}

func printWhy(w io.Writer, exps []why.Explanation, target string, chain, asJSON bool) error {
	c := why.Chain(exps, target)
	if !chain {
		c = c[:min(1, len(c))]
	}
	if asJSON {
		var v any
		switch {
		case chain:
			out := whyChainJSON{Chain: c}
			if n := len(c); n > 0 && c[n-1].Runs {
				out.RootCause = c[n-1].Target
			}
			v = out
		case len(c) == 1:
			v = c[0]
		}
		return writeJSON(w, v)
	}
	text := ""
	if chain {
		text = why.ChainText(c)
	} else if len(c) == 1 {
		text = c[0].String()
	}
	_, err := io.WriteString(w, text)
	return err
}

// dryRunJSON is -n --json: the targets that would run, in build order, each
// with its key, reason and manifest changes, as JSON.
func dryRunJSON(f buildFlags, args []string, stdout io.Writer) error {
	g, err := loadGraph(f)
	if err != nil {
		return err
	}
	targets, err := g.Select(args)
	if err != nil {
		return err
	}
	cur, err := engine.Manifests(g, targets, engine.Options{Force: f.force, Trace: f.traceDeps})
	if err != nil {
		return err
	}
	exps := why.Explain(cur, g.Root, time.Now())
	out := struct {
		WouldRun []why.Explanation `json:"would_run"`
	}{WouldRun: []why.Explanation{}}
	for _, e := range exps {
		if e.Runs {
			out.WouldRun = append(out.WouldRun, e)
		}
	}
	return writeJSON(stdout, out)
}

// writeJSON writes v to w as indented JSON, with <, > and & as they are
// (the output is read by scripts, not put in HTML).
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}
