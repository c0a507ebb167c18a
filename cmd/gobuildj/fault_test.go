package main

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestWorkerKilledFailsItsTarget(t *testing.T) {
	// long writes its worker's pid ($PPID of the shell) and sleeps; the
	// test kills that worker with SIGKILL. With -k the others still build.
	const bf = `
[targets.long]
cmd = "echo $PPID > worker.pid; sleep 311"
[targets.a]
cmd = "sleep 0.5; echo ${target} >> ran.log"
[targets.b]
deps = ["a"]
cmd = "echo ${target} >> ran.log"
[targets.after_long]
deps = ["long"]
cmd = "echo ${target} >> ran.log"
[targets.all]
deps = ["long", "b", "after_long"]
`
	dir := project(t, map[string]string{"Buildfile.toml": bf})
	cmd, out := startBuild(t, dir, "-k", "-j2")
	pid, err := strconv.Atoi(waitForFile(t, filepath.Join(dir, "worker.pid"), 20*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
		t.Fatalf("kill worker %d: %v", pid, err)
	}
	err = cmd.Wait()
	if cmd.ProcessState.ExitCode() != 1 {
		t.Fatalf("exit code %d (%v), want 1:\n%s", cmd.ProcessState.ExitCode(), err, outputSoFar(out))
	}
	if !strings.Contains(outputSoFar(out), "FAILED: long (worker was killed by SIGKILL)") {
		t.Errorf("failure should name SIGKILL:\n%s", outputSoFar(out))
	}
	assertRan(t, dir, "a", "b")
	assertNoStrays(t, "sleep 311")
}

func TestTimeoutKillsTheWholeGroup(t *testing.T) {
	const bf = `
[targets.all]
timeout = "1s"
cmd = "sleep 312 & sleep 312; wait"
`
	dir := project(t, map[string]string{"Buildfile.toml": bf})
	start := time.Now()
	r := gobuildj(t, dir)
	if r.code != 1 {
		t.Fatalf("exit code %d, want 1:\n%s", r.code, r.out)
	}
	if !strings.Contains(r.out, "FAILED: all (timed out after 1s") {
		t.Errorf("failure should say it timed out:\n%s", r.out)
	}
	if d := time.Since(start); d > 60*time.Second {
		t.Errorf("the timeout took %s", d)
	}
	assertNoStrays(t, "sleep 312")
}

// A command that ends well once the timeout's SIGTERM reached it (it traps
// it, cleans up and exits 0) still timed out: the target fails, and its
// output is not trusted by the next build.
func TestTimeoutFailsACommandThatExitsWellAfterTerm(t *testing.T) {
	const bf = `
[targets.all]
outputs = ["out"]
timeout = "500ms"
cmd = "trap 'echo cleaned up; echo partial > out; exit 0' TERM; sleep 314 & wait"
`
	dir := project(t, map[string]string{"Buildfile.toml": bf})
	r := gobuildj(t, dir)
	if r.code != 1 {
		t.Fatalf("exit code %d, want 1:\n%s", r.code, r.out)
	}
	if !strings.Contains(r.out, "FAILED: all (timed out after 500ms") {
		t.Errorf("failure should say it timed out:\n%s", r.out)
	}
	if r = gobuildj(t, dir); r.code != 1 || !strings.Contains(r.out, "timed out after 500ms") {
		t.Errorf("the second build should run it again and fail again, exit %d:\n%s", r.code, r.out)
	}
	assertNoStrays(t, "sleep 314")
}

func TestKillTimeoutAfterIgnoredTerm(t *testing.T) {
	const bf = `
[targets.all]
timeout = "500ms"
kill_timeout = "500ms"
cmd = "trap '' TERM; sleep 313 & wait; sleep 313"
`
	dir := project(t, map[string]string{"Buildfile.toml": bf})
	r := gobuildj(t, dir)
	if r.code != 1 {
		t.Fatalf("exit code %d, want 1:\n%s", r.code, r.out)
	}
	if !strings.Contains(r.out, "SIGKILL") {
		t.Errorf("failure should name SIGKILL:\n%s", r.out)
	}
	assertNoStrays(t, "sleep 313")
}

func TestLongCommandOutlivesTheKillGrace(t *testing.T) {
	// The kill grace counts from a SIGTERM (a timeout, Ctrl-C), never from
	// the start: a command without a timeout runs as long as it needs.
	const bf = `
[targets.all]
cmd = "sleep 1.5; echo done > done.txt"
`
	dir := project(t, map[string]string{"Buildfile.toml": bf})
	mustBuild(t, dir, "--kill-grace", "300ms")
	if got := read(t, filepath.Join(dir, "done.txt")); got != "done\n" {
		t.Errorf("done.txt = %q", got)
	}
}

func TestInterruptStopsEverything(t *testing.T) {
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP} {
		t.Run(sig.String(), func(t *testing.T) {
			const bf = `
[targets.a]
outputs = ["a.out"]
cmd = "echo started > a.started; echo partial > a.out; sleep 314"
[targets.b]
cmd = "echo started > b.started; sleep 314 & wait"
[targets.c]
deps = ["a"]
cmd = "echo ${target} >> ran.log"
[targets.all]
deps = ["a", "b", "c"]
`
			dir := project(t, map[string]string{"Buildfile.toml": bf})
			cmd, out := startBuild(t, dir, "-j2", "--kill-grace", "2s")
			waitForFile(t, filepath.Join(dir, "a.started"), 20*time.Second)
			waitForFile(t, filepath.Join(dir, "b.started"), 20*time.Second)
			cmd.Process.Signal(sig)
			cmd.Wait()
			if code := cmd.ProcessState.ExitCode(); code != 130 {
				t.Fatalf("exit code %d, want 130:\n%s", code, outputSoFar(out))
			}
			if !strings.Contains(outputSoFar(out), "interrupted") {
				t.Errorf("output should say the build was interrupted:\n%s", outputSoFar(out))
			}
			if _, err := os.Stat(filepath.Join(dir, "a.out")); !os.IsNotExist(err) {
				t.Errorf("the output of an interrupted command was kept")
			}
			assertRan(t, dir)
			assertNoStrays(t, "sleep 314")
		})
	}
}

