package main

import (
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
)

// goldenProject is a project with a rule (with an exclude and depfiles that
// name a stylesheet), an include, a pool and aliases, built by shell
// commands only.
var goldenProject = map[string]string{
	"Buildfile.toml": `
default = ["all"]
include = ["docs/Buildfile.toml"]

[vars]
log = "echo ${target} >> ran.log"

[pools.serial]
depth = 1

[targets.all]
description = "everything"
deps        = ["book", "docs/index"]

[targets.gen]
description = "GEN ${out}"
inputs      = ["chapters.txt"]
outputs     = ["build/gen.txt"]
cmd         = "${log}; sort ${in} > ${out}"

[rules.page]
foreach     = "src/*.md"
exclude     = ["src/draft-*"]
description = "PAGE ${out}"
deps        = ["gen"]
inputs      = ["${match}"]
outputs     = ["build/${stem}.html"]
depfile     = "build/${stem}.d"
cmd         = ["${log}; cat ${in} style.css build/gen.txt > ${out}", "echo '${out}: ${in} style.css' > build/${stem}.d"]

[targets.book]
description = "BOOK ${out}"
deps        = ["page"]
outputs     = ["build/book.html"]
pool        = "serial"
cmd         = "${log}; cat ${deps} > ${out}"
`,
	"docs/Buildfile.toml": `
[targets.index]
description = "INDEX ${out}"
inputs      = ["*.txt"]
outputs     = ["out/index.txt"]
cmd         = "echo ${target} >> ../ran.log; cat ${in} > ${out}"
`,
	"chapters.txt":     "b\na\n",
	"style.css":        "body {}\n",
	"src/a.md":         "# A\n",
	"src/b.md":         "# B\n",
	"src/draft-c.md":   "# C, unfinished\n",
	"docs/install.txt": "install it\n",
	"docs/usage.txt":   "use it\n",
}

var (
	wallTime = regexp.MustCompile(` in [0-9.]+(µs|ms|s)\b`)
	// timings are the summary's critical path, slowest targets and the
	// doctor's advice: which target is slowest, and whether the build was
	// limited by -j, are the machine's business (a loaded machine gets
	// doctor lines an idle one does not).
	timings = regexp.MustCompile(`(?m)^(gobuildj: critical path: .*|gobuildj: slowest targets:|gobuildj: doctor: .*|\s+[0-9.]+(µs|ms|s)  .*)\n`)
)

// checkGolden compares got with testdata/golden/name, or rewrites that file
// with -update (declared in bad_test.go).
func checkGolden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", "golden", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -run %s -update to create it)", err, t.Name())
	}
	if got != string(want) {
		t.Errorf("%s differs from the golden file:\n--- got\n%s--- want\n%s", name, got, want)
	}
}

func TestGoldenListAndGraph(t *testing.T) {
	dir := project(t, goldenProject)
	for _, c := range []struct {
		name string
		args []string
	}{
		{"list.txt", []string{"list"}},
		{"list-all.txt", []string{"list", "--all"}},
		{"graph.dot", []string{"graph"}},
		{"graph-book.dot", []string{"graph", "book"}},
	} {
		r := mustBuild(t, dir, c.args...)
		checkGolden(t, c.name, r.out)
	}
}

func TestGoldenQuery(t *testing.T) {
	dir := project(t, goldenProject)
	var b strings.Builder
	query := func(target string) {
		r := mustBuild(t, dir, "query", target)
		b.WriteString("$ gobuildj query " + target + "\n" + r.out)
	}
	query("book")
	mustBuild(t, dir)
	query("build/a.html")
	query("page")
	query("docs/index")
	write(t, filepath.Join(dir, "style.css"), "body { margin: 0 }\n")
	query("build/a.html")
	query("book")
	checkGolden(t, "query.txt", b.String())
}

// pageLine is the status line of a page of goldenProject.
var pageLine = regexp.MustCompile(`^\[\d+/\d+\] PAGE (.*)$`)

// samePriorityInOrder sorts each run of consecutive page lines of out by
// page name, keeping their counters where they were, and each run of the
// pages' explanations: the pages are ready at
// once and weigh the same but for the noise in their recorded durations,
// which may order them either way (on a loaded machine a run of one may
// take a rounding step longer than the other's).
func samePriorityInOrder(out string) string {
	lines := strings.Split(out, "\n")
	for i := 0; i < len(lines); {
		j := i
		for j < len(lines) && pageLine.MatchString(lines[j]) {
			j++
		}
		if j == i {
			i++
			continue
		}
		var counters, pages []string
		for _, l := range lines[i:j] {
			counters = append(counters, l[:strings.Index(l, "]")+1])
			pages = append(pages, pageLine.FindStringSubmatch(l)[1])
		}
		sort.Strings(pages)
		for k := range pages {
			lines[i+k] = counters[k] + " PAGE " + pages[k]
		}
		i = j
	}
	// Their explanations, printed as they are queued, come in the same
	// order: sort each run of them too.
	for i := 0; i < len(lines); {
		j := i
		for j < len(lines) && pageExplanation.MatchString(lines[j]) {
			j++
		}
		sort.Strings(lines[i:j])
		i = max(j, i+1)
	}
	return strings.Join(lines, "\n")
}

// pageExplanation is the --explain line of a page of goldenProject.
var pageExplanation = regexp.MustCompile(`^gobuildj explain: build/[a-z]+\.html: `)

func TestGoldenExplain(t *testing.T) {
	dir := project(t, goldenProject)
	var b strings.Builder
	build := func(what string) {
		r := mustBuild(t, dir, "-j1", "--explain")
		b.WriteString("# " + what + "\n" + samePriorityInOrder(timings.ReplaceAllString(wallTime.ReplaceAllString(r.out, " in TIME"), "")))
	}
	build("first build")
	build("again: nothing to do")
	write(t, filepath.Join(dir, "src/a.md"), "# A, edited\n")
	build("a page's source edited")
	write(t, filepath.Join(dir, "style.css"), "body { margin: 0 }\n")
	build("a file the depfiles name edited")
	write(t, filepath.Join(dir, "chapters.txt"), "c\nb\na\n")
	build("the input of a dep of every page edited")
	write(t, filepath.Join(dir, "src/d.md"), "# D\n")
	build("a page added")
	if err := os.Remove(filepath.Join(dir, "build/book.html")); err != nil {
		t.Fatal(err)
	}
	build("an output deleted")
	write(t, filepath.Join(dir, "docs/Buildfile.toml"), strings.Replace(goldenProject["docs/Buildfile.toml"], "cat ${in}", "cat -n ${in}", 1))
	build("a command changed in an included Buildfile")
	write(t, filepath.Join(dir, "chapters.txt"), "a\nc\nb\n")
	build("the input of a dep of every page edited, its sorted output the same")
	checkGolden(t, "explain.txt", b.String())
}
