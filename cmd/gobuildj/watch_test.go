package main

import (
	"bufio"
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// The watch tests drive the real binary and a real fsnotify loop: they
// start `gobuildj watch`, change files as editors do, and read its output
// until the build that the change caused is over. Each command appends its
// target's name to ran.log, so a test checks exactly what ran.

// watchDeadline bounds every wait for watch's output: generous, because the
// machine may be slow and the binary may be built with -race.
const watchDeadline = 90 * time.Second

// watching is a running `gobuildj watch`.
type watching struct {
	t     *testing.T
	dir   string
	cmd   *exec.Cmd
	lines chan string
	mu    sync.Mutex
	all   []string // every line so far, for failure messages
	ended chan struct{}
	code  int // the exit code, once ended is closed
}

// startWatch starts `gobuildj watch args...` in dir, with a short debounce,
// and waits until its first build is over and it watches.
func startWatch(t *testing.T, dir string, args ...string) *watching {
	t.Helper()
	cmd := exec.Command(binary, append([]string{"watch", "--debounce", "200ms"}, args...)...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "CI=true", "NO_COLOR=1", "GITHUB_ACTIONS=")
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = w, w
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	w.Close()
	wt := &watching{t: t, dir: dir, cmd: cmd, lines: make(chan string, 1000), ended: make(chan struct{})}
	go func() {
		sc := bufio.NewScanner(r)
		for sc.Scan() {
			wt.lines <- sc.Text()
		}
		close(wt.lines)
		r.Close()
	}()
	go func() {
		err := cmd.Wait()
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			wt.code = exit.ExitCode()
		}
		close(wt.ended)
	}()
	t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGINT)
		select {
		case <-wt.ended:
		case <-time.After(30 * time.Second):
			cmd.Process.Kill()
		}
	})
	wt.waitFor("gobuildj watch: watching ")
	return wt
}

// next returns the next line of output, failing the test after the
// deadline.
func (w *watching) next(deadline <-chan time.Time, waitingFor string) string {
	w.t.Helper()
	select {
	case line, ok := <-w.lines:
		if !ok {
			w.t.Fatalf("watch ended while waiting for %q; its output:\n%s", waitingFor, w.output())
		}
		w.mu.Lock()
		w.all = append(w.all, line)
		w.mu.Unlock()
		return line
	case <-deadline:
		ran, _ := os.ReadFile(filepath.Join(w.dir, "ran.log"))
		w.t.Fatalf("%q did not come within %s; ran.log: %q; output so far:\n%s", waitingFor, watchDeadline, ran, w.output())
	}
	return ""
}

func (w *watching) output() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return strings.Join(w.all, "\n")
}

// waitFor reads lines until one contains want, and returns the lines read.
func (w *watching) waitFor(want string) []string {
	w.t.Helper()
	deadline := time.After(watchDeadline)
	var got []string
	for {
		line := w.next(deadline, want)
		got = append(got, line)
		if strings.Contains(line, want) {
			return got
		}
	}
}

var summaryLine = regexp.MustCompile(`^gobuildj: \d+ run`)

// cycle reads one build: its header, which must name each of changed,
// through its summary line. It returns the build's lines.
func (w *watching) cycle(changed ...string) []string {
	w.t.Helper()
	deadline := time.After(watchDeadline)
	var lines []string
	for {
		line := w.next(deadline, "a build's header")
		if strings.HasPrefix(line, "gobuildj watch: ") && strings.Contains(line, " changed") {
			lines = append(lines, line)
			break
		}
		if strings.HasPrefix(line, "gobuildj") && !timingLine(line) {
			w.t.Fatalf("unexpected line before a build's header: %q; output:\n%s", line, w.output())
		}
	}
	for _, c := range changed {
		if !strings.Contains(lines[0], " "+c) {
			w.t.Fatalf("the build's header %q does not name %s; output:\n%s", lines[0], c, w.output())
		}
	}
	for {
		line := w.next(deadline, "the build's summary")
		lines = append(lines, line)
		if summaryLine.MatchString(line) {
			return lines
		}
	}
}

