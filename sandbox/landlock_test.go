package sandbox

import (
	"errors"
	"strings"
	"testing"

	"github.com/gobuildj/gobuildj/trace"
)

func TestDecideFallsBackOrFailsWithoutLandlock(t *testing.T) {
	for _, c := range []struct {
		abi     int
		strict  bool
		use     bool
		warning string
		err     string
	}{
		{abi: 7, use: true},
		{abi: 2, strict: true, use: true},
		{abi: 0, warning: "sandbox: this kernel has no Landlock"},
		{abi: 1, warning: "sandbox: this kernel's Landlock is ABI 1, the sandbox needs ABI 2"},
		{abi: 0, strict: true, err: "the sandbox is unavailable: this kernel has no Landlock"},
		{abi: 1, strict: true, err: "the sandbox is unavailable: this kernel's Landlock is ABI 1"},
	} {
		use, warning, err := Decide(c.abi, c.strict)
		if use != c.use || !strings.HasPrefix(warning, c.warning) || (c.warning == "") != (warning == "") {
			t.Errorf("Decide(%d, %v) = %v, %q", c.abi, c.strict, use, warning)
		}
		if c.err == "" && err != nil || c.err != "" && (err == nil || !strings.HasPrefix(err.Error(), c.err) || !errors.Is(err, ErrUnavailable)) {
			t.Errorf("Decide(%d, %v) error = %v, want %q...", c.abi, c.strict, err, c.err)
		}
	}
}

func TestViolationNamesTheFirstDeniedAccess(t *testing.T) {
	p := Policy{Read: []string{"/usr", "/p/a.c"}, Write: []string{"/p/out", "/tmp/x"}}
	for _, c := range []struct {
		rep  trace.Report
		want Violation
		ok   bool
	}{
		{rep: trace.Report{Read: []string{"/usr/bin/cc", "/p/a.c", "/p/out/a.o"}, Written: []string{"/p/out/a.o", "/tmp/x/cc1.s"}}},
		{rep: trace.Report{Read: []string{"/p/a.c", "/p/secret", "/usrx"}}, want: Violation{Path: "/p/secret"}, ok: true},
		{rep: trace.Report{Read: []string{"/etc", "/home/u/.netrc", "/p/secret"}}, want: Violation{Path: "/p/secret"}, ok: true},
		{rep: trace.Report{Read: []string{"/etc", "/home/u/.netrc"}}, want: Violation{Path: "/home/u/.netrc"}, ok: true},
		{rep: trace.Report{Read: []string{"/etc"}}, want: Violation{Path: "/etc", Folder: true}, ok: true},
		{rep: trace.Report{Read: []string{"/etc", "/p/secret"}}, want: Violation{Path: "/p/secret"}, ok: true},
		{rep: trace.Report{Read: []string{"/p/secret"}, Written: []string{"/p/out/a.o", "/p/elsewhere"}}, want: Violation{Write: true, Path: "/p/elsewhere"}, ok: true},
		{rep: trace.Report{Deleted: []string{"/p/a.c"}}, want: Violation{Write: true, Path: "/p/a.c"}, ok: true},
		{rep: trace.Report{Probed: []string{"/home/u/.config"}}},
	} {
		got, ok := p.Violation(&c.rep, "/p")
		if got != c.want || ok != c.ok {
			t.Errorf("Violation(%+v) = %+v, %v; want %+v, %v", c.rep, got, ok, c.want, c.ok)
		}
	}
}
