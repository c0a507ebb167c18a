package graph

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/BurntSushi/toml"
)

// buildfile is a Buildfile as TOML decodes it. Each leaf is a type that
// checks its own TOML type in UnmarshalTOML and records what is wrong rather
// than failing: TOML decodes tables in map order, so failing at once would
// report a random one of several problems. decode reports the first in file
// order instead.
//
// [vars], [targets], [rules] and [pools] are taken raw and decoded by
// varTable, targetTable and poolTable: TOML's reflection over thousands of
// target tables, and its bookkeeping of the keys decoded below an
// UnmarshalTOML value, cost as much as parsing. Unknown keys are found by
// walking MetaData.Keys instead.
type buildfile struct {
	Default nameList    `toml:"default"`
	Include includeList `toml:"include"`
	Vars    any         `toml:"vars"`
	Targets any         `toml:"targets"`
	Rules   any         `toml:"rules"`
	Pools   any         `toml:"pools"`
	Remote  any         `toml:"remote"`
	Check   checkTable  `toml:"check"`
	// Defaults is [defaults]: target keys every target takes unless it
	// sets them (defaults.go).
	Defaults any `toml:"defaults"`
	// RemoveStale is remove_stale: false keeps the outputs of targets
	// that left the graph.
	RemoveStale boolean `toml:"remove_stale"`
}

// varTable is [vars]: name -> value.
type varTable struct {
	vars map[string]text
	cmds map[string]bool // the variables given as { cmd = "..." } (cmdvar.go)
	bad  problem         // [vars] is not a table
}

// UnmarshalTOML accepts a table of strings and of { cmd = "..." } tables.
func (vt *varTable) UnmarshalTOML(v any) error {
	m, ok := v.(map[string]any)
	if !ok {
		vt.bad = problem{`expected a table of strings ([vars] with lines such as cc = "gcc"), got ` + describe(v), -1}
		return nil
	}
	vt.vars = make(map[string]text, len(m))
	for name, ev := range m {
		var t text
		if tv, ok := ev.(map[string]any); ok {
			t = decodeCmdVar(tv)
			if _, ok := tv["cmd"]; !ok {
				k := toml.Key{name}.String()
				t.bad = problem{fmt.Sprintf(`expected a string such as %s = "value", or a command such as %s = { cmd = "uname -m" }, got a table without cmd`, k, k), -1}
			}
			if vt.cmds == nil {
				vt.cmds = make(map[string]bool)
			}
			vt.cmds[name] = true
		} else if err := t.UnmarshalTOML(ev); err != nil {
			return err
		}
		vt.vars[name] = t
	}
	return nil
}

// targetTable is [targets] (name -> target) or [rules] (name -> rule).
type targetTable struct {
	specs    map[string]*targetSpec
	bad      problem  // [targets] is not a table
	troubled []string // targets with a problem
}

// UnmarshalTOML accepts a table of tables.
func (tt *targetTable) UnmarshalTOML(v any) error {
	m, ok := v.(map[string]any)
	if !ok {
		tt.bad = problem{"expected a table of targets ([targets.NAME] sections), got " + describe(v), -1}
		return nil
	}
	tt.decode(m)
	return nil
}

// decode fills the table from a decoded TOML table.
func (tt *targetTable) decode(m map[string]any) {
	specs := make([]targetSpec, len(m)) // one allocation for all
	tt.specs = make(map[string]*targetSpec, len(m))
	i := 0
	for name, tv := range m {
		spec := &specs[i]
		i++
		_ = spec.UnmarshalTOML(tv) // never fails
		if spec.troubled {
			tt.troubled = append(tt.troubled, name)
		}
		tt.specs[name] = spec
	}
}

// poolTable is [pools]: name -> depth.
type poolTable struct {
	depths   map[string]int64
	bad      problem // [pools] is not a table
	problems map[string]poolProblem
	noDepth  []string // pools without a depth
}

// poolProblem is a pool that is not a table, or whose depth is not an
// integer.
type poolProblem struct {
	problem
	depth bool // the problem is the depth's
}

