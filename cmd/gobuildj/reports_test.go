package main

import (
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

// cProject copies testdata/cproject (a small C program: three objects, a
// library, a link, a test) into a new folder. With broken set, src/util.c
// loses a semicolon (line 10), so that util_o fails with a compiler
// diagnostic. It skips the test when there is no C compiler.
func cProject(t *testing.T, broken bool) string {
	t.Helper()
	if _, err := exec.LookPath("cc"); err != nil {
		t.Skip("no C compiler (cc) to build testdata/cproject")
	}
	dir := t.TempDir()
	src := filepath.Join("testdata", "cproject")
	err := filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, path)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dir, rel), 0o755)
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dir, rel), b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	if broken {
		path := filepath.Join(dir, "src", "util.c")
		b := strings.Replace(read(t, path), "buf[i] = '\\0';", "buf[i] = '\\0'", 1)
		write(t, path, b)
	}
	return dir
}

// junitDoc is a JUnit file as a test reporter reads it.
type junitDoc struct {
	Tests    int `xml:"tests,attr"`
	Failures int `xml:"failures,attr"`
	Skipped  int `xml:"skipped,attr"`
	Cases    []struct {
		Name      string `xml:"name,attr"`
		Classname string `xml:"classname,attr"`
		Time      string `xml:"time,attr"`
		Failure   *struct {
			Message string `xml:"message,attr"`
			Text    string `xml:",chardata"`
		} `xml:"failure"`
		Skipped *struct {
			Message string `xml:"message,attr"`
		} `xml:"skipped"`
	} `xml:"testsuite>testcase"`
}

// traceDoc is a Chrome trace as a viewer reads it.
type traceDoc struct {
	TraceEvents []struct {
		Name string         `json:"name"`
		Ph   string         `json:"ph"`
		Ts   float64        `json:"ts"`
		Dur  float64        `json:"dur"`
		Tid  int            `json:"tid"`
		Args map[string]any `json:"args"`
	} `json:"traceEvents"`
}

func readTrace(t *testing.T, path string) traceDoc {
	t.Helper()
	var tr traceDoc
	if err := json.Unmarshal([]byte(read(t, path)), &tr); err != nil {
		t.Fatalf("%s is not JSON: %v", path, err)
	}
	return tr
}

func TestReportFilesAreCheckedBeforeTheBuild(t *testing.T) {
	dir := cProject(t, false)
	r := gobuildj(t, dir, "--junit", "no/such/folder/junit.xml")
	if r.code != 2 || !strings.Contains(r.out, "--junit no/such/folder/junit.xml: ") {
		t.Fatalf("exit code %d, want 2 and the flag named; output:\n%s", r.code, r.out)
	}
	if _, err := os.Stat(filepath.Join(dir, "build")); err == nil {
		t.Errorf("a command ran before the bad report path was found")
	}
	r = mustBuild(t, dir, "-n", "--junit", "junit.xml", "--trace", "trace.json", "--report", "report.html")
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if e.Name() != "Buildfile.toml" && e.Name() != "src" && e.Name() != "include" && e.Name() != "tests" {
			t.Errorf("-n left %s behind", e.Name())
		}
	}
}

func TestJUnitAndTraceOfAFailedBuild(t *testing.T) {
	dir := cProject(t, true)
	r := gobuildj(t, dir, "-k", "-j2", "--junit", "junit.xml", "--trace", "trace.json")
	if r.code != 1 {
		t.Fatalf("exit code %d, want 1; output:\n%s", r.code, r.out)
	}

	var doc junitDoc
	if err := xml.Unmarshal([]byte(read(t, filepath.Join(dir, "junit.xml"))), &doc); err != nil {
		t.Fatalf("junit.xml: %v", err)
	}
	if doc.Tests != 6 || doc.Failures != 1 || doc.Skipped != 3 {
		t.Errorf("junit totals: %d tests, %d failures, %d skipped; want 6, 1, 3", doc.Tests, doc.Failures, doc.Skipped)
	}
	got := map[string]string{}
	for _, c := range doc.Cases {
		if c.Classname != "." {
			t.Errorf("%s: classname %q, want the Buildfile's folder, %q", c.Name, c.Classname, ".")
		}
		switch {
		case c.Failure != nil:
			got[c.Name] = "failed: " + c.Failure.Message
			if !strings.Contains(c.Failure.Text, "cc -O2 -Wall -Iinclude -c src/util.c -o build/util.o\n") ||
				!regexp.MustCompile(`src/util\.c:\d+:\d+: error: `).MatchString(c.Failure.Text) {
				t.Errorf("util_o failure text lacks the command or the compiler's error:\n%s", c.Failure.Text)
			}
		case c.Skipped != nil:
			got[c.Name] = "skipped: " + c.Skipped.Message
		default:
			got[c.Name] = "passed"
			if secs, err := time.ParseDuration(c.Time + "s"); err != nil || secs <= 0 {
				t.Errorf("%s: time %q, want its duration in seconds", c.Name, c.Time)
			}
		}
	}
	want := map[string]string{
		"main_o":  "passed",
		"greet_o": "passed",
		"util_o":  "failed: exit code 1",
		"lib":     "skipped: blocked: dep util_o failed",
		"app":     "skipped: blocked: dep lib did not run: util_o failed",
		"test":    "skipped: blocked: dep app did not run: util_o failed",
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("junit testcases:\n got %v\nwant %v", got, want)
	}

	tr := readTrace(t, filepath.Join(dir, "trace.json"))
	var commands []string
	for _, ev := range tr.TraceEvents {
		if ev.Ph == "X" {
			commands = append(commands, ev.Name)
			if ev.Name == "util_o" && ev.Args["status"] != "failed: exit code 1" {
				t.Errorf("util_o status in the trace: %v", ev.Args["status"])
			}
		}
	}
	slices.Sort(commands)
	if fmt.Sprint(commands) != "[greet_o main_o util_o]" {
		t.Errorf("trace complete events %v, want one per command run", commands)
	}
}

