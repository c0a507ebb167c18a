package engine

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/gobuildj/gobuildj/cache"
	"github.com/gobuildj/gobuildj/engine/runner"
	"github.com/gobuildj/gobuildj/internal/fileid"
	"github.com/gobuildj/gobuildj/trace"
)

const tracedProject = `
[targets.gen]
outputs = ["gen.h"]
cmd     = "gen"
[targets.obj]
deps    = ["gen"]
inputs  = ["a.c"]
outputs = ["a.o"]
cmd     = "cc -Iinc2 -Iinc -c a.c -o a.o"
trace   = true
[targets.plain]
inputs  = ["a.c"]
outputs = ["plain.o"]
cmd     = "cc -c a.c -o plain.o"
[targets.all]
deps = ["obj", "plain"]
`

// A traced target's undeclared reads inside the project, and the paths it
// probed there in vain, are inputs of its next build; the rest of what
// the trace saw is left out.
func TestBuilderRecordsTracedInputs(t *testing.T) {
	p := newFakeProject(t, tracedProject, nil)
	for name, content := range map[string]string{"a.c": "int a;", "inc/a.h": "#define A 1", "tmp.i": "temp"} {
		p.write(name, content)
	}
	root := p.g.Root
	in := func(rel string) string { return filepath.Join(root, rel) }
	if err := os.Mkdir(in("folder"), 0o777); err != nil {
		t.Fatal(err)
	}
	var asked []string
	p.fake.Trace = func(j *runner.Job) *trace.Report {
		asked = append(asked, j.Work.Target)
		r := &trace.Report{
			Read: []string{in("a.c"), in("a.o"), in("tmp.i"), in("folder"), in("gen.h"),
				in(".gobuildj/state.log"), "/usr/include/stdio.h"},
			Written: []string{in("a.o"), in("tmp.i")},
			Probed:  []string{"/usr/local/include/a.h", in(".gobuildj/x")},
		}
		// cc -Iinc2 -Iinc: the first a.h found is read.
		if _, err := os.Stat(in("inc2/a.h")); err == nil {
			r.Read = append(r.Read, in("inc2/a.h"))
		} else {
			r.Read = append(r.Read, in("inc/a.h"))
			r.Probed = append(r.Probed, in("inc2/a.h"))
		}
		return r
	}
	build := func(want ...string) *recorder {
		t.Helper()
		// A file written within a tick of the start is taken for one
		// edited while the command read it.
		time.Sleep(fileid.TickSlack() + time.Millisecond)
		rec, _, err := p.build(Options{Jobs: 1, Explain: true})
		if err != nil {
			t.Fatal(err)
		}
		slices.Sort(rec.started)
		slices.Sort(want)
		if !slices.Equal(rec.started, want) {
			t.Fatalf("started %v, want %v (explained %v)", rec.started, want, rec.explained)
		}
		return rec
	}
	build("gen", "obj", "plain")
	if !slices.Equal(asked, []string{"obj"}) {
		t.Fatalf("traced jobs %v, want obj alone", asked)
	}
	st, err := cache.OpenReadOnlyState(p.g.State())
	if err != nil {
		t.Fatal(err)
	}
	r, _ := st.Target("obj")
	st.Close()
	if !slices.Equal(r.Traced, []string{"inc/a.h"}) || !slices.Equal(r.Probed, []string{"inc2/a.h"}) {
		t.Fatalf("recorded traced %v, probed %v; want [inc/a.h], [inc2/a.h]", r.Traced, r.Probed)
	}
	build()

	p.write("inc/a.h", "#define A 2")
	if rec := build("obj"); !slices.Equal(rec.explained, []string{"obj: traced input inc/a.h changed"}) {
		t.Errorf("explained %v", rec.explained)
	}
	build()

	p.write("inc2/a.h", "#define A 3")
	if rec := build("obj"); !slices.Equal(rec.explained, []string{"obj: traced probe inc2/a.h now exists"}) {
		t.Errorf("explained %v", rec.explained)
	}
	build()
	// inc/a.h is no longer read.
	p.write("inc/a.h", "#define A 4")
	build()

	// Without a report (no tracer), the last traced run's files stand.
	p.fake.Trace = nil
	p.write("inc2/a.h", "#define A 5")
	build("obj")
	p.write("inc2/a.h", "#define A 6")
	if rec := build("obj"); !slices.Equal(rec.explained, []string{"obj: traced input inc2/a.h changed"}) {
		t.Errorf("explained %v", rec.explained)
	}
	build()
}

// --trace-deps (Options.Trace) traces every target.
func TestBuilderTracesAllWithTrace(t *testing.T) {
	p := newFakeProject(t, tracedProject, map[string]string{"a.c": "int a;"})
	var asked []string
	p.fake.Trace = func(j *runner.Job) *trace.Report {
		asked = append(asked, j.Work.Target)
		return &trace.Report{}
	}
	if _, _, err := p.build(Options{Jobs: 1, Trace: true}); err != nil {
		t.Fatal(err)
	}
	if slices.Sort(asked); !slices.Equal(asked, []string{"gen", "obj", "plain"}) {
		t.Fatalf("traced jobs %v, want gen, obj and plain", asked)
	}
}