// UnmarshalTOML accepts a table of tables with an integer depth.
func (pt *poolTable) UnmarshalTOML(v any) error {
	m, ok := v.(map[string]any)
	if !ok {
		pt.bad = problem{"expected a table of pools ([pools.NAME] sections with depth = N), got " + describe(v), -1}
		return nil
	}
	pt.depths = make(map[string]int64, len(m))
	pt.problems = make(map[string]poolProblem)
	for name, pv := range m {
		t, ok := pv.(map[string]any)
		if !ok {
			pt.problems[name] = poolProblem{problem{"expected a table such as [" + toml.Key{"pools", name}.String() + "] with depth = N, got " + describe(pv), -1}, false}
			continue
		}
		d, ok := t["depth"]
		if !ok {
			if len(t) == 0 { // else walk reports the key that is not depth
				pt.noDepth = append(pt.noDepth, name)
			}
			continue
		}
		n, ok := d.(int64)
		if !ok {
			pt.problems[name] = poolProblem{problem{"expected an integer such as depth = 2, got " + describe(d), -1}, true}
			continue
		}
		pt.depths[name] = n
	}
	return nil
}

// targetSpec is one [targets.NAME] or [rules.NAME] table, before
// expansion.
type targetSpec struct {
	Description text
	Deps        pathList
	Inputs      pathList
	Outputs     pathList
	Cmd         command
	Dir         text
	Env         map[string]text
	Timeout     duration
	KillTimeout duration
	Always      boolean
	Ports       integer
	Retries     integer
	Remote      boolean
	// x holds the keys most targets leave out, allocated when one is
	// set: a Buildfile of thousands of targets then decodes into less
	// memory.
	x *specExtra

	notTable string  // when the target is not a table: what it is
	envBad   problem // env is not a table
	troubled bool    // some problem is recorded
}

// specExtra is pool, depfile, exclude, foreach, tools, env_inputs,
// secondary, intermediate, sandbox and trace of a targetSpec.
type specExtra struct {
	Pool         text
	Depfile      text
	Dyndep       text
	Exclude      pathList
	Foreach      globList // rules only (walk rejects it in a target)
	Tools        pathList
	EnvInputs    pathList
	Secondary    boolean
	Intermediate boolean
	Sandbox      boolean
	Trace        boolean
	Prefer       globList // rules only
	// Vars are a rule's own variables, and Overrides what they become for
	// the files that a pattern matches (override.go).
	Vars        map[string]text
	VarsBad     problem
	Overrides   map[string]*overrideSpec
	OverrideBad problem
}

// extra returns t.x, allocating it first if needed.
func (t *targetSpec) extra() *specExtra {
	if t.x == nil {
		t.x = &specExtra{}
	}
	return t.x
}

// UnmarshalTOML hands each known key to its field (walk reports unknown
// keys).
func (t *targetSpec) UnmarshalTOML(v any) error {
	m, ok := v.(map[string]any)
	if !ok {
		t.notTable = describe(v)
		t.troubled = true
		return nil
	}
	// Range over the table's few keys rather than look up the many known
	// ones (a target uses a handful of its sixteen keys); walk reports the
	// unknown ones, and the order does not matter.
	for key, fv := range m {
		var u toml.Unmarshaler
		var bad *problem
		switch key {
		case "description":
			u, bad = &t.Description, &t.Description.bad
		case "deps":
			u, bad = &t.Deps, &t.Deps.bad
		case "inputs":
			u, bad = &t.Inputs, &t.Inputs.bad
		case "outputs":
			u, bad = &t.Outputs, &t.Outputs.bad
		case "cmd":
			u, bad = &t.Cmd, &t.Cmd.bad
		case "dir":
			u, bad = &t.Dir, &t.Dir.bad
		case "timeout":
			u, bad = &t.Timeout, &t.Timeout.bad
		case "kill_timeout":
			u, bad = &t.KillTimeout, &t.KillTimeout.bad
		case "always":
			u, bad = &t.Always, &t.Always.bad
		case "pool":
			x := t.extra()
			u, bad = &x.Pool, &x.Pool.bad
		case "depfile":
			x := t.extra()
			u, bad = &x.Depfile, &x.Depfile.bad
		case "dyndep":
			x := t.extra()
			u, bad = &x.Dyndep, &x.Dyndep.bad
		case "exclude":
			x := t.extra()
			u, bad = &x.Exclude, &x.Exclude.bad
		case "foreach":
			x := t.extra()
			u, bad = &x.Foreach, &x.Foreach.bad
		case "tools":
			x := t.extra()
			u, bad = &x.Tools, &x.Tools.bad
		case "env_inputs":
			x := t.extra()
			u, bad = &x.EnvInputs, &x.EnvInputs.bad
		case "secondary":
			x := t.extra()
			u, bad = &x.Secondary, &x.Secondary.bad
		case "intermediate":
			x := t.extra()
			u, bad = &x.Intermediate, &x.Intermediate.bad
		case "sandbox":
			x := t.extra()
			u, bad = &x.Sandbox, &x.Sandbox.bad
		case "trace":
			x := t.extra()
			u, bad = &x.Trace, &x.Trace.bad
		case "prefer":
			x := t.extra()
			u, bad = &x.Prefer, &x.Prefer.bad
		case "vars":
			x := t.extra()
			x.Vars, x.VarsBad = decodeRuleVars(fv, "vars = { EXTRA = \"-O3\" }")
			t.troubled = t.troubled || x.VarsBad.msg != "" || badText(x.Vars)
			continue
		case "override":
			x := t.extra()
			x.Overrides, x.OverrideBad = decodeOverrides(fv)
			t.troubled = t.troubled || x.OverrideBad.msg != "" || badOverrides(x.Overrides)
			continue
		case "ports":
			u, bad = &t.Ports, &t.Ports.bad
		case "retries":
			u, bad = &t.Retries, &t.Retries.bad
		case "remote":
			u, bad = &t.Remote, &t.Remote.bad
		default:
			continue // env below; unknown keys: walk
		}
		if err := u.UnmarshalTOML(fv); err != nil {
			return err
		}
		t.troubled = t.troubled || bad.msg != ""
	}
	if ev, ok := m["env"]; ok {
		env, ok := ev.(map[string]any)
		if !ok {
			t.envBad = problem{`expected a table of strings such as env = { LC_ALL = "C" }, got ` + describe(ev), -1}
			t.troubled = true
			return nil
		}
		t.Env = make(map[string]text, len(env))
		for name, v := range env {
			var tx text
			if err := tx.UnmarshalTOML(v); err != nil {
				return err
			}
			t.Env[name] = tx
			t.troubled = t.troubled || tx.bad.msg != ""
		}
	}
	return nil
}

