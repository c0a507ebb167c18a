package graph

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestDefaultsApplyUnlessTheTargetSetsTheKey(t *testing.T) {
	g := mustLoad(t, `
[vars]
limit = "90s"

[defaults]
sandbox      = true
trace        = true
timeout      = "${limit}"
kill_timeout = "3s"
retries      = 2
pool         = "link"
env_inputs   = ["HOME"]
tools        = ["scripts/wrap.sh", "gcc"]
remote       = false
env          = { LC_ALL = "C", OUT = "${out}" }

[pools.link]
depth = 1

[targets.plain]
outputs = ["plain.txt"]
cmd     = "echo > ${out}"

[targets.own]
outputs = ["own.txt"]
cmd     = "echo > ${out}"
sandbox = false
trace   = false
timeout = "0s"
retries = 0
pool    = ""
tools   = []
remote  = true
env     = { LC_ALL = "en_US.UTF-8", EXTRA = "1" }

[targets.group]
deps = ["plain", "own"]
`, nil)
	plain, own, group := lookupT(t, g, "plain"), lookupT(t, g, "own"), lookupT(t, g, "group")
	if !plain.Sandbox || !plain.Trace || plain.Timeout != 90*time.Second || plain.KillTimeout != 3*time.Second ||
		plain.Retries != 2 || plain.Pool != "link" || !plain.LocalOnly {
		t.Errorf("plain did not take the defaults: %+v", *plain)
	}
	if want := []string{"./scripts/wrap.sh", "gcc"}; !slices.Equal(plain.Tools, want) {
		t.Errorf("plain.Tools = %q, want %q", plain.Tools, want)
	}
	if want := []string{"HOME"}; !slices.Equal(plain.EnvInputs, want) {
		t.Errorf("plain.EnvInputs = %q, want %q", plain.EnvInputs, want)
	}
	// A default is expanded for each target, ${out} included.
	if want := []string{"LC_ALL=C", "OUT=plain.txt"}; !slices.Equal(plain.Env, want) {
		t.Errorf("plain.Env = %q, want %q", plain.Env, want)
	}
	if own.Sandbox || own.Trace || own.Timeout != 0 || own.Retries != 0 || own.Pool != "" || len(own.Tools) != 0 || own.LocalOnly {
		t.Errorf("own did not override the defaults: %+v", *own)
	}
	// env is merged, the target's value winning.
	if want := []string{"EXTRA=1", "LC_ALL=en_US.UTF-8", "OUT=own.txt"}; !slices.Equal(own.Env, want) {
		t.Errorf("own.Env = %q, want %q", own.Env, want)
	}
	// A target without cmd takes nothing (trace = true would be refused).
	if group.Sandbox || group.Trace || group.Timeout != 0 || group.Pool != "" || len(group.Env) != 0 {
		t.Errorf("group took defaults: %+v", *group)
	}
}

func TestDefaultsApplyToRuleInstances(t *testing.T) {
	g := mustLoad(t, `
[defaults]
trace   = true
timeout = "1m"

[rules.obj]
foreach = "src/*.c"
outputs = ["build/${stem}.o"]
cmd     = "cc -c ${match} -o ${out}"

[rules.quick]
foreach = "src/*.c"
outputs = ["build/${stem}.s"]
cmd     = "cc -S ${match} -o ${out}"
timeout = "5s"
`, map[string]string{"src/a.c": "", "src/b.c": ""})
	for _, name := range []string{"build/a.o", "build/b.o"} {
		if tg := lookupT(t, g, name); !tg.Trace || tg.Timeout != time.Minute {
			t.Errorf("%s: Trace %v, Timeout %v; want the defaults", name, tg.Trace, tg.Timeout)
		}
	}
	for _, name := range []string{"build/a.s", "build/b.s"} {
		if tg := lookupT(t, g, name); !tg.Trace || tg.Timeout != 5*time.Second {
			t.Errorf("%s: Trace %v, Timeout %v; want trace and the rule's own timeout", name, tg.Trace, tg.Timeout)
		}
	}
	if alias := lookupT(t, g, "obj"); alias.Trace || alias.Timeout != 0 {
		t.Errorf("the rule's alias took defaults: %+v", *alias)
	}
}

