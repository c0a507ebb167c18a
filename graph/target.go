package graph

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"time"
	"unicode"

	"github.com/BurntSushi/toml"
	"github.com/bmatcuk/doublestar/v4"

	"github.com/gobuildj/gobuildj/internal/statedir"
)

// pending is a target under construction: its spec, what has been expanded
// so far, and what its ${in}, ${out} and ${deps} need.
type pending struct {
	l       *loader
	f       *bfile // the Buildfile that declares it
	t       *Target
	spec    *targetSpec
	index   int    // in file order
	name    string // the target's name (Target.Name once t is set)
	section string // "targets" or "rules": where its keys are, with local
	local   string // its name as written: [targets.LOCAL] or [rules.LOCAL]
	// rule is the rule of an instance or of the rule's alias (whose match
	// is ""), nil for a target of [targets].
	rule      *Rule
	match     string    // an instance's file, relative to its Buildfile's folder (${match})
	rootMatch string    // the same, relative to the root
	stem      string    // ${stem}
	fixedDeps []*Target // the instances, for a rule's alias
	excludes  []string  // exclude patterns, relative to the root
	deps      []string  // the deps entries, expanded
	sc        scope     // the expansion scope of the string being expanded
	in, out   joined    // ${in} and ${out}, computed on first use
	usesDeps  bool      // a string holds depsMarker
	// inputs are the inputs as ${in} lists them: in written order, globs
	// expanded in place (sorted), each once. Target.Inputs is the sorted set.
	inputs []string
	// explicit is how many of Target.Deps come from `deps` (or are a rule's
	// instances): the targets whose outputs ${deps} lists.
	explicit int
	// layers are a rule's own variables, then the overrides that apply to
	// the instance (override.go); busy says which layer each variable
	// being expanded comes from.
	layers []varLayer
	busy   map[string]int
}

// joined is a space-joined path list, computed once.
type joined struct {
	s    string
	done bool
}

// joined returns paths relative to the target's dir, space-joined.
func (p *pending) joined(j *joined, paths []string) string {
	if !j.done {
		j.s, j.done = p.join(paths), true
	}
	return j.s
}

// join space-joins paths (relative to the Buildfile's folder) made relative
// to the target's dir, as its commands see them.
func (p *pending) join(paths []string) string { return p.joinFrom(p.t.Dir, paths) }

// joinQuoted is join for a command: each path is quoted for the shell.
func (p *pending) joinQuoted(paths []string) string {
	var b strings.Builder
	for i, q := range paths {
		if i > 0 {
			b.WriteByte(' ')
		}
		if p.t.Dir == "." {
			b.WriteString(shellQuote(q))
		} else {
			b.WriteString(shellQuote(relTo(p.l.root, p.t.Dir, q)))
		}
	}
	return b.String()
}

// joinFrom space-joins paths (relative to the root) made relative to base
// (relative to the root).
func (p *pending) joinFrom(base string, paths []string) string {
	if base == "." {
		return strings.Join(paths, " ")
	}
	var b strings.Builder
	for i, q := range paths {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(relTo(p.l.root, base, q))
	}
	return b.String()
}

// matchVar returns ${match} or ${stem}, or why they cannot be used here.
func (p *pending) matchVar(name string, off int) (string, *expandError) {
	switch {
	case p.rule == nil:
		return "", &expandError{msg: "${" + name + "} may only be used in a rule ([rules.NAME] with foreach)", offset: off}
	case p.match == "":
		return "", &expandError{msg: "${" + name + "} cannot be used in foreach and exclude: it stands for what foreach matches", offset: off}
	case name == "match":
		return p.match, nil
	}
	return p.stem, nil
}

// relTo expresses path q (relative to root, or absolute) relative to dir
// (relative to root).
func relTo(root, dir, q string) string {
	if filepath.IsAbs(q) {
		return q
	}
	if r, err := filepath.Rel(dir, q); err == nil {
		return r
	}
	// dir climbs out of root ("../x"): only an absolute path works.
	return filepath.Join(root, q)
}

