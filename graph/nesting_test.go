package graph

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/BurntSushi/toml"
)

func TestNestingTooDeep(t *testing.T) {
	deep := func(n int) string { return strings.Repeat("[", n) + strings.Repeat("]", n) }
	for _, c := range []struct {
		name, doc string
		want      int // offset, or -1
	}{
		{"empty", "", -1},
		{"flat", "a = [1, 2]\nb = {x = 1}\n", -1},
		{"at the limit", "a = " + deep(MaxNesting) + "\n", -1},
		{"past the limit", "a = " + deep(MaxNesting+1) + "\n", 4 + MaxNesting},
		{"inline tables", "a = " + strings.Repeat("{a=", MaxNesting+1) + "1" + strings.Repeat("}", MaxNesting+1), 4 + 3*MaxNesting},
		{"mixed", "a = " + strings.Repeat("[{a=", MaxNesting), 4 + 4*(MaxNesting/2)},
		{"closed values do not add up", strings.Repeat("a = "+deep(MaxNesting)+"\n", 3), -1},
		{"multi-line array", "a = [\n" + strings.Repeat("[\n", MaxNesting) + strings.Repeat("]\n", MaxNesting) + "]\n", 6 + 2*(MaxNesting-1)},
		{"table headers", strings.Repeat("[a]\n[[b]]\n[ c . \"[[[\" ]\n['d[' . e]\n", MaxNesting), -1},
		{"basic strings", "a = \"" + strings.Repeat("[", 1000) + "\\\"[\"\n", -1},
		{"literal strings", "a = '" + strings.Repeat("{", 1000) + "\\'\n", -1},
		{"multi-line basic", "a = \"\"\"\n" + strings.Repeat("[\"\"\n", 1000) + "\\\"\"\"\"\"\"\"\nb = 1\n", -1},
		{"multi-line literal", "a = '''" + strings.Repeat("{''\n", 1000) + "'''''\nb = [[1]]\n", -1},
		{"comments", strings.Repeat("# [[[[{{{{ \"\n", 1000) + "a = [ # [[[[\n1]\n", -1},
		{"string keys", "\"[[[\" = 1\n'{{{' = [\"]]]\"]\n", -1},
		{"brackets after a string", "a = \"x\"" + deep(MaxNesting+1), 7 + MaxNesting},
		{"unterminated string", "a = \"" + deep(1000), -1},
		{"a single-line string ends at the newline", "a = \"x\n" + "b = " + deep(MaxNesting+1), 11 + MaxNesting},
	} {
		if got := nestingTooDeep([]byte(c.doc)); got != c.want {
			t.Errorf("%s: nestingTooDeep = %d, want %d", c.name, got, c.want)
		}
	}
}

// TestNestingAgreesWithParser checks, over valid TOML, that a document the
// scan lets through is one the parser reads, and that the depth it refuses
// at is real: the same document one level shallower is accepted.
func TestNestingAgreesWithParser(t *testing.T) {
	for _, c := range []struct {
		doc   string
		outer int // the levels the document adds around %s
	}{
		{"x = %s\n", 0},
		{"[t]\nx = { y = %s }\n", 1},
		{"[[t]]\nx = [\"]\", '[', \"\"\"\n]\"\"\", %s]\n", 1},
		{"# [\n[\"a[\".b]\nx = [ # ]\n %s ]\n", 1},
	} {
		for _, depth := range []int{MaxNesting, MaxNesting + 1} {
			n := depth - c.outer
			text := fmt.Sprintf(c.doc, strings.Repeat("[", n)+strings.Repeat("]", n))
			var v map[string]any
			if _, err := toml.Decode(text, &v); err != nil {
				t.Fatalf("test document is not valid TOML: %v\n%s", err, text)
			}
			off := nestingTooDeep([]byte(text))
			if depth <= MaxNesting && off >= 0 || depth > MaxNesting && off < 0 {
				t.Errorf("nestingTooDeep(%q) = %d at depth %d", text, off, depth)
			}
		}
	}
}

// TestNestingBomb loads Buildfiles nested a million deep (2 MB), directly
// and through an include: each is refused at once, naming the file, the
// line and column, and the limit.
func TestNestingBomb(t *testing.T) {
	const n = 1_000_000
	want := fmt.Sprintf("arrays and inline tables nest more than %d deep here (expected at most %d levels of [ and { in a value)", MaxNesting, MaxNesting)
	for _, c := range []struct{ name, text, sub, want string }{
		{"arrays", "[vars]\na = " + strings.Repeat("[", n) + strings.Repeat("]", n) + "\n", "",
			fmt.Sprintf("Buildfile.toml:2:%d: %s", 5+MaxNesting, want)},
		{"inline tables", "[targets.t]\ncmd = \"true\"\n[targets.t.env]\nX = " + strings.Repeat("{a=", n) + "1" + strings.Repeat("}", n) + "\n", "",
			fmt.Sprintf("Buildfile.toml:4:%d: %s", 5+3*MaxNesting, want)},
		{"unclosed", "a = " + strings.Repeat("[{", n), "",
			fmt.Sprintf("Buildfile.toml:1:%d: %s", 5+MaxNesting, want)},
		{"include", "include = [\"sub/Buildfile.toml\"]\n", "[targets.t]\ncmd = \"true\"\ninputs = " + strings.Repeat("[", n) + "\n",
			fmt.Sprintf("sub/Buildfile.toml:3:%d: %s", 10+MaxNesting, want)},
	} {
		t.Run(c.name, func(t *testing.T) {
			files := map[string]string{}
			if c.sub != "" {
				files["sub/Buildfile.toml"] = c.sub
			}
			start := time.Now()
			_, _, err := loadText(t, c.text, files)
			if err == nil || err.Error() != c.want {
				t.Errorf("Load:\n%v\nwant:\n%s", err, c.want)
			}
			if d := time.Since(start); d > 2*time.Second {
				t.Errorf("Load took %v", d)
			}
		})
	}
}
