package main

import (
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gobuildj/gobuildj/remote/remotetest"
)

// sharedCSources is the number of compilations of sharedCProject: with
// 300, the whole test (two checkouts, a header edit in both) took 7.5 s on
// a shared 2-core machine.
const sharedCSources = 300

// sharedCGroups is the number of group headers of sharedCProject: source i includes
// common.h and g<i % sharedCGroups>.h.
const sharedCGroups = 10

// sharedCProject writes a C project of sharedCSources sources compiled with depfiles
// (cc -MMD -MF), and a link of them all. Each compilation appends "cc
// NAME" to ran.log (not an output).
func sharedCProject(t *testing.T, dir, salt string) {
	t.Helper()
	write(t, filepath.Join(dir, "include/common.h"), "#define COMMON 1\nint common_value(void);\n")
	for g := range sharedCGroups {
		write(t, filepath.Join(dir, fmt.Sprintf("include/g%d.h", g)), fmt.Sprintf("#define GROUP_%d %d\n", g, g+1))
	}
	for i := range sharedCSources {
		g := i % sharedCGroups
		write(t, filepath.Join(dir, fmt.Sprintf("src/f%d.c", i)), fmt.Sprintf(
			"#include \"common.h\"\n#include \"g%d.h\"\nint f%d(int x) { return x * GROUP_%d + COMMON + %d; }\n", g, i, g, i))
	}
	write(t, filepath.Join(dir, "src/main.c"), "int main(void) { return 0; }\n")
	write(t, filepath.Join(dir, "Buildfile.toml"), fmt.Sprintf(`default = ["app"]

[remote]
salt = %q

[rules.obj]
foreach = "src/*.c"
inputs  = ["${match}"]
outputs = ["build/${stem}.o"]
depfile = "build/${stem}.d"
cmd     = "echo cc ${stem} >> ran.log && cc -O2 -Iinclude -MMD -MF build/${stem}.d -c ${in} -o ${out}"

[targets.app]
deps    = ["obj"]
outputs = ["build/app"]
cmd     = "cc -o ${out} ${deps}"
`, salt))
}

// cIncluders returns the ran.log lines of the compilations that include
// g<g>.h.
func cIncluders(g int) []string {
	var out []string
	for i := g; i < sharedCSources; i += sharedCGroups {
		out = append(out, "cc", fmt.Sprintf("f%d", i))
	}
	return out
}

