package graph

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
)

// [defaults] holds target keys that every target of its Buildfile takes
// unless the target sets the key itself: sandbox = true, trace = true, a
// timeout, a pool for a whole project. A default applies to the targets,
// rule instances and rules of the Buildfile that declares it, and of the
// Buildfiles it includes, unless those set the key in a [defaults] of their
// own; it applies only to targets that run a command (a target that groups
// its deps has nothing to sandbox, trace or time). env is merged: each
// variable that the target's env does not set is taken. A default is
// expanded for each target as if the target had written it; a relative
// path of tools is relative to the folder of the Buildfile that wrote it.
// Defaults are applied when the graph is loaded, so a Target holds what
// applies to it and nothing downstream knows where a key came from.

// defaultKeys lists the keys [defaults] accepts, sorted, for messages.
func defaultKeys() []string {
	return []string{"env", "env_inputs", "kill_timeout", "pool", "remote", "retries", "sandbox", "timeout", "tools", "trace"}
}

// isDefaultKey reports whether k may be set in [defaults].
func isDefaultKey(k string) bool {
	switch k {
	case "env", "env_inputs", "kill_timeout", "pool", "remote", "retries", "sandbox", "timeout", "tools", "trace":
		return true
	}
	return false
}

// notADefault is the message for key k in [defaults]: why a key of
// targets or rules cannot be a default, or the unknown-key message.
func notADefault(k string) string {
	const alike = "; a rule ([rules.NAME] with foreach) makes targets alike"
	why := ""
	switch k {
	case "inputs", "outputs", "deps", "depfile", "dyndep", "exclude":
		why = "it names this target's own files" + alike
	case "cmd":
		why = "it is this target's own command" + alike
	case "description":
		why = "it describes one target"
	case "dir":
		why = "it changes the folder each target's paths and command are relative to; write it in the targets that need it"
	case "always":
		why = "it would run every command on every build; write it in the targets that must always run"
	case "secondary", "intermediate":
		why = "it is about this target's own outputs; write it in the targets whose outputs it concerns"
	case "ports":
		why = "each port is reserved and probed for one target; write it in the targets whose commands listen"
	case "vars":
		why = "variables for every target go in [vars]"
	case "foreach", "prefer", "override":
		why = "it is a key of rules"
	default:
		return unknownKey(k, defaultKeys())
	}
	return fmt.Sprintf("key %s cannot be a default (%s; expected one of: %s)", strconv.Quote(k), why, listNames(defaultKeys(), len(defaultKeys())))
}

// defaultsLayer is the [defaults] in force in a Buildfile: its own keys
// over those in force in the Buildfile that includes it.
type defaultsLayer struct {
	spec targetSpec
	// from is the Buildfile that set each key, and envFrom each
	// variable of env: errors point there, and tools are relative to its
	// folder.
	from    map[string]*bfile
	envFrom map[string]*bfile
	origin  *bfile // the Buildfile whose [defaults] made the layer
	size    int    // what taking the layer costs a target (sizeOf)
}

// layerDefaults returns the defaults in force in f, whose includer has
// parent in force (nil if none): f's own keys, then those of parent that f
// does not set; env merged the same way, variable by variable.
func layerDefaults(parent *defaultsLayer, f *bfile) *defaultsLayer {
	if !f.dec.hasDefaults {
		return parent
	}
	own := &f.dec.defaults
	d := &defaultsLayer{from: make(map[string]*bfile), envFrom: make(map[string]*bfile), origin: f}
	fillDefaults(&d.spec, own, func(key string) { d.from[key] = f })
	if parent != nil {
		fillDefaults(&d.spec, &parent.spec, func(key string) { d.from[key] = parent.from[key] })
		for name, v := range parent.spec.Env {
			if d.spec.Env == nil {
				d.spec.Env = make(map[string]text)
			}
			d.spec.Env[name] = v
			d.envFrom[name] = parent.envFrom[name]
		}
	}
	for name, v := range own.Env {
		if d.spec.Env == nil {
			d.spec.Env = make(map[string]text)
		}
		d.spec.Env[name] = v
		d.envFrom[name] = f
	}
	d.size = sizeOf(&d.spec)
	return d
}

// fillDefaults sets in dst each default key (but env) that dst leaves
// unset and src sets, calling took with its name.
func fillDefaults(dst, src *targetSpec, took func(key string)) {
	if src.Timeout.set && !dst.Timeout.set {
		dst.Timeout = src.Timeout
		took("timeout")
	}
	if src.KillTimeout.set && !dst.KillTimeout.set {
		dst.KillTimeout = src.KillTimeout
		took("kill_timeout")
	}
	if src.Retries.set && !dst.Retries.set {
		dst.Retries = src.Retries
		took("retries")
	}
	if src.Remote.set && !dst.Remote.set {
		dst.Remote = src.Remote
		took("remote")
	}
	sx := src.x
	if sx == nil {
		return
	}
	if sx.Pool.set && (dst.x == nil || !dst.x.Pool.set) {
		dst.extra().Pool = sx.Pool
		took("pool")
	}
	if sx.Tools.set && (dst.x == nil || !dst.x.Tools.set) {
		dst.extra().Tools = sx.Tools
		took("tools")
	}
	if sx.EnvInputs.set && (dst.x == nil || !dst.x.EnvInputs.set) {
		dst.extra().EnvInputs = sx.EnvInputs
		took("env_inputs")
	}
	if sx.Sandbox.set && (dst.x == nil || !dst.x.Sandbox.set) {
		dst.extra().Sandbox = sx.Sandbox
		took("sandbox")
	}
	if sx.Trace.set && (dst.x == nil || !dst.x.Trace.set) {
		dst.extra().Trace = sx.Trace
		took("trace")
	}
}

