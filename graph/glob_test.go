package graph

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// globTree is a source tree with files that globs must and must not match.
var globTree = map[string]string{
	"src/a.c":           "",
	"src/b.c":           "",
	"src/ab.h":          "",
	"src/sub/c.c":       "",
	"src/sub/deep/d.c":  "",
	"src/.hidden.c":     "",
	"src/.git/x.c":      "",
	"src/dir.c/e.c":     "", // a folder whose name matches *.c
	".gobuildj/state.c": "",
	"top.c":             "",
	"gen/v.h":           "stale copy of an output",
}

func TestLoadGlobs(t *testing.T) {
	for _, c := range []struct {
		pattern string
		want    []string
	}{
		{"src/*.c", []string{"src/a.c", "src/b.c"}},
		{"./src/*.c", []string{"src/a.c", "src/b.c"}},
		{"src//*.c", []string{"src/a.c", "src/b.c"}},
		{"src/?.c", []string{"src/a.c", "src/b.c"}},
		{"src/[a].c", []string{"src/a.c"}},
		{"src/{a,ab}.*", []string{"src/a.c", "src/ab.h"}},
		{"src/**/*.c", []string{"src/a.c", "src/b.c", "src/dir.c/e.c", "src/sub/c.c", "src/sub/deep/d.c"}},
		{"src/**", []string{"src/a.c", "src/ab.h", "src/b.c", "src/dir.c/e.c", "src/sub/c.c", "src/sub/deep/d.c"}},
		{"**/*.c", []string{"src/a.c", "src/b.c", "src/dir.c/e.c", "src/sub/c.c", "src/sub/deep/d.c", "top.c"}},
		{"src/.*.c", []string{"src/.hidden.c"}},
		{"src/.git/*.c", []string{"src/.git/x.c"}},
		{"{.gobuildj,src/sub}/*.c", []string{"src/sub/c.c"}},
		{".gobuildj/*", nil},
		{"nothing/**/*.c", nil},
		{"*.nothing", nil},
	} {
		t.Run(c.pattern, func(t *testing.T) {
			text := fmt.Sprintf("[targets.t]\ninputs = [%q]\ncmd = \"true\"\n", c.pattern)
			g := mustLoad(t, text, globTree)
			tg := g.Targets[0]
			if !slices.Equal(tg.Inputs, c.want) {
				t.Errorf("Inputs = %q, want %q", tg.Inputs, c.want)
			}
			if len(tg.Globs) != 1 || strings.HasPrefix(tg.Globs[0], "./") || strings.Contains(tg.Globs[0], "//") {
				t.Errorf("Globs = %q, want the one cleaned pattern", tg.Globs)
			}
			// Glob, which the engine uses to re-expand, agrees.
			again, err := Glob(g.Root, tg.Globs[0])
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(again, c.want) && !(len(again) == 0 && len(c.want) == 0) {
				t.Errorf("Glob = %q, want %q", again, c.want)
			}
		})
	}
}

func TestLoadInputsMerge(t *testing.T) {
	g := mustLoad(t, `
[vars]
dir = "src"
[targets.t]
inputs = ["src/b.c", "${dir}/*.c", "./src/a.c", "missing.h", "/abs/outside.h", "../sibling/x.h", "src/sub/../a.c"]
cmd = "cat ${in}"
`, globTree)
	tg := g.Targets[0]
	want := []string{"../sibling/x.h", "/abs/outside.h", "missing.h", "src/a.c", "src/b.c"}
	if !slices.Equal(tg.Inputs, want) {
		t.Errorf("Inputs = %q, want %q", tg.Inputs, want)
	}
	if !slices.Equal(tg.Globs, []string{"src/*.c"}) {
		t.Errorf("Globs = %q", tg.Globs)
	}
	// ${in} keeps the written order, the glob's matches in place, each
	// path where it first appears; Inputs is the sorted set.
	if want := "cat src/b.c src/a.c missing.h /abs/outside.h ../sibling/x.h"; tg.Cmds[0] != want {
		t.Errorf("cmd = %q, want %q", tg.Cmds[0], want)
	}
}

