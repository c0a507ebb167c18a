package engine

import (
	"fmt"
	"strings"

	"github.com/gobuildj/gobuildj/graph"
)

// missingReason says which outputs of t the commands, which all succeeded,
// did not create: missing holds absolute paths (abs has t's outputs as
// absolute paths), named in the message as the Buildfile declares them.
func missingReason(t *graph.Target, abs, missing []string) string {
	gone := make(map[string]bool, len(missing))
	for _, m := range missing {
		gone[m] = true
	}
	names := make([]string, 0, len(missing))
	for i, a := range abs {
		if gone[a] {
			names = append(names, t.Outputs[i])
			delete(gone, a)
		}
	}
	for _, m := range missing { // not declared as such: named as given
		if gone[m] {
			names = append(names, m)
		}
	}
	subject := "the command"
	if len(t.Cmds) > 1 {
		subject = "the commands"
	}
	return fmt.Sprintf("%s succeeded but did not create %s", subject, andList(names))
}

// andList joins names as "a", "a and b" or "a, b and c".
func andList(names []string) string {
	switch len(names) {
	case 0:
		return ""
	case 1:
		return names[0]
	}
	return strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
}

// abridgeAt is the length past which a command that could not start is
// shown abridged: it is likely too long to read (E2BIG).
const abridgeAt = 1000

// abridged returns cmd whole if short, else its beginning and its size.
func abridged(cmd string) string {
	if len(cmd) <= abridgeAt {
		return cmd
	}
	head := strings.ToValidUTF8(cmd[:abridgeAt/2], "")
	return fmt.Sprintf("%s… (%d more bytes)", head, len(cmd)-len(head))
}
