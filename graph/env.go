package graph

import (
	"fmt"
	"os"
	"slices"
	"strings"
)

// ${env:NAME} reads the environment variable NAME that gobuildj was
// started with into a Buildfile string; ${env:NAME:-default} gives default
// when NAME is unset or empty, as the shell's ${NAME:-default} does. NAME
// unset without a default is an error, as an unknown ${x} is. The value is
// inserted as it is, like a [vars] value (not quoted for the shell).
//
// What a load reads of the environment is kept (envReads), so that the
// graph snapshot, which stands for the load, is used again only while
// those variables keep their values.

// envPrefix starts the name of a ${env:NAME} reference.
const envPrefix = "env:"

// envValue is the value of an environment variable, set or not.
type envValue struct {
	value string
	set   bool
}

// envReads is the environment one load reads, and what it read.
type envReads struct {
	lookup func(string) (string, bool)
	read   map[string]envValue
}

// newEnvReads reads the environment of the process.
func newEnvReads() *envReads { return &envReads{lookup: os.LookupEnv} }

// get returns the variable name and remembers what it was.
func (e *envReads) get(name string) (string, bool) {
	if e == nil {
		return os.LookupEnv(name)
	}
	v, ok := e.lookup(name)
	if e.read == nil {
		e.read = make(map[string]envValue)
	}
	e.read[name] = envValue{v, ok}
	return v, ok
}

// names returns the variables read, sorted.
func (e *envReads) names() []string {
	if e == nil {
		return nil
	}
	names := make([]string, 0, len(e.read))
	for n := range e.read {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// validEnvName reports whether name is a portable environment variable
// name: letters, digits and _, not starting with a digit.
func validEnvName(name string) bool {
	if name == "" || name[0] >= '0' && name[0] <= '9' {
		return false
	}
	return strings.IndexFunc(name, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_')
	}) < 0
}

// envLookup returns the value of ${env:ref} (ref: what follows "env:")
// referred to at offset off.
func (x *expander) envLookup(ref string, off int) (string, *expandError) {
	name, def, hasDef := strings.Cut(ref, ":-")
	if !validEnvName(name) {
		return "", &expandError{msg: fmt.Sprintf("invalid environment variable name %q in ${env:%s} (expected ${env:NAME} or ${env:NAME:-default}, NAME of letters, digits and _)", name, ref), offset: off}
	}
	v, ok := x.env.get(name)
	switch {
	case hasDef && v == "":
		return def, nil
	case !ok:
		return "", &expandError{msg: fmt.Sprintf("environment variable %s is not set (expected it set, or a default such as ${env:%s:-value})", name, name), offset: off}
	}
	return v, nil
}
