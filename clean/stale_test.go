package clean

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/gobuildj/gobuildj/cache"
	"github.com/gobuildj/gobuildj/internal/statedir"
)

func TestCleanStale(t *testing.T) {
	recs := map[string][]string{
		"gen":  {"build/gen.txt", "build/gen.d", "build/dropped.txt"}, // outputs shrank
		"copy": {"out/copy.txt"},                                      // as declared
		"gone": {"old/gone.txt", "src.txt", "out/copy.txt", "old/gone.d"},
	}
	files := append(slices.Clone(built), "build/dropped.txt", "old/gone.txt", "old/gone.d")
	g := project(t, files, recs)
	res, err := CleanStale(g)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"build/dropped.txt", "old/gone.d", "old/gone.txt"}; !slices.Equal(res.Removed, want) || res.Targets != 2 {
		t.Errorf("CleanStale = %+v, want %q of 2 targets", res, want)
	}
	// An input (src.txt) and another target's output stay, though recorded for gone.
	if got, want := left(g, append(files, "src.txt")...), []string{"build/gen.txt", "build/gen.d", "build/undeclared.txt", "out/copy.txt", "src.txt"}; !slices.Equal(got, want) {
		t.Errorf("left %q, want %q", got, want)
	}
	if got, want := recorded(t, g), []string{"copy"}; !slices.Equal(got, want) {
		t.Errorf("records left: %q, want %q", got, want)
	}
	// Nothing stale: nothing to do.
	res, err = CleanStale(g)
	if err != nil || len(res.Removed) != 0 || res.Targets != 0 {
		t.Errorf("CleanStale again = %+v, %v", res, err)
	}
}

func TestCleanStaleRefusesALinkLeavingTheTree(t *testing.T) {
	g := project(t, append(slices.Clone(built), "old/gone.txt"), map[string][]string{"gone": {"old/gone.txt", "link/x.txt"}})
	elsewhere := filepath.Join(filepath.Dir(g.Root), "elsewhere")
	write(t, filepath.Join(elsewhere, "x.txt"), "precious\n")
	if err := os.Symlink(elsewhere, filepath.Join(g.Root, "link")); err != nil {
		t.Fatal(err)
	}
	res, err := CleanStale(g)
	var rerr *RefusedError
	if res != nil || !errors.As(err, &rerr) || len(rerr.Refused) != 1 || rerr.Refused[0].Target != "gone" {
		t.Fatalf("CleanStale = %+v, %v; want one refusal", res, err)
	}
	if got := left(g, "old/gone.txt"); len(got) != 1 {
		t.Error("CleanStale removed a file although it refused")
	}
	if data, err := os.ReadFile(filepath.Join(elsewhere, "x.txt")); err != nil || string(data) != "precious\n" {
		t.Errorf("the file behind the link: %q, %v", data, err)
	}
}

func TestNewStalePlanWithNothingStaleAllocatesLittle(t *testing.T) {
	g := project(t, built, map[string][]string{"gen": {"build/gen.txt", "build/gen.d"}, "copy": {"out/copy.txt"}})
	store, err := cache.OpenReadOnly(g.Root)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	if n := testing.AllocsPerRun(50, func() {
		if p, err := NewStalePlan(g, store); err != nil || len(p.Files) != 0 {
			t.Fatal(p, err)
		}
	}); n > 1 {
		t.Errorf("NewStalePlan allocates %v times with nothing stale", n)
	}
}

func TestCleanStaleRemovesTheWholeOutputOfADepartedTarget(t *testing.T) {
	g := project(t, append(slices.Clone(built), "old/gone.txt"), records)
	state := statedir.Of(g.Root)
	for _, name := range []string{"gen", "gone"} {
		f, err := state.CreateOutputLog(name)
		if err != nil {
			t.Fatal(err)
		}
		f.Close()
	}
	if _, err := CleanStale(g); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Lstat(state.OutputLog("gone")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("output log of gone: %v, want it removed", err)
	}
	if _, err := os.Lstat(state.OutputLog("gen")); err != nil {
		t.Errorf("output log of gen, still in the graph: %v", err)
	}
}
