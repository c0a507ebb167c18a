package graph

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

func TestLoadTargetErrors(t *testing.T) {
	runErrorCases(t, []errorCase{
		{
			name: "empty target name",
			text: "[targets.a]\ncmd = \"x\"\n[targets.\"\"]\ncmd = \"x\"\n",
			want: `Buildfile.toml:3:1: targets: empty target name (expected a name such as [targets.app])`,
		},
		{
			name: "empty target name, inline",
			text: "[targets]\n\"\" = { cmd = \"x\" }\n",
			want: `Buildfile.toml:2:1: targets: empty target name (expected a name such as [targets.app])`,
		},
		{
			name: "whitespace in a target name",
			text: "[targets.\"my app\"]\ncmd = \"x\"\n",
			want: `Buildfile.toml:1:1: target "my app": the name contains whitespace (expected a name without spaces, such as "my-app")`,
		},
		{
			name: "unknown dep with a suggestion",
			text: "[targets.app]\ndeps = [\"lib\"]\n[targets.libs]\n",
			want: `Buildfile.toml:2:9: target "app": deps: unknown target "lib" (expected a target name or an output path declared by a target; did you mean "libs"?)`,
		},
		{
			name: "unknown dep close to an output",
			text: "[targets.app]\ndeps = [\"lib\", \"build/lib.o\"]\n[targets.lib]\noutputs = [\"build/lib.a\"]\ncmd = \"x\"\n",
			want: `Buildfile.toml:2:16: target "app": deps: unknown target "build/lib.o" (expected a target name or an output path declared by a target; did you mean "build/lib.a"?)`,
		},
		{
			name:  "dep on a source file",
			text:  "[targets.app]\ndeps = [\"src/a.c\"]\n",
			files: map[string]string{"src/a.c": ""},
			want:  `Buildfile.toml:2:9: target "app": deps: unknown target "src/a.c" (expected a target name or an output path declared by a target; "src/a.c" is a file that no target builds: list it in inputs instead)`,
		},
		{
			name: "self dep by name",
			text: "[targets.app]\ndeps = [\"app\"]\n",
			want: `Buildfile.toml:2:9: target "app": deps: "app" is the target itself (expected another target: a target cannot depend on itself)`,
		},
		{
			name: "self dep by output",
			text: "[targets.app]\noutputs = [\"x\"]\ndeps = [\"./x\"]\ncmd = \"x\"\n",
			want: `Buildfile.toml:3:9: target "app": deps: "./x" is the target itself (expected another target: a target cannot depend on itself)`,
		},
		{
			name: "empty dep",
			text: "[targets.app]\ndeps = [\"\"]\n",
			want: `Buildfile.toml:2:9: target "app": deps: empty name (expected a target name or an output path declared by a target)`,
		},
		{
			name: "two targets declare one output",
			text: "[targets.a]\noutputs = [\"x\"]\ncmd = \"x\"\n[targets.b]\noutputs = [\"y\", \"./x\"]\ncmd = \"y\"\n",
			want: `Buildfile.toml:5:17: target "b": outputs: "x" is also an output of target "a" (expected each output to be built by one target)`,
		},
		{
			name: "empty list of commands",
			text: "[targets.app]\ncmd = []\n",
			want: `Buildfile.toml:2:7: target "app": cmd: empty list of commands (expected at least one command; leave cmd out for a target that only groups its deps)`,
		},
		{
			name: "outputs without cmd",
			text: "[targets.app]\noutputs = [\"x\"]\n",
			want: `Buildfile.toml:2:11: target "app": outputs: a target without cmd cannot make outputs (expected a cmd that writes them, or no outputs for a target that only groups its deps)`,
		},
		{
			name: "an output is another target's name",
			text: "[targets.a]\noutputs = [\"b\"]\n[targets.b]\n",
			want: `Buildfile.toml:2:12: target "a": outputs: "b" is also the name of target "b" (expected an output path that is no other target's name, so that "b" names one thing)`,
		},
		{
			name: "absolute output",
			text: "[targets.a]\noutputs = [\"/tmp/x\"]\n",
			want: `Buildfile.toml:2:12: target "a": outputs: "/tmp/x": outputs must stay inside the Buildfile's folder, and this absolute path is outside it (expected a path relative to the Buildfile's folder, such as "build/app", or an absolute path under that folder)`,
		},
		{
			name: "output escaping the folder",
			text: "[targets.a]\noutputs = [\"build/../../x\"]\n",
			want: `Buildfile.toml:2:12: target "a": outputs: "build/../../x": outputs must stay inside the Buildfile's folder (expected a relative path without "..", such as "build/app")`,
		},
		{
			name: "output is the folder",
			text: "[targets.a]\noutputs = [\"b/..\"]\n",
			want: `Buildfile.toml:2:12: target "a": outputs: "b/.." is the Buildfile's folder itself (expected a file path such as "build/app")`,
		},
		{
			name: "output in the state folder",
			text: "[targets.a]\noutputs = [\"./.gobuildj/x\"]\n",
			want: `Buildfile.toml:2:12: target "a": outputs: "./.gobuildj/x" is inside .gobuildj/, where gobuildj keeps its state (expected a path outside it)`,
		},
		{
			name: "empty output",
			text: "[targets.a]\noutputs = [\"\"]\n",
			want: `Buildfile.toml:2:12: target "a": outputs: empty path (expected a file path such as "build/app")`,
		},
		{
			name: "absolute glob",
			text: "[targets.a]\ninputs = [\"/usr/include/*.h\"]\n",
			want: `Buildfile.toml:2:11: target "a": inputs: glob "/usr/include/*.h" must be relative to the Buildfile's folder (expected a pattern such as "src/**/*.c"; list files outside the folder one by one)`,
		},
		{
			name: "glob escaping the folder",
			text: "[targets.a]\ninputs = [\"../*.h\"]\n",
			want: `Buildfile.toml:2:11: target "a": inputs: glob "../*.h" must stay inside the Buildfile's folder (expected a pattern without "..", such as "src/**/*.c"; list files outside the folder one by one)`,
		},
		{
			name: "bad glob",
			text: "[targets.a]\ninputs = [\"ok.c\", \"src/[a.c\"]\n",
			want: `Buildfile.toml:2:19: target "a": inputs: invalid glob pattern "src/[a.c" (expected doublestar syntax: *, ?, [abc], {a,b} and ** for any depth, with every [ and { closed)`,
		},
		{
			name: "bad glob: unclosed brace",
			text: "[targets.a]\ninputs = [\"src/{a,b.c\"]\n",
			want: `Buildfile.toml:2:11: target "a": inputs: invalid glob pattern "src/{a,b.c" (expected doublestar syntax: *, ?, [abc], {a,b} and ** for any depth, with every [ and { closed)`,
		},
		{
			name: "empty input",
			text: "[targets.a]\ninputs = [\"\"]\n",
			want: `Buildfile.toml:2:11: target "a": inputs: empty path (expected a file path or a glob such as "src/*.c")`,
		},
		{
			name: "input is the target's own output",
			text: "[targets.a]\noutputs = [\"x\"]\ninputs = [\"./x\"]\n",
			want: `Buildfile.toml:3:11: target "a": inputs: "x" is also an output of this target (expected a file the command reads, not one it writes)`,
		},
		{
			name: "empty cmd",
			text: "[targets.app]\ncmd = \"\"\n",
			want: `Buildfile.toml:2:7: target "app": cmd: empty command (expected a shell command such as "cc -o app main.c"; leave cmd out for a target that only groups its deps)`,
		},
		{
			name: "blank cmd item",
			text: "[targets.app]\ncmd = [\"a\", \"  \"]\n",
			want: `Buildfile.toml:2:13: target "app": cmd: item 2 is an empty command (expected a shell command)`,
		},
		{
			name: "NUL in cmd",
			text: "[targets.a]\ncmd = \"a\\u0000b\"\n",
			want: `Buildfile.toml:2:7: target "a": cmd: contains a NUL character (expected text)`,
		},
		{
			name: "invalid duration",
			text: "[targets.app]\ncmd = \"x\"\n\n\n\n\ntimeout = \"5 minutes\"\n",
			want: `Buildfile.toml:7:11: target "app": timeout: invalid duration "5 minutes" (expected a Go duration such as "90s" or "5m")`,
		},
		{
			name: "duration from a variable",
			text: "[vars]\nt = \"5\"\n[targets.app]\ntimeout = \"${t}\"\n",
			want: `Buildfile.toml:4:11: target "app": timeout: invalid duration "5" (expected a Go duration such as "90s" or "5m")`,
		},
		{
			name: "negative timeout",
			text: "[targets.app]\ntimeout = \"-1m\"\n",
			want: `Buildfile.toml:2:11: target "app": timeout: negative duration "-1m" (expected 0 or more; 0 means no timeout)`,
		},
		{
			name: "negative kill_timeout",
			text: "[targets.app]\nkill_timeout = \"-5s\"\n",
			want: `Buildfile.toml:2:16: target "app": kill_timeout: negative duration "-5s" (expected 0 or more; 0 means the default)`,
		},
		{
			name: "negative ports",
			text: "[targets.app]\ncmd = \"x\"\nports = -1\n",
			want: `Buildfile.toml:3:9: target "app": ports: -1 is out of range (expected a number of TCP ports from 0 to 1000)`,
		},
		{
			name: "too many ports",
			text: "[targets.app]\nports = 65536\n",
			want: `Buildfile.toml:2:9: target "app": ports: 65536 is out of range (expected a number of TCP ports from 0 to 1000)`,
		},
		{
			name: "bad env name",
			text: "[targets.a.env]\n\"A=B\" = \"x\"\n",
			want: `Buildfile.toml:2:1: target "a": env."A=B": invalid environment variable name "A=B" (expected a name without "=", such as LC_ALL)`,
		},
		{
			name: "empty env name",
			text: "[targets.a]\nenv = { \"\" = \"x\" }\n",
			want: `Buildfile.toml:2:9: target "a": env."": invalid environment variable name "" (expected a name without "=", such as LC_ALL)`,
		},
		{
			name: "default names an unknown target",
			text: "default = [\"all\", \"nope\"]\n[targets.all]\n",
			want: `Buildfile.toml:1:19: default: unknown target "nope" (expected a target name or an output path declared by a target)`,
		},
		{
			name: "default (a string) names an unknown target",
			text: "default = \"alll\"\n[targets.all]\n",
			want: `Buildfile.toml:1:11: default: unknown target "alll" (expected a target name or an output path declared by a target; did you mean "all"?)`,
		},
	})
}

