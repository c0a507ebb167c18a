package graph

import (
	"path/filepath"
	"slices"
	"testing"
)

func TestIncludes(t *testing.T) {
	g, dir, err := loadText(t, `
include = ["app/Buildfile.toml", "lib/Buildfile.toml"]

[vars]
cc    = "cc"
flags = "-O2"

[targets.all]
deps = ["app/bin", "lib/archive"]
`, map[string]string{
		"app/Buildfile.toml": `
[vars]
flags = "-O0 -g"            # overrides the includer's for this file only

[targets.bin]
deps    = ["lib/archive"]   # another Buildfile's target, by its full name
inputs  = ["main.c"]
outputs = ["out/app"]
cmd     = "${cc} ${flags} -o ${out} ${in} ${deps}"
`,
		"app/main.c": "",
		"lib/Buildfile.toml": `
include = ["sub/Buildfile.toml"]

[targets.archive]
deps    = ["sub/gen", "obj"]     # a nested target, and a target of this file
outputs = ["liblib.a"]
cmd     = "ar rc ${out} ${deps}"

[targets.obj]
inputs  = ["lib.c", "sub/gen.h"] # gen.h is an output of lib/sub/gen: an implicit dep
outputs = ["lib.o"]
dir     = "sub"
cmd     = "${cc} ${flags} -c ../${in}"
`,
		"lib/lib.c": "",
		"lib/sub/Buildfile.toml": `
[targets.gen]
outputs = ["gen.h"]
cmd     = "echo ${flags} > ${out}"
`,
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"all", "app/bin", "lib/archive", "lib/obj", "lib/sub/gen"}
	var got []string
	for _, tg := range g.Targets {
		got = append(got, tg.Name)
	}
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Fatalf("targets %q, want %q", got, want)
	}
	if want := []string{filepath.Join(dir, "Buildfile.toml"), filepath.Join(dir, "app/Buildfile.toml"), filepath.Join(dir, "lib/Buildfile.toml"), filepath.Join(dir, "lib/sub/Buildfile.toml")}; !slices.Equal(g.Files, want) {
		t.Errorf("Files %q, want %q", g.Files, want)
	}
	for _, c := range []struct {
		name, dir, cmd string
		deps           []string
		inputs         []string
	}{
		{"app/bin", "app", "cc -O0 -g -o out/app main.c ../lib/liblib.a", []string{"lib/archive"}, []string{"app/main.c"}},
		{"lib/archive", "lib", "ar rc liblib.a sub/gen.h lib.o", []string{"lib/sub/gen", "lib/obj"}, nil},
		{"lib/obj", "lib/sub", "cc -O2 -c ../../lib.c gen.h", []string{"lib/sub/gen"}, []string{"lib/lib.c", "lib/sub/gen.h"}},
		{"lib/sub/gen", "lib/sub", "echo -O2 > gen.h", nil, nil},
	} {
		tg, ok := g.Lookup(c.name)
		if !ok {
			t.Fatalf("no target %s", c.name)
		}
		if tg.Dir != c.dir || tg.Cmds[0] != c.cmd || !slices.Equal(names(tg.Deps), c.deps) || !slices.Equal(tg.Inputs, c.inputs) {
			t.Errorf("%s: dir %q cmd %q deps %q inputs %q\nwant dir %q cmd %q deps %q inputs %q", c.name, tg.Dir, tg.Cmds[0], names(tg.Deps), tg.Inputs, c.dir, c.cmd, c.deps, c.inputs)
		}
		if rel, _ := filepath.Rel(dir, tg.File); rel != filepath.Join(filepath.Dir(c.name), "Buildfile.toml") {
			t.Errorf("%s: File %s", c.name, tg.File)
		}
	}
	if tg, _ := g.Lookup("lib/sub/gen.h"); tg == nil || tg.Name != "lib/sub/gen" {
		t.Errorf("output lookup from the top: %v", tg)
	}
}

