package graph

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"
)

// prepareTools expands and checks `tools`: the programs whose content
// enters the target's action key beside those its commands run (a
// wrapper's real compiler, a plugin). An entry without "/" is a program
// name, looked up in the PATH the commands see when the target is checked;
// one with "/" is a path, relative to the Buildfile's folder (that of the
// Buildfile whose [defaults] gave it, for a default).
func (p *pending) prepareTools() *Error {
	if p.spec.x == nil || len(p.spec.x.Tools.items) == 0 {
		return nil
	}
	items := p.spec.x.Tools.items
	tools := make([]string, 0, len(items))
	for i, raw := range items {
		a := p.at("tools", i)
		s, e := p.expand(raw, "tools", a)
		if e != nil {
			return e
		}
		if strings.TrimSpace(s) == "" {
			return p.fail(a, "tools", `empty tool (expected a program name such as "gcc-12" or a path such as "/usr/bin/gcc-12")`)
		}
		if strings.ContainsRune(s, 0) {
			return p.fail(a, "tools", "contains a NUL character (expected a program name or a path)")
		}
		if strings.ContainsRune(s, '/') {
			s = p.l.inputPath(p.keyDir("tools"), s)
			if !filepath.IsAbs(s) {
				s = "./" + s
			}
		}
		tools = append(tools, s)
	}
	p.t.Tools = tools
	return nil
}

// prepareEnvInputs checks `env_inputs`: the inherited environment
// variables whose values enter the target's action key.
func (p *pending) prepareEnvInputs() *Error {
	if p.spec.x == nil || len(p.spec.x.EnvInputs.items) == 0 {
		return nil
	}
	items := p.spec.x.EnvInputs.items
	names := make([]string, 0, len(items))
	for i, name := range items {
		if !validEnvName(name) {
			return p.fail(p.at("env_inputs", i), "env_inputs", fmt.Sprintf("invalid environment variable name %q (expected a name of letters, digits and _, such as CFLAGS)", name))
		}
		names = append(names, name)
	}
	slices.Sort(names)
	p.t.EnvInputs = slices.Compact(names)
	return nil
}
