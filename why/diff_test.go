package why

import (
	"reflect"
	"testing"
	"time"
)

func TestLineDiff(t *testing.T) {
	got := lineDiff("cmd ", []string{"a", "b", "c"}, []string{"a", "B", "c", "d"})
	want := []string{"- cmd b", "+ cmd B", "+ cmd d"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("lineDiff = %q, want %q", got, want)
	}
	if got := lineDiff("", []string{"x"}, []string{"x"}); got != nil {
		t.Errorf("lineDiff of equal lines = %q", got)
	}
}

func TestAge(t *testing.T) {
	for d, want := range map[time.Duration]string{
		0:                  "just now",
		40 * time.Second:   "40 s ago",
		2 * time.Minute:    "2 min ago",
		3 * time.Hour:      "3 h ago",
		5 * 24 * time.Hour: "5 days ago",
	} {
		if got := Age(d); got != want {
			t.Errorf("Age(%v) = %q, want %q", d, got, want)
		}
	}
}

func TestChainStopsAtOwnChange(t *testing.T) {
	exps := []Explanation{
		{Target: "gen", Runs: true, Changes: []Change{{Kind: Input, Name: "g"}}},
		{Target: "mid", Runs: true, Changes: []Change{}, DepsRun: []string{"gen"}},
		{Target: "app", Runs: true, Changes: []Change{{Kind: DepOutput, Name: "m"}}, DepsRun: []string{"mid"}},
	}
	var names []string
	for _, e := range Chain(exps, "app") {
		names = append(names, e.Target)
	}
	if want := []string{"app", "mid", "gen"}; !reflect.DeepEqual(names, want) {
		t.Errorf("chain %v, want %v", names, want)
	}
	if c := Chain(exps, "gen"); len(c) != 1 {
		t.Errorf("chain of a root cause: %+v", c)
	}
}
