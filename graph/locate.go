package graph

import (
	"bytes"
	"errors"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"github.com/BurntSushi/toml"
)

// source is the Buildfile's text, kept to turn a key path into a line and
// column when a problem is reported. TOML's MetaData knows every key's
// position but does not export it; it does put it into the ParseError of a
// value whose UnmarshalTOML fails. So locating key k decodes the text once
// more into a struct built for k alone, whose only leaf fails: the error
// carries the exact position the TOML parser recorded (for `k = v` where v
// starts, give or take its opening quote or bracket; for a table header its
// "["; for a key in an inline table the key). This runs only when reporting
// an error.
type source struct {
	file  string     // name used in messages
	abs   string     // absolute path
	data  []byte     // the Buildfile's text
	keys  []toml.Key // every key, in file order (MetaData.Keys)
	order map[string]int
}

// at says where in the Buildfile a problem is.
type at struct {
	path   []string // key path, e.g. {"targets", "app", "deps"}; nil: nowhere in particular
	item   int      // >= 0: that element of the array value, else the value itself
	offset int      // >= 0: that byte of the string value (when it can be found in the text)
	raw    string   // the string value, to check that offset maps onto the text
	name   bool     // point at the key's name rather than its value
	in     *source  // the Buildfile the path is in, when not the one reporting (a default's)
}

// atKey is the location of the value of the key path.
func atKey(path ...string) at { return at{path: path, item: -1, offset: -1} }

// atItem is the location of element i of the array at path.
func atItem(path []string, i int) at { return at{path: path, item: i, offset: -1} }

// errorAt makes an *Error located at a (best effort) about target and key.
func (s *source) errorAt(a at, target, key, msg string) *Error {
	e := &Error{File: s.file, Target: target, Key: key, Msg: msg}
	if a.path != nil {
		e.Line, e.Col = s.locate(a)
	}
	return e
}

// errorAtRule makes an *Error located at a about a rule (and the file
// match of one of its instances, if not "").
func (s *source) errorAtRule(a at, rule, match, key, msg string) *Error {
	e := s.errorAt(a, "", key, msg)
	e.Rule, e.Match = rule, match
	return e
}

// ordinal is the rank of the key path among the Buildfile's keys in file
// order (or that of the first key below it, for implicit tables), used to
// report the first of several problems.
func (s *source) ordinal(path []string) int {
	if s.order == nil {
		s.order = make(map[string]int, len(s.keys))
		for i, k := range s.keys {
			s.order[k.String()] = i
		}
	}
	if i, ok := s.order[toml.Key(path).String()]; ok {
		return i
	}
	for i, k := range s.keys {
		if hasPrefix(k, path) {
			return i
		}
	}
	return len(s.keys)
}

func hasPrefix(k toml.Key, path []string) bool {
	if len(k) < len(path) {
		return false
	}
	for i := range path {
		if k[i] != path[i] {
			return false
		}
	}
	return true
}

// locate returns the 1-based line and column of a, or 0, 0.
func (s *source) locate(a at) (line, col int) {
	key := toml.Key(a.path)
	start, ok := s.valueStart(a.path)
	if !ok {
		// An implicit table (from `a.b.c = 1` or `[a.b.c]`) has no position of
		// its own: use the first key below it, pointing at the name.
		for _, k := range s.keys {
			if len(k) > len(a.path) && hasPrefix(k, a.path) {
				if start, ok = s.valueStart(k); ok {
					key = k
					a.name = true
					a.item, a.offset = -1, -1
				}
				break // each try decodes the whole file again
			}
		}
		if !ok {
			return s.locateEmpty(a.path)
		}
	}
	start = s.valueBegin(start)
	switch {
	case a.name:
		start = s.keyStart(start, key, len(a.path)-1)
	case a.item >= 0:
		if p, ok := arrayItem(s.data, start, a.item); ok {
			start = p
		}
	}
	if a.offset >= 0 && !a.name {
		start += stringOffset(s.data, start, a.raw, a.offset)
	}
	return lineCol(s.data, start)
}

