package graph

import (
	"fmt"
	"slices"
	"strings"
)

// A variable set on the command line, `gobuildj CC=clang` (make's habit),
// replaces the [vars] entry of that name in every Buildfile of the load
// (the top one and those it includes) before anything is expanded: its
// value is read as a value of [vars] is (${NAME} in it expands; $$ is a
// "$"), and an entry { cmd = "..." } it replaces runs no command. A name
// that no [vars] defines is an error. The graph snapshot is used again
// only with the same variables set to the same values.

// Override is one NAME=value of the command line.
type Override struct {
	Name, Value string
}

// ParseOverride reads arg as NAME=value: ok is false when arg holds no "="
// or what precedes it is not a variable name (letters, digits and _, not
// starting with a digit), so that arg names a target.
func ParseOverride(arg string) (Override, bool) {
	name, value, ok := strings.Cut(arg, "=")
	if !ok || !validEnvName(name) {
		return Override{}, false
	}
	return Override{Name: name, Value: value}, true
}

// String returns o as written on the command line.
func (o Override) String() string { return o.Name + "=" + o.Value }

// applyOverrides gives the variables of the Buildfile f that the command
// line sets their value from it.
func (l *loader) applyOverrides(f *bfile) {
	for _, o := range l.overrides {
		if v, ok := f.x.vars[o.Name]; ok && v.src == f.src {
			v.raw, v.cmd = o.Value, false
		}
	}
}

// checkOverrides reports a variable of the command line that no Buildfile
// of the load defines.
func (l *loader) checkOverrides() *Error {
	for _, o := range l.overrides {
		var names []string
		found := false
		for _, f := range l.files {
			if _, ok := f.x.vars[o.Name]; ok {
				found = true
				break
			}
			for _, n := range f.x.names {
				if !slices.Contains(names, n) {
					names = append(names, n)
				}
			}
		}
		if found {
			continue
		}
		expected := "a variable defined in [vars]; [vars] is empty"
		if len(names) > 0 {
			expected = "one of " + listNames(names, 10) + didYouMean(o.Name, names)
		}
		return &Error{File: l.src.file, Msg: fmt.Sprintf("%s: no variable %s in [vars] (expected %s)", o, o.Name, expected)}
	}
	return nil
}
