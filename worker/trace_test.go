package worker

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gobuildj/gobuildj/sched"
)

func TestTracedJobReportsItsFiles(t *testing.T) {
	dir := t.TempDir()
	abs := func(p string) string { return filepath.Join(dir, p) }
	if err := os.WriteFile(abs("in.txt"), []byte("x\n"), 0o666); err != nil {
		t.Fatal(err)
	}
	job := Job{Target: "traced", Dir: dir, Trace: true, Outputs: []string{abs("out/b")},
		// A shell command, then a direct one: both reports are merged.
		Cmds: []string{"cat in.txt > out/a; rm -f gone; test -e missing || true", "cp out/a out/b"}}
	res := runJobs(t, sched.Options{}, sched.Task{}, job)[0]
	if !res.OK() || len(res.Outputs) != 1 {
		t.Fatalf("result %+v, want success", res)
	}
	rep := res.Trace
	if rep == nil {
		t.Fatal("no trace in the result of a traced job")
	}
	for _, c := range []struct {
		what  string
		list  []string
		paths []string
	}{
		{"read", rep.Read, []string{abs("in.txt"), abs("out/a")}},
		{"written", rep.Written, []string{abs("out/a"), abs("out/b")}},
		{"probed", rep.Probed, []string{abs("gone"), abs("missing")}},
	} {
		for _, p := range c.paths {
			if !slices.Contains(c.list, p) {
				t.Errorf("%s = %q, want %s in it", c.what, c.list, p)
			}
		}
	}
	if slices.Contains(rep.Read, abs("out/b")) {
		t.Errorf("read = %q: out/b was only written", rep.Read)
	}

	// The launcher leaves the command the descriptors it would have had:
	// its streams and ls's own folder descriptor.
	res = runJobs(t, sched.Options{}, sched.Task{}, Job{Target: "fds", Dir: dir, Trace: true, Cmds: []string{"ls /proc/self/fd"}})[0]
	if fds := strings.Fields(string(res.Output)); !res.OK() || !slices.Equal(fds, []string{"0", "1", "2", "3"}) {
		t.Errorf("traced command descriptors %q (%+v), want 0 to 3", fds, res)
	}

	// A script without #! runs through the shell, traced or not.
	writeScript(t, abs("noshebang"), "echo ran as a script\n")
	res = runJobs(t, sched.Options{}, sched.Task{}, Job{Target: "script", Dir: dir, Trace: true, Cmds: []string{"./noshebang"}})[0]
	if !res.OK() || string(res.Output) != "ran as a script\n" || !slices.Contains(res.Trace.Read, abs("noshebang")) {
		t.Errorf("result %+v, output %q, want the script run by the shell and read", res, res.Output)
	}

	untraced := runJobs(t, sched.Options{}, sched.Task{}, Job{Target: "plain", Dir: dir, Cmds: []string{"cat in.txt"}})[0]
	if untraced.Trace != nil {
		t.Errorf("an untraced job has a trace: %+v", untraced.Trace)
	}
}

func TestTracedJobStopsOnTermTimeout(t *testing.T) {
	dir := t.TempDir()
	job := Job{Target: "traced-sleeper", Dir: dir, Trace: true, Cmds: []string{"sh -c 'sleep 30; touch never'", "touch never2"}}
	start := time.Now()
	res := runJobs(t, sched.Options{}, sched.Task{TermTimeout: 300 * time.Millisecond}, job)[0]
	if res.OK() || res.Signal != "SIGTERM" || res.FailedCmd != 0 {
		t.Errorf("result %+v, want command 0 stopped by SIGTERM", res)
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("the traced job took %v to stop", d)
	}
	if res.Trace == nil {
		t.Errorf("a stopped traced job has no trace")
	}
}

func TestTracedLongCommand(t *testing.T) {
	// 180 KB of arguments: more than one argument may hold (128 KiB), as
	// a link command with many objects has.
	cmd := "true" + strings.Repeat(" abcdefgh", 20000)
	res := runJobs(t, sched.Options{}, sched.Task{}, Job{Target: "long", Dir: t.TempDir(), Trace: true, Cmds: []string{cmd}})[0]
	if !res.OK() {
		t.Errorf("result %+v, output %q: want a long traced command to run", res, res.Output)
	}
}
