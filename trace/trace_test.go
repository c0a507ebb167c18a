package trace_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"

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
	largv := launch.Argv(self, &launch.Spec{Path: path, Argv: argv, Trace: true})
	ws, rep, err := trace.Run(self, largv, &syscall.ProcAttr{
		Dir:   dir,
		Env:   os.Environ(),
		Files: []uintptr{0, out.Fd(), out.Fd()},
	})
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

func TestShellReadsAndWrites(t *testing.T) {
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
	t.Logf("%+v", rep)
}
