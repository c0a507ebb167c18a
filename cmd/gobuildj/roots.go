package main

import "fmt"

// noDefaultMessage is the first line of a build with no target named in a
// Buildfile with no default and no target "all": it builds the n targets
// that nothing depends on, as ninja does, and says so.
func noDefaultMessage(n int) string {
	if n == 1 {
		return "gobuildj: no default: building the target nothing depends on"
	}
	return fmt.Sprintf("gobuildj: no default: building the %d targets nothing depends on", n)
}