func TestIncludeErrors(t *testing.T) {
	runErrorCases(t, []errorCase{
		{
			name:  "loop",
			text:  "include = [\"a/Buildfile.toml\"]\n",
			files: map[string]string{"a/Buildfile.toml": "include = [\"b/Buildfile.toml\"]\n", "a/b/Buildfile.toml": "include = [\"../Buildfile.toml\"]\n"},
			want:  `a/b/Buildfile.toml:1:12: include: include loop: a/Buildfile.toml -> a/b/Buildfile.toml -> a/Buildfile.toml (expected Buildfiles that do not include themselves)`,
		},
		{
			name: "includes itself",
			text: "include = \"Buildfile.toml\"\n",
			want: `Buildfile.toml:1:11: include: include loop: Buildfile.toml -> Buildfile.toml (expected Buildfiles that do not include themselves)`,
		},
		{
			name: "outside the folder",
			text: "include = [\"../x/Buildfile.toml\"]\n",
			want: `Buildfile.toml:1:12: include: "../x/Buildfile.toml" is outside the Buildfile's folder (expected a Buildfile inside it: its targets are named after its folder)`,
		},
		{
			name: "missing",
			text: "include = [\"sub/Buildfile.toml\"]\n",
			want: `Buildfile.toml:1:12: include: cannot read "sub/Buildfile.toml": no such file or directory (expected a Buildfile)`,
		},
		{
			name:  "twice",
			text:  "include = [\"a/B.toml\", \"c/B.toml\"]\n",
			files: map[string]string{"a/B.toml": "", "c/B.toml": "include = [\"../a/B.toml\"]\n"},
			want:  `c/B.toml:1:12: include: "../a/B.toml" is included twice (expected each Buildfile once: its targets would be declared twice)`,
		},
		{
			name:  "error located in the included file",
			text:  "include = [\"sub/Buildfile.toml\"]\n",
			files: map[string]string{"sub/Buildfile.toml": "[targets.x]\ndeps = [\"y\"]\n"},
			want:  `sub/Buildfile.toml:2:9: target "sub/x": deps: unknown target "y" (expected a target name or an output path declared by a target; did you mean "x"?)`,
		},
		{
			name:  "an inherited variable made circular",
			text:  "include = [\"sub/Buildfile.toml\"]\n[vars]\nflags = \"${opt}\"\nopt = \"-O2\"\n",
			files: map[string]string{"sub/Buildfile.toml": "[vars]\nopt = \"${flags}\"\n"},
			want:  `sub/Buildfile.toml:2:8: vars.opt: variable cycle: flags -> opt -> flags`,
		},
		{
			name:  "output outside the top folder",
			text:  "include = [\"sub/Buildfile.toml\"]\n",
			files: map[string]string{"sub/Buildfile.toml": "[targets.x]\noutputs = [\"../../x\"]\n"},
			want:  `sub/Buildfile.toml:2:12: target "sub/x": outputs: "../../x": outputs must stay inside the Buildfile's folder (expected a relative path without "..", such as "build/app")`,
		},
		{
			name:  "remote in an included file",
			text:  "include = [\"sub/Buildfile.toml\"]\n",
			files: map[string]string{"sub/Buildfile.toml": "[targets.x]\ncmd = \"true\"\n[remote]\ncache = \"grpc://localhost:9092\"\n"},
			want:  `sub/Buildfile.toml:3:1: remote: [remote] is read from the top Buildfile only (expected it in Buildfile.toml)`,
		},
		{
			name: "include is a number",
			text: "include = 3\n",
			want: `Buildfile.toml:1:11: include: expected a Buildfile path or a list of Buildfile paths, got integer 3`,
		},
	})
}

func TestIncludedOutputInTheTopFolder(t *testing.T) {
	g := mustLoad(t, "include = [\"sub/Buildfile.toml\"]\n", map[string]string{
		"sub/Buildfile.toml": "[targets.x]\noutputs = [\"../shared/x\"]\ncmd = \"touch ${out}\"\n",
	})
	x, _ := g.Lookup("shared/x")
	if x == nil || x.Name != "sub/x" || x.Cmds[0] != "touch ../shared/x" {
		t.Errorf("sub/x: %+v", x)
	}
}

