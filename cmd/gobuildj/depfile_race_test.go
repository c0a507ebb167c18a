package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// A file that a depfile names and that is edited while the command runs
// must not be recorded with the content the command did not see: the next
// build runs the command again. Both when the file is new to the target
// (first named by this run's depfile) and when its last run's depfile
// named it already.
func TestDepfileInputEditedDuringTheRunRerunsIt(t *testing.T) {
	dir := project(t, map[string]string{
		"Buildfile.toml": `
default = ["out"]
[targets.out]
inputs  = ["src.txt"]
outputs = ["out.txt"]
depfile = "out.d"
cmd     = "cat src.txt hdr.h > out.txt; echo running > started; while [ ! -e go ]; do sleep 0.01; done; rm -f started go; printf 'out.txt: src.txt hdr.h\\n' > out.d"
`,
		"src.txt": "src\n",
		"hdr.h":   "old\n",
	})
	// buildEditing builds while hdr.h is rewritten with content once the
	// command has read it.
	buildEditing := func(content string) {
		t.Helper()
		cmd, out := startBuild(t, dir)
		waitForFile(t, filepath.Join(dir, "started"), time.Minute)
		write(t, filepath.Join(dir, "hdr.h"), content)
		write(t, filepath.Join(dir, "go"), "\n")
		if err := cmd.Wait(); err != nil {
			outputMu.Lock()
			defer outputMu.Unlock()
			t.Fatalf("build: %v\n%s", err, out)
		}
	}
	// rebuild builds with "go" given at once, so that a command that runs
	// does not wait.
	rebuild := func() string {
		t.Helper()
		write(t, filepath.Join(dir, "go"), "\n")
		r := mustBuild(t, dir)
		os.Remove(filepath.Join(dir, "go"))
		return r.out
	}

	buildEditing("new\n") // hdr.h unknown before the run
	if out := rebuild(); !strings.Contains(out, "1 run") {
		t.Fatalf("hdr.h was edited while its command ran, first named by that run's depfile: the next build ran nothing:\n%s", out)
	}
	if got := read(t, filepath.Join(dir, "out.txt")); got != "src\nnew\n" {
		t.Fatalf("out.txt = %q after the rerun, want the new header", got)
	}
	if out := rebuild(); !strings.Contains(out, "0 run") {
		t.Fatalf("nothing changed, yet the build ran:\n%s", out)
	}

	write(t, filepath.Join(dir, "src.txt"), "src2\n")
	buildEditing("newer\n") // hdr.h known from the last run's depfile
	if out := rebuild(); !strings.Contains(out, "1 run") {
		t.Fatalf("hdr.h, named by the last depfile, was edited while its command ran: the next build ran nothing:\n%s", out)
	}
	if got := read(t, filepath.Join(dir, "out.txt")); got != "src2\nnewer\n" {
		t.Fatalf("out.txt = %q after the rerun, want the newer header", got)
	}
}