// at is the location of key (item i of it, -1 for the whole value).
// A key the target took from [defaults] is located there (defaults.go).
func (p *pending) at(key string, i int) at {
	if f := p.defaultFrom(key); f != nil {
		return at{path: []string{"defaults", key}, item: i, offset: -1, in: f.src}
	}
	return at{path: []string{p.section, p.local, key}, item: i, offset: -1}
}

// fail reports a problem in the target's key at a.
func (p *pending) fail(a at, key, msg string) *Error {
	src := p.f.src
	if a.in != nil {
		src = a.in
	}
	if p.rule != nil {
		return src.errorAtRule(a, p.rule.Name, p.match, key, msg)
	}
	return src.errorAt(a, p.name, key, msg)
}

// expand expands s, the value of key at a, in the current scope.
func (p *pending) expand(s, key string, a at) (string, *Error) {
	v, err := p.f.x.expand(s, &p.sc)
	if err != nil {
		a.offset, a.raw = err.offset, s
		return "", p.fail(a, key, err.message())
	}
	return v, nil
}

// prepare expands and checks the target's keys, registers its outputs and
// expands its input globs. Its deps are linked later, once every target's
// outputs are known.
func (p *pending) prepare() *Error {
	p.sc = scope{target: p}
	for _, step := range [...]func(*pending) *Error{
		(*pending).checkName,
		(*pending).prepareDir,
		(*pending).prepareOutputs,
		(*pending).prepareExcludes,
		(*pending).prepareInputs,
		(*pending).prepareDeps,
		(*pending).prepareDurations,
		(*pending).preparePool,
		(*pending).preparePorts,
		(*pending).prepareRetries,
		(*pending).prepareTools,
		(*pending).prepareEnvInputs,
		(*pending).prepareCommands, // last: uses ${in} and ${out}
	} {
		if e := step(p); e != nil {
			return e
		}
	}
	return nil
}

// checkName checks the name of a target, or of a rule (on its alias); an
// instance is named by its first output, checked as an output.
func (p *pending) checkName() *Error {
	if p.rule != nil && p.match != "" {
		return nil
	}
	name := p.local
	a := at{path: []string{p.section, name}, item: -1, offset: -1, name: true}
	kind, example := "target", "[targets.app]"
	if p.rule != nil {
		kind, example = "rule", "[rules.obj]"
	}
	if name == "" {
		return p.f.src.errorAt(a, "", p.section, `empty `+kind+` name (expected a name such as `+example+`)`)
	}
	if strings.IndexFunc(name, unicode.IsSpace) >= 0 {
		return p.fail(a, "", `the name contains whitespace (expected a name without spaces, such as "my-app")`)
	}
	return nil
}

func (p *pending) prepareDir() *Error {
	p.t.Dir = p.f.dir
	if !p.spec.Dir.set {
		return nil
	}
	d, e := p.expand(p.spec.Dir.s, "dir", p.at("dir", -1))
	if e != nil {
		return e
	}
	if d == "" {
		return nil
	}
	if filepath.IsAbs(d) {
		d = filepath.Clean(d)
		if r, err := filepath.Rel(p.l.root, d); err == nil {
			d = r
		}
	} else {
		d = filepath.Join(p.f.dir, d)
	}
	p.t.Dir = d
	return nil
}

func (p *pending) prepareOutputs() *Error {
	items := p.spec.Outputs.items
	if len(items) == 0 {
		return nil
	}
	t, l := p.t, p.l
	t.Outputs = make([]string, 0, len(items))
	for i, raw := range items {
		a := p.at("outputs", i)
		s, e := p.expand(raw, "outputs", a)
		if e != nil {
			return e
		}
		o, msg := outputPath(p.l.root, p.f.dir, s)
		if msg == "" {
			msg = l.notABuildfile(o, s)
		}
		if msg != "" {
			return p.fail(a, "outputs", msg)
		}
		if other, ok := l.byOutput[o]; ok {
			if other == t {
				continue // listed twice
			}
			return p.fail(a, "outputs", fmt.Sprintf("%q is also an output of target %q (expected each output to be built by one target)", o, other.Name))
		}
		if other, ok := l.byName[o]; ok && other != t {
			return p.fail(a, "outputs", fmt.Sprintf("%q is also the name of target %q (expected an output path that is no other target's name, so that %q names one thing)", o, other.Name, o))
		}
		l.byOutput[o] = t
		t.Outputs = append(t.Outputs, o)
	}
	return nil
}

