package graph

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/BurntSushi/toml"
)

// Variable expansion. `${name}` is replaced by an automatic variable
// (target, in, out, deps; match and stem in rules) or else by the [vars]
// entry name, itself expanded
// (vars may refer to vars, and to automatic variables: then they are
// expanded anew in each target), or by an environment variable for
// ${env:NAME} (env.go). `$$` is a literal `$`; a `$` followed by
// anything else is kept, so `$HOME` and `$(date)` reach the shell.

// depsMarker stands for ${deps} until the graph is known: expansion of a
// target's strings happens before its deps are resolved, and the marker is
// replaced afterwards. Strings that can hold it are checked to contain no
// NUL of their own, so it cannot be mistaken.
const depsMarker = "\x00deps\x00"

// depsShellMarker stands for ${deps} in a command, where the paths are
// quoted for the shell.
const depsShellMarker = "\x00deps-quoted\x00"

// shellQuote returns s as one word of a POSIX shell: as it is when it holds
// only characters no shell treats specially, else in single quotes.
func shellQuote(s string) string {
	if s != "" && strings.IndexFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("_@%+=:,./-", r))
	}) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// The states of a variable during expansion.
const (
	unvisited = iota
	expanding
	expanded
)

// variable is one [vars] entry.
type variable struct {
	name  string
	raw   string
	src   *source // the Buildfile that defines it
	value string  // the expansion, once expanded and not auto
	state uint8
	auto  bool // refers (maybe indirectly) to an automatic variable
	cmd   bool // raw is a command whose output is the value (cmdvar.go)
}

// expander expands strings for one Buildfile.
type expander struct {
	vars    map[string]*variable
	names   []string // variable names in file order
	stack   []string // variables being expanded, outermost first, for cycle messages
	sawAuto bool     // an automatic variable was referred to (analysis)
	spent   *int     // bytes of [vars] values put into strings so far, shared by the Buildfiles of a Load
	// env is the environment ${env:NAME} reads, shared by the load's
	// expanders (nil: the process's, unrecorded).
	env *envReads
	// cmds runs the commands of [vars] for the load (nil: unrecorded).
	cmds *cmdRuns
}

// MaxExpandedSize bounds one expanded value, and MaxExpandedVars the bytes
// that [vars] values put into strings in all, over a Buildfile and its
// includes (the automatic variables, ${in} and the like, do not count): a
// Buildfile of a few lines whose variables double each other, or whose
// targets each use one such variable, must get an error, not all the
// memory.
const (
	MaxExpandedSize = 16 << 20
	MaxExpandedVars = 64 << 20
)

// scope says which automatic variables a string may use, and supplies them.
type scope struct {
	analyze bool     // checking [vars]: automatic variables stand for themselves
	target  *pending // nil outside a target
	files   bool     // ${in}, ${out} and ${deps} are allowed (cmd, description, env, depfile)
	// shell is set while a command is expanded: the automatic variables
	// (file names, which anyone who can write to the tree chooses) are
	// quoted for the shell, unless written ${in:raw} and so on.
	shell bool
	// base, if not "", is the folder (relative to the root) that ${in}
	// and ${out} are relative to, instead of the target's dir.
	base string
}

// expandError is a problem in a string being expanded.
type expandError struct {
	msg    string
	offset int    // byte offset of the "${" (or "$") at fault in the string
	in     string // the variable whose value holds the fault; "" for the string itself
	via    string // the variable, used in the string, through which the fault came
}

// message says what is wrong, and through which variable.
func (e *expandError) message() string {
	if e.via == "" {
		return e.msg
	}
	return e.msg + " (it is used through ${" + e.via + "})"
}

// newExpander returns an expander of the variables vars of the Buildfile
// src (names: their names in file order) and, unless overridden there, of
// the variables of parent (the expander of the Buildfile that includes
// src; nil for the top one).
func newExpander(src *source, vars map[string]text, names []string, parent *expander) *expander {
	if parent == nil {
		x := &expander{vars: make(map[string]*variable, len(vars)), names: names, spent: new(int)}
		for name, v := range vars {
			x.vars[name] = &variable{name: name, raw: v.s, src: src}
		}
		return x
	}
	x := &expander{vars: make(map[string]*variable, len(parent.vars)+len(vars)), spent: parent.spent}
	for _, name := range parent.names {
		if _, own := vars[name]; !own {
			pv := parent.vars[name]
			nv := &variable{name: name, raw: pv.raw, src: pv.src}
			if pv.cmd {
				// Run once, where it is defined: its value is inherited.
				nv.cmd, nv.state, nv.value = true, pv.state, pv.value
			}
			x.vars[name] = nv
			x.names = append(x.names, name)
		}
	}
	for _, name := range names {
		x.vars[name] = &variable{name: name, raw: vars[name].s, src: src}
		x.names = append(x.names, name)
	}
	return x
}

