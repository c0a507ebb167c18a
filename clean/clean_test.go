package clean

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gobuildj/gobuildj/cache"
	"github.com/gobuildj/gobuildj/graph"
	"github.com/gobuildj/gobuildj/internal/statedir"
)

const buildfile = `
[targets.all]
deps = ["gen", "copy"]

[targets.gen]
inputs  = ["src.txt"]
outputs = ["build/gen.txt"]
depfile = "build/gen.d"
cmd     = "true"

[targets.copy]
deps    = ["gen"]
outputs = ["out/copy.txt"]
cmd     = "true"
`

// project makes a project in a new folder (under a parent folder of its
// own, for files "outside" it): the Buildfile, src.txt and the outputs
// files names, and records as run the targets of records (target ->
// output paths as recorded; a path ending in .d is its depfile).
func project(t *testing.T, files []string, records map[string][]string) *graph.Graph {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "project")
	write(t, filepath.Join(dir, "Buildfile.toml"), buildfile)
	write(t, filepath.Join(dir, "src.txt"), "x\n")
	for _, f := range files {
		write(t, filepath.Join(dir, f), f+"\n")
	}
	store, err := cache.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	for name, paths := range records {
		rec := cache.TargetRecord{Name: name}
		for _, p := range paths {
			if strings.HasSuffix(p, ".d") {
				rec.Depfile = p
			} else {
				rec.Outputs = append(rec.Outputs, cache.PathState{Path: p})
			}
		}
		if err := store.RecordTarget(rec); err != nil {
			t.Fatal(err)
		}
	}
	if err := store.Close(); err != nil {
		t.Fatal(err)
	}
	g, err := graph.Load(filepath.Join(dir, "Buildfile.toml"))
	if err != nil {
		t.Fatal(err)
	}
	return g
}

func write(t *testing.T, path, text string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

// left returns those of paths (relative to g.Root) that exist.
func left(g *graph.Graph, paths ...string) []string {
	var found []string
	for _, p := range paths {
		if _, err := os.Lstat(filepath.Join(g.Root, p)); err == nil {
			found = append(found, p)
		}
	}
	return found
}

// recorded returns the targets with a record in g's state.
func recorded(t *testing.T, g *graph.Graph) []string {
	t.Helper()
	store, err := cache.OpenReadOnly(g.Root)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	return store.Targets()
}

var built = []string{"build/gen.txt", "build/gen.d", "build/undeclared.txt", "out/copy.txt"}

var records = map[string][]string{
	"gen":  {"build/gen.txt", "build/gen.d"},
	"copy": {"out/copy.txt"},
	"gone": {"old/gone.txt"}, // a target no longer in the Buildfile
}

func TestCleanANamedTargetAndItsDeps(t *testing.T) {
	g := project(t, append(built, "old/gone.txt"), records)
	res, err := Clean(g, []string{"gen"})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"build/gen.d", "build/gen.txt"}; !slices.Equal(res.Removed, want) || res.Targets != 1 {
		t.Errorf("Clean(gen) = %+v, want %q of 1 target", res, want)
	}
	if got, want := left(g, append(built, "old/gone.txt", "src.txt")...), []string{"build/undeclared.txt", "out/copy.txt", "old/gone.txt", "src.txt"}; !slices.Equal(got, want) {
		t.Errorf("left %q, want %q", got, want)
	}
	if got, want := recorded(t, g), []string{"copy", "gone"}; !slices.Equal(got, want) {
		t.Errorf("records left: %q, want %q", got, want)
	}
	// copy depends on gen: both go.
	res, err = Clean(g, []string{"copy"})
	if err != nil || !slices.Equal(res.Removed, []string{"out/copy.txt"}) || res.Targets != 1 {
		t.Errorf("Clean(copy) = %+v, %v", res, err)
	}
}

func TestCleanEverythingRecorded(t *testing.T) {
	g := project(t, append(built, "old/gone.txt"), records)
	// A recorded output already gone is no error.
	if err := os.Remove(filepath.Join(g.Root, "out/copy.txt")); err != nil {
		t.Fatal(err)
	}
	res, err := Clean(g, nil)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"build/gen.d", "build/gen.txt", "old/gone.txt"}; !slices.Equal(res.Removed, want) || res.Targets != 3 {
		t.Errorf("Clean() = %+v, want %q of 3 targets", res, want)
	}
	if got := left(g, "build/undeclared.txt", "src.txt", "build", "old"); len(got) != 4 {
		t.Errorf("Clean removed more than the recorded files: left %q", got)
	}
	if got := recorded(t, g); len(got) != 0 {
		t.Errorf("records left: %q", got)
	}
}

