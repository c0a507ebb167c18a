package reapi

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gobuildj/gobuildj/trace"
)

// What a traced run read and probed becomes its manifest: files inside the
// project but its own, /usr files by absolute path, probes inside the
// project as absent paths; the system's configuration and the files the
// commands wrote are left out, and a read elsewhere keeps it unshared.
func TestTracedFiles(t *testing.T) {
	root := t.TempDir()
	for _, p := range []string{"src/a.c", "include/a.h", "obj/a.o", "obj/a.d", ".gobuildj/state"} {
		if err := os.MkdirAll(filepath.Dir(filepath.Join(root, p)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(root, p), []byte(p), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	abs := func(ps ...string) []string {
		var out []string
		for _, p := range ps {
			out = append(out, filepath.Join(root, p))
		}
		return out
	}
	s := cSpec()
	s.Trace = true
	rep := &trace.Report{
		Read:    append(abs("src/a.c", "include/a.h", "obj/a.d", ".gobuildj/state", "include"), "/etc/ld.so.cache", "/proc/self/status", "/tmp/cc1.s"),
		Written: append(abs("obj/a.o", "obj/a.d"), "/tmp/cc1.s"),
		Probed:  abs("a.h", "include/a.h", ".gobuildj/x", "obj/a.o"),
	}
	sys := ""
	for _, p := range []string{"/usr/include/stdio.h", "/bin/sh"} {
		if _, err := os.Stat(p); err == nil {
			rep.Read = append(rep.Read, p)
			sys, _ = filepath.EvalSymlinks(p)
			break
		}
	}
	read, absent, why := tracedFiles(root, s, rep)
	if why != "" {
		t.Fatalf("not shared: %s", why)
	}
	want := []string{"include/a.h"}
	if sys != "" {
		want = append([]string{sys}, want...)
	}
	if !slices.Equal(read, want) || !slices.Equal(absent, []string{"a.h"}) {
		t.Errorf("read %v, absent %v; want %v and [a.h]", read, absent, want)
	}

	outside := filepath.Join(t.TempDir(), "x.h")
	if err := os.WriteFile(outside, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	rep.Read = append(rep.Read, outside)
	if _, _, why := tracedFiles(root, s, rep); !strings.Contains(why, "x.h, outside the project (and not under /usr/)") {
		t.Errorf("a read outside the project: %q", why)
	}

	// A hit gives back both lists as a trace.
	m := &manifested{files: []string{"include/a.h"}, absent: []string{"a.h"}}
	got := restoredTrace(root, m)
	if !slices.Equal(got.Read, abs("include/a.h")) || !slices.Equal(got.Probed, abs("a.h")) {
		t.Errorf("restored %+v", got)
	}
}