func TestBuildfileErrorsExitTwo(t *testing.T) {
	cases := []struct {
		name, buildfile, want string
	}{
		{"toml syntax", "[targets.a\ncmd = 'x'\n", "Buildfile.toml:1:"},
		{"unknown key", "[targets.a]\ncmd = 'x'\ndep = ['b']\n", `unknown key "dep"`},
		{"wrong type", "[targets.a]\ncmd = 'x'\ndeps = 'b'\n", "deps"},
		{"unknown dep", "[targets.a]\ncmd = 'x'\ndeps = ['nope']\n", `unknown target "nope"`},
		{"duplicate output", "[targets.a]\ncmd = 'x'\noutputs = ['o']\n[targets.b]\ncmd = 'y'\noutputs = ['o']\n", `"o"`},
		{"cycle", "[targets.a]\ndeps = ['b']\ncmd = 'x'\n[targets.b]\ndeps = ['a']\ncmd = 'y'\n", "a -> b -> a"},
		{"unknown variable", "[targets.a]\ncmd = 'echo ${nope}'\n", "nope"},
		{"missing input", "[targets.a]\ninputs = ['missing.c']\ncmd = 'x'\n", `target "a": inputs: "missing.c" does not exist and no target declares it as an output`},
		{"unknown target", "[targets.a]\ncmd = 'touch ran.log'\n", `unknown target "zzz"`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := project(t, map[string]string{"Buildfile.toml": tc.buildfile})
			args := []string{"a"}
			if tc.name == "unknown target" {
				args = []string{"zzz"}
			}
			r := gobuildj(t, dir, args...)
			if r.code != 2 {
				t.Fatalf("exit code %d, want 2:\n%s", r.code, r.out)
			}
			if !strings.Contains(r.out, tc.want) {
				t.Errorf("message should contain %q:\n%s", tc.want, r.out)
			}
			if _, err := os.Stat(filepath.Join(dir, "ran.log")); err == nil {
				t.Errorf("a command ran")
			}
			if _, err := os.Stat(filepath.Join(dir, ".gobuildj")); err == nil {
				t.Errorf("state was written for a bad Buildfile")
			}
		})
	}
}

func TestBadFlagsExitTwo(t *testing.T) {
	dir := project(t, map[string]string{"Buildfile.toml": chain, "src.txt": "x\n"})
	for _, args := range [][]string{{"--no-such-flag"}, {"-j", "0"}, {"-j", "many"}, {"--color", "purple"}} {
		r := gobuildj(t, dir, args...)
		if r.code != 2 {
			t.Errorf("gobuildj %v: exit code %d, want 2:\n%s", args, r.code, r.out)
		}
	}
}
