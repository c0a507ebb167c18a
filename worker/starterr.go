package worker

import (
	"errors"
	"fmt"
	"syscall"
)

// maxArgStrlen is the longest single argument Linux's execve takes
// (MAX_ARG_STRLEN, 32 pages): a command run as /bin/sh -c CMD is one
// argument.
const maxArgStrlen = 128 << 10

// startError says why command cmd could not be started, for
// Result.StartErr. E2BIG ("argument list too long") is spelt out with the
// command's size, since the command itself is too long to read.
func startError(cmd string, err error) string {
	if errors.Is(err, syscall.E2BIG) {
		return fmt.Sprintf("argument list too long (E2BIG): the command is %s, and the system takes at most %s in one argument and a bounded total of arguments and environment (ARG_MAX); write the long list to a file and read it from there, or use xargs",
			byteSize(len(cmd)), byteSize(maxArgStrlen))
	}
	return err.Error()
}

// byteSize formats n bytes for a message: "512 bytes", "195 KiB", "3.2 MiB".
func byteSize(n int) string {
	switch {
	case n < 1<<10:
		return fmt.Sprintf("%d bytes", n)
	case n < 1<<20:
		return fmt.Sprintf("%d KiB", n>>10)
	default:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	}
}