func TestCleanAnUnknownTarget(t *testing.T) {
	g := project(t, built, records)
	res, err := Clean(g, []string{"nope"})
	var gerr *graph.Error
	if res != nil || !errors.As(err, &gerr) {
		t.Errorf("Clean(nope) = %+v, %v; want a *graph.Error", res, err)
	}
}

// refused cleans and checks that it removed nothing, refusing the files
// of want (path as shown, target and kind).
func refused(t *testing.T, g *graph.Graph, names []string, want ...Refusal) *RefusedError {
	t.Helper()
	before := recorded(t, g)
	res, err := Clean(g, names)
	var rerr *RefusedError
	if res != nil || !errors.As(err, &rerr) {
		t.Fatalf("Clean(%q) = %+v, %v; want a *RefusedError", names, res, err)
	}
	if len(rerr.Refused) != len(want) {
		t.Fatalf("refused %+v, want %+v", rerr.Refused, want)
	}
	for i, w := range want {
		r := rerr.Refused[i]
		if r.Path != w.Path || r.Target != w.Target || r.Kind != w.Kind || (w.Resolved != "") != (r.Resolved != "") {
			t.Errorf("refusal %d = %+v, want %+v", i, r, w)
		}
	}
	if got := left(g, built...); !slices.Equal(got, built) {
		t.Errorf("Clean removed files although it refused: left %q", got)
	}
	if got := recorded(t, g); !slices.Equal(got, before) {
		t.Errorf("Clean forgot records although it refused: %q", got)
	}
	return rerr
}

func TestCleanRefusesFilesOutsideTheFolder(t *testing.T) {
	recs := map[string][]string{
		"gen":   records["gen"],
		"copy":  {"out/copy.txt", "../precious.txt"},
		"state": {".gobuildj/state.log"},
		"root":  {"."},
	}
	g := project(t, built, recs)
	write(t, filepath.Join(g.Root, "../precious.txt"), "precious\n")
	outside := filepath.Join(filepath.Dir(g.Root), "precious.txt")
	rerr := refused(t, g, nil,
		Refusal{Path: outside, Target: "copy", Kind: Outside},
		Refusal{Path: g.Root, Target: "root", Kind: IsRoot},
		Refusal{Path: filepath.Join(g.Root, ".gobuildj/state.log"), Target: "state", Kind: InState},
	)
	want := "removed nothing, because 3 recorded file(s) are not inside " + g.Root + ":\n" +
		"  " + outside + " (recorded for copy): it is outside the Buildfile's folder\n" +
		"  . (recorded for root): it is the Buildfile's folder itself\n" +
		"  .gobuildj/state.log (recorded for state): it is in .gobuildj/, gobuildj's state"
	if rerr.Error() != want {
		t.Errorf("error:\n%s\nwant:\n%s", rerr, want)
	}
	if data, err := os.ReadFile(outside); err != nil || string(data) != "precious\n" {
		t.Errorf("the file outside: %q, %v", data, err)
	}
}

func TestCleanRefusesASymbolicLinkLeavingTheTree(t *testing.T) {
	g := project(t, built, records)
	elsewhere := filepath.Join(filepath.Dir(g.Root), "elsewhere")
	write(t, filepath.Join(elsewhere, "copy.txt"), "precious\n")
	// out/ is a link to a folder outside: out/copy.txt is that folder's.
	if err := os.RemoveAll(filepath.Join(g.Root, "out")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(elsewhere, filepath.Join(g.Root, "out")); err != nil {
		t.Fatal(err)
	}
	res, err := Clean(g, []string{"copy"})
	var rerr *RefusedError
	if res != nil || !errors.As(err, &rerr) || len(rerr.Refused) != 1 {
		t.Fatalf("Clean(copy) = %+v, %v", res, err)
	}
	r := rerr.Refused[0]
	if r.Kind != Outside || r.Resolved != filepath.Join(elsewhere, "copy.txt") || r.Target != "copy" {
		t.Errorf("refusal %+v", r)
	}
	if want := "out/copy.txt (recorded for copy): it resolves to " + filepath.Join(elsewhere, "copy.txt") + " through a symbolic link, so it is outside the Buildfile's folder"; !strings.Contains(err.Error(), want) {
		t.Errorf("error %q, want it to hold %q", err, want)
	}
	if got := left(g, "build/gen.txt", "build/gen.d"); len(got) != 2 {
		t.Errorf("Clean removed files although it refused: left %q", got)
	}
	if data, err := os.ReadFile(filepath.Join(elsewhere, "copy.txt")); err != nil || string(data) != "precious\n" {
		t.Errorf("the file behind the link: %q, %v", data, err)
	}
	// The output itself a link pointing outside.
	if err := os.Remove(filepath.Join(g.Root, "out")); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(g.Root, "out"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(elsewhere, "copy.txt"), filepath.Join(g.Root, "out/copy.txt")); err != nil {
		t.Fatal(err)
	}
	refused(t, g, []string{"copy"}, Refusal{Path: filepath.Join(g.Root, "out/copy.txt"), Target: "copy", Kind: Outside, Resolved: "x"})
}

func TestCleanFollowsALinkThatStaysInside(t *testing.T) {
	g := project(t, built, records)
	// out/ links to a folder of the project: cleaning is safe.
	if err := os.RemoveAll(filepath.Join(g.Root, "out")); err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(g.Root, "real/copy.txt"), "x\n")
	if err := os.Symlink("real", filepath.Join(g.Root, "out")); err != nil {
		t.Fatal(err)
	}
	res, err := Clean(g, []string{"copy"})
	if err != nil || !slices.Contains(res.Removed, "out/copy.txt") {
		t.Fatalf("Clean(copy) = %+v, %v", res, err)
	}
	if got := left(g, "real/copy.txt", "out"); !slices.Equal(got, []string{"out"}) {
		t.Errorf("left %q, want the link out only", got)
	}
}