func TestPools(t *testing.T) {
	g := mustLoad(t, `
[pools.link]
depth = 2

[targets.a]
cmd  = "x"
pool = "link"

[targets.b]
cmd  = "y"
pool = "console"
`, nil)
	if g.Pools["link"] != 2 || g.Pools[ConsolePool] != 1 || len(g.Pools) != 2 {
		t.Errorf("pools %v", g.Pools)
	}
	a, _ := g.Lookup("a")
	b, _ := g.Lookup("b")
	if a.Pool != "link" || b.Pool != ConsolePool {
		t.Errorf("a.Pool %q, b.Pool %q", a.Pool, b.Pool)
	}
}

func TestPoolErrors(t *testing.T) {
	runErrorCases(t, []errorCase{
		{
			name: "unknown pool",
			text: "[pools.link]\ndepth = 1\n[targets.a]\ncmd = \"x\"\npool = \"lnk\"\n",
			want: `Buildfile.toml:5:8: target "a": pool: unknown pool "lnk" (expected console, or a pool defined in [pools.NAME]; did you mean "link"?)`,
		},
		{
			name: "zero depth",
			text: "[pools.link]\ndepth = 0\n",
			want: `Buildfile.toml:2:9: pools.link.depth: depth 0 (expected 1 or more: the number of the pool's commands that may run at once)`,
		},
		{
			name: "negative depth",
			text: "[pools.link]\ndepth = -2\n",
			want: `Buildfile.toml:2:9: pools.link.depth: depth -2 (expected 1 or more: the number of the pool's commands that may run at once)`,
		},
		{
			name: "depth is a string",
			text: "[pools.link]\ndepth = \"1\"\n",
			want: `Buildfile.toml:2:9: pools.link.depth: expected an integer such as depth = 2, got string "1"`,
		},
		{
			name: "no depth",
			text: "[pools.link]\n",
			want: `Buildfile.toml:1:1: pools.link: missing depth (expected depth = N, the number of its commands that may run at once)`,
		},
		{
			name: "unknown pool key",
			text: "[pools.link]\ndepht = 1\n",
			want: `Buildfile.toml:2:1: pools.link: unknown key "depht" (expected depth, the number of its commands that may run at once; did you mean "depth"?)`,
		},
		{
			name: "console redefined",
			text: "[pools.console]\ndepth = 4\n",
			want: `Buildfile.toml:1:1: pools.console: "console" is the built-in pool of depth 1 whose command gets the terminal (expected another name)`,
		},
		{
			name:  "two depths",
			text:  "include = [\"s/B.toml\"]\n[pools.link]\ndepth = 1\n",
			files: map[string]string{"s/B.toml": "[pools.link]\ndepth = 3\n"},
			want:  `s/B.toml:2:9: pools.link.depth: depth 3, but Buildfile.toml gives the pool depth 1 (expected one depth per pool: pools are shared by every Buildfile)`,
		},
		{
			name: "depfile without cmd",
			text: "[targets.a]\ndepfile = \"a.d\"\n",
			want: `Buildfile.toml:2:11: target "a": depfile: the target has no cmd to write it (expected a depfile only beside a cmd, such as gcc -MD -MF ${out}.d)`,
		},
		{
			name: "depfile outside",
			text: "[targets.a]\ncmd = \"x\"\ndepfile = \"../a.d\"\n",
			want: `Buildfile.toml:3:11: target "a": depfile: "../a.d": a depfile must stay inside the Buildfile's folder (expected a relative path without "..", such as "build/app")`,
		},
		{
			name: "deps in depfile",
			text: "[targets.a]\ncmd = \"x\"\ndepfile = \"${deps}.d\"\n",
			want: `Buildfile.toml:3:12: target "a": depfile: ${deps} cannot be used in depfile`,
		},
	})
}

func TestDepfilePathIsRelativeToTheBuildfile(t *testing.T) {
	g := mustLoad(t, `
[targets.a]
dir     = "sub"
outputs = ["build/a.o"]
cmd     = "cc -MD -MF ${out}.d -c x.c -o ${out}"
depfile = "${out}.d"
`, nil)
	a, _ := g.Lookup("a")
	if a.Depfile != "build/a.o.d" || a.Cmds[0] != "cc -MD -MF ../build/a.o.d -c x.c -o ../build/a.o" {
		t.Errorf("depfile %q, cmd %q", a.Depfile, a.Cmds[0])
	}
}