// assertSameBuild fails unless the build folders of a and b hold the same
// files with the same bytes.
func assertSameBuild(t *testing.T, a, b string) {
	t.Helper()
	files := func(dir string) map[string]string {
		m := map[string]string{}
		root := filepath.Join(dir, "build")
		err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			data, err := os.ReadFile(p)
			rel, _ := filepath.Rel(root, p)
			m[rel] = string(data)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	fa, fb := files(a), files(b)
	if want := 2*(sharedCSources+1) + 1; len(fa) != want {
		t.Fatalf("%s/build has %d files, want %d", a, len(fa), want)
	}
	for name, data := range fa {
		if other, ok := fb[name]; !ok || other != data {
			t.Fatalf("build/%s differs between the checkouts (present in both: %v)", name, ok)
		}
	}
	if len(fb) != len(fa) {
		t.Fatalf("the checkouts have %d and %d files in build", len(fa), len(fb))
	}
}

// ranSorted returns ranLog's "cc NAME" pairs sorted by name, as cIncluders
// lists them.
func ranSorted(t *testing.T, dir string) []string {
	f := ranLog(t, dir)
	var names []string
	for i := 1; i < len(f); i += 2 {
		names = append(names, f[i])
	}
	slices.SortFunc(names, func(a, b string) int {
		var x, y int
		fmt.Sscanf(a, "f%d", &x)
		fmt.Sscanf(b, "f%d", &y)
		return x - y
	})
	var out []string
	for _, n := range names {
		out = append(out, "cc", n)
	}
	return out
}

// C compilations are shared through the remote cache although their
// headers are found by running them (depfiles): two checkouts at different
// paths, with different homes, of a generated C project. The first builds
// and uploads; the second compiles nothing and gets the same bytes; after
// the same header edit in both, the first compiles exactly the includers,
// and the second nothing.
func TestIntegrationBazelRemoteSharesCCompilations(t *testing.T) {
	endpoint := serverFrom(t, bazelRemoteVar)
	if _, err := exec.LookPath("cc"); err != nil {
		t.Skip("no cc")
	}
	salt := randomSalt(t)
	a, b := t.TempDir(), t.TempDir()
	sharedCProject(t, a, salt)
	sharedCProject(t, b, salt)
	envA := []string{"CI=true", "HOME=" + t.TempDir()}
	envB := []string{"HOME=" + t.TempDir()}
	targets := sharedCSources + 2
	settle()

	start := time.Now()
	r := gobuildjClean(t, a, envA, "--remote-cache", endpoint)
	tookA := time.Since(start)
	if r.code != 0 || !strings.Contains(r.out, fmt.Sprintf("gobuildj: %d run, 0 up to date, 0 failed in", targets)) {
		t.Fatalf("checkout A: exit %d\n%s", r.code, r.out)
	}
	if got := len(ranLog(t, a)); got != 2*(sharedCSources+1) {
		t.Fatalf("checkout A compiled %d sources, want %d", got/2, sharedCSources+1)
	}

	start = time.Now()
	r = gobuildjClean(t, b, envB, "--remote-cache", endpoint)
	tookB := time.Since(start)
	if r.code != 0 || !strings.Contains(r.out, fmt.Sprintf("gobuildj: 0 run, %d cached, 0 up to date, 0 failed in", targets)) {
		t.Fatalf("checkout B: exit %d\n%s", r.code, r.out)
	}
	if ran := ranLog(t, b); len(ran) != 0 {
		t.Fatalf("checkout B compiled %v", ran[:min(len(ran), 10)])
	}
	assertSameBuild(t, a, b)
	// The depfiles came back: B knows its headers and is up to date.
	r = gobuildjClean(t, b, envB, "--remote-cache", endpoint)
	if r.code != 0 || !strings.Contains(r.out, fmt.Sprintf("gobuildj: 0 run, %d up to date", targets)) {
		t.Fatalf("checkout B again: exit %d\n%s", r.code, r.out)
	}

	// The same header edit in both.
	const edited = 3
	for _, dir := range []string{a, b} {
		write(t, filepath.Join(dir, fmt.Sprintf("include/g%d.h", edited)), fmt.Sprintf("#define GROUP_%d 77\n", edited))
	}
	settle()
	includers := len(cIncluders(edited)) / 2
	r = gobuildjClean(t, a, envA, "--remote-cache", endpoint)
	if r.code != 0 || !strings.Contains(r.out, fmt.Sprintf("gobuildj: %d run, %d up to date", includers+1, targets-includers-1)) {
		t.Fatalf("checkout A after the edit: exit %d\n%s", r.code, r.out)
	}
	if got, want := ranSorted(t, a), cIncluders(edited); !slices.Equal(got, want) {
		t.Fatalf("checkout A compiled %v after the edit, want the includers %v", got, want)
	}
	r = gobuildjClean(t, b, envB, "--remote-cache", endpoint)
	if r.code != 0 || !strings.Contains(r.out, fmt.Sprintf("gobuildj: 0 run, %d cached, %d up to date", includers+1, targets-includers-1)) {
		t.Fatalf("checkout B after the edit: exit %d\n%s", r.code, r.out)
	}
	if ran := ranLog(t, b); len(ran) != 0 {
		t.Fatalf("checkout B compiled %v after the edit", ran[:min(len(ran), 10)])
	}
	assertSameBuild(t, a, b)
	t.Logf("%d sources: checkout A built and uploaded in %s, checkout B fetched in %s", sharedCSources, tookA, tookB)
}

// examples/c: a fresh checkout takes all 27 targets from the cache.
func TestIntegrationBazelRemoteSharesExampleC(t *testing.T) {
	endpoint := serverFrom(t, bazelRemoteVar)
	if _, err := exec.LookPath("cc"); err != nil {
		t.Skip("no cc")
	}
	salt := randomSalt(t)
	a, b := t.TempDir(), t.TempDir()
	for _, dir := range []string{a, b} {
		if err := os.CopyFS(dir, os.DirFS("../../examples/c")); err != nil {
			t.Fatal(err)
		}
		bf := filepath.Join(dir, "Buildfile.toml")
		write(t, bf, read(t, bf)+fmt.Sprintf("\n[remote]\nsalt = %q\n", salt))
	}
	if r := gobuildjClean(t, a, []string{"CI=true", "HOME=" + t.TempDir()}, "--remote-cache", endpoint); r.code != 0 {
		t.Fatalf("checkout A: exit %d\n%s", r.code, r.out)
	}
	r := gobuildjClean(t, b, []string{"HOME=" + t.TempDir()}, "--remote-cache", endpoint, "-v")
	if r.code != 0 || !strings.Contains(r.out, "gobuildj: 0 run, 27 cached, 0 up to date, 0 failed in") {
		t.Fatalf("checkout B: exit %d\n%s", r.code, r.out)
	}
	if read(t, filepath.Join(a, "build/mt")) != read(t, filepath.Join(b, "build/mt")) {
		t.Fatal("build/mt differs between the checkouts")
	}
}

// A depfile target is shared through the in-process server too, and one
// whose depfile names a file outside the project runs unshared, saying why
// with --explain and in the summary.
func TestRemoteCacheDepfileSharedOrSaysWhyNot(t *testing.T) {
	s := startFake(t, remotetest.Options{})
	outside := filepath.Join(t.TempDir(), "x.h")
	write(t, outside, "x\n")
	files := map[string]string{
		"a.c": "a\n", "a.h": "h\n",
		"Buildfile.toml": fmt.Sprintf(`default = ["in", "out"]
[remote]
salt = %q

[targets.in]
inputs = ["a.c"]
outputs = ["in.o"]
depfile = "in.d"
cmd = "echo in >> ran.log && cat a.c a.h > in.o && echo 'in.o: a.c a.h' > in.d"

[targets.out]
inputs = ["a.c"]
outputs = ["out.o"]
depfile = "out.d"
cmd = "echo out >> ran.log && cat a.c %s > out.o && echo 'out.o: a.c %s' > out.d"
`, randomSalt(t), outside, outside),
	}
	a, b := project(t, files), project(t, files)
	settle()
	r := gobuildjClean(t, a, []string{"CI=true"}, "--remote-cache", s.Endpoint, "--explain")
	if r.code != 0 || !strings.Contains(r.out, "gobuildj: out: not shared: its depfile names "+outside+", outside the project") ||
		!strings.Contains(r.out, "0 failed, 1 not shared in") {
		t.Fatalf("exit %d\n%s", r.code, r.out)
	}
	r = gobuildjClean(t, b, nil, "--remote-cache", s.Endpoint)
	if r.code != 0 || !strings.Contains(r.out, "gobuildj: 1 run, 1 cached") {
		t.Fatalf("exit %d\n%s", r.code, r.out)
	}
	if ran := ranLog(t, b); !slices.Equal(ran, []string{"out"}) {
		t.Fatalf("ran %v, want [out]", ran)
	}
	if read(t, filepath.Join(b, "in.d")) != "in.o: a.c a.h\n" {
		t.Fatal("the depfile did not come back")
	}
}