func TestLoadCycles(t *testing.T) {
	runErrorCases(t, []errorCase{
		{
			name: "three targets",
			text: "[targets.a]\ndeps = [\"b\"]\n[targets.b]\ndeps = [\"c\"]\n[targets.c]\ndeps = [\"a\"]\n",
			want: `Buildfile.toml: dependency cycle: a -> b -> c -> a`,
		},
		{
			name: "reached from an acyclic start",
			text: "[targets.all]\ndeps = [\"x\"]\n[targets.x]\ndeps = [\"y\"]\n[targets.y]\ndeps = [\"x\"]\n",
			want: `Buildfile.toml: dependency cycle: x -> y -> x`,
		},
		{
			name: "through output paths",
			text: "[targets.a]\ndeps = [\"out/b\"]\noutputs = [\"out/a\"]\ncmd = \"x\"\n[targets.b]\ndeps = [\"out/a\"]\noutputs = [\"out/b\"]\ncmd = \"y\"\n",
			want: `Buildfile.toml: dependency cycle: a -> b -> a`,
		},
		{
			name: "through inputs",
			text: "[targets.a]\ninputs = [\"y\"]\noutputs = [\"x\"]\ncmd = \"x\"\n[targets.b]\ninputs = [\"x\"]\noutputs = [\"y\"]\ncmd = \"y\"\n",
			want: `Buildfile.toml: dependency cycle: a -> b -> a (a reads "y", an output of b; b reads "x", an output of a)`,
		},
	})
}

func TestLoadMissingFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "Buildfile.toml")
	_, err := Load(path)
	if err == nil {
		t.Fatal("Load of a missing file succeeded")
	}
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("error is %T, want *Error", err)
	}
	if !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("errors.Is(err, fs.ErrNotExist) is false for %v", err)
	}
	want := path + ": cannot read the Buildfile: no such file or directory"
	if got := err.Error(); got != want && got != "Buildfile.toml: cannot read the Buildfile: no such file or directory" {
		t.Errorf("got %q, want %q", got, want)
	}

	// A folder is not a Buildfile.
	if err := os.Mkdir(filepath.Join(dir, "d"), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Chdir(dir)
	_, err = Load("d")
	if err == nil || err.Error() != "d: cannot read the Buildfile: is a directory" {
		t.Errorf("got %v", err)
	}
}

// TestLoadDisplayName checks that messages name the Buildfile as given, or
// relative to the current folder when that is shorter.
func TestLoadDisplayName(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"sub/Buildfile.toml": "bogus = 1\n"})
	t.Chdir(dir)
	for _, c := range []struct{ path, want string }{
		{"sub/Buildfile.toml", "sub/Buildfile.toml"},
		{"./sub/Buildfile.toml", "./sub/Buildfile.toml"},
		{filepath.Join(dir, "sub", "Buildfile.toml"), "sub/Buildfile.toml"},
	} {
		_, err := Load(c.path)
		var e *Error
		if !errors.As(err, &e) || e.File != c.want || e.Line != 1 || e.Col != 1 {
			t.Errorf("Load(%q): %v; want File %q at 1:1", c.path, err, c.want)
		}
	}
}
