package worker

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/gobuildj/gobuildj/sandbox"
)

// waitFor waits (generously) until path exists.
func waitFor(t *testing.T, path string) {
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if _, err := os.Stat(path); err == nil {
			return
		}
	}
	t.Errorf("%s did not appear", path)
}

// foregroundStdio returns a stdin holding input and files for stdout and
// stderr, read back by the returned function.
func foregroundStdio(t *testing.T, input string) (Stdio, func() (string, string)) {
	t.Helper()
	dir := t.TempDir()
	in := filepath.Join(dir, "in")
	if err := os.WriteFile(in, []byte(input), 0o644); err != nil {
		t.Fatal(err)
	}
	var files [3]*os.File
	for i, name := range []string{"in", "out", "err"} {
		f, err := os.OpenFile(filepath.Join(dir, name), os.O_RDWR|os.O_CREATE, 0o644)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { f.Close() })
		files[i] = f
	}
	read := func() (string, string) {
		o, _ := os.ReadFile(filepath.Join(dir, "out"))
		e, _ := os.ReadFile(filepath.Join(dir, "err"))
		return string(o), string(e)
	}
	return Stdio{Stdin: files[0], Stdout: files[1], Stderr: files[2]}, read
}

func TestRunForegroundUsesTheTerminal(t *testing.T) {
	dir := t.TempDir()
	stdio, read := foregroundStdio(t, "typed by a person\n")
	job := &Job{
		Target:  "ask",
		Cmds:    []string{"read line; echo \"got: $line\"; echo \"$GOBUILDJ_TARGET $X\" >&2", "echo made > out/x"},
		Dir:     dir,
		Env:     []string{"X=1"},
		Outputs: []string{filepath.Join(dir, "out/x")},
	}
	res, err := RunForeground(job, stdio, nil, Limits{})
	if err != nil || !res.OK() {
		t.Fatalf("RunForeground: %+v, %v", res, err)
	}
	out, errOut := read()
	if out != "got: typed by a person\n" || errOut != "ask 1\n" {
		t.Errorf("stdout %q, stderr %q", out, errOut)
	}
	if len(res.Output) != 0 || len(res.Outputs) != 1 || res.Outputs[0].Size != int64(len("made\n")) {
		t.Errorf("result %+v", res)
	}
}

func TestRunForegroundFailureDeletesOutputs(t *testing.T) {
	dir := t.TempDir()
	stdio, _ := foregroundStdio(t, "")
	out := filepath.Join(dir, "o")
	res, err := RunForeground(&Job{Target: "t", Cmds: []string{"echo half > o; exit 3", "echo never > never"}, Dir: dir, Outputs: []string{out}}, stdio, nil, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if res.OK() || res.ExitCode != 3 || res.FailedCmd != 0 {
		t.Errorf("result %+v", res)
	}
	for _, f := range []string{out, filepath.Join(dir, "never")} {
		if _, err := os.Stat(f); !os.IsNotExist(err) {
			t.Errorf("%s exists after the failure (%v)", f, err)
		}
	}
}

func TestRunForegroundMissingOutput(t *testing.T) {
	dir := t.TempDir()
	stdio, _ := foregroundStdio(t, "")
	res, err := RunForeground(&Job{Target: "t", Cmds: []string{"true"}, Dir: dir, Outputs: []string{filepath.Join(dir, "o")}}, stdio, nil, Limits{})
	if err != nil || res.OK() || len(res.Missing) != 1 {
		t.Errorf("result %+v, %v", res, err)
	}
}

func TestRunForegroundTimeoutAndStop(t *testing.T) {
	dir := t.TempDir()
	stdio, _ := foregroundStdio(t, "")
	start := time.Now()
	res, err := RunForeground(&Job{Target: "t", Cmds: []string{"sleep 30"}, Dir: dir}, stdio, nil, Limits{Timeout: 100 * time.Millisecond, KillAfter: time.Second})
	if err != nil || res.Signal != "SIGTERM" || res.OK() {
		t.Errorf("timeout: %+v, %v", res, err)
	}
	// A shell that ignores SIGTERM is killed KillAfter later, with the
	// process it started (its group is killed).
	stop := make(chan struct{})
	go func() {
		waitFor(t, filepath.Join(dir, "ready"))
		close(stop)
	}()
	res, err = RunForeground(&Job{Target: "t", Cmds: []string{"trap '' TERM; sleep 31 & echo $! > child; touch ready; wait"}, Dir: dir}, stdio, nil, Limits{KillAfter: 200 * time.Millisecond, Stop: stop})
	if err != nil || res.Signal != "SIGKILL" {
		t.Errorf("stop: %+v, %v", res, err)
	}
	b, _ := os.ReadFile(filepath.Join(dir, "child"))
	pid, _ := strconv.Atoi(strings.TrimSpace(string(b)))
	for deadline := time.Now().Add(10 * time.Second); pid > 0 && unix.Kill(pid, 0) == nil; time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			unix.Kill(pid, unix.SIGKILL)
			t.Fatalf("the command's child %d survived", pid)
		}
	}
	if d := time.Since(start); d > 20*time.Second {
		t.Errorf("took %v", d)
	}
}

