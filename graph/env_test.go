package graph

import (
	"os"
	"slices"
	"testing"
)

func TestEnvVariables(t *testing.T) {
	t.Setenv("GBJ_TEST_CC", "clang")
	t.Setenv("GBJ_TEST_EMPTY", "")
	g := mustLoad(t, `
[vars]
cc = "${env:GBJ_TEST_CC}"

[targets.a]
cmd = "${cc} ${env:GBJ_TEST_UNSET:-cc} [${env:GBJ_TEST_EMPTY}] ${env:GBJ_TEST_EMPTY:-dflt}"
tools = ["gcc-12", "tools/wrap", "/usr/bin/ld"]
env_inputs = ["CFLAGS", "CC", "CFLAGS"]
`, nil)
	a, _ := g.Lookup("a")
	if want := "clang cc [] dflt"; a.Cmds[0] != want {
		t.Errorf("cmd = %q, want %q", a.Cmds[0], want)
	}
	if want := []string{"gcc-12", "./tools/wrap", "/usr/bin/ld"}; !slices.Equal(a.Tools, want) {
		t.Errorf("Tools = %q, want %q", a.Tools, want)
	}
	if want := []string{"CC", "CFLAGS"}; !slices.Equal(a.EnvInputs, want) {
		t.Errorf("EnvInputs = %q, want %q", a.EnvInputs, want)
	}
	if got := g.env.names(); !slices.Equal(got, []string{"GBJ_TEST_CC", "GBJ_TEST_EMPTY", "GBJ_TEST_UNSET"}) {
		t.Errorf("the load read %q of the environment", got)
	}
}

func TestEnvErrors(t *testing.T) {
	runErrorCases(t, []errorCase{
		{name: "unset without default", text: "[targets.a]\ncmd = \"echo ${env:GBJ_TEST_NEVER_SET}\"\n",
			want: `Buildfile.toml:2:13: target "a": cmd: environment variable GBJ_TEST_NEVER_SET is not set (expected it set, or a default such as ${env:GBJ_TEST_NEVER_SET:-value})`},
		{name: "bad name", text: "[targets.a]\ncmd = \"echo ${env:A B}\"\n",
			want: `Buildfile.toml:2:13: target "a": cmd: invalid environment variable name "A B" in ${env:A B} (expected ${env:NAME} or ${env:NAME:-default}, NAME of letters, digits and _)`},
		{name: "tools not a list", text: "[targets.a]\ncmd = \"true\"\ntools = 3\n",
			want: `Buildfile.toml:3:9: target "a": tools: expected a list of strings, got integer 3`},
		{name: "empty tool", text: "[targets.a]\ncmd = \"true\"\ntools = [\"\"]\n",
			want: `Buildfile.toml:3:10: target "a": tools: empty tool (expected a program name such as "gcc-12" or a path such as "/usr/bin/gcc-12")`},
		{name: "env_inputs bad name", text: "[targets.a]\ncmd = \"true\"\nenv_inputs = [\"A=B\"]\n",
			want: `Buildfile.toml:3:15: target "a": env_inputs: invalid environment variable name "A=B" (expected a name of letters, digits and _, such as CFLAGS)`},
	})
}

// TestSnapshotStaleWhenEnvChanges: a graph that read the environment is
// taken from its snapshot only while what it read keeps its value.
func TestSnapshotStaleWhenEnvChanges(t *testing.T) {
	t.Setenv("GBJ_TEST_OUT", "a")
	dir := snapProject(t, "[targets.x]\noutputs = [\"${env:GBJ_TEST_OUT:-z}.txt\"]\ncmd = \"touch ${out}\"\n", nil)
	for _, step := range []struct {
		set, unset bool
		value      string
		snapshot   bool
		output     string
	}{
		{value: "a", output: "a.txt"},
		{value: "a", snapshot: true, output: "a.txt"},
		{value: "b", output: "b.txt"},
		{value: "b", snapshot: true, output: "b.txt"},
		{unset: true, output: "z.txt"},
		{unset: true, snapshot: true, output: "z.txt"},
		{value: "", output: "z.txt"}, // set but empty: another environment
	} {
		if step.unset {
			t.Setenv("GBJ_TEST_OUT", "")
			if err := unsetenv("GBJ_TEST_OUT"); err != nil {
				t.Fatal(err)
			}
		} else {
			t.Setenv("GBJ_TEST_OUT", step.value)
		}
		g := cached(t, dir)
		x, _ := g.Lookup("x")
		if g.fromSnapshot != step.snapshot || x.Outputs[0] != step.output {
			t.Errorf("%+v: from the snapshot %v, output %s", step, g.fromSnapshot, x.Outputs[0])
		}
	}
}

func unsetenv(name string) error { return os.Unsetenv(name) }
