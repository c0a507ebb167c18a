package graph

import (
	"fmt"
	"path/filepath"
	"strings"
)

// Warnings are what a load finds suspicious but may be right: they do not
// stop a build. Each is formatted as an Error is (file:line:col, the target
// or rule, the key, what is wrong and what was expected), and Graph.Warnings
// keeps them in the order they were found; the snapshot keeps them too, so
// that a graph loaded from it warns as a fresh load would. The command line
// prints them at load; watch prints a warning again only when a reload finds
// a new one.
//
// An input glob that matches no file is one: unlike a foreach that matches
// nothing (an error: the rule would make no target), a glob emptied by
// deleting its last file must not break a build or a watch session, but a
// glob that never matched is most likely misspelled, and a target whose
// inputs are none never runs again. A glob that matches an output of
// another target, not written yet, counts as matching.

// warnAt records a warning about key of the target (or rule) p at a. For a
// rule's instance it names the rule without the instance's file, so that
// the instances of one rule give one warning.
func (p *pending) warnAt(a at, key, msg string) {
	var e *Error
	if p.rule != nil {
		e = p.f.src.errorAtRule(a, p.rule.Name, "", key, msg)
	} else {
		e = p.f.src.errorAt(a, p.name, key, msg)
	}
	p.l.warn(e.Error())
}

// warn records the warning w once.
func (l *loader) warn(w string) {
	if _, dup := l.warned[w]; dup {
		return
	}
	if l.warned == nil {
		l.warned = make(map[string]struct{})
	}
	l.warned[w] = struct{}{}
	l.warnings = append(l.warnings, w)
}

// emptyGlob is an input glob of a target that matched no existing file:
// whether it matches a declared output is known once every target's
// outputs are.
type emptyGlob struct {
	p       *pending
	a       at
	written string // the glob as written, expanded
	pat     string // as Glob takes it
}

// warnEmptyGlobs warns of each input glob that matches neither a file nor
// an output that a target of the graph declares.
func (l *loader) warnEmptyGlobs() {
	for _, eg := range l.emptyGlobs {
		if l.outputMatches(eg.pat) {
			continue
		}
		eg.p.warnAt(eg.a, "inputs", fmt.Sprintf("glob %q matches no file (expected a pattern that matches files or another target's outputs: the target does not run again until one appears; ignore this if it fills later)", eg.written))
	}
}

// outputMatches reports whether the glob pat matches an output declared
// by a target of the graph.
func (l *loader) outputMatches(pat string) bool {
	fixed := fixedPrefix(pat)
	for o := range l.byOutput {
		o := filepath.ToSlash(o)
		if strings.HasPrefix(o, fixed) && globMatches(pat, o) {
			return true
		}
	}
	return false
}
