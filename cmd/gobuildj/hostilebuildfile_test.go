package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// A Buildfile or an include that is a FIFO, a device or a link out of the
// folder is refused at once with exit code 2 and a message naming it: no
// wait for a writer, no endless read, nothing read from outside.
func TestHostileBuildfilesAreRefused(t *testing.T) {
	const ok = "[targets.all]\ncmd = \"echo ran > ran.txt\"\n"
	for _, c := range []struct {
		name  string
		setup func(t *testing.T, dir string) []string // returns the arguments
		want  string
	}{
		{"Buildfile is a FIFO", func(t *testing.T, dir string) []string {
			mkfifo(t, filepath.Join(dir, "Buildfile.toml"))
			return nil
		}, "Buildfile.toml: cannot read the Buildfile: it is a named pipe (FIFO), expected a regular file"},
		{"Buildfile is /dev/zero", func(t *testing.T, dir string) []string {
			symlink(t, "/dev/zero", filepath.Join(dir, "zero.toml"))
			return []string{"-f", "zero.toml"}
		}, "zero.toml: cannot read the Buildfile: it is a device, expected a regular file"},
		{"include is a FIFO", func(t *testing.T, dir string) []string {
			write(t, filepath.Join(dir, "Buildfile.toml"), "include = [\"sub/Buildfile.toml\"]\n"+ok)
			mkfifo(t, filepath.Join(dir, "sub", "Buildfile.toml"))
			return nil
		}, "it is a named pipe (FIFO), expected a regular file"},
		{"include links to /etc/passwd", func(t *testing.T, dir string) []string {
			write(t, filepath.Join(dir, "Buildfile.toml"), "include = [\"sub/Buildfile.toml\"]\n"+ok)
			symlink(t, "/etc/passwd", filepath.Join(dir, "sub", "Buildfile.toml"))
			return nil
		}, `"sub/Buildfile.toml" leads outside the Buildfile's folder through a symbolic link`},
		{"include in a folder linked out", func(t *testing.T, dir string) []string {
			outside := t.TempDir()
			write(t, filepath.Join(outside, "Buildfile.toml"), "[targets.x]\ncmd = \"true\"\n")
			write(t, filepath.Join(dir, "Buildfile.toml"), "include = [\"lk/Buildfile.toml\"]\n"+ok)
			symlink(t, outside, filepath.Join(dir, "lk"))
			return nil
		}, `"lk/Buildfile.toml" leads outside the Buildfile's folder through a symbolic link`},
		{"[defaults] env copied into every target", func(t *testing.T, dir string) []string {
			// 400 kB of text that would be 2e8 environment variables.
			var b strings.Builder
			b.WriteString("[defaults.env]\n")
			for i := range 20_000 {
				fmt.Fprintf(&b, "V%d = \"\"\n", i)
			}
			for i := range 10_000 {
				fmt.Fprintf(&b, "[targets.t%d]\ncmd = \"echo ran > ran.txt\"\n", i)
			}
			write(t, filepath.Join(dir, "Buildfile.toml"), b.String())
			return nil
		}, "Buildfile.toml:1:1: defaults: copied into each target, [defaults] adds up past 64 MiB"},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			args := c.setup(t, dir)
			out, code := runBounded(t, dir, args...)
			if code != 2 || !strings.Contains(out, c.want) {
				t.Errorf("exit code %d, want 2 and %q:\n%s", code, c.want, out)
			}
			if _, err := os.Stat(filepath.Join(dir, "ran.txt")); err == nil {
				t.Error("a command ran")
			}
		})
	}
}

// runBounded runs gobuildj in dir with args and returns its output and
// exit code, failing the test if it runs for more than 20 seconds.
func runBounded(t *testing.T, dir string, args ...string) (string, int) {
	t.Helper()
	settle()
	cmd := exec.Command(binary, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "CI=true", "NO_COLOR=1")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		cmd.Process.Kill()
		<-done
		t.Fatalf("gobuildj did not end within 20s:\n%s", out.String())
	}
	return out.String(), cmd.ProcessState.ExitCode()
}

// An input glob never leaves the project through a symbolic link, nor goes
// round a loop of links; a link to a folder inside the project is followed.
func TestGlobsStayInTheProject(t *testing.T) {
	dir := project(t, map[string]string{
		"Buildfile.toml": "[targets.all]\ninputs = [\"lk/**/*\"]\noutputs = [\"in.txt\"]\ncmd = \"echo ${in} > in.txt\"\n",
		"lk/a.txt":       "a\n",
		"shared/x.txt":   "x\n",
	})
	symlink(t, "/", filepath.Join(dir, "lk", "root"))
	symlink(t, ".", filepath.Join(dir, "lk", "loop"))
	symlink(t, "..", filepath.Join(dir, "lk", "sub", "up"))
	symlink(t, "../shared", filepath.Join(dir, "lk", "inner"))
	out, code := runBounded(t, dir)
	if code != 0 {
		t.Fatalf("exit code %d:\n%s", code, out)
	}
	if got, want := read(t, filepath.Join(dir, "in.txt")), "lk/a.txt lk/inner/x.txt\n"; got != want {
		t.Errorf("the glob matched %q, want %q", got, want)
	}
}

func mkfifo(t *testing.T, path string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(path, 0o644); err != nil {
		t.Fatal(err)
	}
}

func symlink(t *testing.T, target, path string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(target, path); err != nil {
		t.Fatal(err)
	}
}