// waitSummary reads lines through the next summary line.
func (w *watching) waitSummary() []string {
	w.t.Helper()
	deadline := time.After(watchDeadline)
	var lines []string
	for {
		line := w.next(deadline, "a summary")
		lines = append(lines, line)
		if summaryLine.MatchString(line) {
			return lines
		}
	}
}

// quiet fails the test if watch prints anything but the end of the last
// summary (its critical path and slowest targets) for d: no build starts.
func (w *watching) quiet(d time.Duration) {
	w.t.Helper()
	deadline := time.After(d)
	for {
		select {
		case line, ok := <-w.lines:
			if !ok {
				w.t.Fatalf("watch ended; output:\n%s", w.output())
			}
			w.mu.Lock()
			w.all = append(w.all, line)
			w.mu.Unlock()
			if !timingLine(line) {
				w.t.Fatalf("watch printed %q when nothing had changed; output:\n%s", line, w.output())
			}
		case <-deadline:
			return
		}
	}
}

// timingLine reports whether line belongs to the timings printed after a
// summary.
func timingLine(line string) bool {
	return strings.HasPrefix(line, "gobuildj: critical path") || strings.HasPrefix(line, "gobuildj: slowest") ||
		strings.HasPrefix(line, " ")
}

// stop interrupts watch and returns its exit code.
func (w *watching) stop() int {
	w.t.Helper()
	w.cmd.Process.Signal(syscall.SIGINT)
	deadline := time.After(watchDeadline)
	for {
		select {
		case <-w.ended:
			return w.code
		case line, ok := <-w.lines:
			if ok {
				w.mu.Lock()
				w.all = append(w.all, line)
				w.mu.Unlock()
			}
		case <-deadline:
			w.t.Fatalf("watch did not end after SIGINT; output:\n%s", w.output())
		}
	}
}

// summaryOf returns the summary line of a build's lines.
func summaryOf(lines []string) string { return lines[len(lines)-1] }

// watched is a project of three targets with logs: gen reads src.txt,
// upper reads gen's output, docs reads docs/*.md; other reads other.txt.
const watched = `
default = ["all"]

[vars]
log = "echo ${target} >> ran.log"

[targets.all]
deps = ["upper", "docs", "other"]

[targets.gen]
description = "GEN ${out}"
inputs  = ["src.txt"]
outputs = ["build/gen.txt"]
cmd     = ["${log}", "grep -v '^#' ${in} > ${out}"]

[targets.upper]
deps    = ["gen"]
outputs = ["build/upper.txt"]
cmd     = "${log}; tr a-z A-Z < ${deps} > ${out}"

[targets.docs]
inputs  = ["docs/*.md"]
outputs = ["build/docs.txt"]
cmd     = "${log}; cat ${in} > ${out}"

[targets.other]
inputs  = ["other.txt"]
outputs = ["build/other.txt"]
cmd     = "${log}; cp ${in} ${out}"
`

func watchedProject(t *testing.T) string {
	return project(t, map[string]string{
		"Buildfile.toml": watched, "src.txt": "hello\n", "docs/a.md": "a\n", "other.txt": "x\n",
	})
}

func TestWatchFirstBuild(t *testing.T) {
	dir := watchedProject(t)
	mustBuild(t, dir, "gen")
	assertRan(t, dir, "gen")
	w := startWatch(t, dir)
	assertRan(t, dir, "upper", "docs", "other") // gen was up to date
	if got := read(t, filepath.Join(dir, "build/upper.txt")); got != "HELLO\n" {
		t.Errorf("build/upper.txt = %q", got)
	}
	if code := w.stop(); code != 0 {
		t.Errorf("exit code %d after Ctrl-C with no build running, want 0", code)
	}
	// The state on disk is a plain build's: nothing to do.
	r := mustBuild(t, dir)
	assertRan(t, dir)
	if !strings.Contains(r.out, "0 run, 4 up to date") {
		t.Errorf("a plain build after watch:\n%s", r.out)
	}
}

