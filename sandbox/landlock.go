package sandbox

import (
	"errors"
	"fmt"
	"os"

	"github.com/landlock-lsm/go-landlock/landlock"
	ll "github.com/landlock-lsm/go-landlock/landlock/syscall"
)

// MinABI is the oldest Landlock ABI the sandbox uses: ABI 2 (Linux 5.19)
// lets a command move a file it wrote in its temp folder into an output
// folder ("refer"). ABI 3 (Linux 6.2) adds truncation control and ABI 5
// (Linux 6.10) ioctl on devices, which Restrict uses when the kernel has
// them.
const MinABI = 2

// config is what Restrict asks of the kernel: the file-system rights of
// ABI 5, each restricted unless a rule grants it (on an older kernel, those
// it lacks stay unrestricted). Network and signals are left alone.
var config = landlock.V5.BestEffort()

// ABI returns the Landlock ABI version of the running kernel: 0 when it has
// no Landlock (too old, or not enabled at boot: "lsm=landlock,...").
func ABI() int {
	v, err := ll.LandlockGetABIVersion()
	if err != nil {
		return 0
	}
	return v
}

// Restrict applies p to the calling process and every thread of it, for
// good, and to what it executes after: p.Read may be read, listed and
// executed, p.Write may also be written, truncated, created in, removed
// from and renamed into; everything else is denied (EACCES). A path that
// does not exist is skipped: it grants nothing. The kernel must have
// Landlock ABI MinABI or later (see Decide).
func Restrict(p Policy) error {
	if abi := ABI(); abi < MinABI {
		return fmt.Errorf("landlock: %s", unavailable(abi))
	}
	rules := make([]landlock.Rule, 0, len(p.Read)+len(p.Write))
	for _, path := range p.Read {
		if r, ok := rule(path, false); ok {
			rules = append(rules, r)
		}
	}
	for _, path := range p.Write {
		if r, ok := rule(path, true); ok {
			rules = append(rules, r)
		}
	}
	if err := config.RestrictPaths(rules...); err != nil {
		return fmt.Errorf("landlock: %w", err)
	}
	return nil
}

// rule returns the rule that grants path: folder rights for a folder, file
// rights for anything else (the kernel refuses folder rights on a file).
func rule(path string, write bool) (landlock.Rule, bool) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, false
	}
	switch {
	case fi.IsDir() && write:
		return landlock.RWDirs(path).WithRefer(), true
	case fi.IsDir():
		return landlock.RODirs(path), true
	case write && fi.Mode()&os.ModeDevice != 0:
		return landlock.RWFiles(path).WithIoctlDev(), true
	case write:
		return landlock.RWFiles(path), true
	default:
		return landlock.ROFiles(path), true
	}
}

// ErrUnavailable is what Decide answers a strict build on a kernel without
// a usable Landlock.
var ErrUnavailable = errors.New("the sandbox is unavailable")

// Decide says whether a build that asks for the sandbox runs its commands
// sandboxed on a kernel of Landlock ABI abi (see ABI). When it cannot, a
// strict build fails with an error that wraps ErrUnavailable and says why;
// another runs its commands unsandboxed, and warning says so (to be
// printed once).
func Decide(abi int, strict bool) (use bool, warning string, err error) {
	if abi >= MinABI {
		return true, "", nil
	}
	why := unavailable(abi)
	if strict {
		return false, "", fmt.Errorf("%w: %s (--sandbox=strict)", ErrUnavailable, why)
	}
	return false, "sandbox: " + why + ": commands run unsandboxed (--sandbox=strict makes this an error)", nil
}

func unavailable(abi int) string {
	if abi <= 0 {
		return "this kernel has no Landlock (Linux 5.13 or later, with landlock among the LSMs enabled at boot)"
	}
	return fmt.Sprintf("this kernel's Landlock is ABI %d, the sandbox needs ABI %d (Linux 5.19) or later", abi, MinABI)
}
