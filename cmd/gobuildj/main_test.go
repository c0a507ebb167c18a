package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gobuildj/gobuildj/internal/fileid"
)

// The end-to-end tests drive the real binary, built once by TestMain.
var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "gobuildj-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binary = filepath.Join(dir, "gobuildj")
	args := []string{"build", "-o", binary}
	if raceEnabled {
		args = append(args, "-race")
	}
	build := exec.Command("go", append(args, ".")...)
	build.Stderr = os.Stderr
	build.Env = append(os.Environ(), "CGO_ENABLED="+cgoFor(raceEnabled))
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "building gobuildj:", err)
		os.Exit(1)
	}
	// Its companion for remote builds, found beside it.
	args[2] = filepath.Join(dir, "gobuildj-remote")
	build = exec.Command("go", append(args, "../gobuildj-remote")...)
	build.Stderr = os.Stderr
	build.Env = append(os.Environ(), "CGO_ENABLED="+cgoFor(raceEnabled))
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "building gobuildj-remote:", err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

func cgoFor(race bool) string {
	if race {
		return "1"
	}
	return "0"
}

// result is what one run of gobuildj did.
type result struct {
	out  string // stdout and stderr, interleaved
	code int
}

// gobuildj runs the binary in dir with args and waits for it, as in a CI
// job that is not GitHub Actions.
func gobuildj(t *testing.T, dir string, args ...string) result {
	t.Helper()
	return gobuildjEnv(t, dir, nil, args...)
}

// gobuildjEnv is gobuildj with env (KEY=value) added to its environment.
func gobuildjEnv(t *testing.T, dir string, env []string, args ...string) result {
	t.Helper()
	settle()
	cmd := exec.Command(binary, args...)
	cmd.Dir = dir
	cmd.Env = append(append(os.Environ(), "CI=true", "NO_COLOR=1", "GITHUB_ACTIONS="), env...)
	var out bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = &out
	err := cmd.Run()
	code := 0
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		code = exit.ExitCode()
	} else if err != nil {
		t.Fatalf("running gobuildj %v: %v", args, err)
	}
	return result{out: out.String(), code: code}
}

// settle waits out the clock tick of the test's last writes before a
// build. A file that a depfile names for the first time and that was
// written in the tick its command started in may have changed after the
// command read it: gobuildj records it so that the next build runs the
// command again (fileid.ChangedSince), and a test expecting that build to
// run nothing would see it run.
func settle() { time.Sleep(fileid.TickSlack() + time.Millisecond) }

// mustBuild runs gobuildj and fails the test unless it exits 0.
func mustBuild(t *testing.T, dir string, args ...string) result {
	t.Helper()
	r := gobuildj(t, dir, args...)
	if r.code != 0 {
		t.Fatalf("gobuildj %v: exit code %d, want 0; output:\n%s", args, r.code, r.out)
	}
	return r
}

// project writes files (path -> content) into a new temporary folder.
func project(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		write(t, filepath.Join(dir, name), content)
	}
	return dir
}

func write(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func read(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// ranLog returns the target names that commands appended to ran.log, and
// empties it for the next build.
func ranLog(t *testing.T, dir string) []string {
	t.Helper()
	path := filepath.Join(dir, "ran.log")
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	return strings.Fields(string(b))
}

func assertRan(t *testing.T, dir string, want ...string) {
	t.Helper()
	got := ranLog(t, dir)
	gotSet := map[string]int{}
	for _, g := range got {
		gotSet[g]++
	}
	wantSet := map[string]int{}
	for _, w := range want {
		wantSet[w]++
	}
	if fmt.Sprint(sorted(got)) != fmt.Sprint(sorted(want)) {
		t.Fatalf("commands run: %v, want %v", sorted(got), sorted(want))
	}
}

func sorted(s []string) []string {
	c := append([]string{}, s...)
	for i := range c {
		for j := i + 1; j < len(c); j++ {
			if c[j] < c[i] {
				c[i], c[j] = c[j], c[i]
			}
		}
	}
	return c
}

// strayProcesses lists the processes whose command line contains marker.
func strayProcesses(marker string) []string {
	var found []string
	entries, _ := os.ReadDir("/proc")
	self := fmt.Sprint(os.Getpid())
	for _, e := range entries {
		if e.Name() == self || e.Name()[0] < '0' || e.Name()[0] > '9' {
			continue
		}
		b, err := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		if err != nil {
			continue
		}
		cmdline := strings.ReplaceAll(string(b), "\x00", " ")
		if strings.Contains(cmdline, marker) {
			stat, _ := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
			if strings.Contains(string(stat), ") Z ") {
				continue // a zombie not yet reaped by its (dying) parent
			}
			found = append(found, e.Name()+": "+cmdline)
		}
	}
	return found
}

// assertNoStrays waits a little for processes to go, then fails if any
// process with marker in its command line remains (and kills it). It looks
// at every process of the machine, and go test runs packages at once: a
// marker must be used by no other test of the repository (sched's tests run
// "sleep 300").
func assertNoStrays(t *testing.T, marker string) {
	t.Helper()
	assertNoStraysWithin(t, marker, 5*time.Second)
}

// assertNoStraysWithin is assertNoStrays waiting at most within.
func assertNoStraysWithin(t *testing.T, marker string, within time.Duration) {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		left := strayProcesses(marker)
		if len(left) == 0 {
			return
		}
		if time.Now().After(deadline) {
			exec.Command("pkill", "-KILL", "-f", marker).Run()
			t.Fatalf("processes left behind: %v", left)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func waitForFile(t *testing.T, path string, within time.Duration) string {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		if b, err := os.ReadFile(path); err == nil && len(bytes.TrimSpace(b)) > 0 && bytes.HasSuffix(b, []byte("\n")) {
			return strings.TrimSpace(string(b))
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s did not appear within %s", path, within)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestVersion(t *testing.T) {
	r := mustBuild(t, t.TempDir(), "version")
	if !strings.HasPrefix(r.out, "gobuildj ") || !strings.Contains(r.out, runtime.Version()) {
		t.Fatalf("version output %q", r.out)
	}
}

var _ = syscall.SIGKILL
