package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"golang.org/x/term"

	"github.com/gobuildj/gobuildj/console"
	"github.com/gobuildj/gobuildj/engine"
	"github.com/gobuildj/gobuildj/engine/admit"
	"github.com/gobuildj/gobuildj/event"
	"github.com/gobuildj/gobuildj/graph"
	"github.com/gobuildj/gobuildj/query"
	"github.com/gobuildj/gobuildj/runs"
)

// buildFlags are the flags of a build, shared by the root command and (later)
// watch.
type buildFlags struct {
	jobs      int
	jobsSet   bool // -j was given
	maxLoad   float64
	keepGoing bool
	retries   int
	dryRun    bool
	question  bool // -q: only say, by the exit code, whether something would run
	force     bool
	dir       string
	file      string
	verbose   bool
	quiet     bool // -s: no status lines, no summary after a success
	explain   bool
	json      bool   // --json with -n: what would run, as JSON
	keepStale bool   // --keep-stale
	sandbox   string // --sandbox: "", "on" or "strict"
	traceDeps bool   // --trace-deps: every target as if trace = true
	killGrace time.Duration
	color     string
	jobserver string
	reports   reportFlags
	remote    remoteFlags
	flags     *pflag.FlagSet
	profile   string // --cpuprofile: where to write a CPU profile of the build
	memprof   string // --memprofile: where to write a heap profile at the end of the build
	affected  string // --affected: the git ref (affectedDefault for the default branch)
	checkDeps string // --check-deps: "" (off), error or warn
	checkAll  bool   // gobuildj check: every target runs, traced, none from a remote cache
	// stderr is where the Buildfile's warnings are printed at load; nil
	// prints none (completion, -q).
	stderr io.Writer
	// vars are the NAME=value arguments, which override [vars].
	vars []graph.Override
	// client is set when the build runs in the build server for a client:
	// its terminal, and its resizes.
	client *clientStdio
	// argv is the command line, without the program's name.
	argv []string
	// daemon is --daemon: start a build server if none runs.
	daemon bool
}

const rootLong = `gobuildj builds the targets of Buildfile.toml (in the current folder, or as
-C and -f say), running up to -j commands at once in worker processes. A target
runs only when the content of its inputs, its command, its environment or the
outputs of its deps changed since its last successful run, or when one of its
outputs is missing or was modified: touching a file changes nothing. Before
building it removes the outputs it recorded for targets no longer in the
Buildfile (--keep-stale or remove_stale = false keeps them).

With no target named, it builds the Buildfile's "default" list, else "all".
An argument NAME=value (CC=clang) sets the variable NAME of [vars] instead
of naming a target, as make's command-line variables do.
A target is named by its name, a rule's name, or an output path it declares.
A target named like a subcommand (clean, list...) is built with
"gobuildj -- NAME".

Commands get a GNU make jobserver in MAKEFLAGS, so that nested builds share
-j. Run under make -jN, gobuildj shares make's jobserver instead.

On a terminal a status line is redrawn in place; when stdout is not a
terminal, or CI=true, plain lines are printed instead. The build ends with a
summary: counts, wall time, the critical path (the chain of targets that
bounded the wall time) and the five slowest targets; -s prints none of it
after a success, only what commands print and failures. GOBUILDJ_STATUS sets
the status prefix with ninja's NINJA_STATUS codes: %f finished, %t total, %r
running, %u remaining, %e elapsed seconds, %p percentage, %% a percent sign
(default "[%f/%t] "). With GITHUB_ACTIONS=true
a failure's output folds into ::group:: and becomes ::error annotations, one
per compiler diagnostic (file:line:col: error: ...). --junit, --trace and
--report write files about the build (not with -n), relative to -C's folder.

With -q it runs and prints nothing, and exits 1 if a command would run, 0
if everything is up to date (make -q).

Exit codes: 0 built (or up to date), 1 a target failed (with -q: something
would run), 2 bad usage or a bad Buildfile (found before any command runs),
130 interrupted.`

