package main

import (
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func TestPoolOfDepthOneNeverOverlaps(t *testing.T) {
	// Six targets of pool "link" (depth 1) and six of pool "two" (depth
	// 2), with -j8: each command logs "+" when it starts and "-" when it
	// ends into its pool's log.
	var b strings.Builder
	b.WriteString("[pools.link]\ndepth = 1\n[pools.two]\ndepth = 2\n[targets.all]\ndeps = [")
	for i := range 6 {
		fmt.Fprintf(&b, `"l%d", "t%d", `, i, i)
	}
	b.WriteString("]\n")
	for i := range 6 {
		fmt.Fprintf(&b, "[targets.l%d]\npool = \"link\"\ncmd = \"echo + >> link.log; sleep 0.2; echo - >> link.log\"\n", i)
		fmt.Fprintf(&b, "[targets.t%d]\npool = \"two\"\ncmd = \"echo + >> two.log; sleep 0.3; echo - >> two.log\"\n", i)
	}
	dir := project(t, map[string]string{"Buildfile.toml": b.String()})
	mustBuild(t, dir, "-j8")
	link := read(t, filepath.Join(dir, "link.log"))
	if n := strings.Count(link, "+"); n != 6 {
		t.Fatalf("%d link commands ran, want 6:\n%s", n, link)
	}
	if m := maxConcurrency(link); m != 1 {
		t.Errorf("%d commands of the depth-1 pool ran at once:\n%s", m, link)
	}
	two := read(t, filepath.Join(dir, "two.log"))
	if m := maxConcurrency(two); m > 2 || strings.Count(two, "+") != 6 {
		t.Errorf("pool of depth 2: at most %d at once:\n%s", m, two)
	}
}

func TestPoolAfterAFailureStartsNothingMore(t *testing.T) {
	const bf = `
[pools.one]
depth = 1
[targets.all]
deps = ["a", "b", "c"]
[targets.a]
pool = "one"
cmd  = "echo a >> ran.log; exit 1"
[targets.b]
pool = "one"
cmd  = "echo b >> ran.log"
[targets.c]
pool = "one"
cmd  = "echo c >> ran.log"
`
	dir := project(t, map[string]string{"Buildfile.toml": bf})
	r := gobuildj(t, dir, "-j4")
	if r.code != 1 || !strings.Contains(r.out, "1 failed, 2 not run") {
		t.Fatalf("exit %d:\n%s", r.code, r.out)
	}
	assertRan(t, dir, "a")
	// With -k the others run, one at a time.
	r = gobuildj(t, dir, "-j4", "-k")
	if r.code != 1 {
		t.Fatalf("exit %d:\n%s", r.code, r.out)
	}
	assertRan(t, dir, "a", "b", "c")
}

func TestConsolePoolGetsTheTerminal(t *testing.T) {
	const bf = `
[targets.all]
deps = ["ask", "bg"]
[targets.ask]
pool = "console"
cmd  = "read answer; echo \"you said $$answer\"; echo to stderr >&2; echo ${target} >> ran.log"
[targets.bg]
cmd  = "echo captured output of bg"
`
	dir := project(t, map[string]string{"Buildfile.toml": bf})
	cmd := exec.Command(binary, "-j2")
	cmd.Dir = dir
	cmd.Env = append(cmd.Environ(), "CI=true")
	cmd.Stdin = strings.NewReader("forty-two\n")
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("%v\nstdout:\n%s\nstderr:\n%s", err, stdout.String(), stderr.String())
	}
	assertRan(t, dir, "ask")
	out := stdout.String()
	// The console command's status line comes first, then what it wrote
	// itself to gobuildj's stdout (not captured, not repeated after it).
	i := strings.Index(out, "] ask\n")
	j := strings.Index(out, "you said forty-two\n")
	if i < 0 || j < i || strings.Count(out, "you said") != 1 || !strings.Contains(out, "captured output of bg\n") {
		t.Errorf("stdout:\n%s", out)
	}
	if stderr.String() != "to stderr\n" {
		t.Errorf("stderr %q", stderr.String())
	}
}

func TestConsolePoolFailure(t *testing.T) {
	dir := project(t, map[string]string{"Buildfile.toml": `
[targets.check]
pool    = "console"
outputs = ["report.txt"]
cmd     = "echo partial > report.txt; exit 4"
`})
	r := gobuildj(t, dir, "check")
	if r.code != 1 || !strings.Contains(r.out, "FAILED: check (exit code 4)") {
		t.Fatalf("exit %d:\n%s", r.code, r.out)
	}
	if _, err := exec.Command("test", "-e", filepath.Join(dir, "report.txt")).CombinedOutput(); err == nil {
		t.Error("the output of a failed console command was kept")
	}
}