// topKeys lists the keys allowed at the top level, for messages.
func topKeys() []string {
	return []string{"check", "default", "defaults", "include", "pools", "remote", "remove_stale", "rules", "targets", "vars"}
}

// targetKeys lists the keys allowed in a target, sorted, for messages.
func targetKeys() []string {
	return []string{"always", "cmd", "depfile", "deps", "description", "dir", "dyndep", "env", "env_inputs", "exclude", "inputs", "intermediate", "kill_timeout", "outputs", "pool", "ports", "remote", "retries", "sandbox", "secondary", "timeout", "tools", "trace"}
}

// ruleKeys lists the keys allowed in a rule, sorted, for messages.
func ruleKeys() []string {
	return []string{"always", "cmd", "depfile", "deps", "description", "dir", "dyndep", "env", "env_inputs", "exclude", "foreach", "inputs", "intermediate", "kill_timeout", "outputs", "override", "pool", "ports", "prefer", "remote", "retries", "sandbox", "secondary", "timeout", "tools", "trace", "vars"}
}

// isRuleOnlyKey reports whether k is a key of rules that targets do not
// have.
func isRuleOnlyKey(k string) bool {
	switch k {
	case "foreach", "override", "prefer", "vars":
		return true
	}
	return false
}

func isTargetKey(k string) bool {
	switch k {
	case "always", "cmd", "depfile", "deps", "description", "dir", "dyndep", "env", "env_inputs", "exclude", "inputs", "intermediate", "kill_timeout", "outputs", "pool", "ports", "remote", "retries", "sandbox", "secondary", "timeout", "tools", "trace":
		return true
	}
	return false
}

