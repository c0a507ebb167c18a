package graph

import (
	"strings"
	"testing"
)

const targetKeysList = "always, cmd, depfile, deps, description, dir, dyndep, env, env_inputs, exclude, inputs, intermediate, kill_timeout, outputs, pool, ports, remote, retries, sandbox, secondary, timeout, tools, trace"

func TestLoadSyntaxErrors(t *testing.T) {
	runErrorCases(t, []errorCase{
		{
			name: "unclosed table header",
			text: "[targets.app\n",
			want: `Buildfile.toml:1:13: invalid TOML: expected '.' or ']' to end table name, but got '\n' instead`,
		},
		{
			name: "duplicate key",
			text: "[targets.a]\ncmd = \"x\"\ncmd = \"y\"\n",
			want: `Buildfile.toml:3:1: invalid TOML: Key 'targets.a.cmd' has already been defined.`,
		},
		{
			name: "bare value",
			text: "[targets.a]\ncmd = echo\n",
			want: `Buildfile.toml:2:7: invalid TOML: expected value but found "echo" instead`,
		},
	})
}

func TestLoadUnknownKeys(t *testing.T) {
	runErrorCases(t, []errorCase{
		{
			name: "target key with a close match",
			text: "[targets.app]\ncmd = \"x\"\ndep = [\"lib\"]\n",
			want: `Buildfile.toml:3:1: targets.app: unknown key "dep" (expected one of: ` + targetKeysList + `; did you mean "deps"?)`,
		},
		{
			name: "target key without a close match",
			text: "[targets.app]\ncmd = \"x\"\nsomething = 1\n",
			want: `Buildfile.toml:3:1: targets.app: unknown key "something" (expected one of: ` + targetKeysList + `)`,
		},
		{
			name: "another tool's spelling",
			text: "[targets.app]\ncommand = \"x\"\n",
			want: `Buildfile.toml:2:1: targets.app: unknown key "command" (expected one of: ` + targetKeysList + `; did you mean "cmd"?)`,
		},
		{
			name: "keys are case-sensitive",
			text: "[targets.app]\nDeps = []\n",
			want: `Buildfile.toml:2:1: targets.app: unknown key "Deps" (expected one of: ` + targetKeysList + `; did you mean "deps"?)`,
		},
		{
			name: "in an inline table",
			text: "targets.app = { cmd = \"x\", dep = [] }\n",
			want: `Buildfile.toml:1:28: targets.app: unknown key "dep" (expected one of: ` + targetKeysList + `; did you mean "deps"?)`,
		},
		{
			name: "dotted key",
			text: "[targets]\napp.dep = []\n",
			want: `Buildfile.toml:2:5: targets.app: unknown key "dep" (expected one of: ` + targetKeysList + `; did you mean "deps"?)`,
		},
		{
			name: "dotted key through an implicit table",
			text: "[targets.a]\nfoo.bar = 1\n",
			want: `Buildfile.toml:2:1: targets.a: unknown key "foo" (expected one of: ` + targetKeysList + `)`,
		},
		{
			name: "sub-table",
			text: "[targets.a]\ncmd = \"x\"\n[targets.a.foo]\nbar = 1\n",
			want: `Buildfile.toml:3:1: targets.a: unknown key "foo" (expected one of: ` + targetKeysList + `)`,
		},
		{
			name: "quoted target name",
			text: "[targets.\"a.b\"]\ndeps = []\ndepz = []\n",
			want: `Buildfile.toml:3:1: targets."a.b": unknown key "depz" (expected one of: ` + targetKeysList + `; did you mean "deps"?)`,
		},
		{
			name: "top level: another tool's section",
			text: "[targets.a]\ncmd = \"x\"\n\n[tasks.obj]\ncmd = \"y\"\n",
			want: `Buildfile.toml:4:1: unknown top-level key "tasks" (expected one of: check, default, defaults, include, pools, remote, remove_stale, rules, targets, vars)`,
		},
		{
			name: "top level: typo",
			text: "defualt = [\"a\"]\n",
			want: `Buildfile.toml:1:1: unknown top-level key "defualt" (expected one of: check, default, defaults, include, pools, remote, remove_stale, rules, targets, vars; did you mean "default"?)`,
		},
		{
			name: "top level: defaults for default",
			text: "defaults = [\"a\"]\n",
			want: `Buildfile.toml:1:12: defaults: expected a table of keys every target takes, such as [defaults] with sandbox = true, got an array; the targets built when none is named are default = [...]`,
		},
		{
			name: "top level: dotted",
			text: "\n  target.app.cmd = \"x\"\n",
			want: `Buildfile.toml:2:3: unknown top-level key "target" (expected one of: check, default, defaults, include, pools, remote, remove_stale, rules, targets, vars; did you mean "targets"?)`,
		},
	})
}

