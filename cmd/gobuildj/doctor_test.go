package main

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
)

func TestDoctorNamesATargetThatGotSlower(t *testing.T) {
	buildfile := func(sleep string) string {
		return `
[targets."fast.out"]
cmd = "echo fast.out >> ran.log; echo $RANDOM > fast.out"
always = true

[targets."slow.out"]
inputs = ["in.txt"]
cmd = "echo slow.out >> ran.log; ` + sleep + `cp in.txt slow.out"
`
	}
	dir := project(t, map[string]string{"Buildfile.toml": buildfile(""), "in.txt": "a\n"})
	r := mustBuild(t, dir, "-j", "2")
	assertRan(t, dir, "fast.out", "slow.out")
	if strings.Contains(r.out, "doctor") {
		t.Errorf("the first build has nothing to compare with, yet the doctor speaks:\n%s", r.out)
	}
	// A sleep in its command: a new key, the same target.
	write(t, filepath.Join(dir, "Buildfile.toml"), buildfile("sleep 0.5; "))
	r = mustBuild(t, dir, "-j", "2", "--report", "report.html")
	assertRan(t, dir, "fast.out", "slow.out")
	const slower = "gobuildj: doctor: slower than their last run: "
	i := strings.Index(r.out, slower+"slow.out ")
	if i < 0 {
		t.Fatalf("the doctor does not name slow.out as slower:\n%s", r.out)
	}
	if line, _, _ := strings.Cut(r.out[i:], "\n"); strings.Contains(line, "fast.out") || !strings.Contains(line, " -> ") {
		t.Errorf("the doctor's line: %q, want slow.out alone with before -> after", line)
	}
	if html := read(t, filepath.Join(dir, "report.html")); !strings.Contains(html, "slower than their last run: slow.out") {
		t.Errorf("report.html lacks the doctor's finding")
	}
	r = mustBuild(t, dir, "-j", "2", "-s")
	assertRan(t, dir, "fast.out")
	if strings.Contains(r.out, "doctor") {
		t.Errorf("-s prints the doctor:\n%s", r.out)
	}
}

func TestDoctorSaysAJ1BuildOfAWideGraphIsLimitedByJ(t *testing.T) {
	var b strings.Builder
	var names []string
	for i := range 6 {
		name := fmt.Sprintf("w%d.out", i)
		names = append(names, name)
		fmt.Fprintf(&b, "[targets.%q]\ncmd = \"echo %s >> ran.log; sleep 0.2; touch %s\"\n\n", name, name, name)
	}
	dir := project(t, map[string]string{"Buildfile.toml": b.String()})
	r := mustBuild(t, dir, "-j", "1", "--report", "report.html")
	assertRan(t, dir, names...)
	for _, want := range []string{
		"gobuildj: doctor: 1.0 commands ran at once on average, of -j 1",
		"gobuildj: doctor: limited by -j: ready targets waited ",
	} {
		if !strings.Contains(r.out, want) {
			t.Errorf("output lacks %q:\n%s", want, r.out)
		}
	}
	if html := read(t, filepath.Join(dir, "report.html")); !strings.Contains(html, "limited by -j") {
		t.Errorf("report.html lacks the doctor's finding")
	}
	r = mustBuild(t, dir, "-j", "1")
	assertRan(t, dir)
	if strings.Contains(r.out, "doctor") {
		t.Errorf("a build that ran nothing has a doctor's finding:\n%s", r.out)
	}
}