func TestDefaultsInheritThroughIncludes(t *testing.T) {
	g := mustLoad(t, `
include = ["lib/Buildfile.toml", "tool/Buildfile.toml"]

[defaults]
sandbox = true
timeout = "1m"
tools   = ["scripts/wrap.sh"]
env     = { LC_ALL = "C", TZ = "UTC" }

[targets.top]
outputs = ["top.txt"]
cmd     = "echo > ${out}"
`, map[string]string{
		// No [defaults]: the includer's apply, tools relative to the
		// includer's folder.
		"lib/Buildfile.toml": `
include = ["deep/Buildfile.toml"]

[targets.lib]
outputs = ["lib.txt"]
cmd     = "echo > ${out}"
`,
		// Its own [defaults] override key by key, and apply to what it
		// includes.
		"tool/Buildfile.toml": `
include = ["deep/Buildfile.toml"]

[defaults]
timeout = "5s"
sandbox = false
env     = { TZ = "Europe/Paris" }

[targets.tool]
outputs = ["tool.txt"]
cmd     = "echo > ${out}"
`,
		"lib/deep/Buildfile.toml": `
[targets.deep]
outputs = ["deep.txt"]
cmd     = "echo > ${out}"
`,
		"tool/deep/Buildfile.toml": `
[targets.deep]
outputs = ["deep.txt"]
cmd     = "echo > ${out}"
`,
	})
	for _, c := range []struct {
		name    string
		sandbox bool
		timeout time.Duration
		env     []string
	}{
		{"top", true, time.Minute, []string{"LC_ALL=C", "TZ=UTC"}},
		{"lib/lib", true, time.Minute, []string{"LC_ALL=C", "TZ=UTC"}},
		{"lib/deep/deep", true, time.Minute, []string{"LC_ALL=C", "TZ=UTC"}},
		{"tool/tool", false, 5 * time.Second, []string{"LC_ALL=C", "TZ=Europe/Paris"}},
		{"tool/deep/deep", false, 5 * time.Second, []string{"LC_ALL=C", "TZ=Europe/Paris"}},
	} {
		tg := lookupT(t, g, c.name)
		if tg.Sandbox != c.sandbox || tg.Timeout != c.timeout || !slices.Equal(tg.Env, c.env) {
			t.Errorf("%s: Sandbox %v, Timeout %v, Env %q; want %v, %v, %q", c.name, tg.Sandbox, tg.Timeout, tg.Env, c.sandbox, c.timeout, c.env)
		}
		if want := []string{"./scripts/wrap.sh"}; !slices.Equal(tg.Tools, want) {
			t.Errorf("%s: Tools %q, want %q (relative to the Buildfile that wrote them)", c.name, tg.Tools, want)
		}
	}
}

func TestDefaultsErrors(t *testing.T) {
	runErrorCases(t, []errorCase{
		{
			name: "a key naming the target's own files",
			text: "[defaults]\nsandbox = true\ninputs = [\"a.c\"]\n",
			want: `Buildfile.toml:3:1: defaults: key "inputs" cannot be a default (it names this target's own files; a rule ([rules.NAME] with foreach) makes targets alike; expected one of: env, env_inputs, kill_timeout, pool, remote, retries, sandbox, timeout, tools, trace)`,
		},
		{
			name: "cmd",
			text: "[defaults]\ncmd = \"true\"\n",
			want: `Buildfile.toml:2:1: defaults: key "cmd" cannot be a default (it is this target's own command; a rule ([rules.NAME] with foreach) makes targets alike; expected one of: env, env_inputs, kill_timeout, pool, remote, retries, sandbox, timeout, tools, trace)`,
		},
		{
			name: "vars",
			text: "[defaults.vars]\ncc = \"gcc\"\n",
			want: `Buildfile.toml:1:1: defaults: key "vars" cannot be a default (variables for every target go in [vars]; expected one of: env, env_inputs, kill_timeout, pool, remote, retries, sandbox, timeout, tools, trace)`,
		},
		{
			name: "unknown key",
			text: "[defaults]\nsandboxed = true\n",
			want: `Buildfile.toml:2:1: defaults: unknown key "sandboxed" (expected one of: env, env_inputs, kill_timeout, pool, remote, retries, sandbox, timeout, tools, trace; did you mean "sandbox"?)`,
		},
		{
			name: "wrong type",
			text: "[defaults]\ntrace = \"true\"\n",
			want: `Buildfile.toml:2:9: defaults.trace: expected true or false, got string "true" (write true without quotes)`,
		},
		{
			name: "not a table",
			text: "defaults = true\n",
			want: `Buildfile.toml:1:12: defaults: expected a table of keys every target takes, such as [defaults] with sandbox = true, got boolean true`,
		},
		{
			name: "default as a table",
			text: "[default]\nsandbox = true\n",
			want: `Buildfile.toml:1:1: default: expected a target name or a list of target names, got a table (keys that every target takes go in [defaults], with an s)`,
		},
		{
			// A default found wrong for one target is reported where
			// [defaults] sets it, naming the target.
			name: "bad value located in [defaults]",
			text: "[defaults]\ntimeout = \"soon\"\n\n[targets.app]\ncmd = \"true\"\n",
			want: `Buildfile.toml:2:11: target "app": timeout: invalid duration "soon" (expected a Go duration such as "90s" or "5m")`,
		},
		{
			name: "unknown pool located in [defaults]",
			text: "[defaults]\npool = \"lnk\"\n\n[pools.link]\ndepth = 1\n\n[targets.app]\ncmd = \"true\"\n",
			want: `Buildfile.toml:2:8: target "app": pool: unknown pool "lnk" (expected console, or a pool defined in [pools.NAME]; did you mean "link"?)`,
		},
		{
			name: "bad env variable located in [defaults]",
			text: "[defaults]\nenv = { CC = \"${nope}\" }\n\n[targets.app]\ncmd = \"true\"\n",
			want: `Buildfile.toml:2:9: target "app": env.CC: unknown variable "nope" (expected a name defined in [vars] or an automatic variable (target, in, out, deps))`,
		},
		{
			name: "inherited default located in the includer",
			text: "include = [\"sub/Buildfile.toml\"]\n\n[defaults]\nretries = 1\ntimeout = \"-1s\"\n",
			files: map[string]string{
				"sub/Buildfile.toml": "[targets.app]\ncmd = \"true\"\n",
			},
			want: `Buildfile.toml:5:11: target "sub/app": timeout: negative duration "-1s" (expected 0 or more; 0 means no timeout)`,
		},
	})
}