func TestWatchInPlaceEdit(t *testing.T) {
	dir := watchedProject(t)
	w := startWatch(t, dir, "--explain")
	ranLog(t, dir)
	write(t, filepath.Join(dir, "src.txt"), "hello world\n")
	lines := w.cycle("src.txt")
	assertRan(t, dir, "gen", "upper")
	out := strings.Join(lines, "\n")
	for _, want := range []string{"gen: input src.txt changed", "upper: dep gen rebuilt with new outputs", "2 run, 2 up to date, 0 failed"} {
		if !strings.Contains(out, want) {
			t.Errorf("the build should say %q:\n%s", want, out)
		}
	}
	if got := read(t, filepath.Join(dir, "build/upper.txt")); got != "HELLO WORLD\n" {
		t.Errorf("build/upper.txt = %q", got)
	}
	// A comment: gen runs, its output is the same, upper is cut off.
	write(t, filepath.Join(dir, "src.txt"), "# a comment\nhello world\n")
	lines = w.cycle("src.txt")
	assertRan(t, dir, "gen")
	if s := summaryOf(lines); !strings.Contains(s, "1 run, 3 up to date") {
		t.Errorf("summary after a comment: %s", s)
	}
	write(t, filepath.Join(dir, "other.txt"), "y\n")
	w.cycle("other.txt")
	assertRan(t, dir, "other")
	w.stop()
	r := mustBuild(t, dir)
	assertRan(t, dir)
	if !strings.Contains(r.out, "0 run, 4 up to date") {
		t.Errorf("a plain build after watch:\n%s", r.out)
	}
}

func TestWatchRenameSave(t *testing.T) {
	dir := watchedProject(t)
	w := startWatch(t, dir)
	ranLog(t, dir)
	src := filepath.Join(dir, "src.txt")
	// JetBrains and VS Code: write a temporary file, move it over.
	write(t, filepath.Join(dir, "src.txt.tmp"), "saved by rename\n")
	if err := os.Rename(filepath.Join(dir, "src.txt.tmp"), src); err != nil {
		t.Fatal(err)
	}
	w.cycle("src.txt")
	assertRan(t, dir, "gen", "upper")
	// vim: move the original to a backup, write a new file, drop the
	// backup; the probe file 4913 and the swap file come and go.
	write(t, filepath.Join(dir, "4913"), "")
	os.Remove(filepath.Join(dir, "4913"))
	write(t, filepath.Join(dir, ".src.txt.swp"), "swap")
	if err := os.Rename(src, src+"~"); err != nil {
		t.Fatal(err)
	}
	write(t, src, "saved by vim\n")
	os.Remove(src + "~")
	lines := w.cycle("src.txt")
	assertRan(t, dir, "gen", "upper")
	if strings.Contains(lines[0], "swp") || strings.Contains(lines[0], "4913") || strings.Contains(lines[0], "~") {
		t.Errorf("editor files in the header: %s", lines[0])
	}
	if got := read(t, filepath.Join(dir, "build/upper.txt")); got != "SAVED BY VIM\n" {
		t.Errorf("build/upper.txt = %q", got)
	}
	// The folder's watch survived both saves.
	write(t, src, "third\n")
	w.cycle("src.txt")
	assertRan(t, dir, "gen", "upper")
}

func TestWatchTouchRunsNothing(t *testing.T) {
	dir := watchedProject(t)
	w := startWatch(t, dir)
	ranLog(t, dir)
	later := time.Now().Add(time.Minute)
	if err := os.Chtimes(filepath.Join(dir, "src.txt"), later, later); err != nil {
		t.Fatal(err)
	}
	lines := w.cycle("src.txt")
	assertRan(t, dir)
	if s := summaryOf(lines); !strings.Contains(s, "0 run, 4 up to date, 0 failed") {
		t.Errorf("summary after a touch: %s", s)
	}
}