// outputPath cleans an output path written in a Buildfile of folder dir
// (relative to the root, the absolute folder root), making it relative to
// the root, or says why it is not acceptable. An absolute path inside the
// root is accepted and made relative.
func outputPath(root, dir, s string) (string, string) {
	if s == "" {
		return "", `empty path (expected a file path such as "build/app")`
	}
	var p string
	switch {
	case filepath.IsAbs(s):
		r, err := filepath.Rel(root, filepath.Clean(s))
		if err != nil || escapes(r) {
			return "", fmt.Sprintf(`%q: outputs must stay inside the Buildfile's folder, and this absolute path is outside it (expected a path relative to the Buildfile's folder, such as "build/app", or an absolute path under that folder)`, s)
		}
		p = r
	case dir == ".":
		p = filepath.Clean(s)
	default:
		p = filepath.Join(dir, s)
	}
	switch {
	case escapes(p):
		return "", fmt.Sprintf(`%q: outputs must stay inside the Buildfile's folder (expected a relative path without "..", such as "build/app")`, s)
	case p == ".":
		return "", fmt.Sprintf(`%q is the Buildfile's folder itself (expected a file path such as "build/app")`, s)
	case statedir.Holds(p):
		return "", fmt.Sprintf("%q is inside %s/, where gobuildj keeps its state (expected a path outside it)", s, statedir.Name)
	}
	return p, ""
}

// notABuildfile says why output o (written s) is not acceptable when it is
// one of the Buildfiles of the load: the output of a failed command is
// deleted, and a command may rewrite it.
func (l *loader) notABuildfile(o, s string) string {
	for _, f := range l.files {
		if rel, err := filepath.Rel(l.root, f.abs); err == nil && rel == o {
			return fmt.Sprintf("%q is a Buildfile of this build (expected an output that is not a Buildfile: a failed command's outputs are deleted)", s)
		}
	}
	return ""
}

// escapes reports whether a cleaned relative path leaves its folder.
func escapes(p string) bool {
	return p == ".." || strings.HasPrefix(p, ".."+string(filepath.Separator))
}

func (p *pending) prepareInputs() *Error {
	items := p.spec.Inputs.items
	if len(items) == 0 {
		return nil
	}
	t, l := p.t, p.l
	inputs := make([]string, 0, len(items))
	for i, raw := range items {
		a := p.at("inputs", i)
		s, e := p.expand(raw, "inputs", a)
		if e != nil {
			return e
		}
		if s == "" {
			return p.fail(a, "inputs", `empty path (expected a file path or a glob such as "src/*.c")`)
		}
		if !isGlob(s) {
			in := l.inputPath(p.f.dir, s)
			if l.byOutput[in] == t {
				return p.fail(a, "inputs", fmt.Sprintf("%q is also an output of this target (expected a file the command reads, not one it writes)", in))
			}
			inputs = append(inputs, in)
			continue
		}
		pat, msg := globPattern(p.f.dir, s)
		if msg != "" {
			return p.fail(a, "inputs", msg)
		}
		matches, err := l.globs.expand(pat)
		if err != nil {
			e := p.fail(a, "inputs", err.Error())
			e.Err = err
			return e
		}
		t.Globs = append(t.Globs, pat)
		if len(matches) == 0 {
			l.emptyGlobs = append(l.emptyGlobs, emptyGlob{p: p, a: a, written: s, pat: pat})
		}
		for _, m := range matches {
			if l.byOutput[m] != t && !p.excluded(m) { // a target's own outputs are not its inputs
				inputs = append(inputs, m)
			}
		}
	}
	p.inputs, t.Inputs = inputSets(inputs)
	return nil
}