// isAuto reports whether name is an automatic variable.
func isAuto(name string) bool {
	switch name {
	case "target", "in", "out", "deps", "match", "stem":
		return true
	}
	return false
}

// expand replaces the variables in s.
func (x *expander) expand(s string, sc *scope) (string, *expandError) {
	i := strings.IndexByte(s, '$')
	if i < 0 {
		return s, nil
	}
	var b strings.Builder
	b.Grow(len(s) + 32)
	done := 0 // s[:done] is written to b
	for i >= 0 {
		next := i + 1
		switch {
		case i+1 < len(s) && s[i+1] == '$':
			b.WriteString(s[done : i+1])
			done, next = i+2, i+2
		case i+1 < len(s) && s[i+1] == '{':
			end := strings.IndexByte(s[i+2:], '}')
			if end < 0 || unclosedName(s[i+2:i+2+end]) {
				return "", &expandError{msg: unclosedMsg, offset: i}
			}
			name := s[i+2 : i+2+end]
			val, err := x.lookup(name, sc, i)
			if err != nil {
				return "", err
			}
			if b.Len()+(i-done)+len(val) > MaxExpandedSize {
				return "", &expandError{msg: fmt.Sprintf("the value grows past %d MiB here (expected a value of at most %d MiB: does a variable repeat another one that repeats another?)", MaxExpandedSize>>20, MaxExpandedSize>>20), offset: i}
			}
			if !isAuto(strings.TrimSuffix(name, rawSuffix)) {
				if *x.spent += len(val); *x.spent > MaxExpandedVars {
					return "", &expandError{msg: fmt.Sprintf("the values of [vars] used so far add up past %d MiB here (expected at most %d MiB in all: do many strings use a long variable, or variables repeat each other?)", MaxExpandedVars>>20, MaxExpandedVars>>20), offset: i}
				}
			}
			b.WriteString(s[done:i])
			b.WriteString(val)
			done, next = i+3+end, i+3+end
		}
		if j := strings.IndexByte(s[next:], '$'); j >= 0 {
			i = next + j
		} else {
			i = -1
		}
	}
	b.WriteString(s[done:])
	return b.String(), nil
}

// unclosedMsg is the message for a "${" with no "}" after its name.
const unclosedMsg = `unclosed "${" (expected "}" after the name, as in "${name}"; write "$$" for a literal "$")`

// unclosedName reports whether the text between a "${" and the next "}"
// cannot be a name, so that the "${" is unclosed and the "}" closes a later
// variable ("${site -czf ${bdir}"): no name holds a "${", nor white space
// (outside the default of ${env:NAME:-default}).
func unclosedName(name string) bool {
	if strings.Contains(name, "${") {
		return true
	}
	return !strings.HasPrefix(name, envPrefix) && strings.ContainsAny(name, " \t\r\n")
}

// rawSuffix, after an automatic variable's name, asks for its value as it
// is, unquoted, in a command.
const rawSuffix = ":raw"

// lookup returns the value of ${name} referred to at offset off.
func (x *expander) lookup(name string, sc *scope, off int) (string, *expandError) {
	if name == "" {
		return "", &expandError{msg: `empty variable name "${}" (expected "${name}")`, offset: off}
	}
	if base, ok := strings.CutSuffix(name, rawSuffix); ok && isAuto(base) {
		if !sc.shell {
			return x.autoValue(base, sc, off)
		}
		sc.shell = false
		defer func() { sc.shell = true }()
		return x.autoValue(base, sc, off)
	}
	if isAuto(name) {
		return x.autoValue(name, sc, off)
	}
	if ref, ok := strings.CutPrefix(name, envPrefix); ok {
		return x.envLookup(ref, off)
	}
	if t := sc.target; t != nil && len(t.layers) > 0 {
		if v, ok, err := t.localVar(x, name, sc); ok {
			if err != nil {
				return "", &expandError{msg: err.msg, offset: off}
			}
			return v, nil
		}
	}
	v, ok := x.vars[name]
	if !ok {
		return "", &expandError{msg: x.unknown(name, sc), offset: off}
	}
	val, err := x.expandVar(v, sc)
	if err != nil {
		if !sc.analyze {
			// The fault is in the variable, but its use here is what the
			// user must change (only misplaced automatic variables get
			// here: [vars] were checked first).
			return "", &expandError{msg: err.msg, offset: off, via: name}
		}
		if err.in == "" && err.offset < 0 {
			err.offset = off // a cycle closes here
		}
		return "", err
	}
	return val, nil
}