func TestWatchNewFileMatchingAGlob(t *testing.T) {
	const bf = watched + `
[rules.shout]
foreach = "words/*.txt"
outputs = ["build/shout/${stem}.txt"]
inputs  = ["${match}"]
cmd     = "echo ${stem} >> ran.log; tr a-z A-Z < ${in} > ${out}"
`
	dir := project(t, map[string]string{
		"Buildfile.toml": strings.Replace(bf, `deps = ["upper", "docs", "other"]`, `deps = ["upper", "docs", "other", "shout"]`, 1),
		"src.txt":        "hello\n", "docs/a.md": "a\n", "other.txt": "x\n", "words/one.txt": "one\n",
	})
	w := startWatch(t, dir)
	assertRan(t, dir, "gen", "upper", "docs", "other", "one")
	write(t, filepath.Join(dir, "docs/b.md"), "b\n")
	w.cycle("docs/b.md")
	assertRan(t, dir, "docs")
	if got := read(t, filepath.Join(dir, "build/docs.txt")); got != "a\nb\n" {
		t.Errorf("build/docs.txt = %q", got)
	}
	// A new file of a rule's foreach adds a target: it alone runs.
	write(t, filepath.Join(dir, "words/two.txt"), "two\n")
	w.cycle("words/two.txt")
	assertRan(t, dir, "two")
	if got := read(t, filepath.Join(dir, "build/shout/two.txt")); got != "TWO\n" {
		t.Errorf("build/shout/two.txt = %q", got)
	}
	// A new folder under a recursive glob, made with its file at once.
	w.stop()
	const deep = `
[targets.all]
deps = ["notes"]

[targets.notes]
inputs  = ["notes/**/*.md"]
outputs = ["build/notes.txt"]
cmd     = "echo notes >> ran.log; cat ${in} > ${out}"
`
	dir = project(t, map[string]string{"Buildfile.toml": deep, "notes/a.md": "a\n"})
	w = startWatch(t, dir)
	assertRan(t, dir, "notes")
	write(t, filepath.Join(dir, "notes/x/y/b.md"), "b\n")
	w.cycle("notes/x/y/b.md")
	assertRan(t, dir, "notes")
	write(t, filepath.Join(dir, "notes/x/y/b.md"), "b2\n") // the new folder is watched
	w.cycle("notes/x/y/b.md")
	assertRan(t, dir, "notes")
	if got := read(t, filepath.Join(dir, "build/notes.txt")); got != "a\nb2\n" {
		t.Errorf("build/notes.txt = %q", got)
	}
}

func TestWatchDeletedInput(t *testing.T) {
	dir := project(t, map[string]string{
		"Buildfile.toml": watched, "src.txt": "hello\n", "docs/a.md": "a\n", "docs/b.md": "b\n", "other.txt": "x\n",
	})
	w := startWatch(t, dir)
	ranLog(t, dir)
	// A file of a glob goes: the target runs without it.
	if err := os.Remove(filepath.Join(dir, "docs/a.md")); err != nil {
		t.Fatal(err)
	}
	w.cycle("docs/a.md")
	assertRan(t, dir, "docs")
	if got := read(t, filepath.Join(dir, "build/docs.txt")); got != "b\n" {
		t.Errorf("build/docs.txt = %q", got)
	}
	// A named input goes: an error, as a plain build gives, and nothing
	// runs; it comes back with other content: what reads it runs.
	if err := os.Remove(filepath.Join(dir, "other.txt")); err != nil {
		t.Fatal(err)
	}
	lines := w.waitFor("still watching")
	if out := strings.Join(lines, "\n"); !strings.Contains(out, `"other.txt" does not exist`) || !strings.Contains(out, "Buildfile.toml") {
		t.Errorf("the missing input is not reported as a plain build does:\n%s", out)
	}
	assertRan(t, dir)
	write(t, filepath.Join(dir, "other.txt"), "back\n")
	w.cycle("other.txt")
	assertRan(t, dir, "other")
	if got := read(t, filepath.Join(dir, "build/other.txt")); got != "back\n" {
		t.Errorf("build/other.txt = %q", got)
	}
}