// inputSets returns the inputs in written order without duplicates (the
// first of each kept), as ${in} lists them, and sorted, as Target.Inputs
// holds them. They share one slice when the written order is sorted already
// (a single glob, or literal paths written in order).
func inputSets(inputs []string) (written, sorted []string) {
	if slices.IsSorted(inputs) {
		inputs = slices.Compact(inputs)
		return inputs, inputs
	}
	sorted = slices.Compact(slices.Sorted(slices.Values(inputs)))
	if len(sorted) == len(inputs) {
		return inputs, sorted
	}
	seen := make(map[string]struct{}, len(sorted))
	written = inputs[:0]
	for _, in := range inputs {
		if _, dup := seen[in]; !dup {
			seen[in] = struct{}{}
			written = append(written, in)
		}
	}
	return written, sorted
}

// inputPath cleans a literal input written in a Buildfile of folder dir:
// relative to the root when inside it, else absolute (or relative with
// "..").
func (l *loader) inputPath(dir, s string) string {
	var p string
	if dir == "." || filepath.IsAbs(s) {
		p = filepath.Clean(s)
	} else {
		p = filepath.Join(dir, s)
	}
	if filepath.IsAbs(p) {
		if r, err := filepath.Rel(l.root, p); err == nil && !escapes(r) {
			return r
		}
	}
	return p
}

// prepareExcludes expands and checks the exclude patterns.
func (p *pending) prepareExcludes() *Error {
	if p.spec.x == nil {
		return nil
	}
	items := p.spec.x.Exclude.items
	if len(items) == 0 || p.excludes != nil {
		return nil // none, or done already (a rule's, before its foreach)
	}
	p.excludes = make([]string, 0, len(items))
	for i, raw := range items {
		a := p.at("exclude", i)
		s, e := p.expand(raw, "exclude", a)
		if e != nil {
			return e
		}
		if s == "" {
			return p.fail(a, "exclude", `empty pattern (expected a glob such as "src/*_test.c" or a path)`)
		}
		pat, msg := globPattern(p.f.dir, s)
		if msg != "" {
			return p.fail(a, "exclude", msg)
		}
		p.excludes = append(p.excludes, pat)
	}
	return nil
}

// excluded reports whether the glob match m (relative to the root) is
// removed by an exclude pattern.
func (p *pending) excluded(m string) bool {
	if len(p.excludes) == 0 {
		return false
	}
	m = filepath.ToSlash(m)
	for _, x := range p.excludes {
		if ok, _ := doublestar.Match(x, m); ok {
			return true
		}
	}
	return false
}

// preparePool expands and checks the pool.
func (p *pending) preparePool() *Error {
	if p.spec.x == nil || !p.spec.x.Pool.set {
		return nil
	}
	a := p.at("pool", -1)
	s, e := p.expand(p.spec.x.Pool.s, "pool", a)
	if e != nil || s == "" {
		return e
	}
	if _, ok := p.l.pools[s]; !ok {
		names := make([]string, 0, len(p.l.pools))
		for name := range p.l.pools {
			names = append(names, name)
		}
		slices.Sort(names)
		return p.fail(a, "pool", fmt.Sprintf("unknown pool %q (expected %s, or a pool defined in [pools.NAME]%s)", s, ConsolePool, didYouMean(s, names)))
	}
	p.t.Pool = s
	return nil
}

// prepareDeps expands the deps entries; link resolves them.
func (p *pending) prepareDeps() *Error {
	items := p.spec.Deps.items
	if len(items) == 0 {
		return nil
	}
	p.deps = make([]string, len(items))
	for i, raw := range items {
		a := p.at("deps", i)
		s, e := p.expand(raw, "deps", a)
		if e != nil {
			return e
		}
		if s == "" {
			return p.fail(a, "deps", "empty name (expected a target name or an output path declared by a target)")
		}
		p.deps[i] = s
	}
	return nil
}

func (p *pending) prepareDurations() *Error {
	var e *Error
	if p.t.Timeout, e = p.duration(&p.spec.Timeout, "timeout", "0 or more; 0 means no timeout"); e != nil {
		return e
	}
	p.t.KillTimeout, e = p.duration(&p.spec.KillTimeout, "kill_timeout", "0 or more; 0 means the default")
	p.t.Always = p.spec.Always.b
	p.t.LocalOnly = p.spec.Remote.set && !p.spec.Remote.b
	if e != nil {
		return e
	}
	return p.prepareKeep()
}

