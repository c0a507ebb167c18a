package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gobuildj/gobuildj/runs"
)

// runRecords lists the IDs of the run records of dir's state folder.
func runRecords(t *testing.T, dir string) []string {
	t.Helper()
	files, err := os.ReadDir(filepath.Join(dir, ".gobuildj", "runs"))
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	var ids []string
	for _, f := range files {
		if id, ok := strings.CutSuffix(f.Name(), ".json"); ok {
			ids = append(ids, id)
		}
	}
	return ids
}

func TestRunsDiffNamesTheTargetsWhoseKeysDifferAndWhy(t *testing.T) {
	const bf = chain + `
[targets.other]
inputs  = ["other.txt"]
outputs = ["build/other.txt"]
cmd     = "${log}; cp ${in} ${out}"
`
	dir := project(t, map[string]string{"Buildfile.toml": bf, "src.txt": "hello\n", "other.txt": "x\n"})
	mustBuild(t, dir, "all", "other")
	assertRan(t, dir, "gen", "upper", "other")
	mustBuild(t, dir, "all", "other")
	assertRan(t, dir)
	if ids := runRecords(t, dir); len(ids) != 1 {
		t.Fatalf("records %v: want one (a build with nothing to do writes none)", ids)
	}
	write(t, filepath.Join(dir, "src.txt"), "hello world\n")
	mustBuild(t, dir, "all", "other")
	assertRan(t, dir, "gen", "upper")
	mustBuild(t, dir, "all", "other")
	assertRan(t, dir)

	r := mustBuild(t, dir, "runs", "diff", "--json", "last~1", "last")
	var d runs.Diff
	if err := json.Unmarshal([]byte(r.out), &d); err != nil {
		t.Fatalf("runs diff --json: %v\n%s", err, r.out)
	}
	var got []string
	for _, k := range d.Keys {
		got = append(got, k.Target+": "+k.Reason.Kind+": "+k.Reason.Text)
	}
	want := []string{"gen: input_changed: input src.txt changed", "upper: dep_rebuilt: dep gen rebuilt with new outputs"}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("keys changed:\n%s\nwant exactly:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if len(d.OnlyA)+len(d.OnlyB)+len(d.Outcomes) != 0 {
		t.Errorf("other differences: %+v", d)
	}

	r = mustBuild(t, dir, "runs", "diff", "last~1", "last")
	for _, want := range []string{"key changed (2):", "input src.txt changed", "dep gen rebuilt with new outputs"} {
		if !strings.Contains(r.out, want) {
			t.Errorf("runs diff lacks %q:\n%s", want, r.out)
		}
	}
	if strings.Contains(r.out, "other") {
		t.Errorf("runs diff names other, whose key did not change:\n%s", r.out)
	}

	r = mustBuild(t, dir, "runs")
	lines := strings.Split(strings.TrimSpace(r.out), "\n")
	if len(lines) != 3 || !strings.Contains(lines[1], "  3  ") || !strings.Contains(lines[2], "  2  ") {
		t.Errorf("runs should list the two recorded builds (3 run, then 2 run):\n%s", r.out)
	}
	r = mustBuild(t, dir, "runs", "show", "last")
	for _, want := range []string{"gen     ran", "other   up to date", "input src.txt changed"} {
		if !strings.Contains(r.out, want) {
			t.Errorf("runs show lacks %q:\n%s", want, r.out)
		}
	}
	if r := gobuildj(t, dir, "runs", "show", "last~5"); r.code != 2 || !strings.Contains(r.out, "only 2 runs are recorded") {
		t.Errorf("runs show last~5: exit %d:\n%s", r.code, r.out)
	}
	assertRan(t, dir)
}