func TestLoadTypeErrors(t *testing.T) {
	runErrorCases(t, []errorCase{
		{
			name: "deps is a string",
			text: "[targets.app]\ndeps = \"lib\"\n",
			want: `Buildfile.toml:2:8: target "app": deps: expected a list of strings, got string "lib" (write ["lib"])`,
		},
		{
			name: "deps item is a number",
			text: "[targets.app]\ndeps = [\n  \"a\",\n  1,\n]\n",
			want: `Buildfile.toml:4:3: target "app": deps: item 2: expected a string, got integer 1 (write "1" to use it as text)`,
		},
		{
			name: "inputs is a table",
			text: "[targets.app]\ninputs = { a = 1 }\n",
			want: `Buildfile.toml:2:10: target "app": inputs: expected a list of strings, got a table`,
		},
		{
			name: "outputs item is a table",
			text: "[targets.app]\noutputs = [\"a\", { b = 1 }]\n",
			want: `Buildfile.toml:2:17: target "app": outputs: item 2: expected a string, got a table`,
		},
		{
			name: "cmd is a number",
			text: "[targets.app]\ncmd = 3\n",
			want: `Buildfile.toml:2:7: target "app": cmd: expected a command (a string) or a list of commands, got integer 3`,
		},
		{
			name: "cmd item is a boolean",
			text: "[targets.app]\ncmd = [\"a\", true]\n",
			want: `Buildfile.toml:2:13: target "app": cmd: item 2: expected a string, got boolean true (write "true" to use it as text)`,
		},
		{
			name: "description is a number",
			text: "[targets.app]\ndescription = 3\n",
			want: `Buildfile.toml:2:15: target "app": description: expected a string, got integer 3 (write "3" to use it as text)`,
		},
		{
			name: "dir is a boolean",
			text: "[targets.app]\ndir = true\n",
			want: `Buildfile.toml:2:7: target "app": dir: expected a string, got boolean true (write "true" to use it as text)`,
		},
		{
			name: "env is a string",
			text: "[targets.app]\nenv = \"x\"\n",
			want: `Buildfile.toml:2:7: target "app": env: expected a table of strings such as env = { LC_ALL = "C" }, got string "x"`,
		},
		{
			name: "env is an array of tables",
			text: "[[targets.app.env]]\nA = \"x\"\n",
			want: `Buildfile.toml:1:1: target "app": env: expected a table of strings such as env = { LC_ALL = "C" }, got an array of tables`,
		},
		{
			name: "env value is a number (inline)",
			text: "[targets.app]\nenv = { A = 3 }\n",
			want: `Buildfile.toml:2:9: target "app": env.A: expected a string, got integer 3 (write "3" to use it as text)`,
		},
		{
			name: "env value is a float (table)",
			text: "[targets.app.env]\nA = 1.5\n",
			want: `Buildfile.toml:2:5: target "app": env.A: expected a string, got float 1.5 (write "1.5" to use it as text)`,
		},
		{
			name: "env value is a table",
			text: "[targets.a]\nenv.X.Y = \"x\"\n",
			want: `Buildfile.toml:2:5: target "a": env.X: expected a string, got a table`,
		},
		{
			name: "timeout is a number",
			text: "[targets.app]\ntimeout = 300\n",
			want: `Buildfile.toml:2:11: target "app": timeout: expected a duration string such as "90s" or "5m", got integer 300 (write "300s")`,
		},
		{
			name: "kill_timeout is a date",
			text: "[targets.app]\nkill_timeout = 2024-01-01\n",
			want: `Buildfile.toml:2:16: target "app": kill_timeout: expected a duration string such as "90s" or "5m", got a date/time`,
		},
		{
			name: "ports is a string",
			text: "[targets.app]\nports = \"2\"\n",
			want: `Buildfile.toml:2:9: target "app": ports: expected a whole number such as 2, got string "2" (write 2 without quotes)`,
		},
		{
			name: "ports is a float",
			text: "[targets.app]\nports = 1.5\n",
			want: `Buildfile.toml:2:9: target "app": ports: expected a whole number such as 2, got float 1.5`,
		},
		{
			name: "always is a string",
			text: "[targets.app]\nalways = \"yes\"\n",
			want: `Buildfile.toml:2:10: target "app": always: expected true or false, got string "yes"`,
		},
		{
			name: "always is a quoted boolean",
			text: "[targets.app]\nalways = \"true\"\n",
			want: `Buildfile.toml:2:10: target "app": always: expected true or false, got string "true" (write true without quotes)`,
		},
		{
			name: "default is a number",
			text: "default = 3\n",
			want: `Buildfile.toml:1:11: default: expected a target name or a list of target names, got integer 3`,
		},
		{
			name: "default item is a number",
			text: "default = [\"a\", 1]\n",
			want: `Buildfile.toml:1:17: default: item 2: expected a string, got integer 1 (write "1" to use it as text)`,
		},
		{
			name: "vars entry is a number",
			text: "[vars]\ncc = 3\n",
			want: `Buildfile.toml:2:6: vars.cc: expected a string, got integer 3 (write "3" to use it as text)`,
		},
		{
			name: "vars entry is a table",
			text: "[vars.a]\nb = \"x\"\n",
			want: `Buildfile.toml:1:1: vars.a: expected a string such as a = "value", or a command such as a = { cmd = "uname -m" }, got a table without cmd`,
		},
		{
			name: "vars entry is a table (dotted)",
			text: "vars.a.b = \"x\"\n",
			want: `Buildfile.toml:1:6: vars.a: expected a string such as a = "value", or a command such as a = { cmd = "uname -m" }, got a table without cmd`,
		},
		{
			name: "vars is a number",
			text: "vars = 3\n",
			want: `Buildfile.toml:1:8: vars: expected a table of strings ([vars] with lines such as cc = "gcc"), got integer 3`,
		},
		{
			name: "targets is a number",
			text: "targets = 3\n",
			want: `Buildfile.toml:1:11: targets: expected a table of targets ([targets.NAME] sections), got integer 3`,
		},
		{
			name: "targets is an array of tables",
			text: "[[targets]]\nname = \"x\"\n",
			want: `Buildfile.toml:1:1: targets: expected a table of targets ([targets.NAME] sections), got an array of tables`,
		},
		{
			name: "a target is a string",
			text: "[targets]\napp = \"cc\"\n",
			want: `Buildfile.toml:2:7: target "app": expected a table such as [targets.app] with keys like cmd and deps, got string "cc"`,
		},
		{
			name: "a target is an array of tables",
			text: "[[targets.app]]\ncmd = \"x\"\n",
			want: `Buildfile.toml:1:1: target "app": expected a table such as [targets.app] with keys like cmd and deps, got an array of tables`,
		},
		{
			name: "long strings are cut",
			text: "[targets.app]\ndeps = \"" + strings.Repeat("x", 100) + "\"\n",
			want: `Buildfile.toml:2:8: target "app": deps: expected a list of strings, got string "` + strings.Repeat("x", 60) + `"... (write ["` + strings.Repeat("x", 100) + `"])`,
		},
	})
}

