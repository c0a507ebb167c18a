package cache

import (
	"errors"
	"io/fs"

	"github.com/gobuildj/gobuildj/event"
)

// Check decides whether target name may be skipped: it may if its last
// successful run was recorded with action key key, it declared the same
// outputs, and every one of them still exists with the recorded content
// (checked through the stat fast path: a file is rehashed only when its
// stat differs from the recorded one or the recorded state was racy).
// outputs are the declared outputs, absolute or relative to the store's
// folder, in declaration order.
//
// Check returns the zero Reason when the target is up to date, else the
// first reason it is not; in the words of --explain: "no previous run", "command changed"
// (commands, env or dir), "input src/a.c changed", "input src/b.c added",
// "input src/c.c removed", "dep gen rebuilt with new outputs" (a dep's
// outputs changed, named by Action.DepOf; without it "dep output
// gen/v.h changed"), "dep output gen/v.h added" (or "removed"), "outputs
// changed" (the declared list differs),
// "output build/a.o missing", "output build/a.o modified", "tool
// /usr/bin/cc changed" (a program the commands run, or a declared tool),
// "env CFLAGS changed" (a declared inherited variable). a, the action
// key was computed from, serves only to explain a changed key; it may be
// nil.
func (s *Store) Check(name string, a *Action, key Hash, outputs []string) event.Reason {
	return s.CheckStats(name, a, key, outputs, nil)
}

// CheckStats is Check given the current stat fingerprint of each output
// (stats[i] of outputs[i], from StatAll), instead of stating them again;
// stats nil means stat them.
func (s *Store) CheckStats(name string, a *Action, key Hash, outputs []string, stats []StatResult) event.Reason {
	reason, _ := s.checkStats(name, a, key, outputs, stats, false)
	return reason
}

// CheckMissingOK is CheckStats for a target whose outputs may be missing
// (secondary or intermediate): a missing output is no reason to run, as
// long as the action key and the outputs still there are as recorded.
// missing is the first missing output, as reasons name it ("" if none).
func (s *Store) CheckMissingOK(name string, a *Action, key Hash, outputs []string, stats []StatResult) (reason event.Reason, missing string) {
	return s.checkStats(name, a, key, outputs, stats, true)
}

// checkStats is CheckStats; with missingOK, a missing output is passed
// over and the first one returned.
func (s *Store) checkStats(name string, a *Action, key Hash, outputs []string, stats []StatResult, missingOK bool) (event.Reason, string) {
	body, ok := s.targetBody(name)
	if !ok {
		return event.Reason{Kind: event.NoPreviousRun}, ""
	}
	v, err := viewTarget(body)
	if err != nil { // cannot happen: the load or RecordTarget checked it
		return event.Reason{Kind: event.NoPreviousRun}, ""
	}
	if v.key != key {
		rec, _ := decodeTarget(body)
		return s.explainKey(&rec, a), ""
	}
	if v.outputs != len(outputs) {
		return event.Reason{Kind: event.OutputsChanged}, ""
	}
	var missing string
	paths := v // a second reader over the same outputs
	for _, out := range outputs {
		recorded, _ := paths.next()
		if s.keyOf(out) != s.keyOf(recorded) {
			return event.Reason{Kind: event.OutputsChanged}, ""
		}
	}
	for i, out := range outputs {
		_, st := v.next()
		var cur *StatResult
		if stats != nil {
			cur = &stats[i]
		}
		reason := s.checkOutput(out, st, cur)
		switch {
		case reason.IsZero():
		case missingOK && reason.Kind == event.OutputMissing:
			if missing == "" {
				missing = reason.Subject
			}
		default:
			return reason, ""
		}
	}
	return event.Reason{}, missing
}

