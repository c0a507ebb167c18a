package main

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// waitGoBuildfile has one target that says it started, then waits (at
// most 20 s) for the test to create "go" before it writes its output.
const waitGoBuildfile = `
[targets.all]
outputs = ["out"]
cmd = "echo started > started; i=0; while [ ! -e go ] && [ $i -lt 400 ]; do sleep 0.05; i=$((i+1)); done; echo ${target} >> ran.log; echo built > out"
`

// Removing .gobuildj during a build does not let a second gobuildj run
// the same commands at once: the project folder itself is locked. The
// first build ends well, says its state was removed, and leaves no record:
// the next build runs the command again.
func TestRemovedStateFolderKeepsTheLock(t *testing.T) {
	dir := project(t, map[string]string{"Buildfile.toml": waitGoBuildfile})
	cmd, out := startBuild(t, dir)
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	waitForFile(t, filepath.Join(dir, "started"), 20*time.Second)
	if err := os.RemoveAll(filepath.Join(dir, ".gobuildj")); err != nil {
		t.Fatal(err)
	}
	second := gobuildj(t, dir)
	if second.code != 2 || !strings.Contains(second.out, "another gobuildj is running") ||
		!strings.Contains(second.out, fmt.Sprintf("pid %d", cmd.Process.Pid)) && !strings.Contains(second.out, "another process") {
		t.Errorf("a second gobuildj while the first runs: exit %d, want 2 and a message naming the holder:\n%s", second.code, second.out)
	}
	write(t, filepath.Join(dir, "go"), "")
	if err := waitBounded(cmd, 30*time.Second); err != nil {
		t.Fatalf("first build: %v:\n%s", err, outputSoFar(out))
	}
	if !strings.Contains(outputSoFar(out), "was removed during the build") {
		t.Errorf("the first build should say its state was removed:\n%s", outputSoFar(out))
	}
	assertRan(t, dir, "all")
	mustBuild(t, dir)
	assertRan(t, dir, "all") // no record: it runs again
	mustBuild(t, dir)
	assertRan(t, dir)
}

// waitBounded waits for cmd, killing it after within; an exit code other
// than 0 is an error.
func waitBounded(cmd *exec.Cmd, within time.Duration) error {
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		return err
	case <-time.After(within):
		cmd.Process.Kill()
		<-done
		return fmt.Errorf("still running after %s", within)
	}
}

// tinyStateDisk mounts a tmpfs of 64 KiB on dir's .gobuildj, or skips
// the test where mounting is not allowed.
func tinyStateDisk(t *testing.T, dir string) string {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root to mount a small tmpfs as the state folder")
	}
	state := filepath.Join(dir, ".gobuildj")
	if err := os.Mkdir(state, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mount("tmpfs", state, "tmpfs", 0, "size=64k"); err != nil {
		t.Skipf("cannot mount a tmpfs as the state folder: %v", err)
	}
	t.Cleanup(func() { syscall.Unmount(state, syscall.MNT_DETACH) })
	return state
}

// fillDisk writes path until the file system has no room left.
func fillDisk(t *testing.T, path string) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	buf := make([]byte, 4096)
	for {
		if _, err := f.Write(buf); err != nil {
			if !errors.Is(err, syscall.ENOSPC) {
				t.Fatal(err)
			}
			return
		}
	}
}

// A full state disk does not fail a build whose commands all succeeded:
// it warns, naming the file and the cause, and what could not be recorded
// runs again next time (no record claims more than was built).
func TestFullStateDiskWarnsAndKeepsTheOutcome(t *testing.T) {
	var bf strings.Builder
	var all []string
	for i := range 60 {
		fmt.Fprintf(&bf, "[targets.t%d]\noutputs = [\"o%d\"]\ncmd = \"echo ${target} >> ran.log; echo %d > o%d\"\n", i, i, i, i)
		all = append(all, fmt.Sprintf("%q", fmt.Sprintf("t%d", i)))
	}
	fmt.Fprintf(&bf, "[targets.all]\ndeps = [%s]\n", strings.Join(all, ", "))
	dir := project(t, map[string]string{"Buildfile.toml": bf.String()})
	state := tinyStateDisk(t, dir)
	mustBuild(t, dir, "t0")
	assertRan(t, dir, "t0")
	fillDisk(t, filepath.Join(state, "filler"))

	r := gobuildj(t, dir, "-j2")
	if r.code != 0 {
		t.Fatalf("exit code %d, want 0: every command succeeded:\n%s", r.code, r.out)
	}
	if !strings.Contains(r.out, "warning") || !strings.Contains(r.out, "state.log") || !strings.Contains(r.out, "no space left on device") {
		t.Errorf("the build should warn that the state could not be written, naming the file and ENOSPC:\n%s", r.out)
	}
	ran := ranLog(t, dir)
	if len(ran) != 59 {
		t.Fatalf("ran %d commands, want 59: %v", len(ran), ran)
	}
	for i := range 60 {
		if got := read(t, filepath.Join(dir, fmt.Sprintf("o%d", i))); got != fmt.Sprintf("%d\n", i) {
			t.Fatalf("o%d = %q", i, got)
		}
	}

	// With room again, the next build runs what the state does not
	// record, and the one after runs nothing.
	if err := os.Remove(filepath.Join(state, "filler")); err != nil {
		t.Fatal(err)
	}
	mustBuild(t, dir)
	rerun := ranLog(t, dir)
	if len(rerun) == 0 {
		t.Errorf("nothing ran again: the state recorded what it could not write")
	}
	mustBuild(t, dir)
	assertRan(t, dir)
}
