//go:build !amd64

package trace

import (
	"fmt"
	"runtime"
)

// injectFilter is not written for this architecture: StartDirect fails
// and callers use a launcher that calls InstallFilter.
func injectFilter(int) error {
	return fmt.Errorf("installing the filter into a command is not supported on %s", runtime.GOARCH)
}

// CanStartDirect reports whether StartDirect works here.
func CanStartDirect() bool { return false }