// checkOutput tells why the output at path no longer has the recorded
// state, or "" if it does.
func (s *Store) checkOutput(path string, recorded FileState, stat *StatResult) event.Reason {
	key := s.keyOf(path)
	var cur FileState
	var err error
	if stat != nil {
		cur, err = stat.State, stat.Err
	} else {
		cur, err = StatFile(s.abs(key))
	}
	if err == nil && recorded.trusted(cur) {
		return event.Reason{}
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
		return event.Because(event.OutputMissing, key)
	case err != nil:
		return event.Reason{Kind: event.OutputUnreadable, Subject: key, Detail: err.Error()}
	case h != recorded.Hash:
		return event.Because(event.OutputModified, key)
	}
	return event.Reason{}
}

// explainKey names what changed between the recorded run and a.
func (s *Store) explainKey(rec *TargetRecord, a *Action) event.Reason {
	if a == nil {
		return event.Reason{Kind: event.ActionChanged}
	}
	inputs := sortedByPath(a.Inputs)
	// A file added to or removed from a glob also changes ${in} in the
	// command, as a dep output added or removed changes ${deps}: name the
	// file, the cause, before the command.
	if reason := s.diffInputs(rec.Inputs, inputs, false); !reason.IsZero() {
		return s.tracedReason(rec, reason)
	}
	depsChanged := rec.DepsHash != a.DepsHash()
	if depsChanged {
		if reason := s.diffDepOutputs(rec.DepOutputs, a, false); !reason.IsZero() {
			return reason
		}
	}
	if rec.CmdHash != a.CmdHash() {
		return event.Reason{Kind: event.CommandChanged}
	}
	if reason := diffTools(rec.Tools, a.Tools); !reason.IsZero() {
		return reason
	}
	if reason := diffEnv(rec.EnvInputs, a.EnvInputs); !reason.IsZero() {
		return reason
	}
	if reason := s.diffInputs(rec.Inputs, inputs, true); !reason.IsZero() {
		return s.tracedReason(rec, reason)
	}
	if depsChanged {
		if reason := s.diffDepOutputs(rec.DepOutputs, a, true); !reason.IsZero() {
			return reason
		}
		return event.Reason{Kind: event.DepOutputsChanged} // the same files in another order
	}
	// Every part the record keeps is equal: the key covers something else
	// (the caller's key is not a.Key(), or the key's definition changed).
	return event.Reason{Kind: event.ActionChanged}
}

// diffInputs names the first input, in path order, that was added, removed
// or (if contents is set) changed between old and cur (both sorted by path).
func (s *Store) diffInputs(old, cur []PathHash, contents bool) event.Reason {
	i, j := 0, 0
	for i < len(old) || j < len(cur) {
		switch {
		case j == len(cur) || (i < len(old) && old[i].Path < cur[j].Path):
			return event.Because(event.InputRemoved, s.key(old[i].Path))
		case i == len(old) || cur[j].Path < old[i].Path:
			return event.Because(event.InputAdded, s.key(cur[j].Path))
		case contents && old[i].Hash != cur[j].Hash:
			return event.Because(event.InputChanged, s.key(cur[j].Path))
		}
		i++
		j++
	}
	return event.Reason{}
}

// diffDepOutputs names the first dep output that was added or removed
// between old and those of a, or (if contents is set) changed: a changed
// one by the dep that produced it, when a can name it.
func (s *Store) diffDepOutputs(old []PathHash, a *Action, contents bool) event.Reason {
	if old == nil {
		if !contents {
			return event.Reason{}
		}
		return event.Reason{Kind: event.DepOutputsChanged} // the record did not keep them
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
			return event.Because(event.DepOutputAdded, s.key(ph.Path))
		case h != ph.Hash && contents:
			if a.DepOf != nil {
				if name := a.DepOf(ph.Path); name != "" {
					return event.Because(event.DepRebuilt, name)
				}
			}
			return event.Because(event.DepOutputChanged, s.key(ph.Path))
		}
	}
	for _, ph := range old {
		if !now[ph.Path] {
			return event.Because(event.DepOutputRemoved, s.key(ph.Path))
		}
	}
	return event.Reason{}
}

// key returns the key of path: how the state names it and how reasons show it.
func (s *Store) key(path string) string {
	_, k := s.resolve(path)
	return k
}
