package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gobuildj/gobuildj/why"
)

// whyOf runs `gobuildj why --json TARGET` with env and returns its
// explanation, after checking that the text output says each of want.
func whyOf(t *testing.T, dir string, env []string, target string, want ...string) why.Explanation {
	t.Helper()
	r := gobuildjEnv(t, dir, env, "why", target)
	if r.code != 0 {
		t.Fatalf("why %s: exit code %d:\n%s", target, r.code, r.out)
	}
	for _, w := range want {
		if !strings.Contains(r.out, w) {
			t.Errorf("why %s does not say %q:\n%s", target, w, r.out)
		}
	}
	r = gobuildjEnv(t, dir, env, "why", "--json", target)
	if r.code != 0 {
		t.Fatalf("why --json %s: exit code %d:\n%s", target, r.code, r.out)
	}
	var e why.Explanation
	if err := json.Unmarshal([]byte(r.out), &e); err != nil {
		t.Fatalf("why --json %s: %v:\n%s", target, err, r.out)
	}
	return e
}

// change returns the change of kind named name in e, failing the test if
// there is none.
func change(t *testing.T, e why.Explanation, kind why.Kind, name string) why.Change {
	t.Helper()
	for _, c := range e.Changes {
		if c.Kind == kind && c.Name == name {
			return c
		}
	}
	t.Fatalf("no %s change of %q in %+v", kind, name, e.Changes)
	return why.Change{}
}

// buildEnv builds with env, fails the test unless it succeeds, and checks
// which commands ran.
func buildEnv(t *testing.T, dir string, env []string, ran ...string) {
	t.Helper()
	if r := gobuildjEnv(t, dir, env); r.code != 0 {
		t.Fatalf("build: exit code %d:\n%s", r.code, r.out)
	}
	assertRan(t, dir, ran...)
}

// TestWhyNamesEveryChange: an input edited, a file added to and one removed
// from a glob, a command and a declared variable changed at once: why
// names all of them with their old and new values (--explain names only
// the first), the JSON says the same, and the build then runs the target
// once.
func TestWhyNamesEveryChange(t *testing.T) {
	dir := project(t, map[string]string{
		"Buildfile.toml": `[targets.app]
inputs = ["src/*.c"]
outputs = ["app.out"]
env_inputs = ["WHY_CFLAGS", "WHY_API_TOKEN"]
cmd = "cat src/*.c > app.out && echo app >> ran.log"
`,
		"src/a.c": "a\n",
		"src/b.c": "b\n",
	})
	env := []string{"WHY_CFLAGS=-O2", "WHY_API_TOKEN=secret1"}
	buildEnv(t, dir, env, "app")
	buildEnv(t, dir, env)
	if e := whyOf(t, dir, env, "app", "app: up to date"); e.Runs || len(e.Changes) != 0 || e.Key != e.LastKey {
		t.Errorf("up to date target explained as %+v", e)
	}

	write(t, filepath.Join(dir, "src/a.c"), "a2\n")
	write(t, filepath.Join(dir, "src/c.c"), "c\n")
	if err := os.Remove(filepath.Join(dir, "src/b.c")); err != nil {
		t.Fatal(err)
	}
	bf := filepath.Join(dir, "Buildfile.toml")
	write(t, bf, strings.Replace(read(t, bf), "cat src", "cat -u src", 1))
	env = []string{"WHY_CFLAGS=-O3", "WHY_API_TOKEN=secret2"}
	e := whyOf(t, dir, env, "app",
		"app: would run",
		"src/a.c: ", " (edited ",
		"input added: src/c.c (matched by glob src/*.c)",
		"input removed: src/b.c (no longer matched by glob src/*.c)",
		`env WHY_CFLAGS: "-O2" -> "-O3"`,
		"env WHY_API_TOKEN changed (value not shown",
		"command changed:",
		"- cmd cat src/*.c > app.out && echo app >> ran.log",
		"+ cmd cat -u src/*.c > app.out && echo app >> ran.log")
	if !e.Runs || e.Key == e.LastKey || e.Target != "app" {
		t.Errorf("explanation %+v", e)
	}
	if c := change(t, e, why.Input, "src/a.c"); c.Old == "" || c.New == "" || c.Old == c.New {
		t.Errorf("input change %+v", c)
	}
	change(t, e, why.InputAdded, "src/c.c")
	change(t, e, why.InputRemoved, "src/b.c")
	if c := change(t, e, why.Env, "WHY_CFLAGS"); c.Old != `"-O2"` || c.New != `"-O3"` {
		t.Errorf("env change %+v", c)
	}
	r := gobuildjEnv(t, dir, env, "why", "--json", "app")
	if strings.Contains(r.out, "secret1") || strings.Contains(r.out, "secret2") {
		t.Errorf("why shows a secret-like variable's value:\n%s", r.out)
	}
	for _, c := range e.Changes {
		if c.Kind == why.Command && len(c.Diff) != 2 {
			t.Errorf("command diff %q", c.Diff)
		}
	}
	buildEnv(t, dir, env, "app")
	buildEnv(t, dir, env)
}

