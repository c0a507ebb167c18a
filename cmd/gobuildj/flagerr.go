package main

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/spf13/cobra"
)

// badFlagValue matches pflag's message for a value it cannot parse:
// `invalid argument "abc" for "-j, --jobs" flag: strconv.ParseInt: ...`.
var badFlagValue = regexp.MustCompile(`^invalid argument "(.*)" for "(?:-(\w), )?--([\w-]+)" flag: (.*)$`)

// flagNouns says what a flag's value is, for the flags whose type alone
// says too little.
var flagNouns = map[string]string{
	"jobs":        "a number of jobs",
	"remote-jobs": "a number of jobs",
}

// flagError is the error of a command line that cobra or pflag refused
// (exit 2), worded as gobuildj's other messages: the flag as typed, its
// value, and what was expected, rather than the Go parser's error.
func flagError(_ *cobra.Command, err error) error {
	m := badFlagValue.FindStringSubmatch(err.Error())
	if m == nil {
		return usageError{err}
	}
	value, short, long, cause := m[1], m[2], m[3], m[4]
	flag := "--" + long
	if short != "" {
		flag = "-" + short
	}
	want, ok := flagNouns[long]
	switch {
	case ok:
	case strings.Contains(cause, "strconv.Parse"):
		want = "a whole number"
	case strings.Contains(cause, "time: "):
		want = `a duration such as "90s" or "5m"`
	default:
		return usageError{err}
	}
	return usageError{fmt.Errorf("%s %s: expected %s", flag, value, want)}
}