// defaulted is, for a target spec that took defaults, the spec as
// written and the defaults it took: a key the spec as written leaves
// unset came from the layer.
type defaulted struct {
	own   *targetSpec
	layer *defaultsLayer
}

// MaxDefaultedSize bounds the bytes that [defaults] copies into targets,
// over a Buildfile and its includes: each target that takes defaults
// counts the size of all of them. A Buildfile of many short targets and a
// long [defaults] env must get an error, not all the memory.
const MaxDefaultedSize = 64 << 20

// sizeOf is about the memory that taking the defaults d costs a target:
// the text of its lists and env, and a map entry per env variable.
func sizeOf(d *targetSpec) int {
	n := 256 // the copied spec
	if x := d.x; x != nil {
		for _, s := range slices.Concat(x.Tools.items, x.EnvInputs.items) {
			n += len(s) + 16
		}
	}
	for name, v := range d.Env {
		n += len(name) + len(v.s) + 64
	}
	return n
}

// withDefaults returns spec, a target's or rule's of Buildfile f, with the
// defaults in force in f filled in: a copy when it takes any, spec itself
// when it takes none (no cmd, or every default key set already).
func (l *loader) withDefaults(f *bfile, spec *targetSpec) (*targetSpec, *Error) {
	d := f.defaults
	if d == nil || len(spec.Cmd.items) == 0 {
		return spec, nil
	}
	c := *spec
	if spec.x != nil {
		x := *spec.x
		c.x = &x
	}
	took := false
	fillDefaults(&c, &d.spec, func(string) { took = true })
	takesEnv := false
	for name := range d.spec.Env {
		if _, own := spec.Env[name]; !own {
			takesEnv = true
			break
		}
	}
	if !took && !takesEnv {
		return spec, nil
	}
	// Counted before the copy: the error comes before the memory goes.
	if l.defaultedSize += d.size; l.defaultedSize > MaxDefaultedSize {
		return nil, d.origin.src.errorAt(at{path: []string{"defaults"}, item: -1, offset: -1, name: true}, "", "defaults",
			fmt.Sprintf("copied into each target, [defaults] adds up past %d MiB (expected at most %d MiB in all: is its env very long, for many targets?)", MaxDefaultedSize>>20, MaxDefaultedSize>>20))
	}
	if takesEnv {
		c.Env = make(map[string]text, len(spec.Env)+len(d.spec.Env))
		maps.Copy(c.Env, d.spec.Env)
		maps.Copy(c.Env, spec.Env) // the target's own win
	}
	if l.defaulted == nil {
		l.defaulted = make(map[*targetSpec]*defaulted)
	}
	l.defaulted[&c] = &defaulted{own: spec, layer: d}
	return &c, nil
}

// defaultFrom returns the Buildfile whose [defaults] gave the target its
// key, or nil when the target wrote it (or does not have it).
func (p *pending) defaultFrom(key string) *bfile {
	if p.l.defaulted == nil {
		return nil
	}
	d := p.l.defaulted[p.spec]
	if d == nil || setsKey(d.own, key) {
		return nil
	}
	return d.layer.from[key]
}

// setsKey reports whether spec sets key, one of defaultKeys but env.
func setsKey(spec *targetSpec, key string) bool {
	x := spec.x
	switch key {
	case "timeout":
		return spec.Timeout.set
	case "kill_timeout":
		return spec.KillTimeout.set
	case "retries":
		return spec.Retries.set
	case "remote":
		return spec.Remote.set
	case "pool":
		return x != nil && x.Pool.set
	case "tools":
		return x != nil && x.Tools.set
	case "env_inputs":
		return x != nil && x.EnvInputs.set
	case "sandbox":
		return x != nil && x.Sandbox.set
	case "trace":
		return x != nil && x.Trace.set
	}
	return true
}

// envAt is the location of variable name of the target's env: in the
// [defaults] that gave it, or in the target.
func (p *pending) envAt(name string) at {
	if p.l.defaulted != nil {
		if d := p.l.defaulted[p.spec]; d != nil {
			if _, own := d.own.Env[name]; !own && d.layer.envFrom[name] != nil {
				f := d.layer.envFrom[name]
				return at{path: []string{"defaults", "env", name}, item: -1, offset: -1, in: f.src}
			}
		}
	}
	return atKey(p.section, p.local, "env", name)
}

// keyDir is the folder (relative to the root) of the Buildfile that wrote
// the target's key: a default's relative paths are relative to it.
func (p *pending) keyDir(key string) string {
	if f := p.defaultFrom(key); f != nil {
		return f.dir
	}
	return p.f.dir
}
