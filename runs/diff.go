package runs

import (
	"time"
)

// Diff is what differs between two runs, A and B: which targets only one
// of them told of, which ran with another action key (and why, as B
// says), which ended otherwise, and which took much longer or shorter.
type Diff struct {
	A         string           `json:"a"` // the IDs
	B         string           `json:"b"`
	OnlyA     []string         `json:"only_a"`
	OnlyB     []string         `json:"only_b"`
	Keys      []KeyChange      `json:"keys"`
	Outcomes  []OutcomeChange  `json:"outcomes"`
	Durations []DurationChange `json:"durations"`
}

// KeyChange is a target whose action key differs between the runs.
type KeyChange struct {
	Target string `json:"target"`
	A      string `json:"a"` // the keys
	B      string `json:"b"`
	// Reason is why B ran it, as B recorded it; nil when B found it up
	// to date (a build between A and B, not recorded, ran it: only one
	// with nothing run is not recorded, so only when the records were
	// pruned or taken from another folder).
	Reason *Reason `json:"reason"`
	// Outcome is what it did in B.
	Outcome string `json:"outcome"`
}

// OutcomeChange is a target that ended otherwise in B than in A.
type OutcomeChange struct {
	Target string `json:"target"`
	A      string `json:"a"`
	B      string `json:"b"`
	Why    string `json:"why,omitempty"` // B's reason or words
}

// DurationChange is a target that ran in both runs and took at least
// twice as long or half as long in B, by at least MinDurationChange.
type DurationChange struct {
	Target string        `json:"target"`
	A      time.Duration `json:"a_ns"`
	B      time.Duration `json:"b_ns"`
}

// MinDurationChange is the smallest change of a target's duration that a
// Diff names.
const MinDurationChange = 100 * time.Millisecond

// Compare says what differs between runs a and b.
func Compare(a, b *Record) *Diff {
	d := &Diff{A: a.ID, B: b.ID, OnlyA: []string{}, OnlyB: []string{}, Keys: []KeyChange{},
		Outcomes: []OutcomeChange{}, Durations: []DurationChange{}}
	inA := make(map[string]Target, len(a.Targets))
	for _, t := range a.Targets {
		inA[t.Name] = t
	}
	inB := make(map[string]bool, len(b.Targets))
	for _, tb := range b.Targets { // sorted by name
		inB[tb.Name] = true
		ta, ok := inA[tb.Name]
		if !ok {
			d.OnlyB = append(d.OnlyB, tb.Name)
			continue
		}
		if ta.Key != "" && tb.Key != "" && ta.Key != tb.Key {
			d.Keys = append(d.Keys, KeyChange{Target: tb.Name, A: ta.Key, B: tb.Key, Reason: tb.Reason, Outcome: tb.Outcome})
		}
		if ta.Outcome != tb.Outcome && !expected(ta, tb) {
			why := tb.Why
			if tb.Reason != nil {
				why = tb.Reason.Text
			}
			d.Outcomes = append(d.Outcomes, OutcomeChange{Target: tb.Name, A: ta.Outcome, B: tb.Outcome, Why: why})
		}
		if ran(ta) && ran(tb) {
			da, db := Duration(ta.DurationMS), Duration(tb.DurationMS)
			diff := db - da
			if diff < 0 {
				diff = -diff
			}
			if diff >= MinDurationChange && (db >= 2*da || da >= 2*db) {
				d.Durations = append(d.Durations, DurationChange{Target: tb.Name, A: da, B: db})
			}
		}
	}
	for _, ta := range a.Targets {
		if !inB[ta.Name] {
			d.OnlyA = append(d.OnlyA, ta.Name)
		}
	}
	return d
}

// expected reports whether the change of outcome from ta to tb is what
// a next build does by nature, not worth naming: what ran or came from
// the cache is up to date next time, with the same key.
func expected(ta, tb Target) bool {
	return (ta.Outcome == Ran || ta.Outcome == Cached) && tb.Outcome == UpToDate && ta.Key == tb.Key
}

// ran reports whether t's commands ran to their end.
func ran(t Target) bool { return (t.Outcome == Ran || t.Outcome == Failed) && !t.Remote }

// Empty reports whether the runs differ in nothing a Diff names.
func (d *Diff) Empty() bool {
	return len(d.OnlyA)+len(d.OnlyB)+len(d.Keys)+len(d.Outcomes)+len(d.Durations) == 0
}
