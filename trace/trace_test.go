package trace_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gobuildj/gobuildj/internal/launch"
	"github.com/gobuildj/gobuildj/trace"
)

func TestMain(m *testing.M) {
	if launch.IsLauncher() {
		launch.Main()
	}
	os.Exit(m.Run())
}

// run runs argv traced in dir through the launcher (this test binary) and
// returns its wait status, report and output.
func run(t *testing.T, dir string, argv ...string) (syscall.WaitStatus, *trace.Report, string) {
	t.Helper()
	return runHow(t, false, dir, argv...)
}

// runFunc runs a command traced: run or runDirect.
type runFunc func(t *testing.T, dir string, argv ...string) (syscall.WaitStatus, *trace.Report, string)

// bothWays runs test through the launcher and with the filter installed
// by the tracer.
func bothWays(t *testing.T, test func(*testing.T, runFunc)) {
	t.Run("launcher", func(t *testing.T) { test(t, run) })
	t.Run("direct", func(t *testing.T) { test(t, runDirect) })
}

// runDirect is run without the launcher: the tracer installs the filter.
func runDirect(t *testing.T, dir string, argv ...string) (syscall.WaitStatus, *trace.Report, string) {
	t.Helper()
	return runHow(t, true, dir, argv...)
}

func runHow(t *testing.T, direct bool, dir string, argv ...string) (syscall.WaitStatus, *trace.Report, string) {
	t.Helper()
	path, err := exec.LookPath(argv[0])
	if err != nil {
		t.Fatal(err)
	}
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	out, err := os.Create(filepath.Join(t.TempDir(), "out"))
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	attr := &syscall.ProcAttr{Dir: dir, Env: os.Environ(), Files: []uintptr{0, out.Fd(), out.Fd()}}
	var ws syscall.WaitStatus
	var rep *trace.Report
	if direct {
		ws, rep, err = trace.RunDirect(path, argv, attr)
	} else {
		ws, rep, err = trace.Run(self, launch.Argv(self, &launch.Spec{Path: path, Argv: argv, Trace: true}), attr)
	}
	if err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(out.Name())
	return ws, rep, string(b)
}

// within returns the paths of list under dir, relative to it.
func within(list []string, dir string) []string {
	var rel []string
	for _, p := range list {
		if r, ok := strings.CutPrefix(p, dir+"/"); ok {
			rel = append(rel, r)
		}
	}
	return rel
}

