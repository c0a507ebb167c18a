package graph

import (
	"slices"
	"testing"
)

const ruleBuildfile = `
[vars]
cc = "cc"

[rules.obj]
foreach     = "src/**/*.c"
exclude     = ["src/main.c", "src/**/*_test.c"]
description = "CC ${out}"
outputs     = ["build/${stem}.o"]
inputs      = ["${match}", "include/*.h"]
cmd         = "${cc} -MD -MF ${out}.d -c ${match} -o ${out} # ${stem} ${target}"
depfile     = "${out}.d"

[targets.app]
deps    = ["obj"]
outputs = ["build/app"]
cmd     = "${cc} -o ${out} ${deps}"
`

var ruleFiles = map[string]string{
	"src/a.c": "", "src/b.c": "", "src/sub/c.c": "", "src/main.c": "", "src/x_test.c": "",
	"include/a.h": "", "include/b.h": "",
}

func TestRuleInstances(t *testing.T) {
	g := mustLoad(t, ruleBuildfile, ruleFiles)
	if len(g.Rules) != 1 {
		t.Fatalf("%d rules", len(g.Rules))
	}
	r := g.Rules[0]
	if got, want := names(r.Instances), []string{"build/a.o", "build/b.o", "build/sub/c.o"}; !slices.Equal(got, want) {
		t.Fatalf("instances %q, want %q", got, want)
	}
	if r.Name != "obj" || r.Target == nil || r.Target.Name != "obj" || !slices.Equal(r.Foreach, []string{"src/**/*.c"}) {
		t.Errorf("rule %+v", r)
	}
	c, ok := g.Lookup("build/sub/c.o")
	if !ok {
		t.Fatal("instance not found by its output")
	}
	if c.Rule != "obj" || c.Match != "src/sub/c.c" || c.Depfile != "build/sub/c.o.d" || c.Description != "CC build/sub/c.o" {
		t.Errorf("instance %+v", c)
	}
	if want := "cc -MD -MF build/sub/c.o.d -c src/sub/c.c -o build/sub/c.o # sub/c build/sub/c.o"; c.Cmds[0] != want {
		t.Errorf("cmd %q\nwant %q", c.Cmds[0], want)
	}
	if want := []string{"include/a.h", "include/b.h", "src/sub/c.c"}; !slices.Equal(c.Inputs, want) {
		t.Errorf("inputs %q, want %q", c.Inputs, want)
	}
	obj, _ := g.Lookup("obj")
	if !obj.IsAlias() || !slices.Equal(names(obj.Deps), names(r.Instances)) {
		t.Errorf("alias obj: deps %q", names(obj.Deps))
	}
	app, _ := g.Lookup("app")
	if want := "cc -o build/app build/a.o build/b.o build/sub/c.o"; app.Cmds[0] != want {
		t.Errorf("app cmd %q, want %q", app.Cmds[0], want)
	}
	checkDAG(t, g)
}

func TestRuleListOfGlobs(t *testing.T) {
	g := mustLoad(t, `
[rules.copy]
foreach = ["docs/*.txt", "notes/**/*.md", "docs/a.txt"]
outputs = ["out/${stem}.html", "out/${stem}.len"]
cmd     = "cp ${match} ${out}"
`, map[string]string{"docs/a.txt": "", "docs/b.txt": "", "notes/x/y.md": "", "notes/.hidden.md": ""})
	r := g.Rules[0]
	if got, want := names(r.Instances), []string{"out/a.html", "out/b.html", "out/x/y.html"}; !slices.Equal(got, want) {
		t.Errorf("instances %q, want %q", got, want)
	}
	y, _ := g.Lookup("out/x/y.len")
	if y == nil || y.Name != "out/x/y.html" || y.Cmds[0] != "cp notes/x/y.md out/x/y.html out/x/y.len" {
		t.Errorf("second output lookup: %+v", y)
	}
}

func TestStem(t *testing.T) {
	for _, c := range []struct{ pattern, file, want string }{
		{"src/*.txt", "src/a.txt", "a"},
		{"src/**/*.c", "src/sub/b.c", "sub/b"},
		{"src/**/*.c", "src/b.c", "b"},
		{"*.tar.gz", "x.tar.gz", "x"},
		{"a/b/*_test.go", "a/b/x_test.go", "x_test"},
		{"src/*.{c,cc}", "src/y.cc", "y"},
		{"src/*", "src/Makefile", "Makefile"},
		{"src/*", "src/.x", ".x"},
		{"src/main.c", "src/main.c", "main"},
		{"{a,b}/*.c", "a/x.c", "a/x"},
		{"src/v*/*.c", "src/v1/x.c", "v1/x"},
	} {
		if got := stem(c.pattern, c.file); got != c.want {
			t.Errorf("stem(%q, %q) = %q, want %q", c.pattern, c.file, got, c.want)
		}
	}
}

// TestRuleFollowsTheFiles checks that instances come and go with the
// files foreach matches, at each Load.
func TestRuleFollowsTheFiles(t *testing.T) {
	_, dir, err := loadText(t, ruleBuildfile, ruleFiles)
	if err != nil {
		t.Fatal(err)
	}
	writeFiles(t, dir, map[string]string{"src/d.c": ""})
	g, err := Load("Buildfile.toml")
	if err != nil {
		t.Fatal(err)
	}
	if got := names(g.Rules[0].Instances); !slices.Contains(got, "build/d.o") || len(got) != 4 {
		t.Errorf("after adding src/d.c: %q", got)
	}
}

