package main

import (
	"fmt"
	"io"
	"runtime"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/gobuildj/gobuildj/engine"
	"github.com/gobuildj/gobuildj/event"
)

// The modes of --check-deps: error (the default of a bare --check-deps)
// makes findings exit 1, warn only reports them.
const (
	checkError = "error"
	checkWarn  = "warn"
)

// errDepFindings is --check-deps=error (or check) finding something: exit
// 1, the findings printed.
var errDepFindings = fmt.Errorf("%w: the commands did what their Buildfile declarations do not say", errReported)

// registerCheckDeps adds --check-deps to fl.
func registerCheckDeps(fl *pflag.FlagSet, mode *string) {
	fl.StringVar(mode, "check-deps", "", "run every command under the tracer and report what it read or wrote that its target does not declare: `MODE` error (findings exit 1, the default) or warn")
	fl.Lookup("check-deps").NoOptDefVal = checkError
}

// checkDepsMode validates --check-deps.
func checkDepsMode(mode string) error {
	switch mode {
	case "", checkError, checkWarn:
		return nil
	}
	return usageError{fmt.Errorf("--check-deps=%s: expected error or warn", mode)}
}

const checkLong = `check builds the targets (as a build does, by default the Buildfile's
"default" list, else "all") with every command run again under the tracer,
up-to-date ones too (as -B does): a command that does not run is not seen.
It then holds what each command read, wrote and looked for against what
its target declares, and reports, grouped by target, each file that the
Buildfile misses, with the edit that fixes it:

  undeclared read    a project file read that is not an input, a depfile or
                     dyndep input, or an output of a dep
  missing dep        another target's output read with no dependency path
                     to that target (ninja's missingdeps, observed)
  undeclared write   a file written or deleted outside the declared outputs
                     and the temporary folders ($TMPDIR, /tmp, /dev)
  unwritten output   a declared output the command did not write
  outside read       a file outside the project and outside the system and
                     toolchain folders ($HOME dotfiles above all); [check]
                     allow = [...] in the Buildfile adds to those folders
  order probe        another target's output looked for and not found,
                     with no dependency path to it

It exits 1 when it found anything (--warn: 0), and says what tracing cost.
A normal build takes --check-deps[=error|warn] to check only the commands it
runs.`

// newCheckCommand is `gobuildj check`.
func newCheckCommand(f *buildFlags, stdout io.Writer, gate *signalGate) *cobra.Command {
	warn := false
	cmd := &cobra.Command{
		Use:   "check [flags] [targets...]",
		Short: "Rebuild everything under the tracer and report what the Buildfile does not declare",
		Long:  checkLong,
		Args:  cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			f.jobsSet = cmd.Flags().Changed("jobs")
			args = f.takeVars(args)
			f.force, f.checkAll = true, true
			f.checkDeps = checkError
			if warn {
				f.checkDeps = checkWarn
			}
			return runBuild(*f, args, stdout, gate)
		},
		ValidArgsFunction: completeTargets(f),
	}
	fl := cmd.Flags()
	fl.SortFlags = false
	fl.BoolVar(&warn, "warn", false, "report the findings and exit 0 (as --check-deps=warn)")
	fl.IntVarP(&f.jobs, "jobs", "j", runtime.NumCPU(), "run `N` commands at once")
	fl.BoolVarP(&f.keepGoing, "keep-going", "k", false, "keep building what does not depend on a failed target")
	fl.BoolVarP(&f.verbose, "verbose", "v", false, "show commands instead of descriptions")
	fl.BoolVarP(&f.quiet, "quiet", "s", false, "print only what commands print, failures and the findings")
	fl.StringVar(&f.color, "color", "auto", "colour the output: `WHEN` auto, always or never (NO_COLOR is honoured)")
	f.reports.register(fl)
	return cmd
}

// printDepCheck prints what --check-deps found, grouped by target, and what
// tracing cost; it returns errDepFindings when findings make the build fail,
// or when check (all) could trace none of the commands that ran.
func printDepCheck(w io.Writer, dc *event.DepCheck, mode string, all bool) error {
	if dc == nil || w == nil {
		return nil
	}
	last := ""
	targets := 0
	for _, f := range dc.Findings {
		if f.Target != last {
			fmt.Fprintf(w, "gobuildj check: %s:\n", f.Target)
			last = f.Target
			targets++
		}
		fmt.Fprintf(w, "  %s: %s\n", f.Kind, f.Path)
		fmt.Fprintf(w, "    %s\n", f.Why)
		fmt.Fprintf(w, "    fix: %s\n", f.Fix)
		if f.TOML != "" {
			fmt.Fprintf(w, "      %s\n", strings.ReplaceAll(f.TOML, "\n", "\n      "))
		}
	}
	fmt.Fprintln(w, depCheckSummary(dc, targets))
	switch {
	case mode == checkWarn:
		return nil
	case len(dc.Findings) > 0:
		return errDepFindings
	case all && dc.Traced == 0 && dc.Untraced > 0:
		fmt.Fprintln(w, "gobuildj check: error: no command could be traced, so nothing was checked")
		return errDepFindings
	}
	return nil
}

// depCheckSummary is the closing line: what was found, what was not seen,
// and what tracing cost.
func depCheckSummary(dc *event.DepCheck, targets int) string {
	var b strings.Builder
	if len(dc.Findings) == 0 {
		fmt.Fprintf(&b, "gobuildj check: nothing found in %d traced target(s)", dc.Traced)
	} else {
		fmt.Fprintf(&b, "gobuildj check: %d finding(s) in %d of %d traced target(s)", len(dc.Findings), targets, dc.Traced)
	}
	if dc.NotRun > 0 {
		fmt.Fprintf(&b, "; %d target(s) not checked because they did not run (gobuildj check runs them all)", dc.NotRun)
	}
	if dc.Untraced > 0 {
		fmt.Fprintf(&b, "; %d target(s) not checked because they ran without the tracer (cached, remote, or the tracer cannot run here)", dc.Untraced)
	}
	fmt.Fprintf(&b, "; tracing: %d command(s) took %s", dc.Traced, event.RoundDuration(dc.TracedTime))
	if dc.BeforeCount > 0 && dc.Before > 0 {
		pct := 100 * (float64(dc.BeforeTraced) - float64(dc.Before)) / float64(dc.Before)
		fmt.Fprintf(&b, " (%d of them took %s traced against %s at their last recorded runs, %+.0f%%)", dc.BeforeCount, event.RoundDuration(dc.BeforeTraced), event.RoundDuration(dc.Before), pct)
	}
	return b.String()
}

// checkDepsOptions sets opts for --check-deps.
func checkDepsOptions(f buildFlags, opts *engine.Options) error {
	if err := checkDepsMode(f.checkDeps); err != nil {
		return err
	}
	if f.checkDeps != "" && f.dryRun {
		return usageError{fmt.Errorf("--check-deps runs the commands to watch them: it does not go with -n")}
	}
	opts.CheckDeps = f.checkDeps != ""
	return nil
}
