package main

import (
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// A command that starts a daemon (setsid: it leaves the command's process
// group, and its parent exits at once) does not leave it running, whether
// the target succeeds, times out or gobuildj is interrupted or killed. The
// markers are sleep durations no other test uses.
func TestEscapedDaemonsEndWithTheirTarget(t *testing.T) {
	t.Run("success", func(t *testing.T) {
		const bf = `
[targets.all]
cmd = "setsid sleep 341.25 > /dev/null 2>&1 & echo done"
`
		dir := project(t, map[string]string{"Buildfile.toml": bf})
		mustBuild(t, dir)
		assertNoStraysWithin(t, "sleep 341.25", 2*time.Second)
	})
	t.Run("timeout", func(t *testing.T) {
		const bf = `
[targets.all]
timeout = "1s"
cmd = "setsid sleep 341.5 > /dev/null 2>&1 & sleep 342.5"
`
		dir := project(t, map[string]string{"Buildfile.toml": bf})
		r := gobuildj(t, dir)
		if r.code != 1 || !strings.Contains(r.out, "timed out after 1s") {
			t.Errorf("exit code %d, want 1 and a timeout:\n%s", r.code, r.out)
		}
		assertNoStraysWithin(t, "sleep 341.5", 2*time.Second)
		assertNoStraysWithin(t, "sleep 342.5", 2*time.Second)
	})
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGKILL} {
		t.Run(sig.String(), func(t *testing.T) {
			const bf = `
[targets.all]
cmd = "setsid sleep 341.75 > /dev/null 2>&1 & echo started > started; sleep 342.75"
`
			dir := project(t, map[string]string{"Buildfile.toml": bf})
			cmd, out := startBuild(t, dir, "--kill-grace", "1s")
			waitForFile(t, filepath.Join(dir, "started"), 20*time.Second)
			if err := cmd.Process.Signal(sig); err != nil {
				t.Fatal(err)
			}
			if err := waitBounded(cmd, 20*time.Second); err == nil {
				t.Errorf("the build ended well after %v:\n%s", sig, outputSoFar(out))
			}
			assertNoStraysWithin(t, "sleep 341.75", 2*time.Second)
			assertNoStraysWithin(t, "sleep 342.75", 2*time.Second)
		})
	}
}
