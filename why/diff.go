package why

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/gobuildj/gobuildj/cache"
	"github.com/gobuildj/gobuildj/graph"
)

// differ collects the changes between two manifests of a target.
type differ struct {
	root    string
	now     time.Time
	t       *graph.Target
	depOf   func(string) string
	changes []Change
}

func (d *differ) add(c Change) { d.changes = append(d.changes, c) }

// mergePaths calls f for each path of old or cur (both sorted by path or
// not: they are matched by path), with the old and new hashes and whether
// each side has it, in the order of cur then of old.
func mergePaths(old, cur []cache.PathHash, f func(path string, o, n cache.Hash, inOld, inCur bool)) {
	merge(old, cur, func(ph cache.PathHash) (string, cache.Hash) { return ph.Path, ph.Hash }, f)
}

// merge calls f for each name that old or cur holds (split gives an item's
// name and value), with the old and new values and whether each side has
// it: the names of cur first, in order, then those only in old.
func merge[T, V any](old, cur []T, split func(T) (string, V), f func(name string, o, n V, inOld, inCur bool)) {
	was := make(map[string]V, len(old))
	for _, it := range old {
		name, v := split(it)
		was[name] = v
	}
	is := make(map[string]bool, len(cur))
	for _, it := range cur {
		name, v := split(it)
		is[name] = true
		o, ok := was[name]
		f(name, o, v, ok, true)
	}
	var zero V
	for _, it := range old {
		if name, v := split(it); !is[name] {
			f(name, v, zero, true, false)
		}
	}
}

// inputs names the inputs that changed, appeared or went; last is the
// record of the last run, whose depfile or trace may have named some.
func (d *differ) inputs(old, cur []cache.PathHash, last *cache.TargetRecord) {
	mergePaths(old, cur, func(path string, o, n cache.Hash, inOld, inCur bool) {
		switch {
		case !inOld:
			text := "input added: " + path
			if g := d.glob(path); g != "" {
				text += " (matched by glob " + g + ")"
			}
			d.add(Change{Kind: InputAdded, Name: path, New: n.String(), Text: text})
		case !inCur && slices.Contains(last.Traced, path):
			d.add(Change{Kind: TracedInput, Name: path, Old: o.String(), Text: "traced input removed: " + path + " (read by the last traced run)"})
		case !inCur:
			text := "input removed: " + path
			if g := d.glob(path); g != "" {
				text += " (no longer matched by glob " + g + ")"
			}
			d.add(Change{Kind: InputRemoved, Name: path, Old: o.String(), Text: text})
		case o != n && slices.Contains(last.Probed, path):
			d.add(Change{Kind: TracedProbe, Name: path, Old: o.String(), New: n.String(),
				Text: path + ": now exists (the last traced run looked for it and found none)"})
		case o != n:
			kind, what := Input, ""
			switch {
			case slices.Contains(last.Discovered, path):
				kind, what = DepfileInput, " (named by the depfile)"
			case slices.Contains(last.Traced, path):
				kind, what = TracedInput, " (read by the last traced run)"
			}
			text := fmt.Sprintf("%s: %s -> %s%s", path, hashText(o), hashText(n), what)
			if age := d.age(path); age != "" {
				text += " (edited " + age + ")"
			}
			d.add(Change{Kind: kind, Name: path, Old: o.String(), New: n.String(), Text: text})
		}
	})
}

// glob returns the glob of the target that matches path, "" if none.
func (d *differ) glob(path string) string {
	for _, g := range d.t.Globs {
		if ok, _ := filepath.Match(g, path); ok {
			return g
		}
		if pre, _, ok := strings.Cut(g, "**"); ok && strings.HasPrefix(path, pre) {
			return g
		}
	}
	return ""
}

// age says how long ago path was modified: "12 s ago", "2 min ago".
func (d *differ) age(path string) string {
	if !filepath.IsAbs(path) {
		path = filepath.Join(d.root, path)
	}
	fi, err := os.Stat(path)
	if err != nil {
		return ""
	}
	return Age(d.now.Sub(fi.ModTime()))
}

// Age says a duration as an age: "just now", "40 s ago", "2 min ago",
// "3 h ago", "5 days ago".
func Age(a time.Duration) string {
	switch {
	case a < time.Second:
		return "just now"
	case a < time.Minute:
		return fmt.Sprintf("%d s ago", int(a/time.Second))
	case a < time.Hour:
		return fmt.Sprintf("%d min ago", int(a/time.Minute))
	case a < 48*time.Hour:
		return fmt.Sprintf("%d h ago", int(a/time.Hour))
	}
	return fmt.Sprintf("%d days ago", int(a/(24*time.Hour)))
}

// command names a change of the commands, env entries or dir, with a diff
// of their text when the last run kept it.
func (d *differ) command(old, cur *cache.TargetRecord) {
	if old.CmdHash == cur.CmdHash {
		return
	}
	if old.CmdText == nil || cur.CmdText == nil {
		d.add(Change{Kind: Command, Text: fmt.Sprintf("command changed (the last run's text was not kept: longer than %d bytes)", cache.MaxKeptCmdText)})
		return
	}
	diff := lineDiff("cmd ", old.CmdText.Cmds, cur.CmdText.Cmds)
	diff = append(diff, lineDiff("env ", old.CmdText.Env, cur.CmdText.Env)...)
	if old.CmdText.Dir != cur.CmdText.Dir {
		diff = append(diff, "- dir "+old.CmdText.Dir, "+ dir "+cur.CmdText.Dir)
	}
	d.add(Change{Kind: Command, Diff: diff, Text: "command changed"})
}