// targetKeySynonyms maps names people reach for from other build tools to
// the key gobuildj spells differently.
func targetKeySynonym(k string) string {
	switch strings.ToLower(k) {
	case "command", "commands", "cmds", "run", "script":
		return "cmd"
	case "dep", "depends", "dependencies", "requires", "needs":
		return "deps"
	case "input", "sources", "srcs", "src":
		return "inputs"
	case "output", "generates", "targets", "outs", "out":
		return "outputs"
	case "desc", "summary":
		return "description"
	case "cwd", "workdir", "directory", "chdir":
		return "dir"
	case "environment", "vars":
		return "env"
	case "phony":
		return "always"
	case "for", "for_each", "each", "glob", "match", "matches", "pattern", "sources_glob":
		return "foreach"
	case "depsfile", "dep_file", "depfiles", "dfile":
		return "depfile"
	case "dyndeps", "dyn_dep", "dyn_deps", "dynamic_deps", "dynamic_dependencies":
		return "dyndep"
	case "excludes", "ignore", "skip", "except":
		return "exclude"
	case "job_pool", "jobpool", "pools":
		return "pool"
	case "port", "tcp_ports", "free_ports":
		return "ports"
	case "no-remote", "no_remote", "local", "cache":
		return "remote"
	case "tool", "compilers", "compiler", "programs":
		return "tools"
	case "env_input", "envinputs", "pass_env", "passenv", "env_vars", "inherit_env", "action_env":
		return "env_inputs"
	case "precious", "keep":
		return "secondary"
	case "temporary", "temp", "remove_after", "delete_after":
		return "intermediate"
	case "sandboxed", "hermetic", "landlock", "isolate", "isolated":
		return "sandbox"
	case "traced", "tracing", "trace_deps", "auto_deps", "autodeps", "strace":
		return "trace"
	}
	return ""
}

// problem is what a leaf found wrong with its TOML value.
type problem struct {
	msg  string // "" when the value is fine
	item int    // index of the offending array element, -1 for the whole value
}

// text is a string value: description, dir, a [vars] or env entry.
type text struct {
	s   string
	set bool
	bad problem
}

// UnmarshalTOML accepts a TOML string.
func (t *text) UnmarshalTOML(v any) error {
	s, ok := v.(string)
	if !ok {
		t.bad = problem{"expected a string, got " + describe(v) + quoteHint(v), -1}
		return nil
	}
	t.s, t.set = s, true
	return nil
}

// stringList is a list of strings.
type stringList struct {
	items []string
	set   bool
	bad   problem
}

// decode fills l from v, which must be an array of strings, or a plain
// string when single says how to call one ("" if not allowed).
func (l *stringList) decode(v any, want, single string) {
	switch v := v.(type) {
	case string:
		if single != "" {
			l.items, l.set = []string{v}, true
			return
		}
		l.bad = problem{fmt.Sprintf("expected %s, got %s (write [%s])", want, describe(v), strconv.Quote(v)), -1}
	case []any:
		items := make([]string, len(v))
		for i, e := range v {
			s, ok := e.(string)
			if !ok {
				l.bad = problem{fmt.Sprintf("item %d: expected a string, got %s%s", i+1, describe(e), quoteHint(e)), i}
				return
			}
			items[i] = s
		}
		l.items, l.set = items, true
	default:
		if single != "" {
			want = single + " or " + want
		}
		l.bad = problem{"expected " + want + ", got " + describe(v), -1}
	}
}

// pathList is deps, inputs or outputs: a list of strings.
type pathList struct{ stringList }

// UnmarshalTOML accepts an array of strings.
func (l *pathList) UnmarshalTOML(v any) error {
	l.decode(v, "a list of strings", "")
	return nil
}

// nameList is `default`: a target name or a list of them.
type nameList struct{ stringList }

// UnmarshalTOML accepts a string or an array of strings.
func (l *nameList) UnmarshalTOML(v any) error {
	l.decode(v, "a list of target names", "a target name")
	return nil
}

// includeList is `include`: a Buildfile path or a list of them.
type includeList struct{ stringList }

// UnmarshalTOML accepts a string or an array of strings.
func (l *includeList) UnmarshalTOML(v any) error {
	l.decode(v, "a list of Buildfile paths", "a Buildfile path")
	return nil
}

// globList is `foreach`: a glob or a list of globs.
type globList struct{ stringList }

// UnmarshalTOML accepts a string or an array of strings.
func (l *globList) UnmarshalTOML(v any) error {
	l.decode(v, "a list of globs", `a glob such as "src/*.c"`)
	return nil
}

// command is `cmd`: a command or a list of commands run in order.
type command struct{ stringList }

// UnmarshalTOML accepts a string or an array of strings.
func (l *command) UnmarshalTOML(v any) error {
	l.decode(v, "a list of commands", "a command (a string)")
	return nil
}

// duration is timeout or kill_timeout: a Go duration string, parsed after
// variable expansion.
type duration struct {
	s   string
	set bool
	bad problem
}

