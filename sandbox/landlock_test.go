package sandbox

import (
	"errors"
	"strings"
	"testing"
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