// TestWhyTool: a program the command runs, replaced in place, is named
// with its path.
func TestWhyTool(t *testing.T) {
	dir := project(t, map[string]string{
		"Buildfile.toml": `[targets.obj]
outputs = ["out.txt"]
cmd = "whycc out.txt && echo obj >> ran.log"
`,
	})
	bin := filepath.Join(dir, "bin")
	writeTool(t, filepath.Join(bin, "whycc"), `echo one > "$1"`)
	env := []string{withPath(bin)}
	buildEnv(t, dir, env, "obj")
	buildEnv(t, dir, env)
	writeTool(t, filepath.Join(bin, "whycc"), `echo two > "$1"`)
	e := whyOf(t, dir, env, "obj", "tool "+filepath.Join(bin, "whycc")+" changed (")
	change(t, e, why.Tool, filepath.Join(bin, "whycc"))
	if len(e.Changes) != 1 {
		t.Errorf("changes %+v, want the tool alone", e.Changes)
	}
	buildEnv(t, dir, env, "obj")
	buildEnv(t, dir, env)
}

// TestWhyDepOutputAndChain: a dep's output changed on disk (the dep built
// alone) is named with the dep; when the dep would run first, --chain walks
// up to it, the root cause, and names its input.
func TestWhyDepOutputAndChain(t *testing.T) {
	dir := project(t, map[string]string{
		"Buildfile.toml": `[targets.gen]
inputs = ["gen.txt"]
outputs = ["gen/version.h"]
cmd = "mkdir -p gen && cp gen.txt gen/version.h && echo gen >> ran.log"

[targets.mid]
deps = ["gen"]
outputs = ["mid.txt"]
cmd = "cp gen/version.h mid.txt && echo mid >> ran.log"

[targets.app]
deps = ["mid"]
outputs = ["app.txt"]
cmd = "cp mid.txt app.txt && echo app >> ran.log"
`,
		"gen.txt": "1\n",
	})
	buildEnv(t, dir, nil, "gen", "mid", "app")
	buildEnv(t, dir, nil)

	write(t, filepath.Join(dir, "gen.txt"), "2\n")
	r := gobuildj(t, dir, "why", "--chain", "app")
	for _, w := range []string{"app: would run", "deps that would run first: mid", "mid: would run", "gen: would run (input gen.txt changed)", "gen.txt: ", "root cause: gen"} {
		if !strings.Contains(r.out, w) {
			t.Errorf("why --chain does not say %q:\n%s", w, r.out)
		}
	}
	r = gobuildj(t, dir, "why", "--chain", "--json", "app")
	var chain struct {
		Chain     []why.Explanation `json:"chain"`
		RootCause string            `json:"root_cause"`
	}
	if err := json.Unmarshal([]byte(r.out), &chain); err != nil {
		t.Fatalf("why --chain --json: %v:\n%s", err, r.out)
	}
	if chain.RootCause != "gen" || len(chain.Chain) != 3 || chain.Chain[0].Target != "app" || chain.Chain[1].Target != "mid" {
		t.Errorf("chain %+v", chain)
	}
	change(t, chain.Chain[2], why.Input, "gen.txt")

	mustBuild(t, dir, "gen")
	assertRan(t, dir, "gen")
	e := whyOf(t, dir, nil, "mid", "dep gen: output gen/version.h changed (")
	if c := change(t, e, why.DepOutput, "gen/version.h"); c.Dep != "gen" {
		t.Errorf("dep output change %+v", c)
	}
	buildEnv(t, dir, nil, "mid", "app")
	buildEnv(t, dir, nil)
}

