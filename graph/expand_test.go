package graph

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

// TestExpandDollars checks the $ grammar on its own: ${name}, $$, and every
// other $ left for the shell.
func TestExpandDollars(t *testing.T) {
	x := newExpander(&source{file: "Buildfile.toml"}, map[string]text{
		"cc":    {s: "gcc"},
		"flags": {s: "-O2 ${warn}"},
		"warn":  {s: "-Wall"},
		"empty": {s: ""},
	}, []string{"cc", "flags", "warn", "empty"}, nil)
	if e := x.analyze(); e != nil {
		t.Fatal(e)
	}
	sc := &scope{}
	for _, c := range []struct{ in, want string }{
		{"", ""},
		{"plain", "plain"},
		{"${cc}", "gcc"},
		{"${cc} ${flags} -c", "gcc -O2 -Wall -c"},
		{"${cc}${cc}", "gccgcc"},
		{"a${empty}b", "ab"},
		{"$$", "$"},
		{"$${cc}", "${cc}"},
		{"$$$${cc}", "$${cc}"},
		{"$$$", "$$"},
		{"echo $HOME $1 $(date) $@", "echo $HOME $1 $(date) $@"},
		{"trailing $", "trailing $"},
		{"$", "$"},
		{"cost: 5$ and ${cc}", "cost: 5$ and gcc"},
		{"awk '{print $$1}'", "awk '{print $1}'"},
		{"${cc}}", "gcc}"},
		{"{${cc}}", "{gcc}"},
		{"héllo ${cc} wörld", "héllo gcc wörld"},
	} {
		got, err := x.expand(c.in, sc)
		if err != nil {
			t.Errorf("expand(%q): %s", c.in, err.msg)
			continue
		}
		if got != c.want {
			t.Errorf("expand(%q) = %q, want %q", c.in, got, c.want)
		}
	}
	for _, c := range []struct {
		in     string
		msg    string
		offset int
	}{
		{"a ${cc", `unclosed "${" (expected "}" after the name, as in "${name}"; write "$$" for a literal "$")`, 2},
		{"tar ${site -czf ${cc}", `unclosed "${" (expected "}" after the name, as in "${name}"; write "$$" for a literal "$")`, 4},
		{"${}", `empty variable name "${}" (expected "${name}")`, 0},
		{"x ${c}", `unknown variable "c" (expected a name defined in [vars]; did you mean "cc"?)`, 2},
		{"x ${nope}", `unknown variable "nope" (expected a name defined in [vars])`, 2},
		{"${in}", `${in} may only be used inside a target`, 0},
		{"$$ ${target}", `${target} may only be used inside a target`, 3},
	} {
		_, err := x.expand(c.in, sc)
		if err == nil {
			t.Errorf("expand(%q) succeeded, want %q", c.in, c.msg)
			continue
		}
		if err.msg != c.msg || err.offset != c.offset {
			t.Errorf("expand(%q): %q at %d, want %q at %d", c.in, err.msg, err.offset, c.msg, c.offset)
		}
	}
}

