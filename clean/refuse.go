package clean

import (
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"strings"

	"github.com/gobuildj/gobuildj/internal/statedir"
)

// RefusedError is a clean that removed nothing because some recorded files
// must not be removed.
type RefusedError struct {
	// Root is the Buildfile's folder.
	Root string
	// Refused are the files, in the order of their targets and records.
	Refused []Refusal
}

// Error names every refused file (relative to Root when inside it), its
// target and why.
func (e *RefusedError) Error() string {
	lines := make([]string, len(e.Refused))
	for i, r := range e.Refused {
		shown := r.Path
		if rel, err := filepath.Rel(e.Root, r.Path); err == nil && !strings.HasPrefix(rel, "..") {
			shown = rel
		}
		lines[i] = fmt.Sprintf("%s (recorded for %s): %s", shown, r.Target, r.Why())
	}
	return fmt.Sprintf("removed nothing, because %d recorded file(s) are not inside %s:\n  %s",
		len(e.Refused), e.Root, strings.Join(lines, "\n  "))
}

// Refusal is a recorded file that must not be removed.
type Refusal struct {
	// Path is the file, absolute.
	Path string
	// Target is the target it was recorded for.
	Target string
	// Kind is what is wrong with it.
	Kind RefusalKind
	// Resolved, if set, is the real path the file resolves to through a
	// symbolic link, to which Kind applies (the path as written was fine).
	Resolved string
	// Err is why the file could not be resolved (Kind Unresolvable).
	Err error
}

// RefusalKind says why a file must not be removed.
type RefusalKind uint8

const (
	// Outside: the file is outside the Buildfile's folder.
	Outside RefusalKind = iota + 1
	// IsRoot: the file is the Buildfile's folder itself.
	IsRoot
	// InState: the file is in gobuildj's state folder.
	InState
	// Unresolvable: the symbolic links on the file's way cannot be
	// resolved.
	Unresolvable
)

// Why says in words why the file must not be removed.
func (r Refusal) Why() string {
	var why string
	switch r.Kind {
	case Outside:
		why = "it is outside the Buildfile's folder"
	case IsRoot:
		why = "it is the Buildfile's folder itself"
	case InState:
		why = "it is in " + statedir.Name + "/, gobuildj's state"
	case Unresolvable:
		return fmt.Sprintf("cannot resolve it (%v)", r.Err)
	default:
		why = fmt.Sprintf("RefusalKind(%d)", uint8(r.Kind))
	}
	if r.Resolved != "" {
		return "it resolves to " + r.Resolved + " through a symbolic link, so " + why
	}
	return why
}

// Check returns the Refusal of the file abs and true if gobuildj must not
// remove it, as a clean decides: it must be inside root (whose real path,
// with its symbolic links resolved, is realRoot) and outside the state
// folder, both as written and once every symbolic link on its way is
// resolved. The worker asks it too before it removes a depfile or the
// outputs of a failed command.
func Check(root, realRoot, abs string) (Refusal, bool) { return check(root, realRoot, abs) }

// check returns the Refusal of the file abs and true if it must not be
// removed: it must be inside root (whose real path is realRoot) and outside
// the state folder, both as written and once every symbolic link on its
// way, itself included, is resolved.
func check(root, realRoot, abs string) (Refusal, bool) {
	if kind := placeIn(root, filepath.Clean(abs)); kind != 0 {
		return Refusal{Path: abs, Kind: kind}, true
	}
	real, err := resolve(abs)
	if err != nil {
		return Refusal{Path: abs, Kind: Unresolvable, Err: err}, true
	}
	if kind := placeIn(realRoot, real); kind != 0 {
		return Refusal{Path: abs, Kind: kind, Resolved: real}, true
	}
	return Refusal{}, false
}

// placeIn says what is wrong with the clean path p as a file clean removes
// in root, or 0 if nothing is.
func placeIn(root, p string) RefusalKind {
	rel, err := filepath.Rel(root, p)
	switch {
	case err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)):
		return Outside
	case rel == ".":
		return IsRoot
	case statedir.Holds(rel):
		return InState
	}
	return 0
}

// resolve returns the real path of p, resolving symbolic links on its way
// as far as it exists (a missing file resolves to its real folder joined
// with its name).
func resolve(p string) (string, error) {
	real, err := filepath.EvalSymlinks(p)
	if err == nil {
		return real, nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return "", err
	}
	parent := filepath.Dir(p)
	if parent == p {
		return p, nil
	}
	realParent, err := resolve(parent)
	if err != nil {
		return "", err
	}
	return filepath.Join(realParent, filepath.Base(p)), nil
}