func TestWatchDeletedOrEditedOutput(t *testing.T) {
	dir := watchedProject(t)
	w := startWatch(t, dir)
	ranLog(t, dir)
	// What the commands wrote is no change: no build follows a build.
	w.quiet(time.Second)
	// An output deleted by hand: its target runs again; what reads it is
	// cut off, the output being the same.
	if err := os.Remove(filepath.Join(dir, "build/gen.txt")); err != nil {
		t.Fatal(err)
	}
	lines := w.cycle("build/gen.txt")
	assertRan(t, dir, "gen")
	if s := summaryOf(lines); !strings.Contains(s, "1 run, 3 up to date, 0 failed") {
		t.Errorf("summary after a deleted output: %s", s)
	}
	w.quiet(time.Second)
	// An output edited by hand: its target puts it back.
	write(t, filepath.Join(dir, "build/other.txt"), "edited\n")
	w.cycle("build/other.txt")
	assertRan(t, dir, "other")
	if got := read(t, filepath.Join(dir, "build/other.txt")); got != "x\n" {
		t.Errorf("build/other.txt = %q after its target ran again", got)
	}
	// An output touched: its hash is the same, nothing runs.
	later := time.Now().Add(time.Minute)
	if err := os.Chtimes(filepath.Join(dir, "build/docs.txt"), later, later); err != nil {
		t.Fatal(err)
	}
	lines = w.cycle("build/docs.txt")
	assertRan(t, dir)
	if s := summaryOf(lines); !strings.Contains(s, "0 run, 4 up to date, 0 failed") {
		t.Errorf("summary after a touched output: %s", s)
	}
	// The whole build folder removed: everything runs again, once.
	if err := os.RemoveAll(filepath.Join(dir, "build")); err != nil {
		t.Fatal(err)
	}
	w.cycle("build/")
	assertRan(t, dir, "docs", "gen", "other", "upper")
	w.quiet(time.Second)
	if code := w.stop(); code != 0 {
		t.Errorf("exit code %d", code)
	}
	r := mustBuild(t, dir)
	assertRan(t, dir)
	if !strings.Contains(r.out, "0 run, 4 up to date") {
		t.Errorf("a plain build after watch:\n%s", r.out)
	}
}

func TestWatchBrokenThenFixedBuildfile(t *testing.T) {
	dir := watchedProject(t)
	w := startWatch(t, dir)
	ranLog(t, dir)
	bf := filepath.Join(dir, "Buildfile.toml")
	write(t, bf, watched+"\n[targets.broken\n")
	lines := w.waitFor("still watching with the last good one")
	out := strings.Join(lines, "\n")
	if !strings.Contains(out, "Buildfile.toml changed\ngobuildj: error: ") {
		t.Errorf("no header before the error:\n%s", out)
	}
	if !regexp.MustCompile(`Buildfile\.toml:\d+:\d+: `).MatchString(out) {
		t.Errorf("the error does not name file:line:column:\n%s", out)
	}
	// The last good graph is still built.
	write(t, filepath.Join(dir, "other.txt"), "y\n")
	w.cycle("other.txt")
	assertRan(t, dir, "other")
	// Fixed, with upper's command changed: upper alone runs.
	write(t, bf, strings.Replace(watched, "tr a-z A-Z", "tr a-z A-Z | tr -d ' '", 1))
	lines = w.cycle("Buildfile.toml")
	assertRan(t, dir, "upper")
	if s := summaryOf(lines); !strings.Contains(s, "1 run, 3 up to date") {
		t.Errorf("summary after the fix: %s", s)
	}
	// A Buildfile saved unchanged runs nothing.
	write(t, bf, strings.Replace(watched, "tr a-z A-Z", "tr a-z A-Z | tr -d ' '", 1))
	lines = w.cycle("Buildfile.toml")
	assertRan(t, dir)
	if s := summaryOf(lines); !strings.Contains(s, "0 run, 4 up to date") {
		t.Errorf("summary after an unchanged save: %s", s)
	}
}

