// Package depfile reads the make-format dependency files that compilers
// write beside their outputs (gcc and clang with -MD -MF, -MMD, -MP), so
// that the headers a compilation read become inputs of its next build.
package depfile

import (
	"fmt"
	"strings"
)

// Rule is one "targets: inputs" line of a depfile (after joining `\`
// continuations). A rule with no inputs is a phony rule like those -MP
// writes for each header ("include/a.h:"), so that make does not fail when
// the header is deleted.
type Rule struct {
	Targets []string
	Inputs  []string
}

// Parse reads a depfile as gcc and clang write it, accepting what make
// would read of it:
//
//   - `\` before a newline continues the line; an unescaped newline ends a
//     rule, so a file holds several rules (-MP adds one per header);
//   - a run of 2N+1 backslashes before a space, tab or `#` stands for N
//     backslashes and that character, part of the path ("my\ file.h" is
//     "my file.h"); 2N backslashes stand for N and end the path there;
//     backslashes before anything else are kept as they are;
//   - `$$` is a `$`;
//   - the first `:` that ends a word separates targets from inputs (a `:`
//     inside a word, "c:x", is part of it; "a.o::" is read as "a.o:");
//   - a `#` that starts a word starts a comment, to the end of the line;
//   - a `|` among inputs (make's order-only separator) is skipped;
//   - carriage returns count as spaces, so CRLF files read alike.
//
// It fails on a line with paths but no `:`, a `:` with no target before
// it, or a second `:` after the inputs began, with the line number.
func Parse(data []byte) ([]Rule, error) {
	p := parser{data: data, line: 1}
	return p.parse()
}

// Inputs returns the inputs of every rule, in order of appearance, without
// duplicates: the files the command that wrote the depfile read.
func Inputs(rules []Rule) []string {
	var out []string
	seen := make(map[string]struct{})
	for _, r := range rules {
		for _, in := range r.Inputs {
			if _, ok := seen[in]; !ok {
				seen[in] = struct{}{}
				out = append(out, in)
			}
		}
	}
	return out
}

// Format writes rules in the form Parse reads, escaping what must be: a
// space, tab or `#` in a path (and the backslashes before it), a `$`, and
// backslashes that end a path. Parse(Format(r)) gives r back for every r
// that Parse returns. A path holding a newline or a carriage return, or a
// target ending in `:`, cannot be written.
func Format(rules []Rule) string {
	var b strings.Builder
	for _, r := range rules {
		for i, t := range r.Targets {
			if i > 0 {
				b.WriteByte(' ')
			}
			writeWord(&b, t, i < len(r.Targets)-1)
		}
		b.WriteByte(':')
		for _, in := range r.Inputs {
			b.WriteByte(' ')
			writeWord(&b, in, true)
		}
		b.WriteByte('\n')
	}
	return b.String()
}