func TestRunReportsWhatItCannotRemove(t *testing.T) {
	g := project(t, built, records)
	store, err := cache.Open(g.Root)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	// build/gen.d is a folder that is not empty: os.Remove fails.
	if err := os.Remove(filepath.Join(g.Root, "build/gen.d")); err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(g.Root, "build/gen.d/x"), "")
	p, err := NewPlan(g.Root, store, []string{"gen"})
	if err != nil {
		t.Fatal(err)
	}
	res, err := p.Run(store)
	if err == nil || !strings.HasPrefix(err.Error(), "clean: ") || !strings.Contains(err.Error(), "gen.d") {
		t.Errorf("Run: %v, want an error naming build/gen.d", err)
	}
	if res == nil || !slices.Equal(res.Removed, []string{"build/gen.txt"}) || res.Targets != 1 {
		t.Errorf("Run = %+v", res)
	}
	if _, ok := store.Target("gen"); ok {
		t.Error("the record of gen is still there")
	}
}

func TestRefusalWhy(t *testing.T) {
	for _, c := range []struct {
		r    Refusal
		want string
	}{
		{Refusal{Kind: Outside}, "it is outside the Buildfile's folder"},
		{Refusal{Kind: InState, Resolved: "/p/.gobuildj/x"}, "it resolves to /p/.gobuildj/x through a symbolic link, so it is in .gobuildj/, gobuildj's state"},
		{Refusal{Kind: Unresolvable, Err: errors.New("too many links")}, "cannot resolve it (too many links)"},
	} {
		if got := c.r.Why(); got != c.want {
			t.Errorf("%+v: Why = %q, want %q", c.r, got, c.want)
		}
	}
}

func TestCleanRemovesTheWholeOutputOfACleanedTarget(t *testing.T) {
	g := project(t, built, records)
	state := statedir.Of(g.Root)
	for _, name := range []string{"gen", "copy"} {
		f, err := state.CreateOutputLog(name)
		if err != nil {
			t.Fatal(err)
		}
		f.Close()
	}
	if _, err := Clean(g, []string{"copy"}); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"gen", "copy"} {
		if _, err := os.Lstat(state.OutputLog(name)); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("output log of cleaned target %s: %v, want it removed", name, err)
		}
	}
}

func TestCleanLeavesALinkedOutputLogFolderAlone(t *testing.T) {
	g := project(t, built, records)
	state := statedir.Of(g.Root)
	outside := filepath.Join(filepath.Dir(g.Root), "elsewhere")
	write(t, filepath.Join(outside, "gen.log"), "keep\n")
	if err := os.MkdirAll(filepath.Join(state.Path(), "log"), 0o777); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(outside, filepath.Dir(state.OutputLog("gen"))); err != nil {
		t.Fatal(err)
	}
	if _, err := Clean(g, []string{"gen"}); err == nil || !strings.Contains(err.Error(), "symbolic link") {
		t.Errorf("Clean with log/output linked out: %v, want an error naming the link", err)
	}
	if _, err := os.Stat(filepath.Join(outside, "gen.log")); err != nil {
		t.Errorf("a file outside the project was removed through a link: %v", err)
	}
}
