package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/spf13/pflag"

	"github.com/gobuildj/gobuildj/event"
	"github.com/gobuildj/gobuildj/report"
)

// reportFlags name the files a build writes for CI and for people who look
// at a build afterwards.
type reportFlags struct {
	junit, trace, html string
}

func (r *reportFlags) register(fl *pflag.FlagSet) {
	fl.StringVar(&r.junit, "junit", "", "write a JUnit XML report to `FILE`: a testcase per target, failures with their output")
	fl.StringVar(&r.trace, "trace", "", "write a Chrome trace-event JSON of the build to `FILE` (Perfetto, chrome://tracing)")
	fl.StringVar(&r.html, "report", "", "write a self-contained HTML report to `FILE`: timeline per worker, critical path, failures, what was skipped")
}

// reportFile is one report being made: a temporary file beside its final
// path, created before the build so that a path that cannot be written
// fails before any command runs, and renamed into place when it is written.
type reportFile struct {
	path  string
	tmp   *os.File
	write func(io.Writer, *report.Build, report.Meta) error
}

// reports are the report files of one build and the Recorder that feeds
// them.
type reports struct {
	rec   *report.Recorder
	files []reportFile
}

// openReports creates the temporary files of the reports asked for; it
// returns nil when none is.
func openReports(f reportFlags) (*reports, error) {
	r := &reports{}
	for _, want := range []struct {
		flag, path string
		write      func(io.Writer, *report.Build, report.Meta) error
	}{
		{"--junit", f.junit, report.WriteJUnit},
		{"--trace", f.trace, report.WriteTrace},
		{"--report", f.html, report.WriteHTML},
	} {
		if want.path == "" {
			continue
		}
		tmp, err := os.CreateTemp(filepath.Dir(want.path), "."+filepath.Base(want.path)+".tmp*")
		if err != nil {
			r.abandon()
			return nil, usageError{fmt.Errorf("%s %s: %w", want.flag, want.path, reportFolderError(want.path, err))}
		}
		r.files = append(r.files, reportFile{path: want.path, tmp: tmp, write: want.write})
	}
	if len(r.files) == 0 {
		return nil, nil
	}
	r.rec = report.NewRecorder()
	return r, nil
}

// listener is the Listener that records the build, or nil.
func (r *reports) listener() event.Listener {
	if r == nil {
		return nil
	}
	return r.rec
}

// finish writes every report and puts it in place.
func (r *reports) finish(meta report.Meta) error {
	if r == nil {
		return nil
	}
	b := r.rec.Build()
	if b.Summary.Start.IsZero() { // the build stopped before it began
		r.abandon()
		return nil
	}
	var errs []error
	for _, f := range r.files {
		err := f.write(f.tmp, b, meta)
		if cerr := f.tmp.Close(); err == nil {
			err = cerr
		}
		if err == nil {
			err = os.Chmod(f.tmp.Name(), 0o644)
		}
		if err == nil {
			err = os.Rename(f.tmp.Name(), f.path)
		}
		if err != nil {
			os.Remove(f.tmp.Name())
			errs = append(errs, fmt.Errorf("writing %s: %w", f.path, err))
		}
	}
	return errors.Join(errs...)
}

// abandon removes the temporary files of a build that never began (a bad
// Buildfile found by the engine, a state that could not be opened).
func (r *reports) abandon() {
	if r == nil {
		return
	}
	for _, f := range r.files {
		f.tmp.Close()
		os.Remove(f.tmp.Name())
	}
}

// reportMeta describes the build for the reports' headers: paths relative
// to the folder gobuildj was started in (start).
func reportMeta(start, buildfile, root string, args []string, jobs int) report.Meta {
	rel := func(p string) string {
		if r, err := filepath.Rel(start, p); err == nil {
			return r
		}
		return p
	}
	return report.Meta{Buildfile: rel(buildfile), Folder: rel(root), Args: args, Jobs: jobs}
}

// reportFolderError says why a report file cannot be created at path (err
// is that of creating its temporary file, whose name it does not show):
// its folder is missing or not a folder, or else the system's reason.
func reportFolderError(path string, err error) error {
	dir := filepath.Dir(path)
	if st, statErr := os.Stat(dir); errors.Is(statErr, fs.ErrNotExist) {
		return fmt.Errorf("folder %s does not exist (expected an existing folder)", dir)
	} else if statErr == nil && !st.IsDir() {
		return fmt.Errorf("%s is not a folder (expected an existing folder)", dir)
	}
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return fmt.Errorf("cannot create a file in %s: %w", dir, pe.Err)
	}
	return err
}
