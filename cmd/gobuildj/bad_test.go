package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite the golden files of testdata/bad")

// TestBadBuildfiles runs gobuildj on every Buildfile of testdata/bad: each
// must stop with exit code 2 and the message of its .golden file (naming the
// file and line, or the target and key, and what was expected), run nothing
// and write nothing to .gobuildj/. Each run is killed after badTimeout, so a
// Buildfile that hangs gobuildj (or grows its memory without end) fails the
// test rather than hanging it.
func TestBadBuildfiles(t *testing.T) {
	corpus := filepath.Join("..", "..", "testdata", "bad")
	files, err := filepath.Glob(filepath.Join(corpus, "*.toml"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 40 {
		t.Fatalf("testdata/bad holds %d Buildfiles, want at least 40", len(files))
	}
	for _, file := range files {
		name := strings.TrimSuffix(filepath.Base(file), ".toml")
		t.Run(name, func(t *testing.T) {
			content, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			dir := project(t, map[string]string{"Buildfile.toml": string(content)})
			r := gobuildjWithin(t, dir, badTimeout)
			if r.code != 2 {
				t.Errorf("exit code %d, want 2:\n%s", r.code, r.out)
			}
			golden := filepath.Join(corpus, name+".golden")
			if *update {
				if err := os.WriteFile(golden, []byte(r.out), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run the test with -update to write it)", err)
			}
			if r.out != string(want) {
				t.Errorf("message:\n%s\nwant:\n%s", r.out, want)
			}
			entries, _ := os.ReadDir(dir)
			for _, e := range entries {
				if e.Name() != "Buildfile.toml" {
					t.Errorf("a bad Buildfile left %s behind (something ran or state was written)", e.Name())
				}
			}
		})
	}
}

// badTimeout bounds a run of gobuildj on a bad Buildfile, which takes
// milliseconds.
const badTimeout = 30 * time.Second

// gobuildjWithin is gobuildj (with no arguments) that kills the binary and
// fails t if it has not ended within d.
func gobuildjWithin(t *testing.T, dir string, d time.Duration) result {
	t.Helper()
	settle()
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	cmd := exec.CommandContext(ctx, binary)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "CI=true", "NO_COLOR=1", "GITHUB_ACTIONS=")
	var out bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = &out
	err := cmd.Run()
	if ctx.Err() != nil {
		t.Fatalf("gobuildj did not end within %v (killed):\n%s", d, out.String())
	}
	code := 0
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		code = exit.ExitCode()
	} else if err != nil {
		t.Fatalf("running gobuildj: %v", err)
	}
	return result{out: out.String(), code: code}
}
