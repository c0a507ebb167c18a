package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Symbolic links planted in .gobuildj (a checkout can hold them) must not
// make gobuildj write, truncate or create anything outside the project.
func TestStateFolderLinksAreNotFollowed(t *testing.T) {
	const bf = "[targets.all]\noutputs = [\"out.txt\"]\ncmd = \"echo built > out.txt\"\n"
	outside := t.TempDir()
	precious := filepath.Join(outside, "precious")
	link := func(t *testing.T, dir, name, target string) {
		t.Helper()
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(target, p); err != nil {
			t.Fatal(err)
		}
	}
	unchanged := func(t *testing.T) {
		t.Helper()
		if got := read(t, precious); got != "precious\n" {
			t.Errorf("the file outside the project now holds %q", got)
		}
		ents, err := os.ReadDir(outside)
		if err != nil {
			t.Fatal(err)
		}
		if len(ents) != 1 {
			var names []string
			for _, e := range ents {
				names = append(names, e.Name())
			}
			t.Errorf("the folder outside the project now holds %v", names)
		}
	}
	for _, c := range []struct {
		name, link, target string
		args               []string
		failing            bool
	}{
		{"lock", ".gobuildj/lock", precious, nil, true},
		{"lock, clean", ".gobuildj/lock", precious, []string{"clean"}, true},
		{"state log", ".gobuildj/state.log", precious, nil, true},
		{"last.log", ".gobuildj/log/last.log", precious, nil, false},
		{"log folder", ".gobuildj/log", outside, nil, false},
		{"state folder", ".gobuildj", outside, nil, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			write(t, precious, "precious\n")
			dir := project(t, map[string]string{"Buildfile.toml": bf})
			link(t, dir, c.link, c.target)
			r := gobuildj(t, dir, c.args...)
			switch {
			case c.failing && (r.code != 2 || !strings.Contains(r.out, "symbolic link")):
				t.Errorf("exit code %d, want 2 and a word of the symbolic link:\n%s", r.code, r.out)
			case !c.failing && r.code != 0:
				t.Errorf("exit code %d, want 0:\n%s", r.code, r.out)
			}
			unchanged(t)
		})
	}
}