func newRootCommand(stdout, stderr io.Writer, gate *signalGate, client *clientStdio, argv []string) *cobra.Command {
	f := buildFlags{stderr: stderr, client: client, argv: argv}
	root := &cobra.Command{
		Use:           "gobuildj [flags] [targets...]",
		Short:         "A parallel build engine that skips what content hashes prove up to date",
		Long:          rootLong,
		Args:          cobra.ArbitraryArgs,
		SilenceUsage:  true,
		SilenceErrors: true,
		RunE: func(cmd *cobra.Command, args []string) error {
			f.jobsSet = cmd.Flags().Changed("jobs")
			args = f.takeVars(args)
			return runBuild(f, args, stdout, gate)
		},
		ValidArgsFunction: completeTargets(&f),
		Version:           versionLine(),
	}
	root.SetVersionTemplate("{{.Version}}\n")
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.SetFlagErrorFunc(flagError)
	fl := root.Flags()
	fl.SortFlags = false
	fl.IntVarP(&f.jobs, "jobs", "j", runtime.NumCPU(), "run `N` commands at once")
	fl.Float64VarP(&f.maxLoad, "load-average", "l", 0, "start no new command while the load average is above `N` and a command runs (0: no limit)")
	fl.BoolVarP(&f.keepGoing, "keep-going", "k", false, "keep building what does not depend on a failed target")
	fl.IntVar(&f.retries, "retries", 0, "run a failed target again up to `N` times before its failure counts (a target's own retries wins when larger)")
	fl.BoolVarP(&f.dryRun, "dry-run", "n", false, "name what would run; run and record nothing")
	fl.BoolVarP(&f.question, "question", "q", false, "run nothing, print nothing: exit 1 if a command would run, 0 if all is up to date")
	fl.BoolVarP(&f.force, "always-make", "B", false, "rebuild every target")
	pf := root.PersistentFlags()
	pf.SortFlags = false
	pf.StringVarP(&f.dir, "directory", "C", "", "change to `DIR` before doing anything")
	pf.StringVarP(&f.file, "file", "f", "Buildfile.toml", "read `FILE` as the Buildfile")
	fl.BoolVarP(&f.verbose, "verbose", "v", false, "show commands instead of descriptions")
	fl.BoolVarP(&f.quiet, "quiet", "s", false, "print only what commands print and failures: no status lines, no summary after a success")
	fl.BoolVar(&f.explain, "explain", false, "say why each target runs")
	fl.BoolVar(&f.json, "json", false, "with -n: print what would run as JSON, each with its key, reason and manifest changes")
	fl.StringVar(&f.sandbox, "sandbox", "", "run every target's commands in a Landlock sandbox: read only declared inputs, deps' outputs, tools and the system, write only outputs' folders (`MODE` strict: fail where the kernel has no Landlock, instead of a warning)")
	fl.Lookup("sandbox").NoOptDefVal = sandboxOn
	fl.BoolVar(&f.keepStale, "keep-stale", false, "keep the outputs of targets no longer in the Buildfile (by default they are removed)")
	fl.BoolVar(&f.traceDeps, "trace-deps", false, "run every command traced, as trace = true does: what it reads in the project becomes an input of its next build")
	fl.DurationVar(&f.killGrace, "kill-grace", engine.DefaultKillGrace, "after SIGTERM, wait this long before SIGKILL")
	fl.StringVar(&f.jobserver, "jobserver", "pipe", "share -j with nested make/ninja/cargo through MAKEFLAGS: `MODE` pipe (make 4.3+), fifo (make 4.4+, ninja 1.13+) or none; under make -jN, make's jobserver is shared instead (none: ignored)")
	fl.StringVar(&f.color, "color", "auto", "colour the output: `WHEN` auto, always or never (NO_COLOR is honoured)")
	fl.Bool("version", false, "print gobuildj's version (its module version or commit) and exit")
	fl.BoolVar(&f.daemon, "daemon", false, "build through this folder's build server, starting one if none runs (GOBUILDJ_DAEMON=1 does the same; see gobuildj server)")
	registerAffected(fl, &f.affected)
	registerCheckDeps(fl, &f.checkDeps)
	f.reports.register(fl)
	f.remote.register(fl)
	f.flags = fl
	fl.StringVar(&f.profile, "cpuprofile", "", "write a CPU profile of the build to `FILE` (go tool pprof)")
	_ = fl.MarkHidden("cpuprofile")
	fl.StringVar(&f.memprof, "memprofile", "", "write a heap profile at the end of the build to `FILE` (go tool pprof)")
	_ = fl.MarkHidden("memprofile")

	root.AddCommand(
		newVersionCommand(stdout),
		newListCommand(&f, stdout),
		newGraphCommand(&f, stdout),
		newQueryCommand(&f, stdout),
		newTargetsCommand(&f, stdout),
		newInputsCommand(&f, stdout),
		newCommandsCommand(&f, stdout),
		newMissingDepsCommand(&f, stdout),
		newWhyCommand(&f, stdout),
		newCleanCommand(&f, stdout),
		newCompdbCommand(&f, stdout),
		newWatchCommand(&f, stdout, gate),
		newCheckCommand(&f, stdout, gate),
		newRunsCommand(&f, stdout),
		newAffectedCommand(&f, stdout, stderr),
		newTraceCommand(stdout),
		newServerCommand(&f, stdout, gate),
	)
	for _, c := range root.Commands() {
		c.SetFlagErrorFunc(flagError)
	}
	return root
}

