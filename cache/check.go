package cache

import (
	"errors"
	"fmt"
	"io/fs"
)

// Check decides whether target name may be skipped: it may if its last
// successful run was recorded with action key key, it declared the same
// outputs, and every one of them still exists with the recorded content
// (checked through the stat fast path: a file is rehashed only when its
// stat differs from the recorded one or the recorded state was racy).
// outputs are the declared outputs, absolute or relative to the store's
// folder, in declaration order.
//
// Check returns "" when the target is up to date, else the first reason it
// is not, in words for --explain: "no previous run", "command changed"
// (commands, env or dir), "input src/a.c changed", "input src/b.c added",
// "input src/c.c removed", "dep gen rebuilt with new outputs" (a dep's
// outputs changed, named by Action.DepOf; without it "dep output
// gen/v.h changed"), "dep output gen/v.h added" (or "removed"), "outputs
// changed" (the declared list differs),
// "output build/a.o missing", "output build/a.o modified". a, the action
// key was computed from, serves only to explain a changed key; it may be
// nil.
func (s *Store) Check(name string, a *Action, key Hash, outputs []string) (reason string) {
	return s.CheckStats(name, a, key, outputs, nil)
}

// CheckStats is Check given the current stat fingerprint of each output
// (stats[i] of outputs[i], from StatAll), instead of stating them again;
// stats nil means stat them.
func (s *Store) CheckStats(name string, a *Action, key Hash, outputs []string, stats []StatResult) (reason string) {
	body, ok := s.targetBody(name)
	if !ok {
		return "no previous run"
	}
	v, err := viewTarget(body)
	if err != nil { // cannot happen: the load or RecordTarget checked it
		return "no previous run"
	}
	if v.key != key {
		rec, _ := decodeTarget(body)
		return s.explainKey(&rec, a)
	}
	if v.outputs != len(outputs) {
		return "outputs changed"
	}
	paths := v // a second reader over the same outputs
	for _, out := range outputs {
		recorded, _ := paths.next()
		if s.keyOf(out) != s.keyOf(recorded) {
			return "outputs changed"
		}
	}
	for i, out := range outputs {
		_, st := v.next()
		var cur *StatResult
		if stats != nil {
			cur = &stats[i]
		}
		if reason := s.checkOutput(out, st, cur); reason != "" {
			return reason
		}
	}
	return ""
}

// checkOutput tells why the output at path no longer has the recorded
// state, or "" if it does.
func (s *Store) checkOutput(path string, recorded FileState, stat *StatResult) string {
	key := s.keyOf(path)
	var cur FileState
	var err error
	if stat != nil {
		cur, err = stat.State, stat.Err
	} else {
		cur, err = StatFile(s.abs(key))
	}
	if err == nil && recorded.trusted(cur) {
		return ""
	}
	// Not trusted as recorded (most often because it was written just
	// before it was hashed: racy): ask the file states, which rehash it
	// once and remember a trusted state for next time.
	var h Hash
	if err == nil {
		var st FileState
		st, err = s.files.StateWith(key, StatResult{State: cur})
		h = st.Hash
	}
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return fmt.Sprintf("output %s missing", key)
	case err != nil:
		return fmt.Sprintf("output %s unreadable (%v)", key, err)
	case h != recorded.Hash:
		return fmt.Sprintf("output %s modified", key)
	}
	return ""
}

// explainKey names what changed between the recorded run and a.
func (s *Store) explainKey(rec *TargetRecord, a *Action) string {
	if a == nil {
		return "action changed"
	}
	inputs := sortedByPath(a.Inputs)
	// A file added to or removed from a glob also changes ${in} in the
	// command, as a dep output added or removed changes ${deps}: name the
	// file, the cause, before the command.
	if reason := s.diffInputs(rec.Inputs, inputs, false); reason != "" {
		return reason
	}
	depsChanged := rec.DepsHash != a.DepsHash()
	if depsChanged {
		if reason := s.diffDepOutputs(rec.DepOutputs, a, false); reason != "" {
			return reason
		}
	}
	if rec.CmdHash != a.CmdHash() {
		return "command changed"
	}
	if reason := s.diffInputs(rec.Inputs, inputs, true); reason != "" {
		return reason
	}
	if depsChanged {
		if reason := s.diffDepOutputs(rec.DepOutputs, a, true); reason != "" {
			return reason
		}
		return "dep outputs changed" // the same files in another order
	}
	// Every part the record keeps is equal: the key covers something else
	// (the caller's key is not a.Key(), or the key's definition changed).
	return "action changed"
}

// diffInputs names the first input, in path order, that was added, removed
// or (if contents is set) changed between old and cur (both sorted by path).
func (s *Store) diffInputs(old, cur []PathHash, contents bool) string {
	i, j := 0, 0
	for i < len(old) || j < len(cur) {
		switch {
		case j == len(cur) || (i < len(old) && old[i].Path < cur[j].Path):
			return fmt.Sprintf("input %s removed", s.key(old[i].Path))
		case i == len(old) || cur[j].Path < old[i].Path:
			return fmt.Sprintf("input %s added", s.key(cur[j].Path))
		case contents && old[i].Hash != cur[j].Hash:
			return fmt.Sprintf("input %s changed", s.key(cur[j].Path))
		}
		i++
		j++
	}
	return ""
}

// diffDepOutputs names the first dep output that was added or removed
// between old and those of a, or (if contents is set) changed: a changed
// one by the dep that produced it, when a can name it.
func (s *Store) diffDepOutputs(old []PathHash, a *Action, contents bool) string {
	if old == nil {
		if !contents {
			return ""
		}
		return "dep outputs changed" // the record did not keep them
	}
	cur := a.DepOutputs
	before := make(map[string]Hash, len(old))
	for _, ph := range old {
		before[ph.Path] = ph.Hash
	}
	now := make(map[string]bool, len(cur))
	for _, ph := range cur {
		now[ph.Path] = true
		h, ok := before[ph.Path]
		switch {
		case !ok:
			return fmt.Sprintf("dep output %s added", s.key(ph.Path))
		case h != ph.Hash && contents:
			if a.DepOf != nil {
				if name := a.DepOf(ph.Path); name != "" {
					return fmt.Sprintf("dep %s rebuilt with new outputs", name)
				}
			}
			return fmt.Sprintf("dep output %s changed", s.key(ph.Path))
		}
	}
	for _, ph := range old {
		if !now[ph.Path] {
			return fmt.Sprintf("dep output %s removed", s.key(ph.Path))
		}
	}
	return ""
}

// key returns the key of path: how the state names it and how reasons show it.
func (s *Store) key(path string) string {
	_, k := s.resolve(path)
	return k
}
