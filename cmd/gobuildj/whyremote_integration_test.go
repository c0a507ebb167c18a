package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// why --remote across two checkouts whose compilers differ: the one that
// misses what the other shared is told that the compiler differs, and
// nothing else; with the same compiler, that nothing does.
func TestIntegrationWhyRemoteNamesTheOtherCheckoutsCompiler(t *testing.T) {
	endpoint := serverFrom(t, bazelRemoteVar)
	salt := randomSalt(t)
	tools := t.TempDir()
	binA, binB := filepath.Join(tools, "a"), filepath.Join(tools, "b")
	for dir, name := range map[string]string{binA: "A", binB: "B"} {
		write(t, filepath.Join(dir, "cc"), "#!/bin/sh\n# compiler "+name+"\ncp \"$1\" \"$3\"\n")
		if err := os.Chmod(filepath.Join(dir, "cc"), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	files := map[string]string{
		"Buildfile.toml": fmt.Sprintf("[remote]\nsalt = %q\n\n[targets.obj]\ninputs = [\"a.c\"]\noutputs = [\"a.o\"]\ncmd = \"echo obj >> ran.log; cc a.c -o a.o\"\n", salt),
		"a.c":            "int main() { return 0; }\n",
	}
	a, b := project(t, files), project(t, files)
	with := func(bin string, env ...string) []string {
		return append([]string{"PATH=" + bin + ":" + os.Getenv("PATH")}, env...)
	}
	run := func(dir string, env []string, args ...string) result {
		t.Helper()
		r := gobuildjClean(t, dir, env, args...)
		if r.code != 0 {
			t.Fatalf("gobuildj %v: exit %d\n%s", args, r.code, r.out)
		}
		return r
	}

	settle()
	run(a, with(binA, "CI=true"), "--remote-cache", endpoint)
	assertRan(t, a, "obj")
	settle()
	run(a, with(binA), "--remote-cache", endpoint)
	assertRan(t, a)

	// B's compiler differs: it misses, and says why.
	settle()
	r := run(b, with(binB), "--remote-cache", endpoint)
	assertRan(t, b, "obj")
	if strings.Contains(r.out, "cached") && !strings.Contains(r.out, "0 cached") {
		t.Fatalf("checkout B found A's result with another compiler:\n%s", r.out)
	}
	r = run(b, with(binB), "why", "--remote", "obj", "--remote-cache", endpoint)
	host, _ := os.Hostname()
	want := fmt.Sprintf("obj: misses the remote cache's latest entry (stored by %s, ", host)
	if !strings.HasPrefix(r.out, want) || !strings.Contains(r.out, "\n  tool "+filepath.Join(binB, "cc")+": ") ||
		!strings.Contains(r.out, " here, ") || !strings.HasSuffix(r.out, " in the cache ("+filepath.Join(binA, "cc")+" there)\n") ||
		strings.Count(r.out, "\n") != 2 {
		t.Fatalf("why --remote with another compiler:\n%s", r.out)
	}
	r = run(b, with(binB), "why", "--remote", "--json", "obj", "--remote-cache", endpoint)
	var e struct {
		Found   bool `json:"found"`
		Changes []struct {
			Kind, Name, Old, New string
		} `json:"changes"`
	}
	if err := json.Unmarshal([]byte(r.out), &e); err != nil {
		t.Fatalf("%v\n%s", err, r.out)
	}
	if !e.Found || len(e.Changes) != 1 || e.Changes[0].Kind != "tool" || e.Changes[0].Name != filepath.Join(binB, "cc") ||
		e.Changes[0].Old == e.Changes[0].New || len(e.Changes[0].New) != 64 {
		t.Fatalf("why --remote --json: %+v\n%s", e, r.out)
	}
	assertRan(t, b) // why runs nothing

	// With A's compiler, B has nothing to miss, and finds A's result.
	r = run(b, with(binA), "why", "--remote", "obj", "--remote-cache", endpoint)
	if !strings.HasPrefix(r.out, "obj: no difference from the remote cache's latest entry") || strings.Count(r.out, "\n") != 1 {
		t.Fatalf("why --remote with the same compiler:\n%s", r.out)
	}
	settle()
	r = run(b, with(binA), "--remote-cache", endpoint)
	assertRan(t, b)
	if !strings.Contains(r.out, "1 cached") {
		t.Fatalf("checkout B with A's compiler did not find A's result:\n%s", r.out)
	}
	settle()
	run(b, with(binA), "--remote-cache", endpoint)
	assertRan(t, b)
}

// why --remote without a server says what it needs.
func TestWhyRemoteNeedsAServer(t *testing.T) {
	dir := project(t, map[string]string{"Buildfile.toml": "[targets.obj]\noutputs = [\"a.o\"]\ncmd = \"touch a.o\"\n"})
	r := gobuildj(t, dir, "why", "--remote", "obj")
	if r.code != 2 || !strings.Contains(r.out, "why --remote: no remote cache (expected --remote-cache URL") {
		t.Fatalf("exit %d\n%s", r.code, r.out)
	}
	assertRan(t, dir)
}
