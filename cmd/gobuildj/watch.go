package main

import (
	"errors"
	"fmt"
	"io"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"github.com/gobuildj/gobuildj/console"
	"github.com/gobuildj/gobuildj/engine"
	"github.com/gobuildj/gobuildj/event"
	"github.com/gobuildj/gobuildj/watch"
)

const watchLong = `gobuildj watch builds the targets (as gobuildj does), then watches the files
they read and builds again, at once, what each change affects: the targets that
read the changed files, and what depends on them. Nothing else is looked at,
so a change costs the same in a graph of 50 or 50,000 targets. The skip rules
and the state in .gobuildj/ are those of a plain build: touching a file runs
nothing, and a plain build afterwards agrees with watch.

Watched: the folders of every input, of the files depfiles named, of the
outputs and of the Buildfiles; the fixed folder of each input glob and rule's
foreach, with its subfolders (new ones too). Ignored: what the commands write
(outputs, depfiles), .gobuildj/ and editor temporary files (*.swp, *.swo, *.swx,
*~, 4913, .#*, #*#, *___jb_tmp___, *___jb_old___). Saving by rename (vim,
JetBrains, VS Code) works; so do deleted and re-created files. An output deleted
or edited by hand makes its target run again, as a plain build would.

A changed Buildfile is read again; one that does not load is reported
(file:line:column) and watch goes on with the last good one (one that does not
load when watch starts ends it with exit code 2, as a build). A new file that an
input glob or a rule's foreach matches is built; a removed one is dropped.

A change during a build joins it: the commands of the targets it affects get
SIGTERM (their whole process group; SIGKILL after --kill-grace) and run again;
other running commands finish. A changed Buildfile during a build lets running
commands finish, starts nothing more, and builds again once they are over. After
a failure (without -k) a build starts nothing more, and changes wait for the
next one. Each build retries what failed or did not run before.

Each build starts with a line naming the time and the files that changed,
then shows the usual status and summary. Ctrl-C stops as in a build (SIGTERM
to running commands, SIGKILL after --kill-grace, a second Ctrl-C kills at
once) and ends watch: exit code 130 if it stopped a build, else 0.`

// watchFlags are the flags of watch beside those of a build.
type watchFlags struct {
	debounce time.Duration
	clear    bool
}

func newWatchCommand(f *buildFlags, stdout io.Writer, gate *signalGate) *cobra.Command {
	var w watchFlags
	cmd := &cobra.Command{
		Use:   "watch [flags] [targets...]",
		Short: "Build, then build again what each change of a file affects",
		Long:  watchLong,
		Args:  cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			f.jobsSet = cmd.Flags().Changed("jobs")
			args = f.takeVars(args)
			return runWatch(*f, w, args, stdout, gate)
		},
		ValidArgsFunction: completeTargets(f),
	}
	fl := cmd.Flags()
	fl.SortFlags = false
	fl.IntVarP(&f.jobs, "jobs", "j", runtime.NumCPU(), "run `N` commands at once")
	fl.BoolVarP(&f.keepGoing, "keep-going", "k", false, "keep building what does not depend on a failed target")
	fl.IntVar(&f.retries, "retries", 0, "run a failed target again up to `N` times before its failure counts (a target's own retries wins when larger)")
	fl.BoolVarP(&f.force, "always-make", "B", false, "rebuild every target in the first build")
	fl.BoolVarP(&f.verbose, "verbose", "v", false, "show commands instead of descriptions")
	fl.BoolVarP(&f.quiet, "quiet", "s", false, "print only what commands print and failures: no status lines, no summary after a success")
	fl.BoolVar(&f.explain, "explain", false, "say why each target runs")
	fl.BoolVar(&f.keepStale, "keep-stale", false, "keep the outputs of targets no longer in the Buildfile (by default each build after a reload removes them)")
	fl.BoolVar(&f.traceDeps, "trace-deps", false, "run every command traced, as trace = true does: what it reads in the project becomes an input of its next build")
	fl.DurationVar(&w.debounce, "debounce", watch.DefaultDebounce, "wait until files stop changing for `D` before building")
	fl.BoolVar(&w.clear, "clear", false, "clear the terminal before each build")
	fl.DurationVar(&f.killGrace, "kill-grace", engine.DefaultKillGrace, "after SIGTERM, wait this long before SIGKILL")
	fl.StringVar(&f.jobserver, "jobserver", "pipe", "share -j with nested make/ninja/cargo through MAKEFLAGS: `MODE` pipe, fifo or none")
	fl.StringVar(&f.color, "color", "auto", "colour the output: `WHEN` auto, always or never (NO_COLOR is honoured)")
	return cmd
}

func runWatch(f buildFlags, w watchFlags, args []string, stdout io.Writer, gate *signalGate) error {
	if w.debounce <= 0 {
		return usageError{fmt.Errorf("--debounce %s: expected a positive duration such as 50ms", w.debounce)}
	}
	s, err := newSession(f, stdout, false)
	if err != nil {
		return err
	}
	defer s.close()
	watcher, err := watch.New(watch.Options{Debounce: w.debounce})
	if err != nil {
		return err
	}
	defer watcher.Close()
	opts := s.opts
	opts.Listener = event.Tee(s.lastLog, &watchPrinter{Printer: s.printer, watcher: watcher})
	gate.Take() // the session watches the signals from its start
	err = engine.Watch(s.g, opts, engine.WatchOptions{
		Targets: args,
		Watcher: watcher,
		OnCycle: func(c engine.Cycle) {
			if w.clear && !c.Joined {
				s.printer.ClearScreen()
			}
			s.printer.Message(cycleHeader(c))
		},
	}, gate.Signals())
	if errors.Is(err, engine.ErrInterrupted) {
		return fmt.Errorf("%w: %w", errReported, err)
	}
	return err
}

// cycleHeader is the line that starts a build of watch: when, and which
// files changed.
func cycleHeader(c engine.Cycle) string {
	at := c.Time.Format("15:04:05")
	switch {
	case c.First:
		return fmt.Sprintf("gobuildj watch: %s building %s", at, strings.Join(c.Targets, ", "))
	case c.Overflow:
		return fmt.Sprintf("gobuildj watch: %s too many changes at once (the kernel dropped events): checking everything", at)
	}
	files := c.Changed[:min(len(c.Changed), 5)]
	what := strings.Join(files, ", ")
	if more := len(c.Changed) - len(files); more > 0 {
		what += fmt.Sprintf(" (+%d more)", more)
	}
	if c.Joined {
		return fmt.Sprintf("gobuildj watch: %s %s changed during the build: what reads it starts again", at, what)
	}
	return fmt.Sprintf("gobuildj watch: %s %s changed", at, what)
}

// watchPrinter is the printer of watch: after the first build's summary it
// says that watch is watching, and how much.
type watchPrinter struct {
	*console.Printer
	watcher *watch.Watcher
	once    sync.Once
}

// Done implements event.Listener.
func (s *watchPrinter) Done(sum event.Summary) {
	s.Printer.Done(sum)
	s.once.Do(func() {
		folders := "folders"
		if s.watcher.Watched() == 1 {
			folders = "folder"
		}
		s.Printer.Message(fmt.Sprintf("gobuildj watch: watching %d %s for changes (Ctrl-C stops)", s.watcher.Watched(), folders))
	})
}