func TestInterruptedBuildRecordsOnlyWhatEnded(t *testing.T) {
	const bf = `
[targets.quick]
outputs = ["quick.out"]
cmd = "echo quick >> ran.log; echo q > quick.out"
[targets.slow]
deps = ["quick"]
cmd = "echo slow >> ran.log; echo started > started; sleep 325"
[targets.after]
deps = ["slow"]
cmd = "echo after >> ran.log"
`
	dir := project(t, map[string]string{"Buildfile.toml": bf})
	cmd, out := startBuild(t, dir, "after")
	waitForFile(t, filepath.Join(dir, "started"), 20*time.Second)
	cmd.Process.Signal(syscall.SIGINT)
	cmd.Wait()
	if code := cmd.ProcessState.ExitCode(); code != 130 {
		t.Fatalf("exit code %d, want 130:\n%s", code, outputSoFar(out))
	}
	assertRan(t, dir, "quick", "slow")
	assertNoStrays(t, "sleep 325")

	r := mustBuild(t, dir, "runs", "show", "--json", "last")
	var rec runs.Record
	if err := json.Unmarshal([]byte(r.out), &rec); err != nil {
		t.Fatalf("runs show --json: %v\n%s", err, r.out)
	}
	if !rec.Interrupted {
		t.Errorf("the record does not say interrupted:\n%s", r.out)
	}
	var got []string
	for _, tg := range rec.Targets {
		got = append(got, tg.Name+": "+tg.Outcome)
	}
	if want := "after: not run\nquick: ran\nslow: interrupted"; strings.Join(got, "\n") != want {
		t.Errorf("targets:\n%s\nwant:\n%s", strings.Join(got, "\n"), want)
	}
	if rec.Counts.Run != 1 {
		t.Errorf("counts %+v: want 1 run (quick)", rec.Counts)
	}
	r = mustBuild(t, dir, "runs")
	if !strings.Contains(r.out, "interrupted") {
		t.Errorf("runs does not say interrupted:\n%s", r.out)
	}
}

func TestFailedBuildIsRecordedAndItsFixShownAsAnOutcomeChange(t *testing.T) {
	const bf = `
[targets.check]
inputs = ["data.txt"]
cmd = "echo check >> ran.log; grep -q good data.txt"
[targets.other]
cmd = "echo other >> ran.log; echo o > other.out"
outputs = ["other.out"]
[targets.all]
deps = ["check", "other"]
`
	dir := project(t, map[string]string{"Buildfile.toml": bf, "data.txt": "bad\n"})
	if r := gobuildj(t, dir, "-k"); r.code != 1 {
		t.Fatalf("exit code %d, want 1:\n%s", r.code, r.out)
	}
	assertRan(t, dir, "check", "other")
	write(t, filepath.Join(dir, "data.txt"), "good\n")
	mustBuild(t, dir)
	assertRan(t, dir, "check")
	mustBuild(t, dir)
	assertRan(t, dir)

	r := mustBuild(t, dir, "runs", "show", "last~1")
	if !strings.Contains(r.out, "-k") || !strings.Contains(r.out, "1 run, 0 cached, 0 up to date, 1 failed") ||
		!strings.Contains(r.out, "check   failed") || !strings.Contains(r.out, "exit code 1") {
		t.Errorf("the failed build's record:\n%s", r.out)
	}
	// A failed run leaves no record of the target in the state, so the
	// engine's reason for the next run is "no previous run".
	r = mustBuild(t, dir, "runs", "diff", "last~1", "last")
	want := "runs " // then the IDs
	for _, line := range []string{"key changed (1):", "check", "no previous run", "outcome changed (1):", "failed -> ran"} {
		if !strings.Contains(r.out, line) {
			t.Errorf("runs diff lacks %q:\n%s", line, r.out)
		}
	}
	if !strings.HasPrefix(r.out, want) || strings.Contains(r.out, "other") {
		t.Errorf("runs diff should name only check:\n%s", r.out)
	}
}

func TestRunsListsPastAnUnreadableRecord(t *testing.T) {
	dir := project(t, map[string]string{"Buildfile.toml": "[targets.a]\ncmd = \"echo a >> ran.log\"\n"})
	mustBuild(t, dir)
	assertRan(t, dir, "a")
	write(t, filepath.Join(dir, ".gobuildj", "runs", "20000101-000000.json"), "{not json")
	r := mustBuild(t, dir, "runs")
	if !strings.Contains(r.out, "warning: run 20000101-000000") || strings.Count(r.out, "\n2") != 1 {
		t.Errorf("runs should warn about the bad record and list the good one:\n%s", r.out)
	}
	assertRan(t, dir)
}