func TestLoadExpansion(t *testing.T) {
	g := mustLoad(t, `
[vars]
cc      = "cc"
cflags  = "-O2 ${warn}"
warn    = "-Wall"
compile = "${cc} ${cflags} -c ${in} -o ${out}"
ld      = "${cc} -o ${out} ${deps}"

[targets.obj]
description = "CC ${out} for ${target}"
inputs  = ["src/a.c", "src/b.c"]
outputs = ["build/ab.o"]
cmd     = "${compile}"

[targets.app]
outputs = ["build/${target}"]
deps    = ["obj", "gen"]
cmd     = ["${ld}", "echo $$HOME $HOME $(date) 100$"]
env     = { TARGET = "${target}", Z = "last", A = "${cc} $$x", DEPS = "${deps}" }

[targets.gen]
outputs = ["gen/v.h"]
cmd     = "echo > ${out}"

[targets.sub]
dir     = "sub/dir"
inputs  = ["src/a.c", "/etc/hostname"]
outputs = ["build/sub.o", "sub/dir/local.o"]
deps    = ["app"]
cmd     = "tool ${in} -o ${out} --with ${deps}"
description = "in=${in} out=${out}"
`, map[string]string{"src/a.c": "", "src/b.c": ""})

	obj, _ := g.Lookup("obj")
	if want := "cc -O2 -Wall -c src/a.c src/b.c -o build/ab.o"; obj.Cmds[0] != want {
		t.Errorf("obj cmd = %q, want %q", obj.Cmds[0], want)
	}
	if want := "CC build/ab.o for obj"; obj.Description != want {
		t.Errorf("obj description = %q, want %q", obj.Description, want)
	}

	app, ok := g.Lookup("app")
	if !ok {
		t.Fatal(`no target "app"`)
	}
	wantCmds := []string{"cc -o build/app build/ab.o gen/v.h", "echo $HOME $HOME $(date) 100$"}
	if !slices.Equal(app.Cmds, wantCmds) {
		t.Errorf("app cmds = %q, want %q", app.Cmds, wantCmds)
	}
	wantEnv := []string{"A=cc $x", "DEPS=build/ab.o gen/v.h", "TARGET=app", "Z=last"}
	if !slices.Equal(app.Env, wantEnv) {
		t.Errorf("app env = %q, want %q", app.Env, wantEnv)
	}
	if app.Description != "app" {
		t.Errorf("default description = %q, want the name", app.Description)
	}

	// In a target with dir, ${in}, ${out} and ${deps} are relative to dir;
	// absolute paths stay absolute.
	sub, _ := g.Lookup("sub")
	if sub.Dir != "sub/dir" {
		t.Errorf("dir = %q", sub.Dir)
	}
	wantCmd := "tool ../../src/a.c /etc/hostname -o ../../build/sub.o local.o --with ../../build/app"
	if sub.Cmds[0] != wantCmd {
		t.Errorf("sub cmd = %q, want %q", sub.Cmds[0], wantCmd)
	}
	if want := "in=../../src/a.c /etc/hostname out=../../build/sub.o local.o"; sub.Description != want {
		t.Errorf("sub description = %q, want %q", sub.Description, want)
	}
	if want := []string{"/etc/hostname", "src/a.c"}; !slices.Equal(sub.Inputs, want) {
		t.Errorf("sub inputs = %q, want %q", sub.Inputs, want)
	}
}

// TestLoadDepsThroughAliases checks ${deps}: outputs of direct deps, an
// alias contributing its own deps' outputs recursively, deduplicated in
// order.
func TestLoadDepsThroughAliases(t *testing.T) {
	g := mustLoad(t, `
[targets.a]
outputs = ["a.o"]
cmd = "x"
[targets.b]
outputs = ["b.o", "b.h"]
cmd = "x"
[targets.c]
outputs = ["c.o"]
cmd = "x"
[targets.objs]
deps = ["a", "group2"]
[targets.group2]
deps = ["b", "a"]
[targets.stamp]
deps = ["c"]
outputs = ["stamp"]
cmd = "touch stamp"
[targets.link]
deps = ["objs", "c", "b", "stamp", "empty"]
cmd = "ld ${deps}"
[targets.empty]
cmd = "true"
[targets.none]
cmd = "echo [${deps}]"
`, nil)
	link, _ := g.Lookup("link")
	if want := "ld a.o b.o b.h c.o stamp"; link.Cmds[0] != want {
		t.Errorf("link cmd = %q, want %q", link.Cmds[0], want)
	}
	none, _ := g.Lookup("none")
	if want := "echo []"; none.Cmds[0] != want {
		t.Errorf("none cmd = %q, want %q", none.Cmds[0], want)
	}
}