// completeTargets completes target names (with their descriptions) from
// the Buildfile.
func completeTargets(f *buildFlags) func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
	return func(cmd *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
		quiet := *f
		quiet.stderr = nil
		g, err := loadGraph(quiet)
		if err != nil {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		var names []string
		for _, t := range g.Targets {
			if strings.HasPrefix(t.Name, toComplete) {
				names = append(names, t.Name+"\t"+t.Description)
			}
		}
		return names, cobra.ShellCompDirectiveNoFileComp
	}
}

// loadGraph changes to -C and loads the Buildfile named by -f, from the
// snapshot of its last load when that is still valid.
func loadGraph(f buildFlags) (*graph.Graph, error) {
	return loadGraphFor(f, false)
}

// loadGraphFor is loadGraph; a build that may write sets snapshot to save
// a snapshot of the graph for the next one.
func loadGraphFor(f buildFlags, snapshot bool) (*graph.Graph, error) {
	if f.dir != "" {
		if err := os.Chdir(f.dir); err != nil {
			return nil, usageError{fmt.Errorf("-C: %w", err)}
		}
		f.dir = ""
	}
	path := f.file
	if _, err := os.Stat(path); err != nil {
		if errors.Is(err, os.ErrNotExist) {
			wd, _ := os.Getwd()
			return nil, usageError{fmt.Errorf("no %s in %s (gobuildj does not look in parent folders; use -C DIR or -f FILE)", path, wd)}
		}
		return nil, usageError{fmt.Errorf("-f: %w", err)}
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, usageError{fmt.Errorf("-f: %w", err)}
	}
	var g *graph.Graph
	if f.client != nil && f.client.graph != nil {
		g, err = graph.LoadCachedKept(abs, snapshot, f.vars, f.client.graph)
	} else {
		g, err = graph.LoadCachedWith(abs, snapshot, f.vars)
	}
	if err == nil && f.stderr != nil {
		for _, w := range g.Warnings {
			fmt.Fprintf(f.stderr, "gobuildj: warning: %s\n", w)
		}
	}
	return g, err
}