// TestLoadReportsFirstProblemInFileOrder checks that of several problems the
// one earliest in the file is reported, every time (TOML decodes tables in
// random map order).
func TestLoadReportsFirstProblemInFileOrder(t *testing.T) {
	var b strings.Builder
	b.WriteString("[targets.zz]\ncmd = \"x\"\n")
	for _, name := range []string{"m", "b", "y", "a", "q"} {
		b.WriteString("[targets." + name + "]\ntimeout = 1\nalways = 2\nbogus = 3\n")
	}
	b.WriteString("[vars]\nv = 1\n")
	want := `Buildfile.toml:4:11: target "m": timeout: expected a duration string such as "90s" or "5m", got integer 1 (write "1s")`
	for range 20 {
		_, _, err := loadText(t, b.String(), nil)
		if err == nil || err.Error() != want {
			t.Fatalf("got %v\nwant %s", err, want)
		}
	}

	// An unknown key before a type error wins, and the other way round.
	runErrorCases(t, []errorCase{
		{
			name: "unknown key first",
			text: "[targets.a]\nbogus = 1\ntimeout = 1\n",
			want: `Buildfile.toml:2:1: targets.a: unknown key "bogus" (expected one of: ` + targetKeysList + `)`,
		},
		{
			name: "type error first",
			text: "[targets.a]\ntimeout = 1\nbogus = 1\n",
			want: `Buildfile.toml:2:11: target "a": timeout: expected a duration string such as "90s" or "5m", got integer 1 (write "1s")`,
		},
	})
}

// TestUnknownTargetKeyHints checks the suggestions for keys other build
// tools spell differently.
func TestUnknownTargetKeyHints(t *testing.T) {
	for k, want := range map[string]string{
		"dependencies": "deps", "requires": "deps", "sources": "inputs", "srcs": "inputs",
		"generates": "outputs", "commands": "cmd", "script": "cmd", "cwd": "dir", "workdir": "dir",
		"environment": "env", "phony": "always", "desc": "description", "timeuot": "timeout",
		"killtimeout": "kill_timeout", "Output": "outputs", "frobnicate": "",
	} {
		msg := unknownTargetKey(k)
		hint := ""
		if i := strings.Index(msg, `did you mean "`); i >= 0 {
			hint = strings.TrimSuffix(msg[i+len(`did you mean "`):], `"?)`)
		}
		if hint != want {
			t.Errorf("%s: %s; want a hint of %q", k, msg, want)
		}
	}
}
