package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// tracedCSources and tracedCGroups size tracedCProject: source i includes
// common.h and g<i % tracedCGroups>.h.
const (
	tracedCSources = 40
	tracedCGroups  = 4
)

// tracedCProject writes a C project of tracedCSources sources compiled
// traced (trace = true) without depfiles, with -Ilocal before -Iinclude
// (local holds no header: the compiler looks there in vain first), and a
// link of them all. Each compilation appends "cc NAME" to ran.log.
func tracedCProject(t *testing.T, dir, salt string) {
	t.Helper()
	write(t, filepath.Join(dir, "local/README"), "headers that override include/\n")
	write(t, filepath.Join(dir, "include/common.h"), "#define COMMON 1\n")
	for g := range tracedCGroups {
		write(t, filepath.Join(dir, fmt.Sprintf("include/g%d.h", g)), fmt.Sprintf("#define GROUP_%d %d\n", g, g+1))
	}
	for i := range tracedCSources {
		g := i % tracedCGroups
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
trace   = true
cmd     = "echo cc ${stem} >> ran.log && cc -O2 -Ilocal -Iinclude -c ${in} -o ${out}"

[targets.app]
deps    = ["obj"]
outputs = ["build/app"]
cmd     = "cc -o ${out} ${deps}"
`, salt))
}

// tracedIncluders returns the ran.log lines of the compilations that
// include g<g>.h, sorted by name.
func tracedIncluders(g int) []string {
	var names []string
	for i := g; i < tracedCSources; i += tracedCGroups {
		names = append(names, fmt.Sprintf("f%d", i))
	}
	slices.Sort(names)
	var out []string
	for _, n := range names {
		out = append(out, "cc", n)
	}
	return out
}

// ranNames returns ranLog's "cc NAME" pairs sorted by name.
func ranNames(t *testing.T, dir string) []string {
	t.Helper()
	f := ranLog(t, dir)
	var names []string
	for i := 1; i < len(f); i += 2 {
		names = append(names, f[i])
	}
	slices.Sort(names)
	var out []string
	for _, n := range names {
		out = append(out, "cc", n)
	}
	return out
}

// assertSameFiles fails unless the build folders of a and b hold the same
// files with the same bytes, want of them.
func assertSameFiles(t *testing.T, a, b string, want int) {
	t.Helper()
	fa, fb := treeUnder(t, filepath.Join(a, "build")), treeUnder(t, filepath.Join(b, "build"))
	if len(fa) != want {
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

// treeUnder returns the files under root with their bytes.
func treeUnder(t *testing.T, root string) map[string]string {
	t.Helper()
	m := map[string]string{}
	err := filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
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

// Traced C compilations without depfiles are shared through a real
// bazel-remote as depfile ones are, through manifests of what their
// commands read and looked for in vain: checkout A builds and uploads,
// checkout B (another path) compiles nothing and gets the same bytes; after
// the same header edit in both, A compiles exactly the includers and B
// nothing; a header made in B where the compiler looked in vain (local/,
// earlier in -I) makes B miss and compile exactly its includers.
func TestIntegrationBazelRemoteSharesTracedCompilations(t *testing.T) {
	endpoint := serverFrom(t, bazelRemoteVar)
	if _, err := exec.LookPath("cc"); err != nil {
		t.Skip("no cc")
	}
	salt := randomSalt(t)
	a, b := t.TempDir(), t.TempDir()
	tracedCProject(t, a, salt)
	tracedCProject(t, b, salt)
	envA := []string{"CI=true", "HOME=" + t.TempDir()}
	envB := []string{"HOME=" + t.TempDir()}
	targets := tracedCSources + 2
	files := tracedCSources + 2
	settle()

	r := gobuildjClean(t, a, envA, "--remote-cache", endpoint, "--explain")
	if r.code != 0 || !strings.Contains(r.out, fmt.Sprintf("gobuildj: %d run, 0 up to date, 0 failed in", targets)) ||
		strings.Contains(r.out, "not shared") {
		t.Fatalf("checkout A: exit %d\n%s", r.code, r.out)
	}
	if got := len(ranLog(t, a)); got != 2*(tracedCSources+1) {
		t.Fatalf("checkout A compiled %d sources, want %d", got/2, tracedCSources+1)
	}

	r = gobuildjClean(t, b, envB, "--remote-cache", endpoint)
	if r.code != 0 || !strings.Contains(r.out, fmt.Sprintf("gobuildj: 0 run, %d cached, 0 up to date, 0 failed in", targets)) {
		t.Fatalf("checkout B: exit %d\n%s", r.code, r.out)
	}
	if ran := ranLog(t, b); len(ran) != 0 {
		t.Fatalf("checkout B compiled %v", ran[:min(len(ran), 10)])
	}
	assertSameFiles(t, a, b, files)
	// The traced lists came back: B knows its headers and is up to date.
	r = gobuildjClean(t, b, envB, "--remote-cache", endpoint)
	if r.code != 0 || !strings.Contains(r.out, fmt.Sprintf("gobuildj: 0 run, %d up to date", targets)) {
		t.Fatalf("checkout B again: exit %d\n%s", r.code, r.out)
	}

	// The same header edit in both.
	const edited = 1
	for _, dir := range []string{a, b} {
		write(t, filepath.Join(dir, fmt.Sprintf("include/g%d.h", edited)), fmt.Sprintf("#define GROUP_%d 77\n", edited))
	}
	settle()
	includers := len(tracedIncluders(edited)) / 2
	r = gobuildjClean(t, a, envA, "--remote-cache", endpoint)
	if r.code != 0 || !strings.Contains(r.out, fmt.Sprintf("gobuildj: %d run, %d up to date", includers+1, targets-includers-1)) {
		t.Fatalf("checkout A after the edit: exit %d\n%s", r.code, r.out)
	}
	if got, want := ranNames(t, a), tracedIncluders(edited); !slices.Equal(got, want) {
		t.Fatalf("checkout A compiled %v after the edit, want the includers %v", got, want)
	}
	r = gobuildjClean(t, b, envB, "--remote-cache", endpoint)
	if r.code != 0 || !strings.Contains(r.out, fmt.Sprintf("gobuildj: 0 run, %d cached, %d up to date", includers+1, targets-includers-1)) {
		t.Fatalf("checkout B after the edit: exit %d\n%s", r.code, r.out)
	}
	if ran := ranLog(t, b); len(ran) != 0 {
		t.Fatalf("checkout B compiled %v after the edit", ran[:min(len(ran), 10)])
	}
	assertSameFiles(t, a, b, files)

	// A header in B where the compiler looked in vain: B's includers of
	// it miss (A's manifest says the path must be absent), compile, and
	// the link follows.
	const shadowed = 2
	write(t, filepath.Join(b, fmt.Sprintf("local/g%d.h", shadowed)), fmt.Sprintf("#define GROUP_%d 99\n", shadowed))
	settle()
	includers = len(tracedIncluders(shadowed)) / 2
	r = gobuildjClean(t, b, envB, "--remote-cache", endpoint)
	if r.code != 0 || !strings.Contains(r.out, fmt.Sprintf("gobuildj: %d run, %d up to date", includers+1, targets-includers-1)) {
		t.Fatalf("checkout B after a shadowing header: exit %d\n%s", r.code, r.out)
	}
	if got, want := ranNames(t, b), tracedIncluders(shadowed); !slices.Equal(got, want) {
		t.Fatalf("checkout B compiled %v after a shadowing header, want its includers %v", got, want)
	}
	f := fmt.Sprintf("f%d.o", shadowed)
	if read(t, filepath.Join(a, "build", f)) == read(t, filepath.Join(b, "build", f)) {
		t.Fatalf("build/%s in B does not use the shadowing header", f)
	}
	r = gobuildjClean(t, b, envB, "--remote-cache", endpoint)
	if r.code != 0 || !strings.Contains(r.out, fmt.Sprintf("gobuildj: 0 run, %d up to date", targets)) || len(ranLog(t, b)) != 0 {
		t.Fatalf("checkout B again: exit %d\n%s", r.code, r.out)
	}
}