// UnmarshalTOML accepts a string.
func (d *duration) UnmarshalTOML(v any) error {
	switch v := v.(type) {
	case string:
		d.s, d.set = v, true
	case int64:
		d.bad = problem{fmt.Sprintf(`expected a duration string such as "90s" or "5m", got %s (write "%ds")`, describe(v), v), -1}
	default:
		d.bad = problem{`expected a duration string such as "90s" or "5m", got ` + describe(v), -1}
	}
	return nil
}

// boolean is `always`, `remote`, `secondary`, `intermediate`, `trace`,
// `remove_stale` or a key of [remote].
type boolean struct {
	b   bool
	set bool
	bad problem
}

// UnmarshalTOML accepts true or false.
func (b *boolean) UnmarshalTOML(v any) error {
	switch v := v.(type) {
	case bool:
		b.b, b.set = v, true
	case string:
		hint := ""
		if v == "true" || v == "false" {
			hint = " (write " + v + " without quotes)"
		}
		b.bad = problem{"expected true or false, got " + describe(v) + hint, -1}
	default:
		b.bad = problem{"expected true or false, got " + describe(v), -1}
	}
	return nil
}

// integer is `ports`: a whole number, checked for range after decoding.
type integer struct {
	n   int64
	set bool
	bad problem
}

// UnmarshalTOML accepts a TOML integer.
func (i *integer) UnmarshalTOML(v any) error {
	switch v := v.(type) {
	case int64:
		i.n, i.set = v, true
	case string:
		hint := ""
		if _, err := strconv.ParseInt(v, 10, 64); err == nil {
			hint = " (write " + v + " without quotes)"
		}
		i.bad = problem{"expected a whole number such as 2, got " + describe(v) + hint, -1}
	default:
		i.bad = problem{"expected a whole number such as 2, got " + describe(v), -1}
	}
	return nil
}

// describe names a decoded TOML value's type, with the value when short.
func describe(v any) string {
	switch v := v.(type) {
	case string:
		return "string " + short(v)
	case int64:
		return "integer " + strconv.FormatInt(v, 10)
	case float64:
		return "float " + strconv.FormatFloat(v, 'g', -1, 64)
	case bool:
		return "boolean " + strconv.FormatBool(v)
	case []any:
		return "an array"
	case map[string]any:
		return "a table"
	case []map[string]any:
		return "an array of tables"
	default:
		return "a date/time"
	}
}

// quoteHint suggests quoting a number or boolean meant as text.
func quoteHint(v any) string {
	switch v.(type) {
	case int64, float64, bool:
		return fmt.Sprintf(` (write "%v" to use it as text)`, v)
	}
	return ""
}

// short quotes s, cut to a readable length.
func short(s string) string {
	const limit = 60
	if len(s) > limit {
		cut := limit
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		return strconv.Quote(s[:cut]) + "..."
	}
	return strconv.Quote(s)
}

// decoded is a Buildfile after TOML decoding and the checks that need only
// its keys and the types of its values.
type decoded struct {
	file    buildfile
	vars    varTable
	targets targetTable
	rules   targetTable
	pools   poolTable
	remote  remoteTable
	// defaults is [defaults], decoded as a target's keys are; hasDefaults
	// says the Buildfile has one, defaultsBad that it is not a table.
	defaults    targetSpec
	hasDefaults bool
	defaultsBad problem
	items       []item   // targets and rules in file order
	varList     []string // variable names in file order
	poolList    []string // pool names in file order
}

// item is a [targets.NAME] or [rules.NAME] section.
type item struct {
	name string
	rule bool
}

// report is a problem waiting to be located; rank orders problems in file order.
type report struct {
	rank   int
	at     at
	target string
	rule   string
	key    string
	msg    string
}