func TestRuleErrors(t *testing.T) {
	files := map[string]string{"src/a.c": "", "src/b.c": ""}
	cases := []errorCase{
		{
			name: "no foreach",
			text: "[rules.obj]\noutputs = [\"x\"]\n",
			want: `Buildfile.toml:1:1: rule "obj": foreach: missing (expected a glob such as "src/*.c", or a list of them: the rule makes one target per matching file)`,
		},
		{
			name: "no outputs",
			text: "[rules.obj]\nforeach = \"src/*.c\"\n",
			want: `Buildfile.toml:1:1: rule "obj": outputs: missing (expected outputs such as ["build/${stem}.o"]: each instance is named by its first output)`,
		},
		{
			name: "matches nothing",
			text: "[rules.obj]\nforeach = \"src/*.cpp\"\noutputs = [\"${stem}.o\"]\n",
			want: `Buildfile.toml:2:11: rule "obj": foreach: "src/*.cpp" matches no file (expected at least one existing file, or an output of another target: the rule makes one target per match)`,
		},
		{
			name: "everything excluded",
			text: "[rules.obj]\nforeach = [\"src/*.c\"]\nexclude = [\"src/*\"]\noutputs = [\"${stem}.o\"]\n",
			want: `Buildfile.toml:2:11: rule "obj": foreach: "src/*.c" matches no file that exclude keeps (expected at least one existing file, or an output of another target: the rule makes one target per match)`,
		},
		{
			name: "instances share an output",
			text: "[rules.obj]\nforeach = \"src/*.c\"\noutputs = [\"build/all.o\"]\n",
			want: `Buildfile.toml:3:12: rule "obj" (src/b.c): outputs: "build/all.o" names this instance (its first output), but an instance of rule "obj" has that name (expected names that differ)`,
		},
		{
			name: "rule named as a target",
			text: "[targets.obj]\ncmd = \"x\"\n[rules.obj]\nforeach = \"src/*.c\"\noutputs = [\"${stem}.o\"]\n",
			want: `Buildfile.toml:3:1: rule "obj": the name is also that of target "obj" (expected a name of its own)`,
		},
		{
			name: "match outside a rule",
			text: "[targets.a]\ncmd = \"cc ${match}\"\n",
			want: `Buildfile.toml:2:11: target "a": cmd: ${match} may only be used in a rule ([rules.NAME] with foreach)`,
		},
		{
			name: "stem in foreach",
			text: "[rules.obj]\nforeach = \"src/${stem}.c\"\noutputs = [\"x\"]\n",
			want: `Buildfile.toml:2:16: rule "obj": foreach: ${stem} cannot be used in foreach and exclude: it stands for what foreach matches`,
		},
		{
			name: "target in the first output",
			text: "[rules.obj]\nforeach = \"src/*.c\"\noutputs = [\"${target}.o\"]\n",
			want: `Buildfile.toml:3:13: rule "obj" (src/a.c): outputs: ${target} cannot be used in a rule's first output: the first output names the instance`,
		},
		{
			name: "foreach in a target",
			text: "[targets.obj]\nforeach = \"src/*.c\"\n",
			want: `Buildfile.toml:2:1: targets.obj: foreach is a key of rules (expected [rules.obj] to make one target per matching file)`,
		},
		{
			name: "unknown rule key",
			text: "[rules.obj]\nforeach = \"src/*.c\"\nfor_each = \"x\"\n",
			want: `Buildfile.toml:3:1: rules.obj: unknown key "for_each" (expected one of: always, cmd, depfile, deps, description, dir, dyndep, env, env_inputs, exclude, foreach, inputs, intermediate, kill_timeout, outputs, override, pool, ports, prefer, remote, retries, sandbox, secondary, timeout, tools, trace, vars; did you mean "foreach"?)`,
		},
		{
			name: "foreach is a number",
			text: "[rules.obj]\nforeach = 1\n",
			want: `Buildfile.toml:2:11: rule "obj": foreach: expected a glob such as "src/*.c" or a list of globs, got integer 1`,
		},
		{
			name: "foreach escapes",
			text: "[rules.obj]\nforeach = \"../*.c\"\noutputs = [\"x\"]\n",
			want: `Buildfile.toml:2:11: rule "obj": foreach: glob "../*.c" must stay inside the Buildfile's folder (expected a pattern without "..", such as "src/**/*.c"; list files outside the folder one by one)`,
		},
		{
			name: "an instance's bad dep",
			text: "[rules.obj]\nforeach = \"src/a.c\"\noutputs = [\"x\"]\ndeps = [\"gen\"]\ncmd = \"x\"\n",
			want: `Buildfile.toml:4:9: rule "obj" (src/a.c): deps: unknown target "gen" (expected a target name or an output path declared by a target)`,
		},
	}
	for i := range cases {
		cases[i].files = files
	}
	runErrorCases(t, cases)
}

func TestExcludeBesideInputs(t *testing.T) {
	g := mustLoad(t, `
[targets.test]
inputs  = ["src/**/*.c", "README"]
exclude = ["src/gen/**", "README"]
cmd     = "echo ${in}"
`, map[string]string{"src/a.c": "", "src/gen/b.c": "", "src/gen/x/c.c": "", "README": ""})
	tt, _ := g.Lookup("test")
	if want := []string{"README", "src/a.c"}; !slices.Equal(tt.Inputs, want) {
		t.Errorf("inputs %q, want %q (exclude removes glob matches, not literal inputs)", tt.Inputs, want)
	}
}