// autoValue returns the value of the automatic variable name, quoted for
// the shell in a command (sc.shell).
func (x *expander) autoValue(name string, sc *scope, off int) (string, *expandError) {
	switch {
	case sc.analyze:
		x.sawAuto = true
		return "", nil
	case sc.target == nil:
		return "", &expandError{msg: "${" + name + "} may only be used inside a target", offset: off}
	case name == "match" || name == "stem":
		v, err := sc.target.matchVar(name, off)
		if sc.shell {
			v = shellQuote(v)
		}
		return v, err
	case name == "target":
		if sc.target.t == nil {
			return "", &expandError{msg: "${target} cannot be used in a rule's first output: the first output names the instance", offset: off}
		}
		if sc.shell {
			return shellQuote(sc.target.t.Name), nil
		}
		return sc.target.t.Name, nil
	case !sc.files:
		return "", &expandError{msg: "${" + name + "} may only be used in cmd, description, env and depfile", offset: off}
	case name == "in" && sc.base != "":
		return sc.target.joinFrom(sc.base, sc.target.inputs), nil
	case name == "out" && sc.base != "":
		return sc.target.joinFrom(sc.base, sc.target.t.Outputs), nil
	case name == "in" && sc.shell:
		return sc.target.joinQuoted(sc.target.inputs), nil
	case name == "out" && sc.shell:
		return sc.target.joinQuoted(sc.target.t.Outputs), nil
	case name == "in":
		return sc.target.joined(&sc.target.in, sc.target.inputs), nil
	case name == "out":
		return sc.target.joined(&sc.target.out, sc.target.t.Outputs), nil
	case sc.base != "":
		return "", &expandError{msg: "${deps} cannot be used in depfile", offset: off}
	case sc.shell:
		sc.target.usesDeps = true
		return depsShellMarker, nil
	default:
		sc.target.usesDeps = true
		return depsMarker, nil
	}
}

// expandVar returns the value of v in scope sc.
func (x *expander) expandVar(v *variable, sc *scope) (string, *expandError) {
	switch v.state {
	case expanded:
		if !v.auto {
			return v.value, nil
		}
		if sc.analyze {
			x.sawAuto = true
			return "", nil
		}
	case expanding:
		i := 0
		for i < len(x.stack) && x.stack[i] != v.name {
			i++
		}
		chain := append(append([]string(nil), x.stack[i:]...), v.name)
		return "", &expandError{msg: "variable cycle: " + strings.Join(chain, " -> "), offset: -1}
	}
	v.state = expanding
	x.stack = append(x.stack, v.name)
	outer := x.sawAuto
	x.sawAuto = false
	val, err := x.expand(v.raw, sc)
	auto := x.sawAuto
	x.sawAuto = outer || auto
	x.stack = x.stack[:len(x.stack)-1]
	if err == nil && v.cmd {
		val, err = x.runCmd(v, val, auto)
	}
	if err != nil {
		v.state = unvisited
		if err.in == "" {
			err.in = v.name
		}
		return "", err
	}
	v.state = expanded
	if sc.analyze {
		v.auto = auto
		if !auto {
			v.value = val
		}
	}
	return val, nil
}

// unknown is the message for an unknown variable name.
func (x *expander) unknown(name string, sc *scope) string {
	cands := make([]string, 0, len(x.names)+4)
	cands = append(cands, x.names...)
	autos := "target, in, out, deps"
	switch {
	case sc.analyze:
		autos = "target, in, out, deps, match, stem"
		cands = append(cands, "target", "in", "out", "deps", "match", "stem")
	case sc.target == nil:
		autos = ""
	case sc.files:
		cands = append(cands, "target", "in", "out", "deps")
	default:
		autos = "target"
		cands = append(cands, "target")
	}
	if sc.target != nil && sc.target.rule != nil {
		autos += ", match, stem"
		cands = append(cands, "match", "stem")
		for _, layer := range sc.target.layers {
			for n := range layer {
				cands = append(cands, n)
			}
		}
	}
	expected := "a name defined in [vars]"
	if autos != "" {
		expected += " or an automatic variable (" + autos + ")"
	}
	return "unknown variable " + strconv.Quote(name) + " (expected " + expected + didYouMean(name, cands) + ")"
}

// analyze checks every [vars] entry in file order (unknown names, cycles,
// unclosed "${") and expands those that use no automatic variable. A
// problem is reported in the Buildfile that defines the variable.
func (x *expander) analyze() *Error {
	sc := &scope{analyze: true}
	for _, name := range x.names {
		v := x.vars[name]
		key := varKey(name)
		if isAuto(name) {
			return v.src.errorAt(at{path: []string{"vars", name}, item: -1, offset: -1, name: true}, "", key,
				strconv.Quote(name)+" is an automatic variable, set in each target (expected a name other than target, in, out, deps, match and stem)")
		}
		if strings.IndexByte(v.raw, 0) >= 0 {
			return v.src.errorAt(atKey("vars", name), "", key, "the value contains a NUL character")
		}
		if v.state != unvisited {
			continue
		}
		if _, err := x.expandVar(v, sc); err != nil {
			in := x.vars[err.in]
			a := at{path: []string{"vars", in.name}, item: -1, offset: err.offset, raw: in.raw}
			return in.src.errorAt(a, "", varKey(in.name), err.msg)
		}
	}
	return nil
}

// varKey is how messages name the [vars] entry name.
func varKey(name string) string { return toml.Key{"vars", name}.String() }
