package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// startBuild starts gobuildj in dir without waiting for it.
func startBuild(t *testing.T, dir string, args ...string) (*exec.Cmd, *bytes.Buffer) {
	t.Helper()
	settle()
	cmd := exec.Command(binary, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "CI=true")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &syncWriter{buf: &out}, &syncWriter{buf: &out}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	return cmd, &out
}

// syncWriter lets the test read a build's output while the build writes it.
type syncWriter struct{ buf *bytes.Buffer }

// outputMu guards the buffers of syncWriters.
var outputMu sync.Mutex

func (w *syncWriter) Write(p []byte) (int, error) {
	outputMu.Lock()
	defer outputMu.Unlock()
	return w.buf.Write(p)
}

func outputSoFar(b *bytes.Buffer) string {
	outputMu.Lock()
	defer outputMu.Unlock()
	return b.String()
}

func waitForOutput(t *testing.T, b *bytes.Buffer, want string, within time.Duration) {
	t.Helper()
	deadline := time.Now().Add(within)
	for !strings.Contains(outputSoFar(b), want) {
		if time.Now().After(deadline) {
			t.Fatalf("%q did not appear within %s:\n%s", want, within, outputSoFar(b))
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestSecondInterruptKillsAtOnce(t *testing.T) {
	// The command ignores SIGTERM and the grace period is long: only the
	// second Ctrl-C ends the build early.
	const bf = `
[targets.all]
cmd = "trap '' TERM; echo started > started; sleep 321 & wait; sleep 321"
`
	dir := project(t, map[string]string{"Buildfile.toml": bf})
	cmd, out := startBuild(t, dir, "--kill-grace", "10m")
	waitForFile(t, filepath.Join(dir, "started"), 20*time.Second)
	cmd.Process.Signal(syscall.SIGINT)
	waitForOutput(t, out, "stopping", 20*time.Second)
	if len(strayProcesses("sleep 321")) == 0 {
		t.Fatalf("the command did not survive SIGTERM, so this test proves nothing:\n%s", outputSoFar(out))
	}
	cmd.Process.Signal(syscall.SIGINT)
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(60 * time.Second):
		cmd.Process.Kill()
		t.Fatalf("a second interrupt did not end the build:\n%s", outputSoFar(out))
	}
	if code := cmd.ProcessState.ExitCode(); code != 130 {
		t.Errorf("exit code %d, want 130:\n%s", code, outputSoFar(out))
	}
	if !strings.Contains(outputSoFar(out), "INTERRUPTED: all (killed by SIGKILL") &&
		!strings.Contains(outputSoFar(out), "INTERRUPTED: all (worker was killed by SIGKILL") {
		t.Errorf("the output should name the interrupted target:\n%s", outputSoFar(out))
	}
	assertNoStrays(t, "sleep 321")
}

func TestInterruptNamesWhatWasInterrupted(t *testing.T) {
	const bf = `
[targets.all]
description = "LONG STEP"
cmd = "echo started > started; sleep 322"
`
	dir := project(t, map[string]string{"Buildfile.toml": bf})
	cmd, out := startBuild(t, dir)
	waitForFile(t, filepath.Join(dir, "started"), 20*time.Second)
	cmd.Process.Signal(syscall.SIGINT)
	cmd.Wait()
	if code := cmd.ProcessState.ExitCode(); code != 130 {
		t.Errorf("exit code %d, want 130:\n%s", code, outputSoFar(out))
	}
	got := outputSoFar(out)
	for _, want := range []string{"gobuildj: interrupt: stopping", "INTERRUPTED: all (killed by SIGTERM)", "(interrupted)"} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %q:\n%s", want, got)
		}
	}
	assertNoStrays(t, "sleep 322")
}

