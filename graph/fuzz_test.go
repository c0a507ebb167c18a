package graph

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// seedBuildfiles adds every Buildfile of the repository's examples and of
// testdata/bad to the corpus of a fuzz test.
func seedBuildfiles(f *testing.F) {
	for _, pattern := range []string{"../testdata/bad/*.toml", "../examples/*/Buildfile.toml", "../Buildfile.toml"} {
		files, _ := filepath.Glob(pattern)
		for _, file := range files {
			if b, err := os.ReadFile(file); err == nil {
				f.Add(b)
			}
		}
	}
	f.Add([]byte("[vars]\na = \"${b} $$ $HOME\"\nb = \"x\"\n[targets.all]\ndeps = [\"t\"]\n[targets.t]\ninputs = [\"**/*.txt\"]\noutputs = [\"o\"]\ncmd = [\"${a} ${in} ${out}\"]\n"))
	f.Add([]byte("include = [\"Buildfile.toml\"]\n"))
	f.Add([]byte("[pools.p]\ndepth = 2\n[rules.r]\nforeach = [\"*.txt\", \"src.*\"]\nexclude = [\"x*\"]\noutputs = [\"out/${stem}.o\", \"${match}.2\"]\ninputs = [\"${match}\"]\ncmd = \"cp ${in} ${out} # ${target}\"\ndepfile = \"${out}.d\"\npool = \"p\"\n[targets.all]\ndeps = [\"r\", \"out/src.o\"]\npool = \"console\"\n"))
}

// FuzzLoad checks that no Buildfile makes Load panic, that every failure is
// an *Error that says something, and that every success is a DAG in
// topological order whose reverse deps mirror its deps.
func FuzzLoad(f *testing.F) {
	seedBuildfiles(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		dir := t.TempDir()
		os.WriteFile(filepath.Join(dir, "src.txt"), []byte("x"), 0o644)
		path := filepath.Join(dir, "Buildfile.toml")
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		g, err := Load(path)
		if err != nil {
			var gerr *Error
			if !errors.As(err, &gerr) || strings.TrimSpace(gerr.Msg) == "" {
				t.Fatalf("Load failed without a useful *Error: %#v", err)
			}
			return
		}
		for i, tg := range g.Targets {
			if tg.ID != i {
				t.Fatalf("target %q has ID %d at index %d", tg.Name, tg.ID, i)
			}
			for _, d := range tg.Deps {
				if d.ID >= i {
					t.Fatalf("dep %q of %q comes after it", d.Name, tg.Name)
				}
				found := false
				for _, r := range d.RDeps {
					found = found || r == tg
				}
				if !found {
					t.Fatalf("%q depends on %q, which does not list it as a reverse dep", tg.Name, d.Name)
				}
			}
			if got, ok := g.Lookup(tg.Name); !ok || got != tg {
				t.Fatalf("Lookup(%q) does not find the target", tg.Name)
			}
		}
		if _, err := g.Select(nil); err != nil {
			var gerr *Error
			if !errors.As(err, &gerr) {
				t.Fatalf("Select failed without an *Error: %v", err)
			}
		}
	})
}

// FuzzExpand checks variable expansion: no panic, `$$` is a literal `$`,
// and a string without `$` comes out unchanged.
func FuzzExpand(f *testing.F) {
	for _, s := range []string{"", "plain", "$$", "${a}", "${", "${}", "$HOME $(date)", "${a}${b}$$${c", "$${a}", "${target}", "x$"} {
		f.Add(s, "value of a ${b}", "b")
	}
	f.Fuzz(func(t *testing.T, s, a, b string) {
		x := newExpander(&source{file: "Buildfile.toml"}, map[string]text{"a": {s: a}, "b": {s: b}}, []string{"a", "b"}, nil)
		out, err := x.expand(s, &scope{})
		if err != nil {
			if err.msg == "" || err.offset < 0 || err.offset > len(s) {
				t.Fatalf("bad error for %q: %+v", s, err)
			}
			return
		}
		if !strings.Contains(s, "$") && out != s {
			t.Fatalf("expand(%q) = %q, want it unchanged", s, out)
		}
		if strings.Count(s, "$") == 2 && s == "$$" && out != "$" {
			t.Fatalf("expand(%q) = %q, want %q", s, out, "$")
		}
	})
}