// lookupT is g.Lookup for a target that must exist.
func lookupT(t *testing.T, g *Graph, name string) *Target {
	t.Helper()
	tg, ok := g.Lookup(name)
	if !ok {
		t.Fatalf("no target %s", name)
	}
	return tg
}

// A long [defaults] copied into many targets is refused before it takes
// the memory: a few lines must not cost a target's worth each.
func TestDefaultsCopiedPastTheLimit(t *testing.T) {
	var b strings.Builder
	b.WriteString("[defaults]\nenv = { BIG = \"" + strings.Repeat("x", 1<<20) + "\" }\n")
	for i := range MaxDefaultedSize>>20 + 1 {
		fmt.Fprintf(&b, "\n[targets.t%d]\ncmd = \"true\"\n", i)
	}
	_, _, err := loadText(t, b.String(), nil)
	want := fmt.Sprintf("Buildfile.toml:1:1: defaults: copied into each target, [defaults] adds up past %d MiB (expected at most %d MiB in all: is its env very long, for many targets?)", MaxDefaultedSize>>20, MaxDefaultedSize>>20)
	if err == nil || err.Error() != want {
		t.Fatalf("Load: %v\nwant: %s", err, want)
	}
}

// A variable of env that the target sets itself is located in the target,
// one it takes from [defaults] there.
func TestDefaultsEnvLocated(t *testing.T) {
	runErrorCases(t, []errorCase{
		{
			name: "own variable",
			text: "[defaults]\nenv = { A = \"1\" }\n\n[targets.app]\ncmd = \"true\"\nenv = { A = \"${nope}\" }\n",
			want: `Buildfile.toml:6:9: target "app": env.A: unknown variable "nope" (expected a name defined in [vars] or an automatic variable (target, in, out, deps))`,
		},
		{
			name:  "in a rule",
			text:  "[defaults]\nenv = { B = \"${nope}\" }\n\n[rules.obj]\nforeach = \"*.c\"\noutputs = [\"${stem}.o\"]\ncmd = \"true\"\nenv = { A = \"1\" }\n",
			files: map[string]string{"a.c": ""},
			want:  `Buildfile.toml:2:9: rule "obj" (a.c): env.B: unknown variable "nope" (expected a name defined in [vars] or an automatic variable (target, in, out, deps, match, stem))`,
		},
		{
			name:  "a rule's own",
			text:  "[defaults]\nenv = { B = \"1\" }\n\n[rules.obj]\nforeach = \"*.c\"\noutputs = [\"${stem}.o\"]\ncmd = \"true\"\nenv = { A = \"${nope}\" }\n",
			files: map[string]string{"a.c": ""},
			want:  `Buildfile.toml:8:9: rule "obj" (a.c): env.A: unknown variable "nope" (expected a name defined in [vars] or an automatic variable (target, in, out, deps, match, stem))`,
		},
	})
}