func TestKilledGobuildjTakesItsWorkersAlong(t *testing.T) {
	const bf = `
[targets.a]
cmd = "echo started > a.started; sleep 323 & sleep 323; wait"
[targets.b]
cmd = "echo started > b.started; sleep 323"
[targets.all]
deps = ["a", "b"]
`
	dir := project(t, map[string]string{"Buildfile.toml": bf})
	cmd, _ := startBuild(t, dir, "-j2")
	waitForFile(t, filepath.Join(dir, "a.started"), 20*time.Second)
	waitForFile(t, filepath.Join(dir, "b.started"), 20*time.Second)
	cmd.Process.Signal(syscall.SIGKILL)
	cmd.Wait()
	assertNoStrays(t, "sleep 323")
	if left := strayProcesses(binary + " -gobuildj.sched.worker"); len(left) > 0 {
		// Other tests' workers may be alive only if tests ran in
		// parallel, which this package does not do.
		t.Errorf("workers left behind: %v", left)
	}
}

func TestRacyRewriteIsDetected(t *testing.T) {
	// Right after a build, the input is rewritten with the same size and
	// its mtime put back: the next build must still see the new content.
	const bf = `
[targets.all]
inputs  = ["in.txt"]
outputs = ["out.txt"]
cmd     = "cp in.txt out.txt"
`
	dir := project(t, map[string]string{"Buildfile.toml": bf, "in.txt": "aaaa\n"})
	in := filepath.Join(dir, "in.txt")
	for round, content := range []string{"bbbb\n", "cccc\n", "dddd\n"} {
		mustBuild(t, dir)
		fi, err := os.Stat(in)
		if err != nil {
			t.Fatal(err)
		}
		write(t, in, content)
		if err := os.Chtimes(in, fi.ModTime(), fi.ModTime()); err != nil {
			t.Fatal(err)
		}
		r := mustBuild(t, dir, "--explain")
		if got := read(t, filepath.Join(dir, "out.txt")); got != content {
			t.Fatalf("round %d: out.txt = %q, want %q (the rewrite was missed):\n%s", round, got, content, r.out)
		}
	}
}

// stateLog is the path of the state log of the project in dir.
func stateLog(dir string) string { return filepath.Join(dir, ".gobuildj", "state.log") }

func TestCorruptStateRebuildsWhatItLost(t *testing.T) {
	cases := []struct {
		name    string
		corrupt func(t *testing.T, path string)
	}{
		{"truncated in the middle", func(t *testing.T, path string) {
			fi, _ := os.Stat(path)
			if err := os.Truncate(path, fi.Size()/2); err != nil {
				t.Fatal(err)
			}
		}},
		{"flipped byte", func(t *testing.T, path string) {
			b, _ := os.ReadFile(path)
			b[len(b)*2/3] ^= 0xff
			os.WriteFile(path, b, 0o644)
		}},
		{"garbage", func(t *testing.T, path string) {
			os.WriteFile(path, []byte("this is not a state log\n"), 0o644)
		}},
		{"empty", func(t *testing.T, path string) {
			os.WriteFile(path, nil, 0o644)
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := project(t, map[string]string{"Buildfile.toml": chain, "src.txt": "hello\n"})
			mustBuild(t, dir)
			assertRan(t, dir, "gen", "upper")
			// Change the source behind the state's back, then damage the
			// state: whatever the state lost must rebuild, and nothing may
			// be skipped on the strength of a damaged record.
			write(t, filepath.Join(dir, "src.txt"), "changed\n")
			tc.corrupt(t, stateLog(dir))
			r := mustBuild(t, dir)
			if got := read(t, filepath.Join(dir, "build/upper.txt")); got != "CHANGED\n" {
				t.Fatalf("build/upper.txt = %q after a damaged state:\n%s", got, r.out)
			}
			ranLog(t, dir)
			r = mustBuild(t, dir)
			assertRan(t, dir)
		})
	}
}