// decode parses the Buildfile and checks its keys and value types. Of
// several problems it returns the first in file order. A file nested deeper
// than MaxNesting is refused before it is parsed. CRLF line endings are
// made LF first (src.data is replaced), so that no string keeps a "\r".
func decode(src *source) (*decoded, *Error) {
	src.data = unixNewlines(src.data)
	if off := nestingTooDeep(src.data); off >= 0 {
		line, col := lineCol(src.data, off)
		return nil, &Error{File: src.file, Line: line, Col: col, Msg: fmt.Sprintf("arrays and inline tables nest more than %d deep here (expected at most %d levels of [ and { in a value)", MaxNesting, MaxNesting)}
	}
	d := &decoded{}
	md, err := toml.NewDecoder(bytes.NewReader(src.data)).Decode(&d.file)
	var pe toml.ParseError
	if errors.As(err, &pe) {
		// The leaves never fail, so a ParseError is a syntax error. Its
		// Line is the lexer's, already past a newline that ends a line
		// too early; the byte offset is exact.
		line, col := pe.Position.Line, pe.Position.Col
		if start := pe.Position.Start; start >= 0 && start <= len(src.data) {
			line, col = lineCol(src.data, start)
		}
		return nil, &Error{File: src.file, Line: line, Col: col, Msg: "invalid TOML: " + pe.Message}
	}
	if err != nil {
		// Not foreseen: the types decode accepts anything.
		return nil, &Error{File: src.file, Msg: "invalid Buildfile: " + strings.TrimPrefix(err.Error(), "toml: "), Err: err}
	}
	if md.IsDefined("vars") {
		_ = d.vars.UnmarshalTOML(d.file.Vars) // never fails
	}
	if md.IsDefined("targets") {
		_ = d.targets.UnmarshalTOML(d.file.Targets) // never fails
	}
	if md.IsDefined("rules") {
		if m, ok := d.file.Rules.(map[string]any); ok {
			d.rules.decode(m)
		} else {
			d.rules.bad = problem{"expected a table of rules ([rules.NAME] sections), got " + describe(d.file.Rules), -1}
		}
	}
	if md.IsDefined("pools") {
		_ = d.pools.UnmarshalTOML(d.file.Pools) // never fails
	}
	if md.IsDefined("remote") {
		_ = d.remote.UnmarshalTOML(d.file.Remote) // never fails
	}
	if md.IsDefined("defaults") {
		if m, ok := d.file.Defaults.(map[string]any); ok {
			_ = d.defaults.UnmarshalTOML(m) // never fails
			d.hasDefaults = true
		} else {
			hint := ""
			if _, list := d.file.Defaults.([]any); list {
				hint = "; the targets built when none is named are default = [...]"
			}
			d.defaultsBad = problem{"expected a table of keys every target takes, such as [defaults] with sandbox = true, got " + describe(d.file.Defaults) + hint, -1}
		}
	}
	src.keys = md.Keys()
	first := d.walk(src.keys)
	if p := d.problems(src); p != nil && (first == nil || p.rank < first.rank) {
		first = p
	}
	if first != nil {
		if first.rule != "" {
			return nil, src.errorAtRule(first.at, first.rule, "", first.key, first.msg)
		}
		return nil, src.errorAt(first.at, first.target, first.key, first.msg)
	}
	return d, nil
}

