package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/gobuildj/gobuildj/engine"
	"github.com/gobuildj/gobuildj/graph"
	"github.com/gobuildj/gobuildj/internal/statedir"
	"github.com/gobuildj/gobuildj/runs"
)

// saveRun writes the run record of a build that did something (see
// runs.Record.Worth) and prunes the old ones. A failure to write it is a
// warning: the build's own outcome stands.
func saveRun(rec *runs.Recorder, g *graph.Graph, goals []string, opts engine.Options, warn func(string)) {
	if !rec.Worth() {
		return // nothing to build the record of: a no-op is not recorded
	}
	meta := runs.Meta{
		Version:   versionLine(),
		Buildfile: filepath.Base(g.File),
		Goals:     goals,
		Flags:     runs.Flags{Jobs: opts.Jobs, KeepGoing: opts.KeepGoing, Force: opts.Force},
	}
	if r := opts.Remote; r != nil {
		meta.Flags.Remote = r.Config.Endpoint
		if r.Exec {
			meta.Flags.Remote = "exec " + r.Config.Endpoint
		}
	}
	if rel, err := filepath.Rel(g.Root, g.File); err == nil {
		meta.Buildfile = rel
	}
	record := rec.Record(meta)
	if !record.Worth() {
		return
	}
	if err := runs.Save(statedir.Of(g.Root), record); err != nil {
		warn(fmt.Sprintf("gobuildj: warning: %v", err))
	}
}

const runsLong = `runs lists the records of the last builds, oldest first: ID, start, wall
time and counts. Each build that runs a command, fetches a result from the
remote cache, fails or is interrupted writes one to .gobuildj/runs/ID.json
(a build that finds everything up to date writes none). The last 50 are
kept, at most 20 MiB together.

A run is named by its ID (or the start of one), "last" (the newest) or
"last~N" (N before it).`

func newRunsCommand(f *buildFlags, stdout io.Writer) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "runs",
		Short: "List the recorded builds; show one; say what differs between two",
		Long:  runsLong,
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			dir, entries, err := runEntries(f)
			if err != nil {
				return err
			}
			recs := make([]*runs.Record, 0, len(entries))
			for _, e := range entries {
				rec, err := runs.Load(dir, e.ID)
				if err != nil { // one bad file does not hide the others
					fmt.Fprintf(cmd.ErrOrStderr(), "gobuildj: warning: %v\n", err)
					continue
				}
				recs = append(recs, rec)
			}
			if len(recs) == 0 {
				_, err := fmt.Fprintln(stdout, "no run recorded yet")
				return err
			}
			return runs.WriteList(stdout, recs)
		},
	}
	var showJSON, diffJSON bool
	show := &cobra.Command{
		Use:   "show RUN",
		Short: "Show a recorded build: each target's outcome, time, worker, key and reason",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			rec, err := loadRun(f, args[0])
			if err != nil {
				return err
			}
			if showJSON {
				return writeJSON(stdout, rec)
			}
			return runs.WriteShow(stdout, rec)
		},
	}
	show.Flags().BoolVar(&showJSON, "json", false, "print the record as JSON")
	diff := &cobra.Command{
		Use:   "diff A B",
		Short: "Say what differs between two recorded builds: targets, keys and why, outcomes, times",
		Args:  cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			a, err := loadRun(f, args[0])
			if err != nil {
				return err
			}
			b, err := loadRun(f, args[1])
			if err != nil {
				return err
			}
			d := runs.Compare(a, b)
			if diffJSON {
				return writeJSON(stdout, d)
			}
			return runs.WriteDiff(stdout, d)
		},
	}
	diff.Flags().BoolVar(&diffJSON, "json", false, "print the differences as JSON")
	cmd.AddCommand(show, diff)
	return cmd
}

// runEntries finds the Buildfile's folder (as -C and -f say) and lists
// its run records.
func runEntries(f *buildFlags) (statedir.Dir, []runs.Entry, error) {
	if f.dir != "" {
		if err := os.Chdir(f.dir); err != nil {
			return statedir.Dir{}, nil, usageError{fmt.Errorf("-C: %w", err)}
		}
		f.dir = ""
	}
	abs, err := filepath.Abs(f.file)
	if err != nil {
		return statedir.Dir{}, nil, usageError{fmt.Errorf("-f: %w", err)}
	}
	// The Buildfile is not read: the records of a folder can be looked
	// at while its Buildfile is broken.
	dir := statedir.Of(filepath.Dir(abs))
	entries, err := runs.List(dir)
	if err != nil {
		return dir, nil, fmt.Errorf("run records: %w", err)
	}
	return dir, entries, nil
}

// loadRun reads the record that name designates (an ID, last, last~N).
func loadRun(f *buildFlags, name string) (*runs.Record, error) {
	dir, entries, err := runEntries(f)
	if err != nil {
		return nil, err
	}
	id, err := runs.Resolve(entries, name)
	if err != nil {
		return nil, usageError{err}
	}
	return runs.Load(dir, id)
}
