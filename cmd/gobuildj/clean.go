package main

import (
	"errors"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/gobuildj/gobuildj/clean"
)

func newCleanCommand(f *buildFlags, stdout io.Writer) *cobra.Command {
	var stale, dead bool
	cmd := &cobra.Command{
		Use:   "clean [targets...]",
		Short: "Remove the files gobuildj recorded as outputs",
		Long: `clean removes the outputs (and depfiles) that gobuildj recorded for the
targets named and everything they depend on, or with no target for every
target it has a record of (also targets no longer in the Buildfile), and
forgets those runs. It removes nothing else: not a file a command wrote
without declaring it, not the folders outputs were put in.

It first checks every file it would remove: if one resolves outside the
Buildfile's folder, lexically or through a symbolic link (or lies in
.gobuildj/), it removes nothing, names the file and exits with code 2.

With --stale it removes only the stale outputs, those a build removes before
it starts: the files recorded for targets no longer in the Buildfile, and
those a target no longer declares, but never a file that is an input, an
output or a depfile of a target of the Buildfile. --dead is the same, in
ninja's words (ninja -t cleandead).`,
		ValidArgsFunction: completeTargets(f),
		RunE: func(cmd *cobra.Command, args []string) error {
			g, err := loadGraph(*f)
			if err != nil {
				return err
			}
			var res *clean.Result
			if stale || dead {
				if len(args) > 0 {
					flag := "--stale"
					if dead {
						flag = "--dead"
					}
					return usageError{fmt.Errorf("clean %s takes no target: stale outputs are those of no target", flag)}
				}
				res, err = clean.CleanStale(g)
			} else {
				res, err = clean.Clean(g, args)
			}
			var refused *clean.RefusedError
			if errors.As(err, &refused) {
				return usageError{err}
			}
			if res == nil {
				return err
			}
			for _, rel := range res.Removed {
				fmt.Fprintf(stdout, "removed %s\n", rel)
			}
			fmt.Fprintf(stdout, "gobuildj: removed %d file(s) of %d target(s)\n", len(res.Removed), res.Targets)
			return err
		},
	}
	cmd.Flags().BoolVar(&stale, "stale", false, "remove only the outputs of targets no longer in the Buildfile")
	cmd.Flags().BoolVar(&dead, "dead", false, "the same as --stale (ninja -t cleandead)")
	return cmd
}