// walk checks every key's name in file order (TOML ignores unknown keys,
// and matches names ignoring case), collects target and variable names in
// file order, and returns the first problem.
func (d *decoded) walk(keys []toml.Key) *report {
	seenTarget := make(map[string]struct{}, len(d.targets.specs))
	seenRule := make(map[string]struct{}, len(d.rules.specs))
	seenVar := make(map[string]struct{}, len(d.vars.vars))
	seenPool := make(map[string]struct{}, len(d.pools.depths))
	last, haveLast := "", false
	for i, k := range keys {
		switch k[0] {
		case "default", "include", "remove_stale":
		case "pools":
			if len(k) == 1 {
				continue
			}
			if _, ok := seenPool[k[1]]; !ok {
				seenPool[k[1]] = struct{}{}
				d.poolList = append(d.poolList, k[1])
			}
			if len(k) >= 3 && k[2] != "depth" {
				msg := fmt.Sprintf("unknown key %q (expected depth, the number of its commands that may run at once%s)", k[2], didYouMean(k[2], []string{"depth"}))
				return &report{i, at{path: k[:3], item: -1, offset: -1, name: true}, "", "", k[:2].String(), msg}
			}
		case "rules":
			if len(k) == 1 {
				continue
			}
			if _, ok := seenRule[k[1]]; !ok {
				seenRule[k[1]] = struct{}{}
				d.items = append(d.items, item{name: k[1], rule: true})
			}
			if len(k) >= 3 && !isTargetKey(k[2]) && !isRuleOnlyKey(k[2]) {
				return &report{i, at{path: k[:3], item: -1, offset: -1, name: true}, "", "", k[:2].String(), unknownKey(k[2], ruleKeys())}
			}
			if len(k) >= 5 && k[2] == "override" && k[4] != "vars" {
				msg := fmt.Sprintf("unknown key %q (expected vars, the rule's variables for the files the pattern matches%s)", k[4], didYouMean(k[4], []string{"vars"}))
				return &report{i, at{path: k[:5], item: -1, offset: -1, name: true}, "", "", k[:4].String(), msg}
			}
		case "vars":
			if len(k) == 1 {
				continue
			}
			if _, ok := seenVar[k[1]]; !ok {
				seenVar[k[1]] = struct{}{}
				d.varList = append(d.varList, k[1])
			}
			if len(k) >= 3 && k[2] != "cmd" && d.vars.vars[k[1]].bad.msg == "" {
				msg := fmt.Sprintf("unknown key %q (expected cmd, the command whose output is the value, as in %s = { cmd = \"uname -m\" }%s)", k[2], toml.Key{k[1]}.String(), didYouMean(k[2], []string{"cmd"}))
				return &report{i, at{path: k[:3], item: -1, offset: -1, name: true}, "", "", k[:2].String(), msg}
			}
		case "targets":
			if len(k) == 1 {
				continue
			}
			if name := k[1]; !haveLast || name != last {
				if _, ok := seenTarget[name]; !ok {
					seenTarget[name] = struct{}{}
					d.items = append(d.items, item{name: name})
				}
				last, haveLast = name, true
			}
			if len(k) >= 3 && !isTargetKey(k[2]) {
				msg := unknownTargetKey(k[2])
				if isRuleOnlyKey(k[2]) {
					msg = fmt.Sprintf(`%s is a key of rules (expected [%s] to make one target per matching file)`, k[2], toml.Key{"rules", k[1]}.String())
				}
				return &report{i, at{path: k[:3], item: -1, offset: -1, name: true}, "", "", k[:2].String(), msg}
			}
		case "remote":
			if len(k) >= 2 && !slices.Contains(remoteKeys(), k[1]) {
				msg := fmt.Sprintf("unknown key %q (expected one of: %s%s)", k[1], strings.Join(remoteKeys(), ", "), didYouMean(k[1], remoteKeys()))
				return &report{i, at{path: k[:2], item: -1, offset: -1, name: true}, "", "", "remote", msg}
			}
		case "defaults":
			if len(k) >= 2 && !isDefaultKey(k[1]) {
				return &report{i, at{path: k[:2], item: -1, offset: -1, name: true}, "", "", "defaults", notADefault(k[1])}
			}
		case "check":
			if len(k) >= 2 && !isCheckKey(k[1]) {
				return &report{i, at{path: k[:2], item: -1, offset: -1, name: true}, "", "", "check", unknownCheckKey(k[1])}
			}
		default:
			msg := fmt.Sprintf("unknown top-level key %q (expected one of: %s%s)", k[0], strings.Join(topKeys(), ", "), didYouMean(k[0], topKeys()))
			return &report{i, at{path: k[:1], item: -1, offset: -1, name: true}, "", "", "", msg}
		}
	}
	return nil
}

func unknownTargetKey(k string) string { return unknownKey(k, targetKeys()) }

// unknownKey is the message for key k of a target or rule, whose keys are
// known.
func unknownKey(k string, known []string) string {
	// Another tool's word for a key beats a near spelling ("cwd" is "dir",
	// not "cmd").
	hint := didYouMean(k, known)
	if s := targetKeySynonym(k); s != "" && slices.Contains(known, s) {
		hint = "; did you mean " + strconv.Quote(s) + "?"
	}
	return fmt.Sprintf("unknown key %q (expected one of: %s%s)", k, strings.Join(known, ", "), hint)
}

