package statedir

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

func TestLayout(t *testing.T) {
	d := Of("/p")
	cases := map[string]string{
		"Path":        d.Path(),
		"GitIgnore":   d.GitIgnore(),
		"Lock":        d.Lock(),
		"StateLog":    d.StateLog(),
		"BadStateLog": d.BadStateLog(),
		"SHA256Table": d.SHA256Table(),
		"Snapshot":    d.Snapshot(),
		"LastLog":     d.LastLog(),
		"Project":     d.Project(),
	}
	want := map[string]string{
		"Path":        "/p/.gobuildj",
		"GitIgnore":   "/p/.gobuildj/.gitignore",
		"Lock":        "/p/.gobuildj/lock",
		"StateLog":    "/p/.gobuildj/state.log",
		"BadStateLog": "/p/.gobuildj/state.log.bad",
		"SHA256Table": "/p/.gobuildj/sha256.log",
		"Snapshot":    "/p/.gobuildj/graph.snap",
		"LastLog":     "/p/.gobuildj/log/last.log",
		"Project":     "/p",
	}
	for name, got := range cases {
		if got != want[name] {
			t.Errorf("%s = %q, want %q", name, got, want[name])
		}
	}
	if got := Of("").StateLog(); got != ".gobuildj/state.log" {
		t.Errorf("the state log of the current folder is %q", got)
	}
	if got := Of("sub/").Snapshot(); got != "sub/.gobuildj/graph.snap" {
		t.Errorf("the snapshot of sub/ is %q", got)
	}
}

func TestTemps(t *testing.T) {
	project := t.TempDir()
	d := Of(project)
	if err := os.Mkdir(d.Path(), 0o777); err != nil {
		t.Fatal(err)
	}
	if got, err := d.StateLogTemps(); err != nil || len(got) != 0 {
		t.Fatalf("StateLogTemps of a new folder = %v, %v", got, err)
	}
	f, err := d.CreateStateLogTemp()
	if err != nil {
		t.Fatal(err)
	}
	f.Close()
	if filepath.Dir(f.Name()) != d.Path() || !strings.HasPrefix(filepath.Base(f.Name()), "state.log.tmp") {
		t.Errorf("CreateStateLogTemp made %s", f.Name())
	}
	if got, err := d.StateLogTemps(); err != nil || len(got) != 1 || got[0] != f.Name() {
		t.Errorf("StateLogTemps = %v, %v; want [%s]", got, err, f.Name())
	}
	s, err := d.CreateSnapshotTemp()
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	if filepath.Dir(s.Name()) != d.Path() || !strings.HasPrefix(filepath.Base(s.Name()), "graph.snap.tmp") {
		t.Errorf("CreateSnapshotTemp made %s", s.Name())
	}
	if got, _ := d.StateLogTemps(); len(got) != 1 {
		t.Errorf("a snapshot's temporary file counts as the log's: %v", got)
	}
	fetch, err := d.MkdirFetchTemp()
	if err != nil {
		t.Fatal(err)
	}
	if filepath.Dir(fetch) != project || !strings.HasPrefix(filepath.Base(fetch), ".gobuildj-fetch-") {
		t.Errorf("MkdirFetchTemp made %s", fetch)
	}
	if got, err := d.FetchTemps(); err != nil || len(got) != 1 || got[0] != fetch {
		t.Errorf("FetchTemps = %v, %v; want [%s]", got, err, fetch)
	}
}

func TestHolds(t *testing.T) {
	for rel, want := range map[string]bool{
		".gobuildj": true, ".gobuildj/state.log": true, ".gobuildj/log/last.log": true,
		".gobuildjx": false, "src/.gobuildj": false, "build/app": false, ".": false, "": false,
	} {
		if got := Holds(rel); got != want {
			t.Errorf("Holds(%q) = %v, want %v", rel, got, want)
		}
	}
}

func TestOnPath(t *testing.T) {
	for path, want := range map[string]bool{
		"/p/.gobuildj": true, "/p/.gobuildj/state.log": true, "/p/sub/.gobuildj/log/last.log": true,
		".gobuildj/lock": true, ".gobuildj": true,
		"/p/.gobuildj-fetch-1/a": false, "/p/a.gobuildj/x": false, "/p/src/a.c": false,
	} {
		if got := OnPath(path); got != want {
			t.Errorf("OnPath(%q) = %v, want %v", path, got, want)
		}
	}
}

