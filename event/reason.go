package event

import "fmt"

// ReasonKind says what made a target run (or, for UpToDate, that nothing
// did). Reports and queries compare kinds, never the English text.
type ReasonKind uint8

// The reasons a target runs. Subject, where a kind has one, names the file
// or target concerned.
const (
	// UpToDate is the zero Reason: nothing makes the target run.
	UpToDate ReasonKind = iota
	// NoPreviousRun: no record of the target's last run.
	NoPreviousRun
	// InputChanged, InputAdded, InputRemoved: an input file (Subject)
	// differs from, is new since or is gone since the last run.
	InputChanged
	InputAdded
	InputRemoved
	// CommandChanged: the commands differ from the last run's.
	CommandChanged
	// ActionChanged: something else in the action (environment, folder,
	// declared outputs) differs.
	ActionChanged
	// OutputsChanged: the set of declared outputs differs.
	OutputsChanged
	// OutputMissing, OutputModified: an output (Subject) is gone or was
	// changed since the run that wrote it (for OutputMissing of a
	// secondary or intermediate target, Detail names the target that
	// needs it: "needed by app"); OutputUnreadable: it cannot be read
	// (Detail says why).
	OutputMissing
	OutputModified
	OutputUnreadable
	// DepOutputsChanged: the deps' outputs differ as a whole (another
	// order, or the record did not keep them).
	DepOutputsChanged
	// DepOutputAdded, DepOutputChanged, DepOutputRemoved: one output of
	// a dep (Subject).
	DepOutputAdded
	DepOutputChanged
	DepOutputRemoved
	// DepRebuilt: dep Subject was rebuilt with new outputs.
	DepRebuilt
	// Forced: -B was given.
	Forced
	// Always: the target says always = true.
	Always
	// DepMayChange: a dry run cannot tell yet, because a dep will run.
	DepMayChange
	// Restarted: files (Subject) changed while its commands ran (watch).
	Restarted
	// ToolChanged: a program the commands run, or a declared tool, now
	// resolves to another content (Subject: the file it resolves to).
	ToolChanged
	// EnvChanged: a declared inherited environment variable (Subject)
	// has another value, or was set or unset.
	EnvChanged
	// TracedInputChanged, TracedInputRemoved: a file (Subject) that the
	// last traced run of the target read, undeclared, changed or is gone.
	TracedInputChanged
	TracedInputRemoved
	// ProbedCreated: a file (Subject) that the last traced run looked
	// for and did not find (a header in an -I folder) now exists.
	ProbedCreated
)

// Reason is why a target runs, as a typed value: Kind, and the file or
// target it concerns. The zero Reason means up to date.
type Reason struct {
	Kind    ReasonKind
	Subject string
	// Detail adds what Kind and Subject do not say (an error's text).
	Detail string
}

// Because returns a Reason of kind about subject.
func Because(kind ReasonKind, subject string) Reason {
	return Reason{Kind: kind, Subject: subject}
}

// IsZero reports whether the reason says the target is up to date.
func (r Reason) IsZero() bool { return r.Kind == UpToDate }

// String says the reason in the words of --explain: "input a.c changed".
func (r Reason) String() string {
	s := r.Subject
	switch r.Kind {
	case UpToDate:
		return ""
	case NoPreviousRun:
		return "no previous run"
	case InputChanged:
		return "input " + s + " changed"
	case InputAdded:
		return "input " + s + " added"
	case InputRemoved:
		return "input " + s + " removed"
	case CommandChanged:
		return "command changed"
	case ActionChanged:
		return "action changed"
	case OutputsChanged:
		return "outputs changed"
	case OutputMissing:
		if r.Detail != "" { // a secondary target's output, needed by Detail
			return "output " + s + " missing, " + r.Detail
		}
		return "output " + s + " missing"
	case OutputModified:
		return "output " + s + " modified"
	case OutputUnreadable:
		return fmt.Sprintf("output %s unreadable (%s)", s, r.Detail)
	case DepOutputsChanged:
		return "dep outputs changed"
	case DepOutputAdded:
		return "dep output " + s + " added"
	case DepOutputChanged:
		return "dep output " + s + " changed"
	case DepOutputRemoved:
		return "dep output " + s + " removed"
	case DepRebuilt:
		return "dep " + s + " rebuilt with new outputs"
	case Forced:
		return "-B was given"
	case Always:
		return "always = true"
	case DepMayChange:
		return "a dep may change"
	case Restarted:
		return "restarted: " + s + " changed while it ran"
	case ToolChanged:
		return "tool " + s + " changed"
	case EnvChanged:
		return "env " + s + " changed"
	case TracedInputChanged:
		return "traced input " + s + " changed"
	case TracedInputRemoved:
		return "traced input " + s + " removed"
	case ProbedCreated:
		return "traced probe " + s + " now exists"
	}
	return fmt.Sprintf("ReasonKind(%d)", uint8(r.Kind))
}