func TestLoadVariableErrors(t *testing.T) {
	runErrorCases(t, []errorCase{
		{
			name: "unknown variable in cmd",
			text: "[vars]\ncc = \"gcc\"\n[targets.app]\ncmd = \"$$HOME ${ccc} -o app\"\n",
			want: `Buildfile.toml:4:15: target "app": cmd: unknown variable "ccc" (expected a name defined in [vars] or an automatic variable (target, in, out, deps); did you mean "cc"?)`,
		},
		{
			name: "unknown variable in a cmd list with comments",
			text: "[targets.a]\ncmd = [\n  \"ok\",   # c\n  'echo ${x}',\n]\n",
			want: `Buildfile.toml:4:9: target "a": cmd: unknown variable "x" (expected a name defined in [vars] or an automatic variable (target, in, out, deps))`,
		},
		{
			name: "unknown variable in outputs: only target is automatic there",
			text: "[targets.a]\noutputs = [\"${targte}.o\"]\n",
			want: `Buildfile.toml:2:13: target "a": outputs: unknown variable "targte" (expected a name defined in [vars] or an automatic variable (target); did you mean "target"?)`,
		},
		{
			name: "unknown variable in a variable",
			text: "[vars]\ncc = \"gcc ${nope}\"\n",
			want: `Buildfile.toml:2:11: vars.cc: unknown variable "nope" (expected a name defined in [vars] or an automatic variable (target, in, out, deps, match, stem))`,
		},
		{
			name: "unknown variable in an unused variable",
			text: "[vars]\nunused = \"${x}\"\n[targets.a]\ncmd = \"true\"\n",
			want: `Buildfile.toml:2:11: vars.unused: unknown variable "x" (expected a name defined in [vars] or an automatic variable (target, in, out, deps, match, stem))`,
		},
		{
			name: "variable cycle",
			text: "[vars]\na = \"${b}\"\nb = \"x ${c}\"\nc = \"${a}\"\n",
			want: `Buildfile.toml:4:6: vars.c: variable cycle: a -> b -> c -> a`,
		},
		{
			name: "variable referring to itself",
			text: "[vars]\na = \"x${a}\"\n",
			want: `Buildfile.toml:2:7: vars.a: variable cycle: a -> a`,
		},
		{
			name: "cycle entered from the middle",
			text: "[vars]\nstart = \"${a}\"\na = \"${b}\"\nb = \"${a}\"\n",
			want: `Buildfile.toml:4:6: vars.b: variable cycle: a -> b -> a`,
		},
		{
			name: "unclosed",
			text: "[targets.app]\ncmd = \"echo ${oops\"\n",
			want: `Buildfile.toml:2:13: target "app": cmd: unclosed "${" (expected "}" after the name, as in "${name}"; write "$$" for a literal "$")`,
		},
		{
			name: "empty name",
			text: "[targets.app]\ncmd = \"echo ${}\"\n",
			want: `Buildfile.toml:2:13: target "app": cmd: empty variable name "${}" (expected "${name}")`,
		},
		{
			name: "escaped string: no column inside it",
			text: "[targets.app]\ncmd = \"\\techo ${x}\"\n",
			want: `Buildfile.toml:2:7: target "app": cmd: unknown variable "x" (expected a name defined in [vars] or an automatic variable (target, in, out, deps))`,
		},
		{
			name: "${in} in inputs",
			text: "[targets.app]\ninputs = [\"${in}\"]\n",
			want: `Buildfile.toml:2:12: target "app": inputs: ${in} may only be used in cmd, description, env and depfile`,
		},
		{
			name: "${out} in outputs",
			text: "[targets.app]\noutputs = [\"${out}.d\"]\n",
			want: `Buildfile.toml:2:13: target "app": outputs: ${out} may only be used in cmd, description, env and depfile`,
		},
		{
			name: "${deps} in dir",
			text: "[targets.app]\ndir = \"${deps}\"\n",
			want: `Buildfile.toml:2:8: target "app": dir: ${deps} may only be used in cmd, description, env and depfile`,
		},
		{
			name: "${out} in deps through a variable",
			text: "[vars]\nv = \"${out}.d\"\n[targets.app]\ndeps = [\"x\", \"${v}\"]\n",
			want: `Buildfile.toml:4:15: target "app": deps: ${out} may only be used in cmd, description, env and depfile (it is used through ${v})`,
		},
		{
			name: "${in} in outputs through two variables",
			text: "[vars]\ndep = \"${in}.d\"\nd = \"${dep}\"\n[targets.app]\noutputs = [\"${d}\"]\n",
			want: `Buildfile.toml:5:13: target "app": outputs: ${in} may only be used in cmd, description, env and depfile (it is used through ${d})`,
		},
		{
			name: "${target} in default through a variable",
			text: "default = [\"${t}\"]\n[vars]\nt = \"${target}\"\n",
			want: `Buildfile.toml:1:13: default: ${target} may only be used inside a target (it is used through ${t})`,
		},
		{
			name: "${in} in timeout",
			text: "[targets.app]\ntimeout = \"${in}\"\n",
			want: `Buildfile.toml:2:12: target "app": timeout: ${in} may only be used in cmd, description, env and depfile`,
		},
		{
			name: "${target} in default",
			text: "default = [\"${target}\"]\n",
			want: `Buildfile.toml:1:13: default: ${target} may only be used inside a target`,
		},
		{
			name: "an automatic variable's name in [vars]",
			text: "[vars]\nin = \"x\"\n",
			want: `Buildfile.toml:2:1: vars.in: "in" is an automatic variable, set in each target (expected a name other than target, in, out, deps, match and stem)`,
		},
		{
			name: "NUL in a variable",
			text: "[vars]\nx = \"a\\u0000\"\n",
			want: `Buildfile.toml:2:5: vars.x: the value contains a NUL character`,
		},
	})
}

