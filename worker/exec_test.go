package worker

import (
	"slices"
	"testing"
)

func TestDirectArgs(t *testing.T) {
	tests := []struct {
		cmd  string
		want []string // nil: needs the shell
	}{
		{"cp a b", []string{"cp", "a", "b"}},
		{"cc -O2 -Wall -c src/a.c -o build/a.o", []string{"cc", "-O2", "-Wall", "-c", "src/a.c", "-o", "build/a.o"}},
		{"  gcc\t-DX=1 -I./include a.c  ", []string{"gcc", "-DX=1", "-I./include", "a.c"}},
		{"./configure --prefix=/usr/local", []string{"./configure", "--prefix=/usr/local"}},
		{"go build -ldflags=-s -o bin/app ./cmd/app", []string{"go", "build", "-ldflags=-s", "-o", "bin/app", "./cmd/app"}},
		{"printf %s,%s a b", []string{"printf", "%s,%s", "a", "b"}},
		{"ld @objs.rsp user@host:x", []string{"ld", "@objs.rsp", "user@host:x"}},
		{"true", []string{"true"}},
		{"echo hi", []string{"echo", "hi"}},
		// Shell syntax.
		{"echo hi > out", nil},
		{"a && b", nil},
		{"a; b", nil},
		{"a | b", nil},
		{"a & b", nil},
		{"cc $CFLAGS a.c", nil},
		{"echo $(date)", nil},
		{"echo `date`", nil},
		{"ls *.c", nil},
		{"ls a?.c", nil},
		{"ls [ab].c", nil},
		{"echo {a,b}", nil},
		{"echo ~", nil},
		{"echo 'quoted'", nil},
		{`echo "quoted"`, nil},
		{`echo a\ b`, nil},
		{"a\nb", nil},
		{"(cd x)", nil},
		{"# comment", nil},
		{"echo a!", nil},
		{"", nil},
		{"  \t ", nil},
		// Assignments, builtins and keywords.
		{"FOO=1 make", nil},
		{"cd sub", nil},
		{"exit 1", nil},
		{"export A=1", nil},
		{"set -e", nil},
		{". ./env.sh", nil},
		{": nothing", nil},
		{"wait", nil},
		{"exec cc a.c", nil},
		{"umask 022", nil},
		{"time make", nil},
		{"if", nil},
		{"for x in a b", nil},
		{"unset X", nil},
		{"trap - TERM", nil},
	}
	for _, tt := range tests {
		got, ok := directArgs(tt.cmd)
		if ok != (tt.want != nil) || !slices.Equal(got, tt.want) {
			t.Errorf("directArgs(%q) = %q, %v; want %q", tt.cmd, got, ok, tt.want)
		}
	}
}

func TestLookPath(t *testing.T) {
	r := newRunner()
	env := []string{"PATH=/nonexistent:/bin:/usr/bin"}
	p, ok := r.lookPath("sh", env, "/")
	if !ok || (p != "/bin/sh" && p != "/usr/bin/sh") {
		t.Errorf("lookPath(sh) = %q, %v", p, ok)
	}
	if _, ok := r.paths["/nonexistent:/bin:/usr/bin\x00sh"]; !ok {
		t.Error("a hit in absolute folders was not cached")
	}
	if p, ok := r.lookPath("no-such-program-gobuildj", env, "/"); ok {
		t.Errorf("lookPath found a missing program at %q", p)
	}
	if p, ok := r.lookPath("./x", env, "/"); !ok || p != "./x" {
		t.Errorf("lookPath(./x) = %q, %v; want it as is", p, ok)
	}
	if _, ok := r.lookPath("sh", []string{"HOME=/"}, "/"); ok {
		t.Error("lookPath without PATH found something")
	}
	// A relative PATH entry is relative to the job's folder, and not cached.
	dir := t.TempDir()
	writeScript(t, dir+"/bin/tool", "#!/bin/sh\necho tool\n")
	p, ok = r.lookPath("tool", []string{"PATH=bin:/bin"}, dir)
	if !ok || p != dir+"/bin/tool" {
		t.Errorf("lookPath(tool) with a relative PATH = %q, %v", p, ok)
	}
	if _, ok := r.paths["bin:/bin\x00tool"]; ok {
		t.Error("a hit through a relative PATH entry was cached")
	}
}
