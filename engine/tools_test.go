package engine

import (
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/gobuildj/gobuildj/cache"
	"github.com/gobuildj/gobuildj/graph"
)

func TestCommandPrograms(t *testing.T) {
	for _, tc := range []struct {
		cmd  string
		want []string
	}{
		{"cc -c a.c -o a.o", []string{"cc"}},
		{"mkdir -p out && cp a out/ || ./fallback.sh; gen > x.h", []string{"mkdir", "cp", "./fallback.sh", "gen"}},
		{"CC=gcc CFLAGS=-O2 make -C sub all", []string{"make"}},
		{"cat a | sort | uniq -c\nwc -l b", []string{"cat", "sort", "uniq", "wc"}},
		{"echo 'x | grep y' && test -f a && true", nil},
		{`$CC -c a.c; "quoted" x; ${X} y; ~/bin/tool; /usr/bin/l?; \cc`, nil},
		{"if cmp -s a b; then rm b; else mv b a; fi", []string{"cmp", "rm", "mv"}},
		{"for f in a b; do gzip $f; done", []string{"gzip"}},
		{"(cd sub && ninja) # then lint\nexec lint --all", []string{"ninja", "lint"}},
		{">log 2>&1 prog arg; < in filter > out", []string{"prog", "filter"}},
		{"env A=1 tool", []string{"env"}},
	} {
		if got := commandPrograms(tc.cmd, nil); !slices.Equal(got, tc.want) {
			t.Errorf("commandPrograms(%q) = %q, want %q", tc.cmd, got, tc.want)
		}
	}
}

// TestToolResolver: a name is found in the target's PATH, else the
// inherited one; its content is the hash; a missing tool has none.
func TestToolResolver(t *testing.T) {
	root := t.TempDir()
	for _, f := range []string{"bin1/cc", "bin2/cc", "tools/wrap"} {
		p := filepath.Join(root, f)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte("#!/bin/sh\n# "+f+"\n"), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	store, err := cache.Open(root)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	files := store.Files()
	inherited := map[string]string{"PATH": filepath.Join(root, "bin1")}
	lookup := func(k string) (string, bool) { v, ok := inherited[k]; return v, ok }
	r := newToolResolver(root, files, lookup)

	target := &graph.Target{Dir: ".", Cmds: []string{"cc -c a.c && nosuchtool x && cc -o app a.o"}, Tools: []string{"./tools/wrap"}}
	got := r.tools(target)
	if len(got) != 3 || got[0].Path != filepath.Join(root, "bin1/cc") || got[1].Path != "" || got[2].Path != filepath.Join(root, "tools/wrap") {
		t.Fatalf("tools = %+v", got)
	}
	if got[0].Hash != cache.HashBytes([]byte("#!/bin/sh\n# bin1/cc\n")) {
		t.Error("the tool's hash is not its content's")
	}
	target.Env = []string{"PATH=" + filepath.Join(root, "bin2")}
	if got := r.tools(target); got[0].Path != filepath.Join(root, "bin2/cc") {
		t.Errorf("the target's PATH is not used: %+v", got[0])
	}
}

// BenchmarkTools is the cost the tools add to the check of one target of
// a no-op build: its programs found and hashed (from the build's cache).
func BenchmarkTools(b *testing.B) {
	root := b.TempDir()
	store, err := cache.Open(root)
	if err != nil {
		b.Fatal(err)
	}
	defer store.Close()
	r := newToolResolver(root, store.Files(), os.LookupEnv)
	target := &graph.Target{Dir: ".", Cmds: []string{"cp src/1234.txt out/1234.o"}}
	b.ReportAllocs()
	for b.Loop() {
		r.tools(target)
	}
}
