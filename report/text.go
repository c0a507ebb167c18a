package report

import (
	"regexp"
	"sync"
)

// ansiEscape matches the escape sequences of terminal colours and cursor
// movement (CSI ... final byte), which a command forced to colour its output
// (gcc -fdiagnostics-color=always) leaves in it.
var ansiEscape = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile("\x1b\\[[0-?]*[ -/]*[@-~]") })

// plainText is a command's output for a file that is not a terminal: its
// escape sequences removed.
func plainText(output []byte) string {
	return ansiEscape().ReplaceAllString(string(output), "")
}