// TestLoadVariablesUsingAutomatics checks that a variable referring to an
// automatic variable is expanded anew in each target.
func TestLoadVariablesUsingAutomatics(t *testing.T) {
	g := mustLoad(t, `
[vars]
cc = "cc"
compile = "${cc} -c ${in} -o ${out}"
tag = "[${target}]"
both = "${tag} ${compile}"
[targets.a]
inputs = ["a.c"]
outputs = ["a.o"]
cmd = "${both}"
[targets.b]
inputs = ["b.c"]
outputs = ["b.o"]
cmd = "${both}"
description = "${tag}"
`, nil)
	for name, want := range map[string]string{
		"a": "[a] cc -c a.c -o a.o",
		"b": "[b] cc -c b.c -o b.o",
	} {
		tg, _ := g.Lookup(name)
		if tg.Cmds[0] != want {
			t.Errorf("%s: cmd = %q, want %q", name, tg.Cmds[0], want)
		}
	}
	if b, _ := g.Lookup("b"); b.Description != "[b]" {
		t.Errorf("b description = %q", b.Description)
	}
	if strings.Contains(g.Targets[0].Cmds[0], depsMarker) {
		t.Error("marker left in a command")
	}
}

// TestVariableBombs checks that a short Buildfile whose variables double
// each other stops with an error, within fuzzLoadTime and fuzzLoadAlloc,
// however its values are used: kept in many variables, or used by many
// targets, each of which would copy them.
func TestVariableBombs(t *testing.T) {
	doubling := func(n int) string {
		var b strings.Builder
		b.WriteString("[vars]\nv0 = \"x\"\n")
		for i := 1; i <= n; i++ {
			fmt.Fprintf(&b, "v%d = \"${v%d}${v%d}\"\n", i, i-1, i-1)
		}
		return b.String()
	}
	many := doubling(24) // v24 is 16 MiB
	for i := 25; i <= 45; i++ {
		many += fmt.Sprintf("v%d = \"${v24}\"\n", i)
	}
	targets := doubling(23) // v23 is 8 MiB
	for i := range 1000 {
		targets += fmt.Sprintf("[targets.t%d]\ncmd = \"echo ${v23}\"\n", i)
	}
	for _, c := range []struct{ name, text, want string }{
		{"kept in variables", many, `Buildfile.toml:29:8: vars.v27: the values of [vars] used so far add up past 64 MiB here (expected at most 64 MiB in all: do many strings use a long variable, or variables repeat each other?)`},
		{"used by targets", targets, `Buildfile.toml:39:13: target "t6": cmd: the values of [vars] used so far add up past 64 MiB here (expected at most 64 MiB in all: do many strings use a long variable, or variables repeat each other?)`},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			writeFiles(t, dir, map[string]string{"Buildfile.toml": c.text})
			t.Chdir(dir)
			_, err := boundedLoad(t, "Buildfile.toml")
			if err == nil || err.Error() != c.want {
				t.Errorf("Load:\n%v\nwant:\n%s", err, c.want)
			}
		})
	}
}

// TestDepsBomb checks that ${deps}, which is replaced once the graph is
// known, cannot make a command grow past MaxExpandedSize either.
func TestDepsBomb(t *testing.T) {
	out := strings.Repeat("o", 200)
	text := "[targets.a]\noutputs = [\"" + out + "\"]\ncmd = \"touch ${out}\"\n[targets.b]\ndeps = [\"a\"]\ncmd = [\"true\", \"" + strings.Repeat("${deps}", 100_000) + "\"]\n"
	_, _, err := loadText(t, text, nil)
	want := `Buildfile.toml:6:16: target "b": cmd: ${deps} makes the value grow past 16 MiB (expected a value of at most 16 MiB: is ${deps} used many times?)`
	if err == nil || err.Error() != want {
		t.Errorf("Load:\n%.300v\nwant:\n%s", err, want)
	}
	g := mustLoad(t, "[targets.a]\noutputs = [\""+out+"\"]\ncmd = \"touch ${out}\"\n[targets.b]\ndeps = [\"a\"]\ncmd = \""+strings.Repeat("${deps}", 1000)+"\"\n", nil)
	if b, _ := g.Lookup("b"); len(b.Cmds[0]) != 1000*len(out) {
		t.Errorf("cmd of %d bytes, want %d", len(b.Cmds[0]), 1000*len(out))
	}
}