func TestWatchChangeDuringBuild(t *testing.T) {
	// slow sleeps while slow.txt says so; other waits for the file
	// go.flag. The test changes slow.txt while both run: slow is stopped
	// and runs again, other finishes once and is not run again.
	const bf = `
[targets.all]
deps = ["slow", "other"]

[targets.slow]
inputs  = ["slow.txt"]
outputs = ["build/slow.txt"]
cmd     = "echo slow-start >> ran.log; if grep -q sleep slow.txt; then echo slow-sleeps >> ran.log; sleep 424242; fi; cp slow.txt ${out}; echo slow-end >> ran.log"

[targets.other]
inputs  = ["other.txt"]
outputs = ["build/other.txt"]
cmd     = "echo other-start >> ran.log; if grep -q wait other.txt; then while [ ! -f go.flag ]; do sleep 0.05; done; fi; cp other.txt ${out}; echo other-end >> ran.log"
`
	dir := project(t, map[string]string{"Buildfile.toml": bf, "slow.txt": "fast\n", "other.txt": "go\n"})
	w := startWatch(t, dir, "-j2")
	ranLog(t, dir)
	write(t, filepath.Join(dir, "slow.txt"), "sleep\n")
	write(t, filepath.Join(dir, "other.txt"), "wait\n")
	// Both run now, slow past its test of slow.txt.
	deadline := time.Now().Add(watchDeadline)
	for {
		b, _ := os.ReadFile(filepath.Join(dir, "ran.log"))
		if strings.Contains(string(b), "slow-sleeps") && strings.Contains(string(b), "other-start") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("slow and other did not start; ran.log %q; output:\n%s", b, w.output())
		}
		time.Sleep(20 * time.Millisecond)
	}
	write(t, filepath.Join(dir, "slow.txt"), "done\n")
	w.waitFor("RESTARTED: slow")
	write(t, filepath.Join(dir, "go.flag"), "")
	lines := w.waitSummary()
	out := strings.Join(lines, "\n")
	if s := summaryOf(lines); !strings.Contains(s, "2 run, 0 up to date, 0 failed, 1 restarted") {
		t.Errorf("summary %q, want 2 run (slow, other), 1 restarted (slow); output:\n%s", s, w.output())
	}
	got := ranLog(t, dir)
	count := map[string]int{}
	for _, g := range got {
		count[g]++
	}
	if count["slow-start"] != 2 || count["slow-sleeps"] != 1 || count["slow-end"] != 1 || count["other-start"] != 1 || count["other-end"] != 1 {
		t.Errorf("ran.log %v: want slow started twice (sleeping once) and ended once, other started and ended once\n%s", got, out)
	}
	if got := read(t, filepath.Join(dir, "build/slow.txt")); got != "done\n" {
		t.Errorf("build/slow.txt = %q", got)
	}
	assertNoStrays(t, "sleep 424242")
	w.stop()
	r := mustBuild(t, dir)
	if !strings.Contains(r.out, "0 run, 2 up to date") {
		t.Errorf("a plain build after watch:\n%s", r.out)
	}
}

func TestWatchInterruptStopsTheBuild(t *testing.T) {
	const bf = `
[targets.all]
inputs = ["in.txt"]
cmd    = "echo started >> ran.log; if grep -q sleep in.txt; then sleep 434343; fi"
`
	dir := project(t, map[string]string{"Buildfile.toml": bf, "in.txt": "x\n"})
	w := startWatch(t, dir, "--kill-grace", "1s")
	ranLog(t, dir)
	write(t, filepath.Join(dir, "in.txt"), "sleep\n")
	waitForFile(t, filepath.Join(dir, "ran.log"), watchDeadline)
	if code := w.stop(); code != exitInterrupted {
		t.Errorf("exit code %d, want %d; output:\n%s", code, exitInterrupted, w.output())
	}
	assertNoStrays(t, "sleep 434343")
	if out := w.output(); !strings.Contains(out, "(interrupted)") {
		t.Errorf("the summary does not say the build was interrupted:\n%s", out)
	}
}

