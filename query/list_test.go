package query

import (
	"bytes"
	"path/filepath"
	"testing"

	"github.com/gobuildj/gobuildj/graph"
)

func TestWriteList(t *testing.T) {
	g := project(t)
	for _, c := range []struct {
		all  bool
		want string
	}{
		{false, `all     (default)
app     LINK app
broken
obj     rule over *.c (2 targets)
`},
		{true, `a.o
all     (default)
app     LINK app
b.o
broken
obj     rule over *.c (2 targets)
`},
	} {
		var b bytes.Buffer
		if err := WriteList(&b, g, c.all); err != nil {
			t.Fatal(err)
		}
		if b.String() != c.want {
			t.Errorf("WriteList(all=%v):\n%s\nwant:\n%s", c.all, b.String(), c.want)
		}
	}
}

func TestWriteListMarksTheDefaults(t *testing.T) {
	dir := t.TempDir()
	write(t, filepath.Join(dir, "Buildfile.toml"), `
default = ["b", "rule"]

[targets.all]
cmd = "true"

[targets.b]
description = "the b"
cmd = "true"

[rules.rule]
foreach = "*.txt"
outputs = ["${stem}.out"]
cmd     = "true"
`)
	write(t, filepath.Join(dir, "one.txt"), "")
	g, err := graph.Load(filepath.Join(dir, "Buildfile.toml"))
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := WriteList(&b, g, false); err != nil {
		t.Fatal(err)
	}
	want := `all
b     the b (default)
rule  rule over *.txt (1 target) (default)
`
	if b.String() != want {
		t.Errorf("WriteList:\n%s\nwant:\n%s", b.String(), want)
	}
}
