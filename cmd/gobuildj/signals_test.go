package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// slowLoadProject writes a project whose build takes seconds before its
// first command: its one input is a sparse file of 8 GiB, which must be
// read and hashed before the build knows what to run.
func slowLoadProject(t *testing.T) string {
	t.Helper()
	dir := project(t, map[string]string{
		"Buildfile.toml": "[targets.all]\ninputs = [\"big.bin\"]\ncmd = \"echo ran > ran.txt\"\n",
	})
	if err := os.Truncate(filepath.Join(dir, "big.bin"), 8<<30); err != nil {
		f, ferr := os.Create(filepath.Join(dir, "big.bin"))
		if ferr != nil {
			t.Fatal(ferr)
		}
		if err := f.Truncate(8 << 30); err != nil {
			t.Skipf("no sparse file of 8 GiB here: %v", err)
		}
		f.Close()
	}
	return dir
}

// SIGINT or SIGTERM while the Buildfile loads stops gobuildj at once with
// exit code 130, without waiting for the load to end.
func TestSignalDuringLoadExitsAtOnce(t *testing.T) {
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM} {
		t.Run(sig.String(), func(t *testing.T) {
			dir := slowLoadProject(t)
			settle()
			cmd := exec.Command(binary)
			cmd.Dir = dir
			cmd.Env = append(os.Environ(), "CI=true", "NO_COLOR=1")
			var out bytes.Buffer
			cmd.Stdout, cmd.Stderr = &out, &out
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			done := make(chan struct{})
			go func() { cmd.Wait(); close(done) }()
			time.Sleep(200 * time.Millisecond)
			select {
			case <-done:
				t.Fatalf("gobuildj ended before the signal (the load was not slow):\n%s", out.String())
			default:
			}
			sent := time.Now()
			if err := cmd.Process.Signal(sig); err != nil {
				t.Fatal(err)
			}
			select {
			case <-done:
			case <-time.After(5 * time.Second):
				cmd.Process.Kill()
				<-done
				t.Fatalf("gobuildj did not end within 5s of %v:\n%s", sig, out.String())
			}
			if took := time.Since(sent); took > time.Second {
				t.Errorf("gobuildj took %s to end after %v, want at most 1s", took, sig)
			}
			if code := cmd.ProcessState.ExitCode(); code != 130 {
				t.Errorf("exit code %d, want 130:\n%s", code, out.String())
			}
			if _, err := os.Stat(filepath.Join(dir, "ran.txt")); err == nil {
				t.Error("the command ran")
			}
			if tmps, _ := filepath.Glob(filepath.Join(dir, ".gobuildj", "*.tmp*")); len(tmps) > 0 {
				t.Errorf("half-written files left: %v", tmps)
			}
		})
	}
}