// valueBegin moves a position as TOML records it (inside the opening quote
// of a string, just after the "[" of an array or the "{" of an inline
// table) to the value's first byte.
func (s *source) valueBegin(start int) int {
	if start <= 0 || start > len(s.data) {
		return start
	}
	before := s.data[:start]
	for _, open := range []string{"\"\"\"\n", "'''\n", `"""`, `'''`, `"`, `'`, "["} {
		if bytes.HasSuffix(before, []byte(open)) {
			return start - len(open)
		}
	}
	// An inline table's position is just after its "{"; that of a key in an
	// inline table is the key's first byte, never a blank.
	if s.data[start-1] == '{' && (start == len(s.data) || strings.IndexByte(" \t}", s.data[start]) >= 0) {
		return start - 1
	}
	return start
}

// locateEmpty finds a key named "" (which no struct tag can name) by its
// text: `prefix.""` as in [targets.""], else the first `""` after the
// parent table's position, else the first at all.
func (s *source) locateEmpty(path []string) (int, int) {
	i := slices.Index(path, "")
	if i < 0 {
		return 0, 0
	}
	if i > 0 {
		prefix := toml.Key(path[:i]).String() + "."
		for _, form := range []string{prefix + `""`, prefix + "''"} {
			if j := bytes.Index(s.data, []byte(form)); j >= 0 {
				lineStart := bytes.LastIndexByte(s.data[:j], '\n') + 1
				if bytes.HasPrefix(bytes.TrimLeft(s.data[lineStart:j], " \t"), []byte("[")) {
					j = lineStart // a table header: point at its line
				}
				return lineCol(s.data, j)
			}
		}
	}
	parent, _ := s.valueStart(path[:i])
	for _, from := range []int{parent, 0} {
		for _, form := range []string{`""`, "''"} {
			if j := bytes.Index(s.data[from:], []byte(form)); j >= 0 {
				return lineCol(s.data, from+j)
			}
		}
	}
	return 0, 0
}

// errLocate is what the leaf of a locating struct returns.
var errLocate = errors.New("graph: locating a key")

// locateLeaf fails as soon as TOML hands it a value.
type locateLeaf struct{}

// UnmarshalTOML fails, so that TOML reports the position of the value.
func (locateLeaf) UnmarshalTOML(any) error { return errLocate }

// valueStart returns the byte offset where the value of path starts (for a
// table header, its "[").
func (s *source) valueStart(path []string) (int, bool) {
	if len(path) == 0 {
		return 0, false
	}
	t := reflect.TypeFor[locateLeaf]()
	for i := len(path) - 1; i >= 0; i-- {
		if path[i] == "" || path[i] == "-" || strings.ContainsRune(path[i], ',') {
			return 0, false // not expressible as a toml struct tag
		}
		t = reflect.StructOf([]reflect.StructField{{
			Name: "F",
			Type: t,
			Tag:  reflect.StructTag("toml:" + strconv.Quote(path[i])),
		}})
	}
	_, err := toml.NewDecoder(bytes.NewReader(s.data)).Decode(reflect.New(t).Interface())
	var pe toml.ParseError
	if !errors.As(err, &pe) || pe.Message != errLocate.Error() || pe.Position.Line == 0 {
		return 0, false
	}
	return pe.Position.Start, true
}

// keyStart moves from the start of a value back to component want of its
// key, when the text before the value on its line reads `a.b.c =` (each
// component bare or quoted).
func (s *source) keyStart(start int, key toml.Key, want int) int {
	if start > len(s.data) || want < 0 {
		return start
	}
	lineStart := bytes.LastIndexByte(s.data[:start], '\n') + 1
	before := strings.TrimRight(string(s.data[lineStart:start]), " \t")
	if !strings.HasSuffix(before, "=") {
		return start
	}
	before = strings.TrimRight(before[:len(before)-1], " \t")
	found := start
	for i := len(key) - 1; i >= want; i-- {
		matched := false
		for _, form := range []string{key[i], strconv.Quote(key[i]), "'" + key[i] + "'"} {
			if form != "" && strings.HasSuffix(before, form) {
				before = before[:len(before)-len(form)]
				matched = true
				break
			}
		}
		if !matched {
			break
		}
		found = lineStart + len(before)
		before = strings.TrimRight(before, " \t")
		if !strings.HasSuffix(before, ".") {
			break
		}
		before = strings.TrimRight(before[:len(before)-1], " \t")
	}
	return found
}

