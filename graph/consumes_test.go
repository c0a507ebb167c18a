package graph

import (
	"fmt"
	"reflect"
	"testing"
)

// consumesBuildfile names the dep gen (outputs a, b, c) in every way a
// target can: by name, by output path in deps, by an input, through an
// alias, and with ${deps} in a command.
const consumesBuildfile = `
[targets.gen]
inputs = ["src.txt"]
outputs = ["gen/a", "gen/b", "gen/c"]
cmd = "gen"
[targets.gen1]
outputs = ["gen1/x"]
cmd = "gen1"
[targets.byName]
deps = ["gen"]
outputs = ["byName"]
cmd = "x"
[targets.byPath]
deps = ["gen/c", "gen/a", "gen1/x"]
outputs = ["byPath"]
cmd = "x"
[targets.byInput]
inputs = ["gen/b"]
outputs = ["byInput"]
cmd = "x"
[targets.pathAndInput]
deps = ["gen/c"]
inputs = ["gen/b", "gen/c"]
outputs = ["pathAndInput"]
cmd = "x"
[targets.pathAndName]
deps = ["gen/a", "gen1", "gen"]
outputs = ["pathAndName"]
cmd = "x"
[targets.every]
deps = ["gen/a", "gen/b"]
inputs = ["gen/c"]
outputs = ["every"]
cmd = "x"
[targets.usesDeps]
deps = ["gen/a"]
outputs = ["usesDeps"]
cmd = "cat ${deps}"
[targets.describesDeps]
deps = ["gen/a"]
description = "from ${deps}"
outputs = ["describesDeps"]
cmd = "x"
[targets.alias]
deps = ["gen"]
[targets.viaAlias]
deps = ["alias"]
outputs = ["viaAlias"]
cmd = "x"
`

// TestConsumes checks which outputs of its deps each target consumes:
// those it names by path, or all of them.
func TestConsumes(t *testing.T) {
	g := mustLoad(t, consumesBuildfile, map[string]string{"src.txt": ""})
	want := map[string][][]int{
		"byName":        nil,
		"byPath":        {{0, 2}, nil},
		"byInput":       {{1}},
		"pathAndInput":  {{1, 2}},
		"pathAndName":   nil,
		"every":         nil,
		"usesDeps":      nil,
		"describesDeps": {{0}},
		"viaAlias":      nil,
		"gen":           nil,
	}
	for name, w := range want {
		tg, ok := g.Lookup(name)
		if !ok {
			t.Fatalf("no target %s", name)
		}
		if !reflect.DeepEqual(tg.Consumes, w) {
			t.Errorf("%s: Consumes = %v, want %v", name, tg.Consumes, w)
		}
		for i := range tg.Deps {
			var wi []int
			if w != nil {
				wi = w[i]
			}
			if got := tg.Consumed(i); !reflect.DeepEqual(got, wi) {
				t.Errorf("%s: Consumed(%d) = %v, want %v", name, i, got, wi)
			}
		}
	}
}

// TestConsumesInclude checks a dep named by a path relative to an
// included Buildfile's folder.
func TestConsumesInclude(t *testing.T) {
	g := mustLoad(t, "include = [\"sub/Buildfile.toml\"]\n"+
		"[targets.top]\ndeps = [\"sub/gen/b\"]\noutputs = [\"top\"]\ncmd = \"x\"\n",
		map[string]string{"sub/Buildfile.toml": "[targets.gen]\noutputs = [\"gen/a\", \"gen/b\"]\ncmd = \"gen\"\n" +
			"[targets.use]\ndeps = [\"gen/b\"]\noutputs = [\"use\"]\ncmd = \"x\"\n"})
	for _, name := range []string{"top", "sub/use"} {
		tg, ok := g.Lookup(name)
		if !ok {
			t.Fatalf("no target %s", name)
		}
		if got := fmt.Sprint(tg.Consumes); got != "[[1]]" {
			t.Errorf("%s: Consumes = %s, want [[1]]", name, got)
		}
	}
}