// TestLoadAbsoluteInputInsideRoot checks that an absolute input under the
// Buildfile's folder becomes relative, and so can name another target's output.
func TestLoadAbsoluteInputInsideRoot(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"Buildfile.toml": fmt.Sprintf(`
[targets.gen]
outputs = ["gen/v.h"]
cmd = "x"
[targets.use]
inputs = [%q]
cmd = "x"
`, dir+"/gen/v.h")})
	g, err := Load(dir + "/Buildfile.toml")
	if err != nil {
		t.Fatal(err)
	}
	use, _ := g.Lookup("use")
	if !slices.Equal(use.Inputs, []string{"gen/v.h"}) || len(use.Deps) != 1 || use.Deps[0].Name != "gen" {
		t.Errorf("Inputs = %q, Deps = %q", use.Inputs, names(use.Deps))
	}
}

// TestLoadImplicitDeps checks that a literal input or a glob match that
// another target declares as output makes that target a dep, and that a
// target's own outputs are not its inputs.
func TestLoadImplicitDeps(t *testing.T) {
	g := mustLoad(t, `
[targets.gen]
outputs = ["gen/v.h"]
cmd = "x"
[targets.objs]
outputs = ["src/b.c"]
cmd = "x"
[targets.lit]
inputs = ["gen/v.h", "src/a.c"]
deps = ["objs"]
cmd = "x"
[targets.globbed]
inputs = ["gen/*.h", "src/*.c"]
cmd = "x"
[targets.self]
inputs = ["src/**"]
outputs = ["src/sub/c.c"]
cmd = "x"
`, globTree)
	for _, c := range []struct {
		name   string
		deps   []string
		inputs []string
	}{
		{"lit", []string{"objs", "gen"}, []string{"gen/v.h", "src/a.c"}},
		{"globbed", []string{"gen", "objs"}, []string{"gen/v.h", "src/a.c", "src/b.c"}},
		{"self", []string{"objs"}, []string{"src/a.c", "src/ab.h", "src/b.c", "src/dir.c/e.c", "src/sub/deep/d.c"}},
	} {
		tg, _ := g.Lookup(c.name)
		if got := names(tg.Deps); !slices.Equal(got, c.deps) {
			t.Errorf("%s: Deps = %q, want %q", c.name, got, c.deps)
		}
		if !slices.Equal(tg.Inputs, c.inputs) {
			t.Errorf("%s: Inputs = %q, want %q", c.name, tg.Inputs, c.inputs)
		}
	}
}

func TestGlobPattern(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"src/*.c", "src/*.c"},
		{"./src/**/*.c", "src/**/*.c"},
		{"src/./x/*.c", "src/x/*.c"},
		{"src/**/", "src/**"},
		{"a/../b/*.c", "b/*.c"},
	} {
		got, msg := globPattern(".", c.in)
		if msg != "" || got != c.want {
			t.Errorf("globPattern(%q) = %q, %q; want %q", c.in, got, msg, c.want)
		}
	}
	for _, bad := range []string{"/src/*.c", "../*.c", "a/../../*.c", "src/[a.c", "src/{a,b", "src/[]"} {
		if _, msg := globPattern(".", bad); msg == "" {
			t.Errorf("globPattern(%q) accepted", bad)
		}
	}
	for _, c := range []struct {
		in   string
		glob bool
	}{
		{"src/a.c", false}, {"src/*.c", true}, {"a?.c", true}, {"[ab].c", true}, {"{a,b}.c", true}, {"/usr/include/x.h", false},
	} {
		if got := isGlob(c.in); got != c.glob {
			t.Errorf("isGlob(%q) = %v", c.in, got)
		}
	}
}

// Links that fan out to shared folders (ten per level, four levels deep:
// 10,000 paths to one file) are walked once per folder: the file matches
// once, by the first path, and the glob does not grow with the fan-out.
func TestGlobWalksEachLinkedFolderOnce(t *testing.T) {
	root := t.TempDir()
	const levels, fanOut = 4, 10
	for i := range levels {
		if err := os.MkdirAll(filepath.Join(root, "t", fmt.Sprintf("L%d", i)), 0o777); err != nil {
			t.Fatal(err)
		}
		for k := range fanOut {
			link := filepath.Join(root, "t", fmt.Sprintf("L%d", i), fmt.Sprintf("x%d", k))
			if err := os.Symlink(fmt.Sprintf("../L%d", i+1), link); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := os.MkdirAll(filepath.Join(root, "t", fmt.Sprintf("L%d", levels)), 0o777); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "t", fmt.Sprintf("L%d", levels), "f.txt"), nil, 0o666); err != nil {
		t.Fatal(err)
	}
	got, err := Glob(root, "t/L0/**/*.txt")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{filepath.Join("t", "L0", "x0", "x0", "x0", "x0", "f.txt")}
	if !slices.Equal(got, want) {
		t.Errorf("Glob = %d matches (first %q), want %q", len(got), got[:min(len(got), 1)], want)
	}
	// A folder reached without a link keeps its own path, and is listed
	// even after a link listed it.
	got, err = Glob(root, "t/**/*.txt")
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join("t", fmt.Sprintf("L%d", levels), "f.txt"); !slices.Contains(got, want) || len(got) > levels+1 {
		t.Errorf("Glob(t/**/*.txt) = %d matches %q, want %q among at most %d", len(got), got[:min(len(got), 6)], want, levels+1)
	}
}

