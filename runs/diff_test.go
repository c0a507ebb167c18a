package runs

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/gobuildj/gobuildj/event"
)

func TestCompareNamesKeysOutcomesTimesAndOnlyOne(t *testing.T) {
	ms := func(n float64) float64 { return n }
	now := time.Now()
	a := &Record{ID: "A", Targets: []Target{
		{Name: "app", Outcome: Ran, Key: "k-app-1", DurationMS: ms(100), Start: &now},
		{Name: "gone", Outcome: Ran, Key: "k-gone"},
		{Name: "lib", Outcome: Ran, Key: "k-lib-1", DurationMS: ms(100), Start: &now},
		{Name: "same", Outcome: Ran, Key: "k-same", DurationMS: ms(50), Start: &now},
		{Name: "test", Outcome: Ran, Key: "k-test", DurationMS: ms(1000), Start: &now},
	}}
	b := &Record{ID: "B", Targets: []Target{
		{Name: "app", Outcome: Ran, Key: "k-app-2", Reason: &Reason{Kind: "dep_output_changed", Text: "dep output lib.a changed"}, DurationMS: ms(110), Start: &now},
		{Name: "lib", Outcome: Ran, Key: "k-lib-2", Reason: &Reason{Kind: "input_changed", Text: "input lib.c changed"}, DurationMS: ms(400), Start: &now},
		{Name: "new", Outcome: Ran, Key: "k-new"},
		{Name: "same", Outcome: UpToDate, Key: "k-same"},
		{Name: "test", Outcome: Failed, Key: "k-test", Why: "exit code 1", DurationMS: ms(1050), Start: &now},
	}}
	d := Compare(a, b)
	if strings.Join(d.OnlyA, ",") != "gone" || strings.Join(d.OnlyB, ",") != "new" {
		t.Errorf("only in A %v, only in B %v; want gone, new", d.OnlyA, d.OnlyB)
	}
	if len(d.Keys) != 2 || d.Keys[0].Target != "app" || d.Keys[1].Target != "lib" || d.Keys[1].Reason.Kind != "input_changed" {
		t.Errorf("keys changed: %+v; want app and lib with B's reasons", d.Keys)
	}
	if len(d.Outcomes) != 1 || d.Outcomes[0] != (OutcomeChange{Target: "test", A: Ran, B: Failed, Why: "exit code 1"}) {
		t.Errorf("outcomes changed: %+v; want test ran -> failed (same -> up to date is expected)", d.Outcomes)
	}
	if len(d.Durations) != 1 || d.Durations[0].Target != "lib" {
		t.Errorf("durations changed: %+v; want lib only", d.Durations)
	}
	var out bytes.Buffer
	if err := WriteDiff(&out, d); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"only in A (1): gone", "only in B (1): new", "key changed (2):", "lib  k-lib-1 -> k-lib-2  input lib.c changed",
		"outcome changed (1):", "test  ran -> failed  exit code 1", "time changed (1):", "4.0x slower"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("diff output lacks %q:\n%s", want, out.String())
		}
	}
	if d := Compare(b, b); !d.Empty() {
		t.Errorf("a run compared with itself: %+v", d)
	}
}

func TestRecorderKeepsOnlyWhatEnded(t *testing.T) {
	r := NewRecorder()
	t0 := time.Now()
	r.Started(event.Start{Target: "a", Time: t0})
	r.Started(event.Start{Target: "slow", Time: t0})
	r.Finished(event.Finish{Target: "a", OK: true, Key: event.Key{0xa}, Worker: 7, Reason: event.Because(event.InputChanged, "a.c"),
		Queued: t0, Start: t0.Add(time.Millisecond), End: t0.Add(11 * time.Millisecond)})
	r.Finished(event.Finish{Target: "slow", Interrupted: true, Key: event.Key{0x5}, Start: t0, End: t0.Add(time.Second)})
	r.Skipped(event.Skip{Target: "up", Kind: event.SkipUpToDate, Key: event.Key{0x1}})
	r.Skipped(event.Skip{Target: "cut", Kind: event.SkipCutoff, Key: event.Key{0xc}})
	r.Skipped(event.Skip{Target: "later", Kind: event.SkipNotRun, Why: "the build was interrupted"})
	r.Done(event.Summary{Start: t0, Wall: time.Second, Interrupted: true})
	rec := r.Record(Meta{Flags: Flags{Jobs: 4}})
	if !rec.Worth() || !rec.Interrupted || !rec.Complete {
		t.Fatalf("record: %+v", rec)
	}
	want := Counts{Run: 1, UpToDate: 2, NotRun: 1, Interrupted: 1}
	if rec.Counts != want {
		t.Errorf("counts %+v, want %+v", rec.Counts, want)
	}
	var names []string
	for _, tg := range rec.Targets {
		names = append(names, tg.Name+":"+tg.Outcome)
	}
	if got := strings.Join(names, " "); got != "a:ran cut:up to date later:not run slow:interrupted up:up to date" {
		t.Errorf("targets %s", got)
	}
	a := rec.Targets[0]
	if a.Key != (event.Key{0xa}).String() || a.Worker != 7 || a.Reason.Kind != "input_changed" || a.Reason.Text != "input a.c changed" || a.DurationMS != 10 || a.WaitMS != 1 {
		t.Errorf("a: %+v", a)
	}
}

func TestRecorderUpToDateBuildIsNotWorthARecord(t *testing.T) {
	r := NewRecorder()
	r.Skipped(event.Skip{Target: "up", Kind: event.SkipUpToDate, Key: event.Key{0x1}})
	r.Done(event.Summary{Start: time.Now()})
	if r.Worth() || r.Record(Meta{}).Worth() {
		t.Fatal("a build with everything up to date is recorded")
	}
	if NewRecorder().Record(Meta{}).Worth() {
		t.Fatal("a build that never began is recorded")
	}
}

func TestEveryReasonKindHasAName(t *testing.T) {
	for k := event.UpToDate; ; k++ {
		if strings.HasPrefix(event.Reason{Kind: k}.String(), "ReasonKind(") {
			break
		}
		if strings.HasPrefix(KindName(k), "kind_") {
			t.Errorf("reason kind %d (%q) has no name in records", k, event.Reason{Kind: k}.String())
		}
	}
}