// prepareKeep reads `secondary` and `intermediate`: whether the target's
// outputs may be missing (and, for intermediate, are deleted after use).
func (p *pending) prepareKeep() *Error {
	x := p.spec.x
	if x == nil {
		return nil
	}
	if x.Secondary.b && x.Intermediate.b {
		return p.fail(p.at("intermediate", -1), "intermediate", "set together with secondary = true (expected one of them: intermediate already lets its outputs be missing, and deletes them after use; secondary never deletes them)")
	}
	if (x.Secondary.b || x.Intermediate.b) && len(p.t.Outputs) == 0 {
		key := "secondary"
		if x.Intermediate.b {
			key = "intermediate"
		}
		return p.fail(p.at(key, -1), key, "the target declares no outputs (expected outputs: it is about the files the target writes)")
	}
	p.t.Secondary, p.t.Intermediate = x.Secondary.b, x.Intermediate.b
	p.t.Sandbox = x.Sandbox.b
	return nil
}

// prepareTrace reads `trace`: whether the target's commands run traced,
// the files they read becoming inputs of its next build.
func (p *pending) prepareTrace() *Error {
	x := p.spec.x
	if x == nil || !x.Trace.b {
		return nil
	}
	if len(p.t.Cmds) == 0 {
		return p.fail(p.at("trace", -1), "trace", "the target has no cmd to trace (expected trace = true only beside a cmd, whose reads it records)")
	}
	p.t.Trace = true
	return nil
}

// maxPorts bounds `ports`: more is surely a mistake, and each port is
// probed with a listening socket when the target starts.
const maxPorts = 1000

// preparePorts checks `ports`, the number of free TCP ports the target's
// commands get in GOBUILDJ_PORTS.
func (p *pending) preparePorts() *Error {
	n, e := p.count(p.spec.Ports, "ports", maxPorts, "TCP ports")
	p.t.Ports = n
	return e
}

// maxRetries bounds `retries`: a command that fails more often than
// this is broken, not flaky.
const maxRetries = 100

// prepareRetries checks `retries`, how many times a failure of the
// target's commands is run again before it counts.
func (p *pending) prepareRetries() *Error {
	n, e := p.count(p.spec.Retries, "retries", maxRetries, "retries")
	p.t.Retries = n
	return e
}

// count checks the integer v of key: a number of what from 0 to most (0
// when unset).
func (p *pending) count(v integer, key string, most int, what string) (int, *Error) {
	if !v.set {
		return 0, nil
	}
	if v.n < 0 || v.n > int64(most) {
		return 0, p.fail(p.at(key, -1), key, fmt.Sprintf("%d is out of range (expected a number of %s from 0 to %d)", v.n, what, most))
	}
	return int(v.n), nil
}

// duration expands and parses timeout or kill_timeout.
func (p *pending) duration(d *duration, key, expected string) (time.Duration, *Error) {
	if !d.set {
		return 0, nil
	}
	a := p.at(key, -1)
	s, e := p.expand(d.s, key, a)
	if e != nil {
		return 0, e
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		return 0, p.fail(a, key, fmt.Sprintf(`invalid duration %q (expected a Go duration such as "90s" or "5m")`, s))
	}
	if v < 0 {
		return 0, p.fail(a, key, fmt.Sprintf("negative duration %q (expected %s)", s, expected))
	}
	return v, nil
}