func TestWatchDepfileInputs(t *testing.T) {
	// The command names, in its depfile, a header in another folder that
	// the Buildfile does not list: editing it reruns the command.
	const bf = `
[targets.all]
inputs  = ["main.c"]
outputs = ["build/main.o"]
depfile = "build/main.d"
cmd     = "echo cc >> ran.log; cat main.c include/defs.h > ${out}; echo 'build/main.o: main.c include/defs.h' > build/main.d"
`
	dir := project(t, map[string]string{"Buildfile.toml": bf, "main.c": "int main;\n", "include/defs.h": "#define X 1\n"})
	w := startWatch(t, dir)
	assertRan(t, dir, "cc")
	write(t, filepath.Join(dir, "include/defs.h"), "#define X 2\n")
	w.cycle("include/defs.h")
	assertRan(t, dir, "cc")
	if got := read(t, filepath.Join(dir, "build/main.o")); got != "int main;\n#define X 2\n" {
		t.Errorf("build/main.o = %q", got)
	}
}

func TestWatchUsage(t *testing.T) {
	dir := watchedProject(t)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"watch", "nosuch"}, `unknown target "nosuch"`},
		{[]string{"watch", "--debounce", "0s"}, "--debounce 0s: expected a positive duration"},
		{[]string{"watch", "-j", "0"}, "-j 0"},
	} {
		r := gobuildj(t, dir, tc.args...)
		if r.code != exitUsage || !strings.Contains(r.out, tc.want) {
			t.Errorf("gobuildj %v: exit %d, output %q; want exit %d and %q", tc.args, r.code, r.out, exitUsage, tc.want)
		}
	}
	// No good Buildfile yet: watch ends as a build does, having run and
	// written nothing.
	broken := project(t, map[string]string{"Buildfile.toml": "[targets.a\ncmd = \"echo ${target} >> ran.log\"\n"})
	r := gobuildj(t, broken, "watch")
	if r.code != exitUsage || !strings.Contains(r.out, "Buildfile.toml:1:") {
		t.Errorf("watch of a broken Buildfile: exit %d, output %q; want exit %d and its file:line", r.code, r.out, exitUsage)
	}
	assertRan(t, broken)
	if _, err := os.Stat(filepath.Join(broken, ".gobuildj")); !os.IsNotExist(err) {
		t.Errorf("watch of a broken Buildfile wrote .gobuildj: %v", err)
	}
	r = mustBuild(t, dir, "watch", "--help")
	for _, want := range []string{"--debounce", "--clear", "SIGTERM", "joins it", "exit code 2"} {
		if !strings.Contains(r.out, want) {
			t.Errorf("watch --help lacks %q", want)
		}
	}
}