func TestRunForegroundExtraFiles(t *testing.T) {
	dir := t.TempDir()
	stdio, _ := foregroundStdio(t, "")
	extra, err := os.Create(filepath.Join(dir, "fd3"))
	if err != nil {
		t.Fatal(err)
	}
	defer extra.Close()
	res, err := RunForeground(&Job{Target: "t", Cmds: []string{"echo via fd 3 >&3"}, Dir: dir}, stdio, []*os.File{extra}, Limits{})
	if err != nil || !res.OK() {
		t.Fatalf("%+v, %v", res, err)
	}
	if b, _ := os.ReadFile(extra.Name()); strings.TrimSpace(string(b)) != "via fd 3" {
		t.Errorf("fd 3 got %q", b)
	}
}

// A console-pool job in the sandbox is confined as a worker's is, and the
// calling process is not: its later unsandboxed jobs read and write freely.
func TestRunForegroundSandbox(t *testing.T) {
	if abi := sandbox.ABI(); abi < sandbox.MinABI {
		t.Skipf("this kernel has no usable Landlock (ABI %d)", abi)
	}
	dir := t.TempDir()
	for name, text := range map[string]string{"in.txt": "in\n", "secret.txt": "secret\n"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o666); err != nil {
			t.Fatal(err)
		}
	}
	policy := &sandbox.Policy{
		Read:  []string{"/usr", "/bin", "/lib", "/lib64", "/etc", filepath.Join(dir, "in.txt")},
		Write: []string{"/dev/null", filepath.Join(dir, "out")},
	}
	for i := range 4 {
		stdio, read := foregroundStdio(t, "")
		res, err := RunForeground(&Job{Target: "ok", Dir: dir, Sandbox: policy, Outputs: []string{filepath.Join(dir, "out/a")},
			Cmds: []string{"cat in.txt > out/a"}}, stdio, nil, Limits{})
		if err != nil || !res.OK() {
			out, errOut := read()
			t.Fatalf("sandboxed job %d: %+v, %v: %s%s", i, res, err, out, errOut)
		}
		stdio, read = foregroundStdio(t, "")
		res, err = RunForeground(&Job{Target: "denied", Dir: dir, Sandbox: policy, Cmds: []string{"cat secret.txt"}}, stdio, nil, Limits{})
		if _, errOut := read(); err != nil || res.OK() || !strings.Contains(errOut, "secret.txt: Permission denied") {
			t.Errorf("sandboxed job %d that reads an undeclared file: %+v, %v, stderr %q", i, res, err, errOut)
		}
		stdio, read = foregroundStdio(t, "")
		res, err = RunForeground(&Job{Target: "free", Dir: dir, Cmds: []string{"cat secret.txt", "echo x > free.txt"}}, stdio, nil, Limits{})
		if out, errOut := read(); err != nil || !res.OK() || out != "secret\n" {
			t.Errorf("unsandboxed job %d after sandboxed ones: %+v, %v: %q %q", i, res, err, out, errOut)
		}
	}
	if _, err := os.ReadFile(filepath.Join(dir, "secret.txt")); err != nil {
		t.Errorf("the calling process: %v", err)
	}
}