// prepareCommands expands description, cmd and env: the strings that may
// use ${in}, ${out} and ${deps}.
func (p *pending) prepareCommands() *Error {
	t, spec := p.t, p.spec
	p.sc.files = true
	t.Description = t.Name // also when description expands to ""
	if spec.Description.set {
		d, e := p.expandText(spec.Description.s, "description", p.at("description", -1))
		if e != nil {
			return e
		}
		if d != "" {
			t.Description = d
		}
	}
	if spec.Cmd.set && len(spec.Cmd.items) == 0 {
		return p.fail(p.at("cmd", -1), "cmd", "empty list of commands (expected at least one command; leave cmd out for a target that only groups its deps)")
	}
	if len(spec.Cmd.items) == 0 && len(t.Outputs) > 0 {
		return p.fail(p.at("outputs", -1), "outputs", "a target without cmd cannot make outputs (expected a cmd that writes them, or no outputs for a target that only groups its deps)")
	}
	if items := spec.Cmd.items; len(items) > 0 {
		t.Cmds = make([]string, len(items))
		for i, raw := range items {
			a := p.at("cmd", i)
			if strings.TrimSpace(raw) == "" {
				msg := `empty command (expected a shell command such as "cc -o app main.c"; leave cmd out for a target that only groups its deps)`
				if len(items) > 1 {
					msg = fmt.Sprintf("item %d is an empty command (expected a shell command)", i+1)
				}
				return p.fail(a, "cmd", msg)
			}
			var e *Error
			p.sc.shell = true
			t.Cmds[i], e = p.expandText(raw, "cmd", a)
			p.sc.shell = false
			if e != nil {
				return e
			}
			p.warnMakeisms(raw, a)
		}
	}
	if len(spec.Env) == 0 {
		return p.prepareFiles()
	}
	keys := make([]string, 0, len(spec.Env))
	for k := range spec.Env {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	t.Env = make([]string, len(keys))
	for i, k := range keys {
		key := "env." + toml.Key{k}.String()
		a := p.envAt(k)
		if k == "" || strings.ContainsAny(k, "=\x00") {
			a.name = true
			return p.fail(a, key, fmt.Sprintf(`invalid environment variable name %q (expected a name without "=", such as LC_ALL)`, k))
		}
		v, e := p.expandText(spec.Env[k].s, key, a)
		if e != nil {
			return e
		}
		t.Env[i] = k + "=" + v
	}
	return p.prepareFiles()
}

// prepareFiles expands and checks the depfile and the dyndep file, and
// reads trace.
func (p *pending) prepareFiles() *Error {
	if e := p.prepareDepfile(); e != nil {
		return e
	}
	if e := p.prepareDyndep(); e != nil {
		return e
	}
	return p.prepareTrace()
}

// prepareDyndep expands and checks the dyndep file: a path relative to the
// Buildfile's folder, which one of the target's deps writes (checked
// before the build, once the deps are known: engine).
func (p *pending) prepareDyndep() *Error {
	if p.spec.x == nil {
		return nil
	}
	d, e := p.commandFile(p.spec.x.Dyndep, "dyndep", "a dyndep file",
		"the target has no cmd to read it (expected a dyndep file only beside a cmd that reads the files it names)")
	p.t.Dyndep = d
	return e
}

// prepareDepfile expands and checks the depfile, in which ${in} and ${out}
// are relative to the Buildfile's folder, as the depfile's own path is.
func (p *pending) prepareDepfile() *Error {
	if p.spec.x == nil {
		return nil
	}
	d, e := p.commandFile(p.spec.x.Depfile, "depfile", "a depfile",
		"the target has no cmd to write it (expected a depfile only beside a cmd, such as gcc -MD -MF ${out}.d)")
	p.t.Depfile = d
	return e
}

// commandFile expands v, the value of key, as the path of a file that the
// target's command writes or reads besides its outputs (what names it in
// messages): relative to the Buildfile's folder, inside it, and only on a
// target with a cmd (noCmd says so otherwise). An unset or empty value is
// "".
func (p *pending) commandFile(v text, key, what, noCmd string) (string, *Error) {
	if !v.set {
		return "", nil
	}
	a := p.at(key, -1)
	p.sc.base = p.f.dir
	s, e := p.expand(v.s, key, a)
	p.sc.base = ""
	if e != nil || s == "" {
		return "", e
	}
	if len(p.t.Cmds) == 0 {
		return "", p.fail(a, key, noCmd)
	}
	d, msg := outputPath(p.l.root, p.f.dir, s)
	if msg != "" {
		return "", p.fail(a, key, strings.Replace(msg, "outputs must", what+" must", 1))
	}
	return d, nil
}

// expandText expands a string that may use ${deps}: it must hold no NUL of
// its own, so that depsMarker is unambiguous.
func (p *pending) expandText(s, key string, a at) (string, *Error) {
	if strings.IndexByte(s, 0) >= 0 {
		return "", p.fail(a, key, "contains a NUL character (expected text)")
	}
	return p.expand(s, key, a)
}