func TestWatchOnTerminal(t *testing.T) {
	// On a terminal, --clear clears the screen before each build, and the
	// live line shows how many commands run and the time left, from the
	// duration the last run of the target recorded.
	const bf = `
[targets.all]
inputs  = ["in.txt"]
outputs = ["out.txt"]
cmd     = "sleep 1; cp in.txt out.txt"
`
	dir := project(t, map[string]string{"Buildfile.toml": bf, "in.txt": "1\n"})
	mustBuild(t, dir) // records how long the command takes
	master, tty := openPTY(t)
	defer master.Close()
	var mu sync.Mutex
	var out bytes.Buffer
	go func() {
		buf := make([]byte, 4096)
		for {
			n, err := master.Read(buf)
			mu.Lock()
			out.Write(buf[:n])
			mu.Unlock()
			if err != nil {
				return
			}
		}
	}()
	so := func() string { mu.Lock(); defer mu.Unlock(); return out.String() }
	waitOut := func(want string) {
		t.Helper()
		deadline := time.Now().Add(watchDeadline)
		for !strings.Contains(so(), want) {
			if time.Now().After(deadline) {
				t.Fatalf("%q did not appear on the terminal:\n%q", want, so())
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	cmd := exec.Command(binary, "watch", "--clear", "--debounce", "100ms")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "CI=", "NO_COLOR=1", "GITHUB_ACTIONS=", "TERM=xterm")
	cmd.Stdout, cmd.Stderr = tty, tty
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	tty.Close()
	defer func() {
		cmd.Process.Signal(syscall.SIGINT)
		cmd.Wait()
	}()
	waitOut("gobuildj watch: watching")
	write(t, filepath.Join(dir, "in.txt"), "2\n")
	waitOut("gobuildj: 1 run")
	got := so()
	for _, want := range []string{"\x1b[H\x1b[2J", "in.txt changed", "\r[0/1] all | 1 running, ETA "} {
		if !strings.Contains(got, want) {
			t.Errorf("the terminal did not get %q:\n%q", want, got)
		}
	}
}

func TestWatchAfterAFailureWithAPoolJobWaiting(t *testing.T) {
	// With -j1, bad runs while p (pool depth 1) waits; bad fails, which
	// stops the build with p waiting. Fixed and changed, the next build
	// must run both: no slot of the pool is lost by the stop.
	dir := project(t, map[string]string{
		"Buildfile.toml": `
[pools.link]
depth = 1
[targets.all]
deps = ["bad", "p"]
[targets.bad]
inputs  = ["bad.txt"]
outputs = ["out/bad"]
cmd     = "sleep 0.3; grep -q ok bad.txt && cp bad.txt out/bad"
[targets.p]
inputs  = ["p.txt"]
outputs = ["out/p"]
cmd     = "cp p.txt out/p"
pool    = "link"
`,
		"bad.txt": "no\n", "p.txt": "1\n",
	})
	w := startWatch(t, dir, "-j1")
	if s := w.output(); !strings.Contains(s, "1 failed") {
		t.Fatalf("the first build should fail; output:\n%s", s)
	}
	write(t, filepath.Join(dir, "bad.txt"), "ok\n")
	write(t, filepath.Join(dir, "p.txt"), "2\n")
	// The second build takes 0.3 s; give it 20 s, not watch's usual
	// deadline: a lost slot makes it wait forever.
	deadline := time.After(20 * time.Second)
	for {
		line := w.next(deadline, "the second build's summary")
		if summaryLine.MatchString(line) {
			if !strings.HasPrefix(line, "gobuildj: 2 run") || !strings.Contains(line, " 0 failed") {
				t.Fatalf("second build: %q, want bad and p run; output:\n%s", line, w.output())
			}
			break
		}
	}
	if got, _ := os.ReadFile(filepath.Join(dir, "out/p")); string(got) != "2\n" {
		t.Errorf("out/p = %q, want the new p.txt", got)
	}
}

// Outputs that are hard links of one file (a multi-call binary and its
// names) are not taken for files changed by hand: each ln changes the
// shared file's ctime, after the target that wrote it ended or while its
// own command runs, and that is no edit. No build follows a build, and a
// summary counts each target once.
func TestWatchHardLinkedOutputs(t *testing.T) {
	const bf = `
default = ["names"]
[targets.bin]
inputs  = ["src.txt"]
outputs = ["bin/git", "bin/git-add"]
cmd     = "echo ${target} >> ran.log; cp src.txt bin/git; ln -f bin/git bin/git-add"
[targets.names]
deps    = ["bin"]
outputs = ["bin/git-commit", "bin/git-log"]
cmd     = "echo ${target} >> ran.log; ln -f bin/git bin/git-commit; ln -f bin/git bin/git-log"
`
	dir := project(t, map[string]string{"Buildfile.toml": bf, "src.txt": "v1\n", "bin/.keep": ""})
	w := startWatch(t, dir)
	assertRan(t, dir, "bin", "names")
	w.quiet(time.Second)
	write(t, filepath.Join(dir, "src.txt"), "v2\n")
	lines := w.cycle("src.txt")
	assertRan(t, dir, "bin", "names")
	if s := summaryOf(lines); !strings.Contains(s, "2 run, 0 up to date, 0 failed") {
		t.Errorf("summary: %s", s)
	}
	w.quiet(time.Second)
	if got := read(t, filepath.Join(dir, "bin/git-log")); got != "v2\n" {
		t.Errorf("bin/git-log = %q", got)
	}
	if code := w.stop(); code != 0 {
		t.Errorf("exit code %d", code)
	}
}