// problems returns the first (in file order) problem the decoding recorded.
func (d *decoded) problems(src *source) *report {
	var first *report
	rule := false // the problems added are those of a rule
	add := func(p problem, path []string, target, key string) {
		if p.msg == "" {
			return
		}
		r := &report{rank: src.ordinal(path), at: at{path: path, item: p.item, offset: -1}, key: key, msg: p.msg}
		if rule {
			r.rule = target
		} else {
			r.target = target
		}
		if first == nil || r.rank < first.rank {
			first = r
		}
	}
	defaultBad := d.file.Default.bad
	if defaultBad.msg != "" && strings.HasSuffix(defaultBad.msg, "got a table") {
		defaultBad.msg += " (keys that every target takes go in [defaults], with an s)"
	}
	add(defaultBad, []string{"default"}, "", "default")
	add(d.defaultsBad, []string{"defaults"}, "", "defaults")
	if d.defaults.troubled {
		d.defaults.problems([]string{"defaults"}, "", "defaults.", add)
	}
	add(d.file.Include.bad, []string{"include"}, "", "include")
	add(d.file.RemoveStale.bad, []string{"remove_stale"}, "", "remove_stale")
	add(d.vars.bad, []string{"vars"}, "", "vars")
	for name, v := range d.vars.vars {
		add(v.bad, []string{"vars", name}, "", varKey(name))
	}
	d.remote.problems(add)
	d.file.Check.problems(add)
	add(d.pools.bad, []string{"pools"}, "", "pools")
	for name, p := range d.pools.problems {
		path := []string{"pools", name}
		if p.depth {
			path = append(path, "depth")
		}
		add(p.problem, path, "", toml.Key(path).String())
	}
	for _, name := range d.pools.noDepth {
		add(problem{"missing depth (expected depth = N, the number of its commands that may run at once)", -1}, []string{"pools", name}, "", toml.Key{"pools", name}.String())
	}
	add(d.targets.bad, []string{"targets"}, "", "targets")
	d.targets.problems("targets", add)
	rule = true
	add(d.rules.bad, []string{"rules"}, "", "rules")
	d.rules.problems("rules", add)
	return first
}

// problems hands each problem recorded in the table's specs to add, with
// its key path under section ("targets" or "rules").
func (tt *targetTable) problems(section string, add func(p problem, path []string, target, key string)) {
	for _, name := range tt.troubled {
		t := tt.specs[name]
		if t.notTable != "" {
			msg := "expected a table such as [" + toml.Key{section, name}.String() + "] with keys like cmd and deps, got " + t.notTable
			add(problem{msg, -1}, []string{section, name}, name, "")
		}
		t.problems([]string{section, name}, name, "", add)
	}
}

// problems hands each problem recorded in the spec to add: base is the key
// path of its table ({"targets", name} or {"defaults"}), name the target's
// ("" for [defaults]) and keyPrefix what messages put before a key's name.
func (t *targetSpec) problems(base []string, name, keyPrefix string, add func(p problem, path []string, target, key string)) {
	path := func(keys ...string) []string {
		return append(slices.Clip(base), keys...)
	}
	add(t.envBad, path("env"), name, keyPrefix+"env")
	for _, f := range []struct {
		key string
		p   problem
	}{
		{"description", t.Description.bad},
		{"deps", t.Deps.bad},
		{"inputs", t.Inputs.bad},
		{"outputs", t.Outputs.bad},
		{"cmd", t.Cmd.bad},
		{"dir", t.Dir.bad},
		{"timeout", t.Timeout.bad},
		{"kill_timeout", t.KillTimeout.bad},
		{"always", t.Always.bad},
		{"ports", t.Ports.bad},
		{"retries", t.Retries.bad},
		{"remote", t.Remote.bad},
	} {
		add(f.p, path(f.key), name, keyPrefix+f.key)
	}
	for k, v := range t.Env {
		add(v.bad, path("env", k), name, keyPrefix+"env."+toml.Key{k}.String())
	}
	x := t.x
	if x == nil {
		return
	}
	for _, f := range []struct {
		key string
		p   problem
	}{
		{"pool", x.Pool.bad},
		{"depfile", x.Depfile.bad},
		{"dyndep", x.Dyndep.bad},
		{"exclude", x.Exclude.bad},
		{"foreach", x.Foreach.bad},
		{"tools", x.Tools.bad},
		{"env_inputs", x.EnvInputs.bad},
		{"secondary", x.Secondary.bad},
		{"intermediate", x.Intermediate.bad},
		{"sandbox", x.Sandbox.bad},
		{"trace", x.Trace.bad},
		{"prefer", x.Prefer.bad},
		{"vars", x.VarsBad},
		{"override", x.OverrideBad},
	} {
		add(f.p, path(f.key), name, keyPrefix+f.key)
	}
	for k, v := range x.Vars {
		add(v.bad, path("vars", k), name, keyPrefix+"vars."+toml.Key{k}.String())
	}
	for pat, o := range x.Overrides {
		key := keyPrefix + "override." + toml.Key{pat}.String()
		add(o.bad, path("override", pat), name, key)
		add(o.varsBad, path("override", pat, "vars"), name, key+".vars")
		for k, v := range o.vars {
			add(v.bad, path("override", pat, "vars", k), name, key+".vars."+toml.Key{k}.String())
		}
	}
}
