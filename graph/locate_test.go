package graph

import (
	"strings"
	"testing"
)

// TestArrayItem checks that the scanner finds each element of arrays
// written in every TOML way.
func TestArrayItem(t *testing.T) {
	for _, c := range []struct {
		text  string
		items []string // the text each element starts with
	}{
		{`["a", "b"]`, []string{`"a"`, `"b"`}},
		{`[ 'a' , 'b' ,]`, []string{`'a'`, `'b'`}},
		{"[\n  \"a\", # one, [two]\n  # \"not\"\n  \"b\"\n]", []string{`"a"`, `"b"`}},
		{`["a\"], \\", "b"]`, []string{`"a\"]`, `"b"`}},
		{`['a\', "b"]`, []string{`'a\'`, `"b"`}},
		{"[\"\"\"x\n\"], \\\"\"\"\"\", 'y']", []string{`"""x`, `'y'`}},
		{"['''a']\n''', 'b']", []string{`'''a'`, `'b'`}},
		{"['''a'''', 'b']", []string{`'''a'`, `'b'`}},
		{`[[1, [2, "]"]], {a = "}", b = [3]}, 4]`, []string{`[1,`, `{a =`, `4]`}},
		{`[1, 2.5, true, 2024-01-01T00:00:00Z]`, []string{`1,`, `2.5`, `true`, `2024`}},
		{`[]`, nil},
	} {
		for i, want := range c.items {
			p, ok := arrayItem([]byte(c.text), 0, i)
			if !ok || !strings.HasPrefix(c.text[p:], want) {
				t.Errorf("%q item %d: at %d (%v), want %q", c.text, i, p, ok, want)
			}
		}
		if _, ok := arrayItem([]byte(c.text), 0, len(c.items)); ok {
			t.Errorf("%q: found item %d past the end", c.text, len(c.items))
		}
	}
	for _, broken := range []string{`["a`, "[\"a\n\"]", `["""a`, `[[1, 2`, `x`} {
		if p, ok := arrayItem([]byte(broken), 0, 1); ok {
			t.Errorf("%q: found item 1 at %d", broken, p)
		}
	}
}

func TestKeyStart(t *testing.T) {
	for _, c := range []struct {
		line string
		key  []string
		want int // index in the key to point at
		col  string
	}{
		{`dep = ["x"]`, []string{"targets", "a", "dep"}, 2, "dep"},
		{`  app.dep = 1`, []string{"targets", "app", "dep"}, 2, "dep"},
		{`  app.dep = 1`, []string{"targets", "app", "dep"}, 1, "app"},
		{`app . "d p"	=	1`, []string{"targets", "app", "d p"}, 1, "app"},
		{`'x' = 1`, []string{"vars", "x"}, 1, "'x'"},
		{`x = 1`, []string{"vars", "y"}, 1, "1"},    // not the key: stay at the value
		{`[vars.x]`, []string{"vars", "x"}, 1, "["}, // a header: stay
	} {
		data := []byte("# first line\n" + c.line + "\n")
		s := &source{data: data}
		start := strings.Index(string(data), "[")
		if !strings.HasPrefix(c.line, "[") {
			start = strings.Index(string(data), "=") + 1
			for data[start] == ' ' || data[start] == '\t' {
				start++
			}
		}
		got := s.keyStart(start, c.key, c.want)
		if !strings.HasPrefix(string(data[got:]), c.col) {
			t.Errorf("%q: points at %q, want %q", c.line, data[got:], c.col)
		}
	}
}

func TestStringOffset(t *testing.T) {
	for _, c := range []struct {
		text, raw string
		offset    int
		want      int
	}{
		{`"ab ${x}"`, "ab ${x}", 3, 4},
		{`'ab ${x}'`, "ab ${x}", 3, 4},
		{`"\tb ${x}"`, "\tb ${x}", 3, 0}, // an escape: the text differs
		{`"""ab ${x}"""`, "ab ${x}", 3, 0},
		{`ab`, "ab", 1, 0},
	} {
		if got := stringOffset([]byte(c.text), 0, c.raw, c.offset); got != c.want {
			t.Errorf("stringOffset(%s, %d) = %d, want %d", c.text, c.offset, got, c.want)
		}
	}
}

func TestLineCol(t *testing.T) {
	data := []byte("ab\ncd\n\nx")
	for _, c := range []struct{ off, line, col int }{
		{0, 1, 1}, {1, 1, 2}, {2, 1, 3}, {3, 2, 1}, {6, 3, 1}, {7, 4, 1}, {99, 4, 2},
	} {
		if l, col := lineCol(data, c.off); l != c.line || col != c.col {
			t.Errorf("lineCol(%d) = %d:%d, want %d:%d", c.off, l, col, c.line, c.col)
		}
	}
}

// TestLocateFallbacks checks positions that cannot come from the TOML
// parser directly.
func TestLocateFallbacks(t *testing.T) {
	text := "[targets]\n\"\" = { cmd = \"x\" }\n[targets.a]\nenv.X.Y = \"v\"\nk = [\"a\", 1]\n"
	s := &source{data: []byte(text), keys: nil}
	for _, c := range []struct {
		a         at
		line, col int
	}{
		{at{path: []string{"targets", ""}, item: -1, offset: -1, name: true}, 2, 1},
		{atItem([]string{"targets", "a", "k"}, 1), 5, 11},
		{atItem([]string{"targets", "a", "k"}, 7), 5, 5}, // no such item: the array
		{atKey("targets", "nope"), 0, 0},
	} {
		if l, col := s.locate(c.a); l != c.line || col != c.col {
			t.Errorf("locate(%v) = %d:%d, want %d:%d", c.a.path, l, col, c.line, c.col)
		}
	}
}
