package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestTwoIncludes builds a Buildfile that includes two others: their
// targets are named after their folders, their paths and commands are
// relative to them, and their vars default to the includer's.
func TestTwoIncludes(t *testing.T) {
	const part = `
[vars]
who = "%s"

[targets.gen]
description = "GEN ${out}"
inputs      = ["in.txt"]
outputs     = ["out/gen.txt"]
cmd         = "echo ${target} >> ../ran.log; (cat ${in}; echo ${who} ${greeting}; pwd) > ${out}"

[targets.upper]
inputs  = ["out/gen.txt"]
outputs = ["out/upper.txt"]
cmd     = "echo ${target} >> ../ran.log; tr a-z A-Z < ${in} > ${out}"
`
	dir := project(t, map[string]string{
		"Buildfile.toml": `
include = ["web/Buildfile.toml", "api/Buildfile.toml"]

[vars]
greeting = "hello"

[targets.all]
deps    = ["web/upper", "api/out/upper.txt"]
outputs = ["both.txt"]
cmd     = "echo ${target} >> ran.log; cat ${deps} > ${out}"
`,
		"web/Buildfile.toml": strings.Replace(part, "%s", "web", 1),
		"web/in.txt":         "web input\n",
		"api/Buildfile.toml": strings.Replace(part, "%s", "api", 1),
		"api/in.txt":         "api input\n",
	})
	r := mustBuild(t, dir, "-j1")
	assertRan(t, dir, "web/gen", "web/upper", "api/gen", "api/upper", "all")
	for _, want := range []string{"] GEN out/gen.txt\n", "] web/upper\n", "] api/upper\n"} {
		if !strings.Contains(r.out, want) {
			t.Errorf("output lacks %q:\n%s", want, r.out)
		}
	}
	got := read(t, filepath.Join(dir, "both.txt"))
	want := "WEB INPUT\nWEB HELLO\n" + strings.ToUpper(filepath.Join(dir, "web")) + "\nAPI INPUT\nAPI HELLO\n" + strings.ToUpper(filepath.Join(dir, "api")) + "\n"
	if got != want {
		t.Errorf("both.txt:\n%s\nwant:\n%s", got, want)
	}
	mustBuild(t, dir)
	assertRan(t, dir)
	write(t, filepath.Join(dir, "api/in.txt"), "api input, edited\n")
	mustBuild(t, dir)
	assertRan(t, dir, "api/gen", "api/upper", "all")
	// An included target is named by its prefixed name or its path.
	mustBuild(t, dir, "-B", "web/gen", "api/out/gen.txt")
	assertRan(t, dir, "web/gen", "api/gen")
}

func TestIncludeErrorNamesTheIncludedFile(t *testing.T) {
	dir := project(t, map[string]string{
		"Buildfile.toml":     "include = [\"sub/Buildfile.toml\"]\n",
		"sub/Buildfile.toml": "[targets.x]\ncmd = \"${nope}\"\n",
	})
	r := gobuildj(t, dir, "sub/x")
	if r.code != 2 || !strings.Contains(r.out, `sub/Buildfile.toml:2:8: target "sub/x": cmd: unknown variable "nope"`) {
		t.Fatalf("exit %d:\n%s", r.code, r.out)
	}
}
