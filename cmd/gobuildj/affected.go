package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/gobuildj/gobuildj/affected"
	"github.com/gobuildj/gobuildj/cache"
	"github.com/gobuildj/gobuildj/graph"
)

// affectedDefault is --affected's value when given without one: the
// default branch. It holds a space, which no git ref does.
const affectedDefault = "default branch"

// registerAffected adds --affected[=REF] to a build's flags.
func registerAffected(fl *pflag.FlagSet, ref *string) {
	fl.StringVar(ref, "affected", "", "build only the targets that files changed since `REF` reach (--affected alone: since the merge base with the default branch)")
	fl.Lookup("affected").NoOptDefVal = affectedDefault
}

// affectedRef returns the ref --affected names ("" for the default branch)
// and whether it was given.
func affectedRef(f buildFlags) (string, bool) {
	if f.flags == nil || !f.flags.Changed("affected") {
		return "", false
	}
	if f.affected == affectedDefault {
		return "", true
	}
	return f.affected, true
}

// findAffected computes the targets among wanted (and what they depend on)
// that files changed since ref reach, with the changes they came from.
func findAffected(g *graph.Graph, ref string, wanted []*graph.Target) (*affected.Changes, affected.Result, error) {
	changes, err := affected.Since(g.Root, ref, affected.Options{})
	if err != nil {
		return nil, affected.Result{}, usageError{err}
	}
	store, err := cache.OpenReadOnlyState(g.State())
	if err != nil {
		return nil, affected.Result{}, fmt.Errorf("state: %w", err)
	}
	defer store.Close()
	return changes, affected.Find(g, store, changes.Files, wanted), nil
}

// affectedSummary says in one line what --affected found.
func affectedSummary(g *graph.Graph, c *affected.Changes, res affected.Result, scope int) string {
	since := "gobuildj: affected since " + c.Describe()
	if res.Buildfile != "" {
		return fmt.Sprintf("%s: %s changed: all %d targets are affected", since, res.Buildfile, len(res.Targets))
	}
	return fmt.Sprintf("%s: %s changed, %d of %d targets affected", since, plural(len(res.Changed), "file"), len(res.Targets), scope)
}

func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}

// selectAffected narrows a build's targets to those --affected finds,
// saying what it found through say. An empty result means nothing to
// build.
func selectAffected(f buildFlags, g *graph.Graph, targets []*graph.Target, say func(string)) ([]*graph.Target, error) {
	ref, ok := affectedRef(f)
	if !ok {
		return targets, nil
	}
	changes, res, err := findAffected(g, ref, targets)
	if err != nil {
		return nil, err
	}
	if say != nil {
		say(affectedSummary(g, changes, res, len(g.Closure(targets))))
	}
	out := make([]*graph.Target, len(res.Targets))
	for i, r := range res.Targets {
		out[i] = r.Target
	}
	return out, nil
}

func newAffectedCommand(f *buildFlags, stdout, stderr io.Writer) *cobra.Command {
	var verbose bool
	cmd := &cobra.Command{
		Use:   "affected [REF [TARGET...]]",
		Short: "List the targets that files changed since a git ref reach (what --affected builds)",
		Long: `affected lists, one a line in the graph's order (each after its deps), the
targets that files changed since REF reach: the files changed by the commits
since the merge base of REF and HEAD (git diff --name-only REF...HEAD), and
those changed, staged or untracked now (git status), relative to the
Buildfile's folder. A changed file affects the targets that read it (a
declared input, a glob match, or an input their last depfile named), and
each affected target every target that depends on it. A changed Buildfile
affects every target. Only the default targets (or the TARGETs named) and
what they depend on are looked at: what "gobuildj --affected=REF [TARGET...]"
builds.

Without REF: the merge base with the default branch (origin/HEAD's target,
else main, else master; the first line on stderr says which). In a shallow
clone whose history stops before the merge base it fails (exit 2) and says
so: run git fetch --unshallow, or name a ref that exists.

-v shows after each target the changed file that reached it, and the dep it
came through.`,
		ValidArgsFunction: completeTargets(f),
		RunE: func(cmd *cobra.Command, args []string) error {
			ref := ""
			if len(args) > 0 {
				ref, args = args[0], args[1:]
			}
			g, sel, err := loadSelected(*f, args)
			if err != nil {
				return err
			}
			changes, res, err := findAffected(g, ref, sel)
			if err != nil {
				return err
			}
			fmt.Fprintln(stderr, affectedSummary(g, changes, res, len(g.Closure(sel))))
			var b strings.Builder
			for _, r := range res.Targets {
				b.WriteString(r.Target.Name)
				if verbose {
					b.WriteString(": " + r.File)
					if r.Via != nil {
						b.WriteString(" (through " + r.Via.Name + ")")
					}
				}
				b.WriteByte('\n')
			}
			_, err = io.WriteString(stdout, b.String())
			return err
		},
	}
	cmd.Flags().BoolVarP(&verbose, "verbose", "v", false, "show the changed file that reached each target")
	return cmd
}
