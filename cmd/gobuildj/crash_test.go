package main

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"
)

// crashGraph writes a layered graph of about 100 targets whose every output
// is derived from its deps' outputs and its own source, so a stale or torn
// output anywhere shows in the final ones. version changes every source.
func crashGraph(t *testing.T, dir string, version int) {
	t.Helper()
	var bf strings.Builder
	bf.WriteString("[vars]\nwork = \": crashmark; sleep 0.01\"\n")
	for i := 0; i < 10; i++ {
		write(t, filepath.Join(dir, fmt.Sprintf("src/s%d.txt", i)), fmt.Sprintf("source %d version %d\n", i, version))
	}
	name := func(layer, i int) string { return fmt.Sprintf("l%d_%d", layer, i) }
	for layer := 1; layer <= 3; layer++ {
		for i := 0; i < 30; i++ {
			fmt.Fprintf(&bf, "[targets.%s]\noutputs = [\"out/%s.txt\"]\n", name(layer, i), name(layer, i))
			if layer == 1 {
				fmt.Fprintf(&bf, "inputs = [\"src/s%d.txt\", \"src/s%d.txt\"]\ndeps = []\n", i%10, (i+3)%10)
			} else {
				fmt.Fprintf(&bf, "inputs = []\ndeps = [%q, %q]\n", name(layer-1, i), name(layer-1, (i+7)%30))
			}
			// The output is written in two steps, so that a kill between
			// them leaves a torn output behind.
			bf.WriteString("cmd = [\"cat ${in} ${deps} > ${out}\", \"${work}\", \"echo ${target} >> ${out}\"]\n")
		}
	}
	bf.WriteString("[targets.all]\ndeps = [")
	for i := 0; i < 30; i++ {
		fmt.Fprintf(&bf, "%q,", name(3, i))
	}
	bf.WriteString("]\n")
	write(t, filepath.Join(dir, "Buildfile.toml"), bf.String())
}

// outputsOf reads every file under dir/out.
func outputsOf(t *testing.T, dir string) map[string]string {
	t.Helper()
	files := map[string]string{}
	entries, err := os.ReadDir(filepath.Join(dir, "out"))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		files[e.Name()] = read(t, filepath.Join(dir, "out", e.Name()))
	}
	return files
}

// waitForNoBuildProcesses waits until no worker of the binary under test and
// no command of the crash graph is left, so that nothing of a killed build
// can touch the next one.
func waitForNoBuildProcesses(t *testing.T) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		left := append(strayProcesses("crashmark"), strayProcesses(binary+" -gobuildj.sched.worker")...)
		if len(left) == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("processes of a killed build left behind: %v", left)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestKillNineAtAnyInstant kills gobuildj with SIGKILL at 50 instants spread
// over a build (some land while state is being written), then checks that
// the next build produces exactly what a clean build does and that the one
// after it runs nothing.
func TestKillNineAtAnyInstant(t *testing.T) {
	instants := 50
	if testing.Short() {
		instants = 8
	}
	// Clean reference builds of both source versions, in other folders.
	var want [2]map[string]string
	var full time.Duration
	for v := 0; v < 2; v++ {
		ref := t.TempDir()
		crashGraph(t, ref, v)
		start := time.Now()
		mustBuild(t, ref, "-j2")
		full += time.Since(start) / 2
		want[v] = outputsOf(t, ref)
		if len(want[v]) != 90 {
			t.Fatalf("reference build made %d outputs, want 90", len(want[v]))
		}
	}

	dir := t.TempDir()
	crashGraph(t, dir, 0)
	mustBuild(t, dir, "-j2")
	killedMidway := 0
	for i := 0; i < instants; i++ {
		version := (i + 1) % 2
		crashGraph(t, dir, version) // every target must rebuild
		cmd, _ := startBuild(t, dir, "-j2")
		time.Sleep(full * time.Duration(2*i+1) / time.Duration(2*instants))
		cmd.Process.Signal(syscall.SIGKILL)
		cmd.Wait()
		if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			killedMidway++
		}
		waitForNoBuildProcesses(t)

		r := gobuildj(t, dir, "-j2")
		if r.code != 0 {
			t.Fatalf("instant %d: the build after a kill failed (exit %d):\n%s", i, r.code, r.out)
		}
		got := outputsOf(t, dir)
		if len(got) != len(want[version]) {
			t.Fatalf("instant %d: %d outputs, want %d", i, len(got), len(want[version]))
		}
		var wrong []string
		for name, content := range want[version] {
			if got[name] != content {
				wrong = append(wrong, name)
			}
		}
		if len(wrong) > 0 {
			sort.Strings(wrong)
			t.Fatalf("instant %d (after %s): outputs differ from a clean build: %v\nbuild after the kill:\n%s",
				i, full*time.Duration(2*i+1)/time.Duration(2*instants), wrong, r.out)
		}
		if r := mustBuild(t, dir, "-j2"); !strings.Contains(r.out, "gobuildj: 0 run") {
			t.Fatalf("instant %d: the second build after a kill ran commands:\n%s", i, r.out)
		}
	}
	if killedMidway < instants/2 {
		t.Errorf("only %d of %d kills landed during the build", killedMidway, instants)
	}
}