func assertPaths(t *testing.T, what string, list []string, dir string, want ...string) {
	t.Helper()
	got := within(list, dir)
	if !slices.Equal(got, want) {
		t.Errorf("%s under the test folder = %q, want %q", what, got, want)
	}
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

func TestShellReadsAndWrites(t *testing.T) { bothWays(t, shellReadsAndWrites) }

func shellReadsAndWrites(t *testing.T, run runFunc) {
	dir := t.TempDir()
	write(t, dir+"/a", "b\na\n")
	ws, rep, out := run(t, dir, "sh", "-c", "cat a | sort > b; cat b")
	if ws.ExitStatus() != 0 || out != "a\nb\n" {
		t.Fatalf("exit %d, output %q", ws.ExitStatus(), out)
	}
	assertPaths(t, "read", rep.Read, dir, "a", "b")
	assertPaths(t, "written", rep.Written, dir, "b")
	if !slices.Contains(rep.Read, "/usr/bin/sort") && !slices.Contains(rep.Read, "/bin/sort") {
		t.Errorf("read = %q: no sort program", rep.Read)
	}
}

// staticProg is a Go program built static (CGO_ENABLED=0): no libc, raw
// system calls from several threads.
const staticProg = `package main

import (
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"sync"
	"syscall"
)

func main() {
	// openat relative to a folder descriptor.
	dfd, err := syscall.Open("dir", syscall.O_RDONLY|syscall.O_DIRECTORY, 0)
	if err != nil {
		panic(err)
	}
	fd, err := syscall.Openat(dfd, "viafd", syscall.O_RDONLY, 0)
	if err != nil {
		panic(err)
	}
	syscall.Close(fd)
	// Reads from threads of their own.
	var wg sync.WaitGroup
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			runtime.LockOSThread()
			if _, err := os.ReadFile(fmt.Sprintf("thread%d", i)); err != nil {
				panic(err)
			}
		}()
	}
	wg.Wait()
	// A relative path after a chdir.
	if err := os.Chdir("dir"); err != nil {
		panic(err)
	}
	if _, err := os.ReadFile("afterchdir"); err != nil {
		panic(err)
	}
	os.Mkdir("made", 0o755)
	os.WriteFile("new", []byte("x"), 0o644)
	os.Rename("new", "renamed")
	os.Remove("doomed")
	os.Stat("nothere")
	// A child started as Go does (clone with CLONE_VFORK).
	if err := exec.Command("cat", "bychild").Run(); err != nil {
		panic(err)
	}
	os.Exit(7)
}
`

func buildStatic(t *testing.T) string {
	t.Helper()
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go toolchain to build a static program with")
	}
	src := t.TempDir()
	write(t, src+"/go.mod", "module prog\n\ngo 1.22\n")
	write(t, src+"/main.go", staticProg)
	bin := filepath.Join(t.TempDir(), "prog")
	cmd := exec.Command(goTool, "build", "-o", bin, ".")
	cmd.Dir = src
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOFLAGS=", "GOWORK=off")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

func TestStaticMultiThreadedGoProgram(t *testing.T) { bothWays(t, staticMultiThreadedGoProgram) }

func staticMultiThreadedGoProgram(t *testing.T, run runFunc) {
	bin := buildStatic(t)
	dir := t.TempDir()
	for _, f := range []string{"dir/viafd", "dir/afterchdir", "dir/doomed", "dir/bychild", "thread0", "thread1", "thread2", "thread3"} {
		write(t, dir+"/"+f, f)
	}
	ws, rep, out := run(t, dir, bin)
	if ws.ExitStatus() != 7 {
		t.Fatalf("exit status %d, want 7 passed through; output %q", ws.ExitStatus(), out)
	}
	assertPaths(t, "read", rep.Read, dir, "dir/afterchdir", "dir/bychild", "dir/viafd", "thread0", "thread1", "thread2", "thread3")
	assertPaths(t, "written", rep.Written, dir, "dir/made", "dir/new", "dir/renamed")
	assertPaths(t, "deleted", rep.Deleted, dir, "dir/doomed", "dir/new")
	// os.Rename looks whether the new name is a folder first.
	assertPaths(t, "probed", rep.Probed, dir, "dir/nothere", "dir/renamed")
	if !slices.Contains(rep.Read, bin) {
		t.Errorf("read = %q, want the program %s", rep.Read, bin)
	}
}

func TestForkExecChainsAndProbes(t *testing.T) { bothWays(t, forkExecChainsAndProbes) }

func forkExecChainsAndProbes(t *testing.T, run runFunc) {
	dir := t.TempDir()
	write(t, dir+"/a", "2\n1\n")
	write(t, dir+"/sub/x", "x")
	ws, rep, out := run(t, dir, "sh", "-c",
		"cat a | sort > b && (cd sub && cat x > y) && mkdir m && mv b c && rm sub/x && rmdir m && test -e nope; ln -s c lnk; exit 3")
	if ws.ExitStatus() != 3 {
		t.Fatalf("exit status %d, want 3; output %q", ws.ExitStatus(), out)
	}
	assertPaths(t, "read", rep.Read, dir, "a", "sub/x")
	assertPaths(t, "written", rep.Written, dir, "b", "c", "lnk", "m", "sub/y")
	assertPaths(t, "deleted", rep.Deleted, dir, "b", "m", "sub/x")
	if got := within(rep.Probed, dir); !slices.Contains(got, "nope") {
		t.Errorf("probed = %q, want nope in it", got)
	}
}

func TestKilledBySignal(t *testing.T) { bothWays(t, killedBySignal) }

func killedBySignal(t *testing.T, run runFunc) {
	dir := t.TempDir()
	done := make(chan struct{})
	var ws syscall.WaitStatus
	go func() {
		defer close(done)
		// The shell's child sleeps on after the shell dies: the tracer
		// must not wait for it.
		ws, _, _ = run(t, dir, "sh", "-c", "sleep 59.123 & kill -KILL $$")
	}()
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		t.Fatal("the tracer hung after its command was killed")
	}
	if !ws.Signaled() || ws.Signal() != syscall.SIGKILL {
		t.Errorf("wait status %v, want killed by SIGKILL", ws)
	}
	// The child left behind is killed with the tracer's thread.
	for deadline := time.Now().Add(5 * time.Second); running("sleep\x0059.123\x00"); {
		if time.Now().After(deadline) {
			t.Fatal("the command's background child outlived the tracer")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// running reports whether a process with this command line runs.
func running(cmdline string) bool {
	procs, _ := filepath.Glob("/proc/[0-9]*/cmdline")
	for _, p := range procs {
		if b, err := os.ReadFile(p); err == nil && string(b) == cmdline {
			return true
		}
	}
	return false
}

func TestScriptInterpreterIsRead(t *testing.T) { bothWays(t, scriptInterpreterIsRead) }

func scriptInterpreterIsRead(t *testing.T, run runFunc) {
	dir := t.TempDir()
	write(t, dir+"/script", "#!/bin/sh -e\necho hi\n")
	if err := os.Chmod(dir+"/script", 0o755); err != nil {
		t.Fatal(err)
	}
	ws, rep, out := run(t, dir, dir+"/script")
	if ws.ExitStatus() != 0 || out != "hi\n" {
		t.Fatalf("exit %d, output %q", ws.ExitStatus(), out)
	}
	// The kernel opens the interpreter itself: no system call shows it.
	for _, p := range []string{dir + "/script", "/bin/sh"} {
		if !slices.Contains(rep.Read, p) {
			t.Errorf("read = %q, want %s in it", rep.Read, p)
		}
	}
}

// BenchmarkStops measures a stop: a shell loop of 1,000 stat calls of a
// missing file (the test builtin), traced; compare with -bench plain.
func BenchmarkStops(b *testing.B) {
	const loop = `i=0; while [ $i -lt 1000 ]; do test -e /nonexistent/x; i=$((i+1)); done`
	self, err := os.Executable()
	if err != nil {
		b.Fatal(err)
	}
	for _, traced := range []bool{false, true} {
		name := map[bool]string{false: "plain", true: "traced"}[traced]
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				if !traced {
					if err := exec.Command("/bin/sh", "-c", loop).Run(); err != nil {
						b.Fatal(err)
					}
					continue
				}
				largv := launch.Argv(self, &launch.Spec{Path: "/bin/sh", Argv: []string{"sh", "-c", loop}, Trace: true})
				if _, _, err := trace.Run(self, largv, &syscall.ProcAttr{Files: []uintptr{0, 1, 2}}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
