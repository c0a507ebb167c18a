package engine

import (
	"path/filepath"
	"testing"

	"github.com/gobuildj/gobuildj/engine/runner"
	"github.com/gobuildj/gobuildj/trace"
)

func TestCheckDepsClassifiesTracedRuns(t *testing.T) {
	p := newFakeProject(t, `
[targets.all]
deps = ["a", "b"]

[targets.a]
inputs = ["a.txt"]
outputs = ["a.out"]
cmd = "cat a.txt extra.txt > a.out"

[targets.b]
inputs = ["b.txt"]
outputs = ["b.out"]
cmd = "cp b.txt b.out"
`, map[string]string{"a.txt": "a", "b.txt": "b", "extra.txt": "x"})
	traced := map[string]bool{}
	p.fake.Trace = func(j *runner.Job) *trace.Report {
		traced[j.Work.Target] = true
		read := []string{filepath.Join(p.g.Root, j.Work.Target+".txt")}
		if j.Work.Target == "a" {
			read = append(read, filepath.Join(p.g.Root, "extra.txt"))
		}
		return &trace.Report{Read: read, Written: j.Work.Outputs}
	}
	// Without CheckDeps nothing is traced and the summary has no check.
	if _, sum, err := p.build(Options{Jobs: 1}, "b"); err != nil || sum.DepCheck != nil || len(traced) != 0 {
		t.Fatalf("err %v, DepCheck %+v, traced %v", err, sum.DepCheck, traced)
	}
	_, sum, err := p.build(Options{Jobs: 1, CheckDeps: true})
	if err != nil {
		t.Fatal(err)
	}
	dc := sum.DepCheck
	if dc == nil || dc.Traced != 1 || dc.NotRun != 1 || dc.Untraced != 0 {
		t.Fatalf("DepCheck %+v, want a traced and b up to date", dc)
	}
	if len(dc.Findings) != 1 || dc.Findings[0].Target != "a" || dc.Findings[0].Path != "extra.txt" || dc.Findings[0].Kind != "undeclared read" {
		t.Fatalf("findings %+v", dc.Findings)
	}
	// Forced, every target runs and is checked.
	_, sum, err = p.build(Options{Jobs: 1, CheckDeps: true, Force: true})
	if err != nil || sum.DepCheck.Traced != 2 || sum.DepCheck.NotRun != 0 || len(sum.DepCheck.Findings) != 1 {
		t.Fatalf("err %v, DepCheck %+v", err, sum.DepCheck)
	}
}