// writeWord writes one path escaped. A path that ends in backslashes is
// followed by a space or a newline (spaced), which needs them doubled, or
// by the colon, which does not.
func writeWord(b *strings.Builder, w string, spaced bool) {
	slashes := 0 // backslashes just written, not yet known to need doubling
	for i := 0; i < len(w); i++ {
		c := w[i]
		switch c {
		case '\\':
			slashes++
			b.WriteByte(c)
			continue
		case ' ', '\t', '#':
			b.WriteString(strings.Repeat(`\`, slashes+1))
		case '$':
			b.WriteByte('$')
		}
		slashes = 0
		b.WriteByte(c)
	}
	if spaced {
		b.WriteString(strings.Repeat(`\`, slashes))
	}
}

// parser is the state of one Parse.
type parser struct {
	data []byte
	pos  int
	line int // of pos, for messages

	targets, inputs []string
	afterColon      bool // the current rule's ':' was seen
	ruleLine        int  // where the current rule began
	rules           []Rule
}

func (p *parser) parse() ([]Rule, error) {
	for {
		word, end := p.word()
		if word != "" || end == endColon {
			if err := p.add(word, end == endColon); err != nil {
				return nil, err
			}
		}
		switch end {
		case endLine:
			if err := p.endRule(); err != nil {
				return nil, err
			}
			p.line++
		case endEOF:
			if err := p.endRule(); err != nil {
				return nil, err
			}
			return p.rules, nil
		}
	}
}

// How a word ended.
const (
	endSpace = iota // whitespace (or a comment's start follows)
	endColon        // a ':' followed by whitespace, a newline or the end
	endLine         // an unescaped newline
	endEOF          // the end of the data
)

// word reads the next word and says what ended it.
func (p *parser) word() (string, int) {
	var w []byte
	for p.pos < len(p.data) {
		c := p.data[p.pos]
		switch c {
		case ' ', '\t', '\r':
			p.pos++
			if len(w) > 0 {
				return string(w), endSpace
			}
		case '\n':
			p.pos++
			return string(w), endLine
		case '#':
			if len(w) > 0 {
				w = append(w, c)
				p.pos++
				continue
			}
			// A comment, to the end of the line.
			for p.pos < len(p.data) && p.data[p.pos] != '\n' {
				p.pos++
			}
		case '$':
			w = append(w, c)
			p.pos++
			if p.pos < len(p.data) && p.data[p.pos] == '$' {
				p.pos++ // "$$" is "$"
			}
		case '\\':
			n := 0
			for p.pos < len(p.data) && p.data[p.pos] == '\\' {
				n++
				p.pos++
			}
			next := byte(0)
			if p.pos < len(p.data) {
				next = p.data[p.pos]
			}
			if p.pos+1 < len(p.data) && next == '\r' && p.data[p.pos+1] == '\n' {
				p.pos++ // "\\\r\n" is "\\\n"
				next = '\n'
			}
			switch {
			case next == '\n' || p.pos == len(p.data):
				w = append(w, strings.Repeat(`\`, n/2)...)
				if n%2 == 1 { // a continuation: the newline is a space
					if p.pos < len(p.data) {
						p.pos++
						p.line++
					}
					if len(w) > 0 {
						return string(w), endSpace
					}
				}
			case next == ' ' || next == '\t' || next == '#':
				// n/2 backslashes, then an escaped character (n odd), or a
				// '#' that is a character inside a word, or the end of
				// the word (a space after an even run).
				w = append(w, strings.Repeat(`\`, n/2)...)
				p.pos++
				if n%2 == 1 || next == '#' {
					w = append(w, next)
				} else {
					return string(w), endSpace
				}
			default:
				w = append(w, strings.Repeat(`\`, n)...)
			}
		case ':':
			// A colon ends the targets when whitespace or the end of the
			// line follows it (several colons: a double-colon rule).
			start := p.pos
			for p.pos < len(p.data) && p.data[p.pos] == ':' {
				p.pos++
			}
			if p.separates() {
				return string(w), endColon
			}
			w = append(w, p.data[start:p.pos]...) // inside a word
		default:
			w = append(w, c)
			p.pos++
		}
	}
	return string(w), endEOF
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\r' }

// separates reports whether a colon just read ends the targets: what
// follows it is a space, a newline, the end, or a continuation.
func (p *parser) separates() bool {
	i := p.pos
	if i == len(p.data) || isSpace(p.data[i]) || p.data[i] == '\n' {
		return true
	}
	n := 0
	for i < len(p.data) && p.data[i] == '\\' {
		n++
		i++
	}
	if n%2 == 0 {
		return false
	}
	return i == len(p.data) || p.data[i] == '\n' || (p.data[i] == '\r' && i+1 < len(p.data) && p.data[i+1] == '\n')
}

// add files a word as a target or an input.
func (p *parser) add(word string, colon bool) error {
	if len(p.targets) == 0 && len(p.inputs) == 0 && !p.afterColon {
		p.ruleLine = p.line
	}
	if p.afterColon {
		if colon {
			return fmt.Errorf("line %d: a second ':' in one rule (expected \"targets: inputs\")", p.line)
		}
		if word != "|" {
			p.inputs = append(p.inputs, word)
		}
		return nil
	}
	if word != "" {
		p.targets = append(p.targets, word)
	}
	if colon {
		if len(p.targets) == 0 {
			return fmt.Errorf("line %d: ':' with no target before it (expected \"targets: inputs\")", p.line)
		}
		p.afterColon = true
	}
	return nil
}

// endRule closes the rule of the line that just ended.
func (p *parser) endRule() error {
	switch {
	case p.afterColon:
		p.rules = append(p.rules, Rule{Targets: p.targets, Inputs: p.inputs})
	case len(p.targets) > 0:
		return fmt.Errorf("line %d: %q and no ':' (expected \"targets: inputs\")", p.ruleLine, strings.Join(p.targets, " "))
	}
	p.targets, p.inputs, p.afterColon = nil, nil, false
	return nil
}
