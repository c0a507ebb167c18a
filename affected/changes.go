package affected

import (
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// Changes are the files changed since a git ref, as --affected sees them:
// those the commits since the merge base of the ref and HEAD changed, and
// those changed, staged or untracked in the work tree now.
type Changes struct {
	// Ref is the ref named, or the default branch found (see DefaultFrom).
	Ref string
	// DefaultFrom says how the default branch was found when no ref was
	// named ("origin/HEAD", "a main branch", "a master branch"); "" when
	// Ref was named.
	DefaultFrom string
	Base        string // the merge base of Ref and HEAD, a full commit hash
	Shallow     bool   // the repository is a shallow clone
	// Files are the changed files, relative to the Buildfile's folder
	// (absolute when outside it, as graph.Target.Inputs has them), sorted,
	// each once. A deleted file is there too.
	Files []string
}

// Describe says what the changes are measured from, for a message:
// `origin/main (the default branch, from origin/HEAD), merge base 1a2b3c4d5e6f`.
func (c *Changes) Describe() string {
	s := c.Ref
	if c.DefaultFrom != "" {
		s += " (the default branch, from " + c.DefaultFrom + ")"
	}
	return s + ", merge base " + short(c.Base)
}

func short(hash string) string {
	if len(hash) > 12 {
		return hash[:12]
	}
	return hash
}

// Options are how Since runs git.
type Options struct {
	// Timeout bounds each git command (DefaultTimeout when 0).
	Timeout time.Duration
}

// Since returns the files changed since ref in the git repository that
// holds root, the Buildfile's folder (where git runs): `git diff
// --name-only REF...HEAD` (from the merge base) and `git status
// --porcelain` (uncommitted and untracked files). An empty ref means the
// default branch: origin/HEAD's target, else main, else master. A merge
// base that cannot be found is an error naming why (a shallow clone is
// said) and the fix; it is never taken as "everything changed".
func Since(root, ref string, opts Options) (*Changes, error) {
	g := git{dir: root, timeout: opts.Timeout}
	top, err := g.line("rev-parse", "--show-toplevel")
	if err != nil {
		if exitCode(err) > 0 {
			return nil, fmt.Errorf("affected: %s is not in a git repository (%w)", root, err)
		}
		return nil, err
	}
	c := &Changes{}
	shallow, err := g.line("rev-parse", "--is-shallow-repository")
	if err != nil {
		return nil, err
	}
	c.Shallow = shallow == "true"
	if _, err := g.line("rev-parse", "--verify", "--quiet", "HEAD^{commit}"); err != nil {
		if exitCode(err) > 0 {
			return nil, errors.New("affected: HEAD has no commit yet: commit first, or build without --affected")
		}
		return nil, err
	}
	if ref == "" {
		if c.Ref, c.DefaultFrom, err = defaultBranch(g, c.Shallow); err != nil {
			return nil, err
		}
	} else {
		if strings.HasPrefix(ref, "-") {
			return nil, fmt.Errorf("affected: %q: expected a git ref, not an option", ref)
		}
		c.Ref = ref
	}
	commit, err := g.line("rev-parse", "--verify", "--quiet", c.Ref+"^{commit}")
	if err != nil {
		if exitCode(err) > 0 {
			return nil, fmt.Errorf("affected: git knows no commit %q%s", c.Ref, shallowHint(c.Shallow, "the ref may not have been fetched"))
		}
		return nil, err
	}
	if c.Base, err = g.line("merge-base", commit, "HEAD"); err != nil {
		if exitCode(err) == 1 {
			return nil, noMergeBase(c)
		}
		return nil, err
	}
	if c.Base == "" {
		return nil, noMergeBase(c)
	}
	committed, err := g.run("diff", "--name-only", "-z", "--no-renames", c.Base, "HEAD", "--")
	if err != nil {
		return nil, err
	}
	status, err := g.run("status", "--porcelain", "-z", "--untracked-files=all", "--no-renames")
	if err != nil {
		return nil, err
	}
	paths := nulFields(committed)
	paths = append(paths, statusPaths(status)...)
	c.Files = relativeTo(root, top, paths)
	return c, nil
}

// defaultBranch finds the default branch: origin/HEAD's target, else a
// local main, else master.
func defaultBranch(g git, shallow bool) (ref, from string, err error) {
	if target, err := g.line("symbolic-ref", "--quiet", "refs/remotes/origin/HEAD"); err == nil && target != "" {
		if _, err := g.line("rev-parse", "--verify", "--quiet", target+"^{commit}"); err == nil {
			return strings.TrimPrefix(target, "refs/remotes/"), "origin/HEAD", nil
		}
	} else if exitCode(err) < 0 {
		return "", "", err
	}
	for _, b := range []string{"main", "master"} {
		_, err := g.line("rev-parse", "--verify", "--quiet", "refs/heads/"+b+"^{commit}")
		if err == nil {
			return b, "a " + b + " branch", nil
		}
		if exitCode(err) < 0 {
			return "", "", err
		}
	}
	return "", "", fmt.Errorf("affected: no default branch to compare with: origin/HEAD is not set and there is no main or master branch; name a ref with --affected=REF (or set origin/HEAD: git remote set-head origin --auto)%s",
		shallowHint(shallow, "a shallow clone fetches only one branch"))
}

// noMergeBase is the error of a ref with no common history with HEAD.
func noMergeBase(c *Changes) error {
	if c.Shallow {
		return fmt.Errorf("affected: no merge base of %s and HEAD: this is a shallow clone (git rev-parse --is-shallow-repository), whose history stops before they meet; fetch it with `git fetch --unshallow` (or a deeper `git fetch --deepen=N`), or name a ref that exists here with --affected=REF", c.Ref)
	}
	return fmt.Errorf("affected: no merge base of %s and HEAD: they share no history; name another ref with --affected=REF", c.Ref)
}

func shallowHint(shallow bool, why string) string {
	if !shallow {
		return ""
	}
	return "; this is a shallow clone (" + why + "): fetch it with `git fetch --unshallow`, or name a ref that exists here with --affected=REF"
}

// statusPaths returns the paths of `git status --porcelain -z` entries
// ("XY path", and for a rename or copy the original path as the next
// field), relative to the repository's top.
func statusPaths(out []byte) []string {
	var paths []string
	fields := nulFields(out)
	for i := 0; i < len(fields); i++ {
		f := fields[i]
		if len(f) < 4 {
			continue
		}
		paths = append(paths, f[3:])
		if f[0] == 'R' || f[0] == 'C' || f[1] == 'R' || f[1] == 'C' {
			if i+1 < len(fields) {
				paths = append(paths, fields[i+1])
				i++
			}
		}
	}
	return paths
}

// relativeTo turns paths relative to the repository's top into paths
// relative to root (absolute when outside it), sorted, each once.
func relativeTo(root, top string, paths []string) []string {
	base := root
	if real, err := filepath.EvalSymlinks(root); err == nil {
		base = real
	}
	seen := map[string]bool{}
	var out []string
	for _, p := range paths {
		abs := filepath.Join(top, filepath.FromSlash(p))
		rel, err := filepath.Rel(base, abs)
		if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
			rel = abs
		}
		if !seen[rel] {
			seen[rel] = true
			out = append(out, rel)
		}
	}
	slices.Sort(out)
	return out
}