func TestTraceOfAGoodBuild(t *testing.T) {
	dir := cProject(t, false)
	mustBuild(t, dir, "-j2", "--trace", "trace.json")
	tr := readTrace(t, filepath.Join(dir, "trace.json"))
	perTarget := map[string]int{}
	tids := map[int]bool{}
	tracks := map[int]string{}
	counters := 0
	for _, ev := range tr.TraceEvents {
		switch ev.Ph {
		case "X":
			perTarget[ev.Name]++
			tids[ev.Tid] = true
			if ev.Dur <= 0 || ev.Ts < 0 || ev.Args["cache"] != "miss: no previous run" || ev.Args["target"] != ev.Name {
				t.Errorf("event %s: ts %v dur %v args %v", ev.Name, ev.Ts, ev.Dur, ev.Args)
			}
		case "M":
			if ev.Name == "thread_name" {
				tracks[ev.Tid] = ev.Args["name"].(string)
			}
		case "C":
			counters++
			if ev.Args["running"].(float64) > 2 {
				t.Errorf("running counter %v above -j2", ev.Args["running"])
			}
		}
	}
	if len(perTarget) != 6 {
		t.Errorf("complete events for %v, want the 6 commands", perTarget)
	}
	for target, n := range perTarget {
		if n != 1 {
			t.Errorf("%d complete events for %s, want 1", n, target)
		}
	}
	if len(tids) < 1 || len(tids) > 2 {
		t.Errorf("commands on %d tracks, want one per worker (at most 2)", len(tids))
	}
	for tid := range tids {
		if !strings.HasPrefix(tracks[tid], fmt.Sprintf("worker %d (pid ", tid)) {
			t.Errorf("track %d is named %q", tid, tracks[tid])
		}
	}
	if counters != 2+2*6 {
		t.Errorf("%d counter samples, want one at each start and end and two more", counters)
	}

	// a no-op build traces nothing but still writes a valid file
	mustBuild(t, dir, "--trace", "trace.json")
	for _, ev := range readTrace(t, filepath.Join(dir, "trace.json")).TraceEvents {
		if ev.Ph == "X" {
			t.Errorf("a no-op build traced %s", ev.Name)
		}
	}
}

func TestReportsOfAnInterruptedBuild(t *testing.T) {
	const bf = `
[targets.a]
cmd = "echo started > a.started; sleep 315"
[targets.c]
deps = ["a"]
cmd = "true"
[targets.all]
deps = ["c"]
`
	dir := project(t, map[string]string{"Buildfile.toml": bf})
	cmd := exec.Command(binary, "--kill-grace", "2s", "--junit", "junit.xml", "--report", "report.html")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "CI=true", "GITHUB_ACTIONS=")
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	waitForFile(t, filepath.Join(dir, "a.started"), 20*time.Second)
	cmd.Process.Signal(os.Interrupt)
	cmd.Wait()
	if code := cmd.ProcessState.ExitCode(); code != 130 {
		t.Fatalf("exit code %d, want 130:\n%s", code, out.String())
	}
	var doc junitDoc
	if err := xml.Unmarshal([]byte(read(t, filepath.Join(dir, "junit.xml"))), &doc); err != nil {
		t.Fatalf("junit.xml after an interrupt: %v", err)
	}
	got := map[string]string{}
	for _, c := range doc.Cases {
		switch {
		case c.Failure != nil:
			got[c.Name] = "failed: " + c.Failure.Message
		case c.Skipped != nil:
			got[c.Name] = "skipped: " + c.Skipped.Message
		}
	}
	want := map[string]string{
		"a": "failed: interrupted; killed by SIGTERM",
		"c": "skipped: not run: the build was interrupted",
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("junit after an interrupt:\n got %v\nwant %v", got, want)
	}
	if html := read(t, filepath.Join(dir, "report.html")); !strings.Contains(html, `id="verdict">interrupted<`) {
		t.Errorf("the HTML report does not say the build was interrupted")
	}
	assertNoStrays(t, "sleep 315")
}