func TestUnusableStateFolder(t *testing.T) {
	cases := []struct {
		name  string
		setup func(t *testing.T, dir string)
	}{
		{".gobuildj is a file", func(t *testing.T, dir string) {
			write(t, filepath.Join(dir, ".gobuildj"), "not a folder\n")
		}},
		{"state.log is a folder", func(t *testing.T, dir string) {
			if err := os.MkdirAll(stateLog(dir), 0o755); err != nil {
				t.Fatal(err)
			}
		}},
		{".gobuildj is read-only", func(t *testing.T, dir string) {
			// chmod does not stop root: a read-only mount does.
			state := filepath.Join(dir, ".gobuildj")
			if err := os.Mkdir(state, 0o755); err != nil {
				t.Fatal(err)
			}
			if err := syscall.Mount("tmpfs", state, "tmpfs", syscall.MS_RDONLY, "size=64k"); err != nil {
				if os.Getuid() == 0 {
					t.Skipf("cannot mount a read-only tmpfs here: %v", err)
				}
				if err := os.Chmod(state, 0o555); err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { os.Chmod(state, 0o755) })
				return
			}
			t.Cleanup(func() { syscall.Unmount(state, syscall.MNT_DETACH) })
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := project(t, map[string]string{"Buildfile.toml": chain, "src.txt": "hello\n"})
			tc.setup(t, dir)
			r := gobuildj(t, dir)
			if r.code != 2 {
				t.Fatalf("exit code %d, want 2:\n%s", r.code, r.out)
			}
			if !strings.Contains(r.out, ".gobuildj") {
				t.Errorf("the message should name the state folder:\n%s", r.out)
			}
			assertRan(t, dir)
		})
	}
}

func TestFullDiskLeavesNoFalseSkips(t *testing.T) {
	// The state folder is a tiny tmpfs: the state of 100 targets does not
	// fit in it. The commands succeed, so the build does (exit 0, as ninja
	// with a .ninja_log it cannot write), with a warning naming the cause.
	dir := t.TempDir()
	state := filepath.Join(dir, ".gobuildj")
	if err := os.Mkdir(state, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mount("tmpfs", state, "tmpfs", 0, "size=8k"); err != nil {
		t.Skipf("cannot mount a small tmpfs here (%v); cache's tests inject the write error instead", err)
	}
	defer syscall.Unmount(state, syscall.MNT_DETACH)
	var bf strings.Builder
	bf.WriteString("[targets.all]\ndeps = [")
	for i := 0; i < 100; i++ {
		fmt.Fprintf(&bf, "\"t%d\",", i)
	}
	bf.WriteString("]\n")
	for i := 0; i < 100; i++ {
		fmt.Fprintf(&bf, "[targets.t%d]\ninputs = [\"in.txt\"]\noutputs = [\"out/%d.txt\"]\ncmd = \"echo ${target} >> ran.log; cat ${in} > ${out}\"\n", i, i)
	}
	write(t, filepath.Join(dir, "Buildfile.toml"), bf.String())
	write(t, filepath.Join(dir, "in.txt"), "first\n")
	r := gobuildj(t, dir)
	if r.code != 0 || !strings.Contains(r.out, "no space left on device") {
		t.Fatalf("exit code %d; want 0 and a warning naming the full disk:\n%s", r.code, tail(r.out))
	}
	if n := len(ranLog(t, dir)); n != 100 {
		t.Errorf("%d commands ran, want all 100 (a full state disk must not stop the build)", n)
	}
	// Room again, and a changed input: every target must rerun (none may
	// be skipped on a record the full disk tore), then nothing.
	if err := syscall.Mount("tmpfs", state, "tmpfs", syscall.MS_REMOUNT, "size=16m"); err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(dir, "in.txt"), "second\n")
	mustBuild(t, dir)
	if n := len(ranLog(t, dir)); n != 100 {
		t.Errorf("%d commands ran after the input changed, want 100", n)
	}
	for _, i := range []int{0, 57, 99} {
		if got := read(t, filepath.Join(dir, fmt.Sprintf("out/%d.txt", i))); got != "second\n" {
			t.Errorf("out/%d.txt = %q", i, got)
		}
	}
	mustBuild(t, dir)
	assertRan(t, dir)
}