func runBuild(f buildFlags, args []string, stdout io.Writer, gate *signalGate) error {
	if f.question {
		return question(f, args)
	}
	if f.json {
		if !f.dryRun {
			return usageError{fmt.Errorf("--json goes with -n (what would run, as JSON)")}
		}
		return dryRunJSON(f, args, stdout)
	}
	if f.memprof != "" {
		defer writeHeapProfile(f.memprof)
	}
	if f.profile != "" {
		stop, err := startProfile(f.profile)
		if err != nil {
			return usageError{err}
		}
		defer stop()
	}
	resumeGC := pauseGC()
	defer resumeGC()
	s, err := newSession(f, stdout, !f.dryRun)
	if err != nil {
		return err
	}
	defer s.close()
	g := s.g
	remoteOpts, err := f.remote.options(f.flags, g)
	if err != nil {
		return err
	}
	targets, err := g.Select(args)
	if err != nil {
		return err
	}
	if len(args) == 0 && g.BuildsRoots() && !f.quiet {
		s.printer.Message(noDefaultMessage(len(targets)))
	}
	if targets, err = selectAffected(f, g, targets, s.printer.Message); err != nil {
		return err
	}
	if len(targets) == 0 { // --affected found nothing to build
		return nil
	}
	var reps *reports
	if !f.dryRun {
		if reps, err = openReports(f.reports); err != nil {
			return err
		}
	}
	opts := s.opts
	opts.DryRun = f.dryRun
	opts.Remote = remoteOpts
	if err := checkDepsOptions(f, &opts); err != nil {
		return err
	}
	if f.checkAll {
		// A result from a remote cache or farm would not be seen running.
		opts.Remote = nil
	}
	// Once the build is planned, its loop is about to watch the signals:
	// they stop its commands instead of ending gobuildj at once.
	rec := runs.NewRecorder()
	listener := event.Tee(s.lastLog, s.printer, reps.listener(), rec)
	// A build server may know that this build would run nothing, and
	// what it would say.
	var memo *noopMemo
	var memoKey string
	if c := f.client; c != nil && opts.Remote == nil && memoEligible(f, g) {
		memo, memoKey = c.memo, c.key
	}
	var sum event.Summary
	var memoRec *memoRecorder
	if events, msum, ok := memo.lookup(memoKey, g); ok {
		// A build that ran nothing is not recorded: the run recorder
		// need not hear it.
		sum = replay(events, msum, event.Tee(s.lastLog, s.printer, reps.listener()))
		resumeGC()
	} else {
		memo.forget()
		if memoRec = memo.record(); memoRec != nil {
			listener = event.Tee(listener, memoRec)
			opts.Programs = memoRec.Programs
		}
		opts.Listener = resumeGCOnPlan{listener, func() {
			resumeGC()
			gate.Take()
		}}
		sum, err = engine.Build(g, targets, opts, gate.Signals())
	}
	_ = g.SaveSnapshot() // if the state folder was made by this build
	if !f.dryRun {
		saveRun(rec, g, args, opts, s.printer.Message)
	}
	if memoRec != nil && err == nil {
		memo.keep(memoKey, g, memoRec)
	}
	rerr := reps.finish(reportMeta(s.startDir, g.File, g.Root, f.argv, opts.Jobs))
	if cerr := printDepCheck(f.stderr, sum.DepCheck, f.checkDeps, f.checkAll); cerr != nil && err == nil && rerr == nil {
		return cerr
	}
	switch {
	case errors.Is(err, engine.ErrFailed) || errors.Is(err, engine.ErrInterrupted):
		if rerr != nil { // the build's story is told, the report's is not
			return fmt.Errorf("%w (and %w)", rerr, err)
		}
		return fmt.Errorf("%w: %w", errReported, err)
	case err != nil:
		return err
	}
	return rerr
}

// question is -q (make -q): nil when the targets are up to date,
// errOutOfDate (exit 1, nothing printed) when a build would run a command.
// It runs, prints and records nothing.
func question(f buildFlags, args []string) error {
	f.stderr = nil
	g, err := loadGraph(f)
	if err != nil {
		return err
	}
	targets, err := g.Select(args)
	if err != nil {
		return err
	}
	if targets, err = selectAffected(f, g, targets, nil); err != nil {
		return err
	}
	stale, err := query.OutOfDate(g, targets)
	if err != nil {
		return err
	}
	if stale {
		return errOutOfDate
	}
	return nil
}

// terminalMode decides how the build is shown: a live status line and
// colours on a terminal, plain lines in a pipe or when CI=true.
func terminalMode(out io.Writer, colorFlag string) (live, color bool, width int, err error) {
	if file, ok := out.(fdWriter); ok && term.IsTerminal(int(file.Fd())) {
		live = os.Getenv("CI") != "true" && os.Getenv("TERM") != "dumb"
		if w, _, err := term.GetSize(int(file.Fd())); err == nil {
			width = w
		}
	}
	switch colorFlag {
	case "auto":
		color = live && os.Getenv("NO_COLOR") == ""
	case "always":
		color = true
	case "never":
		color = false
	default:
		return false, false, 0, usageError{fmt.Errorf("--color %q: expected auto, always or never", colorFlag)}
	}
	return live, color, width, nil
}

// fdWriter is an output with a file descriptor: a file, or the client's
// terminal in the build server.
type fdWriter interface {
	io.Writer
	Fd() uintptr
}

// inheritJobserver finds the jobserver of a parent make in MAKEFLAGS
// (unless js is none), so that gobuildj under make -jN shares make's budget
// rather than adds its own to it: -j, when not given, becomes the parent's.
// A jobserver that MAKEFLAGS names but that cannot be used is reported on
// the printer and, as make does, leaves one job.
func inheritJobserver(f *buildFlags, js admit.JobserverMode, printer *console.Printer) *admit.MakeJobserver {
	if js == admit.JobserverNone {
		return nil
	}
	parent, err := admit.FindMakeJobserver(os.Getenv("MAKEFLAGS"))
	switch {
	case err != nil:
		if !f.jobsSet {
			f.jobs = 1
		}
		printer.Message(fmt.Sprintf("gobuildj: warning: %v; using -j%d", err, f.jobs))
	case parent != nil && parent.Jobs > 0 && !f.jobsSet:
		f.jobs = parent.Jobs
	}
	return parent
}