func TestBraceAlternatives(t *testing.T) {
	for _, c := range []struct {
		in   string
		want int
	}{
		{"src/*.c", 1},
		{"src/**/*.{c,h}", 2},
		{"{a,b}/{c,d,e}", 6},
		{"{a,{b,c}}x{d,}", 6},
		{"{}", 1},
		{`\{a,b\}`, 1},
		{`{a\,b}`, 1},
		{"[{]a,b[}]", 1},
		{"[!{,]{a,b}", 2},
		{`[\]{]{a,b}`, 2},
		{strings.Repeat("{a,b}", 12), 4096},
		{strings.Repeat("{a,b}", 13), MaxBraceAlternatives + 1},
		{strings.Repeat("{a,b}", 64), MaxBraceAlternatives + 1}, // no overflow
		{"{" + strings.Repeat("a,", 5000) + "b}", MaxBraceAlternatives + 1},
	} {
		if got := braceAlternatives(c.in); got != c.want {
			t.Errorf("braceAlternatives(%q) = %d, want %d", c.in, got, c.want)
		}
	}
}

// TestBraceBomb checks that a glob whose braces would expand to a billion
// patterns is an error at once, in inputs, exclude and foreach, and that a
// glob of a few thousand alternatives is still fine.
func TestBraceBomb(t *testing.T) {
	bomb := strings.Repeat("{a,b}", 30)
	for _, c := range []struct{ text, want string }{
		{"[targets.a]\ninputs = [\"src/" + bomb + "\"]\n", `Buildfile.toml:2:11: target "a": inputs: glob "src/` + bomb + `": its braces expand to more than 4096 patterns (expected at most 4096 alternatives in all, such as "src/**/*.{c,h}": each one is globbed on its own)`},
		{"[targets.a]\ninputs = [\"*.c\"]\nexclude = [\"" + bomb + "\"]\n", `Buildfile.toml:3:12: target "a": exclude: glob "` + bomb + `": its braces expand to more than 4096 patterns (expected at most 4096 alternatives in all, such as "src/**/*.{c,h}": each one is globbed on its own)`},
		{"[vars]\nab = \"{a,b}\"\n[rules.r]\nforeach = [\"" + strings.Repeat("${ab}", 30) + "\"]\noutputs = [\"${stem}.o\"]\n", `Buildfile.toml:4:12: rule "r": foreach: glob "` + bomb + `": its braces expand to more than 4096 patterns (expected at most 4096 alternatives in all, such as "src/**/*.{c,h}": each one is globbed on its own)`},
		{"[targets.a]\ninputs = [\"src/" + strings.Repeat("x", MaxGlobLength) + "*\"]\n", `Buildfile.toml:2:11: target "a": inputs: glob "src/xxxxxxxxxxxxxxxxxxxxxxxxxxxx"... is 4101 bytes long (expected a pattern of at most 4096 bytes, such as "src/**/*.c")`},
	} {
		start := time.Now()
		_, _, err := loadText(t, c.text, map[string]string{"src/a.c": ""})
		if err == nil || err.Error() != c.want {
			t.Errorf("Load:\n%v\nwant:\n%s", err, c.want)
		}
		if d := time.Since(start); d > 2*time.Second {
			t.Errorf("Load took %v", d)
		}
	}
	g := mustLoad(t, "[targets.a]\ninputs = [\"src/"+strings.Repeat("{a,b}", 12)+".c\"]\n", map[string]string{"src/abababababab.c": "", "src/bbbbbbbbbbbb.c": ""})
	if got := g.Targets[0].Inputs; len(got) != 2 {
		t.Errorf("inputs = %q, want the two files", got)
	}
}