// lineDiff returns the lines of old and cur that differ, as "- " and "+ "
// lines (after prefix) in order, from their longest common subsequence.
func lineDiff(prefix string, old, cur []string) []string {
	n, m := len(old), len(cur)
	lcs := make([][]int, n+1)
	for i := range lcs {
		lcs[i] = make([]int, m+1)
	}
	for i := n - 1; i >= 0; i-- {
		for j := m - 1; j >= 0; j-- {
			if old[i] == cur[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	var out []string
	i, j := 0, 0
	for i < n || j < m {
		switch {
		case i < n && j < m && old[i] == cur[j]:
			i++
			j++
		case j == m || (i < n && lcs[i+1][j] >= lcs[i][j+1]):
			out = append(out, "- "+prefix+old[i])
			i++
		default:
			out = append(out, "+ "+prefix+cur[j])
			j++
		}
	}
	return out
}

// env names the declared inherited variables whose values changed, with
// the values when both may be shown (cache.ShowableEnv).
func (d *differ) env(old, cur *cache.TargetRecord) {
	unset := cache.EnvHash("", false)
	value := func(h cache.Hash, values []string, name string) string {
		if h == unset {
			return "(unset)"
		}
		for _, kv := range values {
			if v, ok := strings.CutPrefix(kv, name+"="); ok {
				return fmt.Sprintf("%q", v)
			}
		}
		return "(value not shown)"
	}
	mergePaths(old.EnvInputs, cur.EnvInputs, func(name string, o, n cache.Hash, inOld, inCur bool) {
		switch {
		case !inOld:
			d.add(Change{Kind: Env, Name: name, Text: "env " + name + " now declared"})
		case !inCur:
			d.add(Change{Kind: Env, Name: name, Text: "env " + name + " no longer declared"})
		case o != n:
			ov, nv := value(o, old.EnvValues, name), value(n, cur.EnvValues, name)
			c := Change{Kind: Env, Name: name, Text: fmt.Sprintf("env %s: %s -> %s", name, ov, nv)}
			if ov == "(value not shown)" || nv == "(value not shown)" {
				c.Text = fmt.Sprintf("env %s changed (value not shown: long, or named like a secret)", name)
			} else {
				c.Old, c.New = ov, nv
			}
			d.add(c)
		}
	})
}

// tools names the tools that changed: the same file with new content, or
// the name now resolving to another file.
func (d *differ) tools(old, cur []cache.PathHash) {
	if len(old) == len(cur) {
		// The key covers each tool's content, not its path: the same
		// program in another folder is no change.
		for i := range old {
			switch {
			case old[i].Hash == cur[i].Hash:
			case old[i].Path != cur[i].Path:
				d.add(Change{Kind: Tool, Name: cur[i].Path, Old: old[i].Path, New: cur[i].Path,
					Text: fmt.Sprintf("tool %s -> %s (%s -> %s)", old[i].Path, cur[i].Path, hashText(old[i].Hash), hashText(cur[i].Hash))})
			default:
				d.add(Change{Kind: Tool, Name: cur[i].Path, Old: old[i].Hash.String(), New: cur[i].Hash.String(),
					Text: fmt.Sprintf("tool %s changed (%s -> %s)", cur[i].Path, hashText(old[i].Hash), hashText(cur[i].Hash))})
			}
		}
		return
	}
	mergePaths(old, cur, func(path string, o, n cache.Hash, inOld, inCur bool) {
		switch {
		case !inOld:
			d.add(Change{Kind: Tool, Name: path, New: n.String(), Text: "tool " + path + " now used"})
		case !inCur:
			d.add(Change{Kind: Tool, Name: path, Old: o.String(), Text: "tool " + path + " no longer used"})
		case o != n:
			d.add(Change{Kind: Tool, Name: path, Old: o.String(), New: n.String(),
				Text: fmt.Sprintf("tool %s changed (%s -> %s)", path, hashText(o), hashText(n))})
		}
	})
}

// depOutputs names the outputs of deps that it reads and that changed.
func (d *differ) depOutputs(old, cur []cache.PathHash) {
	mergePaths(old, cur, func(path string, o, n cache.Hash, inOld, inCur bool) {
		dep := ""
		if d.depOf != nil {
			dep = d.depOf(path)
		}
		who := "dep output " + path
		if dep != "" {
			who = "dep " + dep + ": output " + path
		}
		switch {
		case !inOld:
			d.add(Change{Kind: DepOutput, Name: path, Dep: dep, New: n.String(), Text: who + " added"})
		case !inCur:
			d.add(Change{Kind: DepOutput, Name: path, Dep: dep, Old: o.String(), Text: who + " removed"})
		case o != n:
			d.add(Change{Kind: DepOutput, Name: path, Dep: dep, Old: o.String(), New: n.String(),
				Text: fmt.Sprintf("%s changed (%s -> %s)", who, hashText(o), hashText(n))})
		}
	})
}