// TestWhyDepfileInput: an input that the last run's depfile named is told
// as such.
func TestWhyDepfileInput(t *testing.T) {
	dir := project(t, map[string]string{
		"Buildfile.toml": `[targets.obj]
inputs = ["a.c"]
outputs = ["a.o"]
depfile = "a.o.d"
cmd = "cat a.c hdr.h > a.o && echo 'a.o: a.c hdr.h' > a.o.d && echo obj >> ran.log"
`,
		"a.c":   "a\n",
		"hdr.h": "1\n",
	})
	buildEnv(t, dir, nil, "obj")
	buildEnv(t, dir, nil)
	write(t, filepath.Join(dir, "hdr.h"), "2\n")
	e := whyOf(t, dir, nil, "obj", "hdr.h: ", "(named by the depfile)")
	change(t, e, why.DepfileInput, "hdr.h")
	buildEnv(t, dir, nil, "obj")
	buildEnv(t, dir, nil)
}

// TestDryRunJSON: -n --json lists what would run, each with its key,
// reason and changes, and runs nothing; up to date, it lists nothing.
func TestDryRunJSON(t *testing.T) {
	dir := project(t, map[string]string{
		"Buildfile.toml": `[targets.a]
inputs = ["a.txt"]
outputs = ["a.out"]
cmd = "cp a.txt a.out && echo a >> ran.log"

[targets.b]
inputs = ["b.txt"]
outputs = ["b.out"]
cmd = "cp b.txt b.out && echo b >> ran.log"
`,
		"a.txt": "1\n",
		"b.txt": "1\n",
	})
	type dry struct {
		WouldRun []why.Explanation `json:"would_run"`
	}
	dryRun := func() dry {
		t.Helper()
		r := gobuildj(t, dir, "-n", "--json")
		var d dry
		if r.code != 0 {
			t.Fatalf("-n --json: exit code %d:\n%s", r.code, r.out)
		}
		if err := json.Unmarshal([]byte(r.out), &d); err != nil {
			t.Fatalf("-n --json: %v:\n%s", err, r.out)
		}
		return d
	}
	if d := dryRun(); len(d.WouldRun) != 2 || d.WouldRun[0].Reason != "no previous run" || d.WouldRun[0].Changes[0].Kind != why.NoPreviousRun {
		t.Errorf("first -n --json: %+v", d)
	}
	assertRan(t, dir)
	buildEnv(t, dir, nil, "a", "b")
	if d := dryRun(); d.WouldRun == nil || len(d.WouldRun) != 0 {
		t.Errorf("-n --json when up to date: %+v", d)
	}
	write(t, filepath.Join(dir, "b.txt"), "2\n")
	d := dryRun()
	if len(d.WouldRun) != 1 || d.WouldRun[0].Target != "b" || d.WouldRun[0].Reason != "input b.txt changed" || d.WouldRun[0].Key == "" || d.WouldRun[0].Key == d.WouldRun[0].LastKey {
		t.Fatalf("-n --json after an edit: %+v", d)
	}
	change(t, d.WouldRun[0], why.Input, "b.txt")
	assertRan(t, dir)
	if r := gobuildj(t, dir, "--json"); r.code != 2 {
		t.Errorf("--json without -n: exit code %d, want 2:\n%s", r.code, r.out)
	}
	buildEnv(t, dir, nil, "b")
	buildEnv(t, dir, nil)
}