// stringOffset returns how far past start the byte offset of the string value
// raw begins in the text, or 0 if the text is not the plain one-line quoted
// form of raw up to that offset (escapes make the two differ).
func stringOffset(data []byte, start int, raw string, offset int) int {
	if start >= len(data) || offset > len(raw) {
		return 0
	}
	q := data[start]
	if q != '"' && q != '\'' {
		return 0
	}
	if bytes.HasPrefix(data[start:], []byte{q, q, q}) {
		return 0
	}
	end := start + 1 + offset
	if end > len(data) || string(data[start+1:end]) != raw[:offset] {
		return 0
	}
	return 1 + offset
}

// lineCol converts a byte offset into a 1-based line and column.
func lineCol(data []byte, off int) (int, int) {
	off = min(off, len(data))
	line := 1 + bytes.Count(data[:off], []byte{'\n'})
	col := off - (bytes.LastIndexByte(data[:off], '\n') + 1) + 1
	return line, col
}

// arrayItem returns the offset of element i of the TOML array whose "[" is
// at start.
func arrayItem(data []byte, start, i int) (int, bool) {
	if start >= len(data) || data[start] != '[' {
		return 0, false
	}
	p, n := start+1, 0
	for p < len(data) {
		switch data[p] {
		case ' ', '\t', '\r', '\n', ',':
			p++
			continue
		case '#':
			p = skipComment(data, p)
			continue
		case ']':
			return 0, false
		}
		if n == i {
			return p, true
		}
		if p = skipValue(data, p); p < 0 {
			return 0, false
		}
		n++
	}
	return 0, false
}

func skipComment(data []byte, p int) int {
	if nl := bytes.IndexByte(data[p:], '\n'); nl >= 0 {
		return p + nl + 1
	}
	return len(data)
}

// skipValue returns the offset just past the TOML value at p, or -1.
func skipValue(data []byte, p int) int {
	switch c := data[p]; c {
	case '"', '\'':
		if bytes.HasPrefix(data[p:], []byte{c, c, c}) {
			end := bytes.Index(data[p+3:], []byte{c, c, c})
			for c == '"' && end >= 0 && escaped(data, p+3+end) {
				next := bytes.Index(data[p+3+end+1:], []byte{c, c, c})
				if next < 0 {
					return -1
				}
				end += 1 + next
			}
			if end < 0 {
				return -1
			}
			q := p + 3 + end + 3
			for extra := 0; extra < 2 && q < len(data) && data[q] == c; extra++ {
				q++ // up to two quotes may end the content: """a"""""
			}
			return q
		}
		for q := p + 1; q < len(data); q++ {
			switch data[q] {
			case '\\':
				if c == '"' {
					q++
				}
			case c:
				return q + 1
			case '\n':
				return -1
			}
		}
		return -1
	case '[', '{':
		closer := byte(']')
		if c == '{' {
			closer = '}'
		}
		for q := p + 1; q < len(data); {
			switch data[q] {
			case closer:
				return q + 1
			case '#':
				q = skipComment(data, q)
			case '"', '\'', '[', '{':
				if q = skipValue(data, q); q < 0 {
					return -1
				}
			default:
				q++
			}
		}
		return -1
	default:
		for q := p; q < len(data); q++ {
			switch data[q] {
			case ',', ']', '}', ' ', '\t', '\r', '\n', '#':
				return q
			}
		}
		return len(data)
	}
}

// escaped reports whether the byte at q is preceded by an odd number of
// backslashes.
func escaped(data []byte, q int) bool {
	n := 0
	for q--; q >= 0 && data[q] == '\\'; q-- {
		n++
	}
	return n%2 == 1
}
