package cache

import (
	"slices"

	"github.com/gobuildj/gobuildj/event"
)

// Traced inputs: a target whose commands ran traced records the files
// they read inside the project that it does not declare (TargetRecord.Traced),
// as a depfile's inputs are recorded (Discovered), and the paths they
// looked for and did not find (TargetRecord.Probed). Both are in the
// record's Inputs: a read file with its content hash, a probed path with
// AbsentHash while nothing is there. The next build puts them in its
// action the same way, so that an edit of a read file, or a file created
// where the command looked, changes the key.

// absentTag is what AbsentHash hashes.
const absentTag = "gobuildj absent file v1"

// AbsentHash is the hash an action's Inputs give a path that must not
// exist (a path a traced run probed): no file's content hashes to it in
// practice, so a file created there changes the key.
func AbsentHash() Hash { return HashBytes([]byte(absentTag)) }

// tracedReason names a change of an input by what the last run's trace
// made of it: "traced input X changed" for a file the run read undeclared,
// "traced probe X now exists" for a path it found empty.
func (s *Store) tracedReason(rec *TargetRecord, r event.Reason) event.Reason {
	if len(rec.Traced) == 0 && len(rec.Probed) == 0 {
		return r
	}
	has := func(paths []string) bool {
		return slices.ContainsFunc(paths, func(p string) bool { return s.key(p) == r.Subject })
	}
	switch {
	case (r.Kind == event.InputChanged || r.Kind == event.InputRemoved) && has(rec.Probed):
		r.Kind = event.ProbedCreated
	case r.Kind == event.InputChanged && has(rec.Traced):
		r.Kind = event.TracedInputChanged
	case r.Kind == event.InputRemoved && has(rec.Traced):
		r.Kind = event.TracedInputRemoved
	}
	return r
}
