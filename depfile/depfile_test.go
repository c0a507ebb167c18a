package depfile

import (
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	for _, c := range []struct {
		name string
		in   string
		want []Rule
	}{
		{"empty", "", nil},
		{"blank lines", "\n\n  \n", nil},
		{"one rule", "a.o: a.c a.h\n", []Rule{{[]string{"a.o"}, []string{"a.c", "a.h"}}}},
		{"no final newline", "a.o: a.c", []Rule{{[]string{"a.o"}, []string{"a.c"}}}},
		{"no inputs", "a.o:\n", []Rule{{[]string{"a.o"}, nil}}},
		{"spaced colon", "a.o : a.c\n", []Rule{{[]string{"a.o"}, []string{"a.c"}}}},
		{"continuations", "build/a.o: src/a.c \\\n  include/a.h \\\n  include/b.h\n",
			[]Rule{{[]string{"build/a.o"}, []string{"src/a.c", "include/a.h", "include/b.h"}}}},
		{"continuation right after a word", "a.o: a.c\\\nb.h\n", []Rule{{[]string{"a.o"}, []string{"a.c", "b.h"}}}},
		{"CRLF", "a.o: a.c \\\r\n b.h\r\n", []Rule{{[]string{"a.o"}, []string{"a.c", "b.h"}}}},
		{"escaped spaces", `a.o: my\ file.c dir\ x/b\ c.h` + "\n",
			[]Rule{{[]string{"a.o"}, []string{"my file.c", "dir x/b c.h"}}}},
		{"escaped space in the target", `my\ app.o: x.c` + "\n", []Rule{{[]string{"my app.o"}, []string{"x.c"}}}},
		{"backslashes before a space", `a.o: x\\\ y.c z\\ w.c` + "\n",
			[]Rule{{[]string{"a.o"}, []string{`x\ y.c`, `z\`, "w.c"}}}},
		{"other backslashes kept", `a.o: c:\src\a.c` + "\n", []Rule{{[]string{"a.o"}, []string{`c:\src\a.c`}}}},
		{"escaped hash", `a.o: x\#1.h` + "\n", []Rule{{[]string{"a.o"}, []string{"x#1.h"}}}},
		{"dollars", "a.o: $$x.h a$$$$b.h $y.h\n", []Rule{{[]string{"a.o"}, []string{"$x.h", "a$$b.h", "$y.h"}}}},
		{"comment", "# made by cc\na.o: a.c # trailing\n", []Rule{{[]string{"a.o"}, []string{"a.c"}}}},
		{"hash inside a word", "a.o: x#y.h\n", []Rule{{[]string{"a.o"}, []string{"x#y.h"}}}},
		{"several targets", "a.o a.d: a.c\n", []Rule{{[]string{"a.o", "a.d"}, []string{"a.c"}}}},
		{"colon inside a word", "a.o: c:x.h\n", []Rule{{[]string{"a.o"}, []string{"c:x.h"}}}},
		{"double colon", "a.o:: a.c\n", []Rule{{[]string{"a.o"}, []string{"a.c"}}}},
		{"order-only separator", "a.o: a.c | gen.h\n", []Rule{{[]string{"a.o"}, []string{"a.c", "gen.h"}}}},
		{"-MP phony rules", "a.o: a.c a.h b.h\n\na.h:\n\nb.h:\n",
			[]Rule{{[]string{"a.o"}, []string{"a.c", "a.h", "b.h"}}, {[]string{"a.h"}, nil}, {[]string{"b.h"}, nil}}},
		{"tabs", "a.o:\ta.c\t\\\n\tb.h\n", []Rule{{[]string{"a.o"}, []string{"a.c", "b.h"}}}},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, err := Parse([]byte(c.in))
			if err != nil {
				t.Fatalf("Parse(%q): %v", c.in, err)
			}
			if !reflect.DeepEqual(got, c.want) {
				t.Errorf("Parse(%q)\n got %q\nwant %q", c.in, got, c.want)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"a.c b.c\n", `line 1: "a.c b.c" and no ':' (expected "targets: inputs")`},
		{"a.o: a.c\n\nx \\\n y\n", `line 3: "x y" and no ':' (expected "targets: inputs")`},
		{": a.c\n", `line 1: ':' with no target before it (expected "targets: inputs")`},
		{"a.o: b: c\n", `line 1: a second ':' in one rule (expected "targets: inputs")`},
		{"a.o: x \\\n b: c\n", `line 2: a second ':' in one rule (expected "targets: inputs")`},
	} {
		_, err := Parse([]byte(c.in))
		if err == nil || err.Error() != c.want {
			t.Errorf("Parse(%q) = %v, want %q", c.in, err, c.want)
		}
	}
}

func TestInputs(t *testing.T) {
	rules, err := Parse([]byte("a.o a.d: a.c a.h\nb.o: b.c a.h\na.h:\n"))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := Inputs(rules), []string{"a.c", "a.h", "b.c"}; !slices.Equal(got, want) {
		t.Errorf("Inputs = %q, want %q", got, want)
	}
}

func TestFormatRoundTrip(t *testing.T) {
	rules := []Rule{
		{[]string{"a b.o", `t\`, "x"}, []string{"my file.c", `dir\`, `a\ b`, "#h", "$x", "c:y", `tab	x`}},
		{[]string{"h.h"}, nil},
	}
	text := Format(rules)
	got, err := Parse([]byte(text))
	if err != nil {
		t.Fatalf("Parse(Format): %v\n%s", err, text)
	}
	if !reflect.DeepEqual(got, rules) {
		t.Errorf("round trip through\n%s\n got %q\nwant %q", text, got, rules)
	}
}

// TestCompilerDepfiles parses what the C compiler on this machine writes
// with -MD -MP for a source with a space in a header's name.
func TestCompilerDepfiles(t *testing.T) {
	cc, err := exec.LookPath("cc")
	if err != nil {
		t.Skip("no C compiler")
	}
	dir := t.TempDir()
	files := map[string]string{
		"src/main.c":          "#include \"util.h\"\n#include \"my header.h\"\nint main(void) { return f() + g(); }\n",
		"include/util.h":      "int f(void);\n",
		"include/my header.h": "static inline int g(void) { return 0; }\n",
	}
	for name, content := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cmd := exec.Command(cc, "-Iinclude", "-MMD", "-MP", "-MF", "build/main.o.d", "-c", "src/main.c", "-o", "build/main.o")
	cmd.Dir = dir
	if err := os.MkdirAll(filepath.Join(dir, "build"), 0o755); err != nil {
		t.Fatal(err)
	}
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%v: %v\n%s", cmd, err, out)
	}
	data, err := os.ReadFile(filepath.Join(dir, "build/main.o.d"))
	if err != nil {
		t.Fatal(err)
	}
	rules, err := Parse(data)
	if err != nil {
		t.Fatalf("Parse: %v\n%s", err, data)
	}
	if got, want := Inputs(rules), []string{"src/main.c", "include/util.h", "include/my header.h"}; !slices.Equal(got, want) {
		t.Errorf("inputs %q, want %q; depfile:\n%s", got, want, data)
	}
	if !strings.Contains(string(data), `my\ header.h`) {
		t.Errorf("the compiler did not escape the space:\n%s", data)
	}
	if len(rules) != 3 || !slices.Equal(rules[0].Targets, []string{"build/main.o"}) {
		t.Errorf("rules %q, want the object's and two phony header rules", rules)
	}
}
