package graph

import (
	"fmt"
	"strings"
)

// Make's habits in a command: $@, $< and $^ (make's automatic variables)
// and $(NAME) (make's variables) are not a Buildfile's syntax, so they
// reach the shell, where they mean something else ($@ the shell's
// arguments, $(NAME) a command substitution) or nothing. A load warns of
// each, with the Buildfile's spelling; $(NAME) only when NAME is a
// variable of the Buildfile, since $(date) is the shell's on purpose.
// Written with $$ ($$@, $$(NAME)), they are the shell's and not warned of.

// makeism is one of make's spellings found in a command.
type makeism struct {
	offset int // of its "$" in the command as written
	msg    string
}

// makeisms returns make's spellings in the command raw, as written in the
// Buildfile; known says which names are variables of the Buildfile.
func makeisms(raw string, known func(string) bool) []makeism {
	var found []makeism
	for i := 0; i+1 < len(raw); i++ {
		if raw[i] != '$' {
			continue
		}
		switch c := raw[i+1]; c {
		case '$':
			i++ // a literal "$": the shell's
		case '{':
			if end := strings.IndexByte(raw[i+2:], '}'); end >= 0 {
				i += 2 + end
			}
		case '@':
			found = append(found, makeism{i, "$@ goes to the shell, which takes it for its arguments (make's target): did you mean ${out}? (write $$@ for the shell's)"})
		case '<':
			found = append(found, makeism{i, `$< goes to the shell, which takes it for a "$" and a redirection (make's first prerequisite): did you mean ${in}? (in a rule, ${match} is the file foreach matched)`})
		case '^':
			found = append(found, makeism{i, "$^ goes to the shell as it is (make's prerequisites): did you mean ${in}?"})
		case '(':
			end := strings.IndexByte(raw[i+2:], ')')
			if end < 0 {
				continue
			}
			name := raw[i+2 : i+2+end]
			if name != "" && known(name) {
				found = append(found, makeism{i, fmt.Sprintf("$(%s) goes to the shell, which runs the command %s in its place (make's variable): did you mean ${%s}? (write $$(%s) for the shell's)", name, name, name, name)})
			}
		}
	}
	return found
}

// warnMakeisms warns of make's spellings in the command raw of the target,
// written at a.
func (p *pending) warnMakeisms(raw string, a at) {
	if strings.IndexByte(raw, '$') < 0 {
		return
	}
	for _, m := range makeisms(raw, p.knownVar) {
		a.offset, a.raw = m.offset, raw
		p.warnAt(a, "cmd", m.msg)
	}
}

// knownVar reports whether name is a variable the target's strings may
// use: of [vars], or of its rule's vars.
func (p *pending) knownVar(name string) bool {
	if _, ok := p.f.x.vars[name]; ok {
		return true
	}
	for _, layer := range p.layers {
		if _, ok := layer[name]; ok {
			return true
		}
	}
	return false
}
