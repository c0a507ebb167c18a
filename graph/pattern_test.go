package graph

import (
	"errors"
	"slices"
	"testing"
)

// TestRuleMatchesDeclaredOutputs checks that a foreach matches the outputs
// of targets and of rules above it as well as existing files, in sorted
// order, that exclude applies to them, and that the target writing an
// instance's file is its dep even when inputs do not name the file.
func TestRuleMatchesDeclaredOutputs(t *testing.T) {
	g := mustLoad(t, `
[rules.pre]
foreach = "src/*.txt"
outputs = ["gen/${stem}.in"]
cmd     = "cp ${match} ${out}"

[rules.upper]
foreach = "gen/*.in"
exclude = ["gen/skip.in"]
outputs = ["out/${stem}.out"]
cmd     = "tr a-z A-Z < ${match} > ${out}"

[targets.gen]
outputs = ["gen/c.in", "gen/skip.in", "gen/.hidden.in", "gen/${target}.in"]
cmd     = "touch ${out}"
`, map[string]string{"src/a.txt": "", "src/d.txt": "", "gen/b.in": ""})
	upper := g.Rules[1]
	want := []string{"out/a.out", "out/b.out", "out/c.out", "out/d.out", "out/gen.out"}
	if got := names(upper.Instances); !slices.Equal(got, want) {
		t.Fatalf("instances %q, want %q", got, want)
	}
	for name, dep := range map[string]string{"out/a.out": "gen/a.in", "out/c.out": "gen", "out/d.out": "gen/d.in"} {
		x, _ := g.Lookup(name)
		if got := names(x.Deps); !slices.Equal(got, []string{dep}) {
			t.Errorf("%s: deps %q, want [%q]", name, got, dep)
		}
	}
	if b, _ := g.Lookup("out/b.out"); len(b.Deps) != 0 {
		t.Errorf("out/b.out (an existing source): deps %q", names(b.Deps))
	}
}

// TestRuleSeesOnlyRulesAbove checks that rules chain in file order only: a
// rule does not match the outputs of a rule written below it, so that two
// rules cannot feed each other forever.
func TestRuleSeesOnlyRulesAbove(t *testing.T) {
	g := mustLoad(t, `
[rules.back]
foreach = "*.b"
outputs = ["${stem}.x.a"]
cmd     = "touch ${out}"

[rules.fwd]
foreach = "*.a"
outputs = ["${stem}.b"]
cmd     = "touch ${out}"
`, map[string]string{"one.a": "", "two.b": ""})
	if got, want := names(g.Rules[0].Instances), []string{"two.x.a"}; !slices.Equal(got, want) {
		t.Errorf("back: instances %q, want %q", got, want)
	}
	if got, want := names(g.Rules[1].Instances), []string{"one.b", "two.x.b"}; !slices.Equal(got, want) {
		t.Errorf("fwd: instances %q, want %q", got, want)
	}
}

// TestRuleSkipsItsOwnOutputs checks that a rule whose outputs match its own
// foreach stops at one level, whether those outputs exist or not.
func TestRuleSkipsItsOwnOutputs(t *testing.T) {
	g := mustLoad(t, `
[rules.up]
foreach = "*.txt"
inputs  = ["${match}"]
outputs = ["${stem}.up.txt"]
cmd     = "tr a-z A-Z < ${in} > ${out}"
`, map[string]string{"a.txt": "", "a.up.txt": "", "a.up.up.txt": "", "b.up.txt": ""})
	// b.up.txt is a source: no instance writes it.
	if got, want := names(g.Rules[0].Instances), []string{"a.up.txt", "b.up.up.txt"}; !slices.Equal(got, want) {
		t.Errorf("instances %q, want %q", got, want)
	}
}

func TestGlobMatches(t *testing.T) {
	for _, c := range []struct {
		pat, name string
		want      bool
	}{
		{"gen/*.in", "gen/a.in", true},
		{"gen/*.in", "gen/.a.in", false},
		{"gen/.*.in", "gen/.a.in", true},
		{"**/*.in", ".cache/a.in", false},
		{".cache/*.in", ".cache/a.in", true},
		{"gen/*.in", "gen/sub/a.in", false},
		{"gen/**/*.in", "gen/sub/a.in", true},
	} {
		if got := globMatches(c.pat, c.name); got != c.want {
			t.Errorf("globMatches(%q, %q) = %v, want %v", c.pat, c.name, got, c.want)
		}
	}
}

// TestUnknownNameNamesTheRuleSource checks that a name that a rule would
// make, were its file there, says which file is missing.
func TestUnknownNameNamesTheRuleSource(t *testing.T) {
	g := mustLoad(t, `
[rules.obj]
foreach = "src/**/*.c"
exclude = ["src/skip.c"]
outputs = ["build/${stem}.o"]
cmd     = "cc -c ${match} -o ${out}"
`, map[string]string{"src/a.c": "", "src/skip.c": ""})
	for name, want := range map[string]string{
		"build/sub/b.o": `unknown target "build/sub/b.o" (expected a target name or an output path declared by a target; rule "obj" makes targets like it from the files its foreach matches, but "src/sub/b.c" is neither a file nor a target's output)`,
		"build/skip.o":  `unknown target "build/skip.o" (expected a target name or an output path declared by a target; did you mean "build/a.o"?)`,
		"build/b.x":     `unknown target "build/b.x" (expected a target name or an output path declared by a target; did you mean "build/a.o"?)`,
	} {
		_, err := g.Select([]string{name})
		var e *Error
		if !errors.As(err, &e) || e.Msg != want {
			t.Errorf("Select(%q): %v\nwant %s", name, err, want)
		}
	}
}

func TestFixedPrefix(t *testing.T) {
	for pat, want := range map[string]string{
		"src/**/*.c": "src/", "*.in": "", "a/b/c?.x": "a/b/", "gen/x.in": "gen/x.in", "a/{b,c}/*.x": "a/",
	} {
		if got := fixedPrefix(pat); got != want {
			t.Errorf("fixedPrefix(%q) = %q, want %q", pat, got, want)
		}
	}
}
