package graph

import (
	"slices"
	"testing"
)

// TestLoadInKeepsWrittenOrder checks that ${in} lists the inputs as written
// (make's $^, ninja's $in): literal paths in place, a glob's matches sorted
// in place, each path once where it first appears. Inputs stays the sorted
// set, in every string that may use ${in}.
func TestLoadInKeepsWrittenOrder(t *testing.T) {
	g := mustLoad(t, `
[targets.cat]
inputs      = ["b.txt", "a.txt", "10.txt", "parts/*.txt", "2.txt", "a.txt", "parts/x.txt"]
outputs     = ["all.txt"]
description = "CAT ${in}"
env         = { IN = "${in}" }
depfile     = "${in:raw}.d"
cmd         = "cat ${in} > ${out}; echo ${in:raw}"

[targets.sorted]
inputs = ["parts/*.txt", "z.txt"]
cmd    = "echo ${in}"
`, map[string]string{
		"a.txt": "", "b.txt": "", "10.txt": "", "2.txt": "", "z.txt": "",
		"parts/y.txt": "", "parts/x.txt": "", "parts/x 1.txt": "",
	})
	cat, _ := g.Lookup("cat")
	written := "b.txt a.txt 10.txt parts/x 1.txt parts/x.txt parts/y.txt 2.txt"
	if want := "cat b.txt a.txt 10.txt 'parts/x 1.txt' parts/x.txt parts/y.txt 2.txt > all.txt; echo " + written; cat.Cmds[0] != want {
		t.Errorf("cmd = %q, want %q", cat.Cmds[0], want)
	}
	if want := "CAT " + written; cat.Description != want {
		t.Errorf("description = %q, want %q", cat.Description, want)
	}
	if want := []string{"IN=" + written}; !slices.Equal(cat.Env, want) {
		t.Errorf("env = %q, want %q", cat.Env, want)
	}
	if want := written + ".d"; cat.Depfile != want {
		t.Errorf("depfile = %q, want %q", cat.Depfile, want)
	}
	wantSet := []string{"10.txt", "2.txt", "a.txt", "b.txt", "parts/x 1.txt", "parts/x.txt", "parts/y.txt"}
	if !slices.Equal(cat.Inputs, wantSet) {
		t.Errorf("Inputs = %q, want the sorted set %q", cat.Inputs, wantSet)
	}
	sorted, _ := g.Lookup("sorted")
	if want := "echo 'parts/x 1.txt' parts/x.txt parts/y.txt z.txt"; sorted.Cmds[0] != want {
		t.Errorf("cmd = %q, want %q", sorted.Cmds[0], want)
	}
}

// TestInputSets checks the two views of a target's inputs.
func TestInputSets(t *testing.T) {
	for _, c := range []struct{ in, written, sorted []string }{
		{nil, nil, nil},
		{[]string{"a", "b", "b", "c"}, []string{"a", "b", "c"}, []string{"a", "b", "c"}},
		{[]string{"b", "a", "10", "2"}, []string{"b", "a", "10", "2"}, []string{"10", "2", "a", "b"}},
		{[]string{"b", "a", "b", "c", "a"}, []string{"b", "a", "c"}, []string{"a", "b", "c"}},
	} {
		written, sorted := inputSets(slices.Clone(c.in))
		if !slices.Equal(written, c.written) || !slices.Equal(sorted, c.sorted) {
			t.Errorf("inputSets(%q) = %q, %q, want %q, %q", c.in, written, sorted, c.written, c.sorted)
		}
	}
}

// TestLoadDepsNotRepeated checks what ${deps} holds: the outputs of the
// targets named in deps, never a path that ${in} holds, and nothing of the
// targets that only produce an input.
func TestLoadDepsNotRepeated(t *testing.T) {
	g := mustLoad(t, `
[rules.obj]
foreach = "src/*.c"
inputs  = ["${match}"]
outputs = ["build/${stem}.o", "build/${stem}.d"]
cmd     = "cc -c ${in} -o ${out}"

[targets.lib]
inputs  = ["build/util.o"]
outputs = ["build/libu.a"]
cmd     = "ar rcs ${out} ${in}"

[targets.app]
inputs  = ["build/main.o", "build/b.o"]
deps    = ["lib"]
outputs = ["app"]
cmd     = "cc -o ${out} ${in} ${deps}"

[targets.app2]
inputs  = ["build/main.o"]
deps    = ["obj", "lib"]
outputs = ["app2"]
cmd     = "cc -o ${out} ${in} ${deps}"
description = "[${deps}]"

[targets.only_inputs]
inputs  = ["build/b.o"]
outputs = ["x"]
cmd     = "echo [${deps}] > ${out}"
`, map[string]string{"src/main.c": "", "src/b.c": "", "src/util.c": ""})
	app, _ := g.Lookup("app")
	if want := "cc -o app build/main.o build/b.o build/libu.a"; app.Cmds[0] != want {
		t.Errorf("app cmd = %q, want %q", app.Cmds[0], want)
	}
	if got := names(app.Deps); !slices.Equal(got, []string{"lib", "build/b.o", "build/main.o"}) {
		t.Errorf("app deps = %q", got)
	}
	app2, _ := g.Lookup("app2")
	want := "build/b.o build/b.d build/main.d build/util.o build/util.d build/libu.a"
	if app2.Cmds[0] != "cc -o app2 build/main.o "+want {
		t.Errorf("app2 cmd = %q, want ${deps} = %q", app2.Cmds[0], want)
	}
	if app2.Description != "["+want+"]" {
		t.Errorf("app2 description = %q", app2.Description)
	}
	only, _ := g.Lookup("only_inputs")
	if want := "echo [] > x"; only.Cmds[0] != want {
		t.Errorf("only_inputs cmd = %q, want %q", only.Cmds[0], want)
	}
}
