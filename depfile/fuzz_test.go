package depfile

import (
	"reflect"
	"strings"
	"testing"
)

// FuzzParse checks that Parse never panics, and that what it reads survives
// a trip through Format: the escaping of Format and the unescaping of Parse
// agree. `go test` runs the seeds; `go test -fuzz FuzzParse ./depfile`
// explores further.
func FuzzParse(f *testing.F) {
	for _, seed := range []string{
		"a.o: a.c a.h\n",
		"build/a.o: src/a.c \\\n  include/a.h \\\n  include/b.h\n\ninclude/a.h:\n\ninclude/b.h:\n",
		`a.o: my\ file.c x\\\ y.c z\\ w.c c:\src\a.c x\#1.h` + "\n",
		"a.o: $$x.h a$$$$b.h $y.h # c\n",
		"a.o a.d:: a.c | gen.h\r\n",
		"a.o:\ta.c\t\\\r\n\tb.h",
		": x\n",
		"a b\n",
		"a: b: c\n",
		"a\\",
		"a:\\\\\\\n b",
		"#\\\n",
		"a\\ :",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		rules, err := Parse(data)
		if err != nil {
			return
		}
		for _, r := range rules {
			if len(r.Targets) == 0 {
				t.Fatalf("a rule without targets from %q", data)
			}
			for _, w := range append(append([]string{}, r.Targets...), r.Inputs...) {
				if w == "" || strings.ContainsAny(w, "\n\r") {
					t.Fatalf("bad path %q from %q", w, data)
				}
			}
		}
		text := Format(rules)
		again, err := Parse([]byte(text))
		if err != nil {
			t.Fatalf("Parse(Format(Parse(%q))): %v\nformatted:\n%s", data, err, text)
		}
		if len(rules) == 0 && len(again) == 0 {
			return
		}
		if !reflect.DeepEqual(again, rules) {
			t.Fatalf("round trip of %q through\n%s\n got %q\nwant %q", data, text, again, rules)
		}
	})
}