func TestOutputLog(t *testing.T) {
	d := Of("/p")
	for target, want := range map[string]string{
		"app":            "/p/.gobuildj/log/output/app.log",
		"build/sub/a.o":  "/p/.gobuildj/log/output/build%2Fsub%2Fa.o.log",
		"build%2Fsub":    "/p/.gobuildj/log/output/build%252Fsub.log",
		"..":             "/p/.gobuildj/log/output/...log",
		"a b:ü":          "/p/.gobuildj/log/output/a%20b%3A%C3%BC.log",
		"../../etc/x.so": "/p/.gobuildj/log/output/..%2F..%2Fetc%2Fx.so.log",
	} {
		if got := d.OutputLog(target); got != want {
			t.Errorf("OutputLog(%q) = %q, want %q", target, got, want)
		}
	}
	long := strings.Repeat("/", 300)
	a, b := filepath.Base(d.OutputLog(long)), filepath.Base(d.OutputLog(long+"x"))
	if len(a) > 255 || len(b) > 255 || a == b {
		t.Errorf("long names give %q and %q: want distinct file names under 256 bytes", a, b)
	}
}

func TestCreateOutputLog(t *testing.T) {
	project := t.TempDir()
	d := Of(project)
	f, err := d.CreateOutputLog("build/app")
	if err != nil {
		t.Fatal(err)
	}
	f.Close()
	if f.Name() != d.OutputLog("build/app") {
		t.Errorf("CreateOutputLog made %s, want %s", f.Name(), d.OutputLog("build/app"))
	}
	// A link planted in the state folder is refused, at the folder or
	// at the file.
	elsewhere := t.TempDir()
	outputDir := filepath.Dir(d.OutputLog("x"))
	if err := os.Symlink(filepath.Join(elsewhere, "x.log"), d.OutputLog("x")); err != nil {
		t.Fatal(err)
	}
	if f, err := d.CreateOutputLog("x"); err == nil || !strings.Contains(err.Error(), "symbolic link") {
		f.Close()
		t.Errorf("CreateOutputLog through a linked file: %v, want a symbolic link error", err)
	}
	if err := os.RemoveAll(outputDir); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(elsewhere, outputDir); err != nil {
		t.Fatal(err)
	}
	if f, err := d.CreateOutputLog("x"); err == nil || !strings.Contains(err.Error(), "symbolic link") {
		f.Close()
		t.Errorf("CreateOutputLog through a linked folder: %v, want a symbolic link error", err)
	}
	if entries, _ := os.ReadDir(elsewhere); len(entries) != 0 {
		t.Errorf("files were written through the links: %v", entries)
	}
}

// A FIFO in the place of a state file is an error naming it, at once,
// whether it is opened to read or to write.
func TestOpenFileRefusesAFIFO(t *testing.T) {
	p := filepath.Join(t.TempDir(), "state.log")
	if err := syscall.Mkfifo(p, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, flag := range []int{os.O_RDONLY, os.O_RDWR | os.O_CREATE, os.O_WRONLY | os.O_CREATE | os.O_TRUNC} {
		f, err := OpenFile(p, flag, 0o666)
		if err == nil {
			f.Close()
			t.Fatalf("flag %#x: opened a FIFO", flag)
		}
		if !strings.Contains(err.Error(), p+" is a FIFO, not a regular file") {
			t.Errorf("flag %#x: %v", flag, err)
		}
	}
	if _, err := ReadFile(p); err == nil {
		t.Error("ReadFile read a FIFO")
	}
}

func TestForKeepsEachBuildfilesOwnFiles(t *testing.T) {
	def := For("/p", "/p/Buildfile.toml")
	if def != Of("/p") || For("/p", "") != Of("/p") {
		t.Fatalf("For of Buildfile.toml = %+v, want Of", def)
	}
	other := For("/p", "/p/ci build.toml")
	for _, c := range []struct{ got, want string }{
		{def.StateLog(), "/p/.gobuildj/state.log"},
		{other.StateLog(), "/p/.gobuildj/@ci%20build.toml.state.log"},
		{other.BadStateLog(), "/p/.gobuildj/@ci%20build.toml.state.log.bad"},
		{other.SHA256Table(), "/p/.gobuildj/@ci%20build.toml.sha256.log"},
		{other.Snapshot(), "/p/.gobuildj/@ci%20build.toml.graph.snap"},
		{other.Lock(), def.Lock()},
		{other.LastLog(), def.LastLog()},
		{other.OutputLog("x"), def.OutputLog("x")},
	} {
		if c.got != c.want {
			t.Errorf("got %s, want %s", c.got, c.want)
		}
	}
}
