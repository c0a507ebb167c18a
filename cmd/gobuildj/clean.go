package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/gobuildj/gobuildj/cache"
	"github.com/gobuildj/gobuildj/graph"
	"github.com/gobuildj/gobuildj/internal/statedir"
)

func newCleanCommand(f *buildFlags, stdout io.Writer) *cobra.Command {
	return &cobra.Command{
		Use:   "clean [targets...]",
		Short: "Remove the files gobuildj recorded as outputs",
		Long: `clean removes the outputs (and depfiles) that gobuildj recorded for the
targets named and everything they depend on, or with no target for every
target it has a record of (also targets no longer in the Buildfile), and
forgets those runs. It removes nothing else: not a file a command wrote
without declaring it, not the folders outputs were put in.

It first checks every file it would remove: if one resolves outside the
Buildfile's folder, lexically or through a symbolic link (or lies in
.gobuildj/), it removes nothing, names the file and exits with code 2.`,
		ValidArgsFunction: completeTargets(f),
		RunE: func(cmd *cobra.Command, args []string) error {
			g, err := loadGraph(*f)
			if err != nil {
				return err
			}
			return clean(g, args, stdout)
		},
	}
}

// clean removes the recorded outputs of the targets named (and their deps),
// or of every recorded target.
func clean(g *graph.Graph, args []string, stdout io.Writer) error {
	var names []string
	if len(args) > 0 {
		sel, err := g.Select(args)
		if err != nil {
			return err
		}
		for _, t := range g.Closure(sel) {
			names = append(names, t.Name)
		}
	}
	store, err := cache.Open(g.Root)
	if err != nil {
		return fmt.Errorf("state: %w", err)
	}
	defer store.Close()
	if len(args) == 0 {
		names = store.Targets()
	}
	realRoot, err := filepath.EvalSymlinks(g.Root)
	if err != nil {
		return fmt.Errorf("clean: %w", err)
	}
	var files, cleaned []string
	var refused []string
	for _, name := range names {
		rec, ok := store.Target(name)
		if !ok {
			continue
		}
		cleaned = append(cleaned, name)
		paths := make([]string, 0, len(rec.Outputs)+1)
		for _, o := range rec.Outputs {
			paths = append(paths, o.Path)
		}
		if rec.Depfile != "" {
			paths = append(paths, rec.Depfile)
		}
		for _, p := range paths {
			abs := p
			if !filepath.IsAbs(abs) {
				abs = filepath.Join(g.Root, p)
			}
			if why := outsideTree(g.Root, realRoot, abs); why != "" {
				shown := abs
				if rel, err := filepath.Rel(g.Root, abs); err == nil && !strings.HasPrefix(rel, "..") {
					shown = rel
				}
				refused = append(refused, fmt.Sprintf("%s (recorded for %s): %s", shown, name, why))
				continue
			}
			files = append(files, abs)
		}
	}
	if len(refused) > 0 {
		return usageError{fmt.Errorf("clean: removed nothing, because %d recorded file(s) are not inside %s:\n  %s",
			len(refused), g.Root, strings.Join(refused, "\n  "))}
	}
	slices.Sort(files)
	files = slices.Compact(files)
	removed := 0
	var failed []error
	for _, abs := range files {
		err := os.Remove(abs)
		switch {
		case err == nil:
			removed++
			rel, _ := filepath.Rel(g.Root, abs)
			fmt.Fprintf(stdout, "removed %s\n", rel)
		case !errors.Is(err, fs.ErrNotExist):
			failed = append(failed, err)
		}
	}
	for _, name := range cleaned {
		if err := store.ForgetTarget(name); err != nil {
			failed = append(failed, err)
		}
	}
	fmt.Fprintf(stdout, "gobuildj: removed %d file(s) of %d target(s)\n", removed, len(cleaned))
	if len(failed) > 0 {
		return fmt.Errorf("clean: %w", errors.Join(failed...))
	}
	return nil
}

// outsideTree says why the file abs must not be removed, or "" if it may:
// it must be inside root (whose real path is realRoot) and outside
// .gobuildj/, both as written and once every symbolic link on its way,
// itself included, is resolved.
func outsideTree(root, realRoot, abs string) string {
	if why := outsideOf(root, filepath.Clean(abs)); why != "" {
		return why
	}
	real, err := resolve(abs)
	if err != nil {
		return fmt.Sprintf("cannot resolve it (%v)", err)
	}
	if why := outsideOf(realRoot, real); why != "" {
		return "it resolves to " + real + " through a symbolic link, so " + why
	}
	return ""
}

func outsideOf(root, p string) string {
	rel, err := filepath.Rel(root, p)
	switch {
	case err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)):
		return "it is outside the Buildfile's folder"
	case rel == ".":
		return "it is the Buildfile's folder itself"
	case statedir.Holds(rel):
		return "it is in " + statedir.Name + "/, gobuildj's state"
	}
	return ""
}

// resolve returns the real path of p, resolving symbolic links on its way
// as far as it exists (a missing file resolves to its real folder joined
// with its name).
func resolve(p string) (string, error) {
	real, err := filepath.EvalSymlinks(p)
	if err == nil {
		return real, nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return "", err
	}
	parent := filepath.Dir(p)
	if parent == p {
		return p, nil
	}
	realParent, err := resolve(parent)
	if err != nil {
		return "", err
	}
	return filepath.Join(realParent, filepath.Base(p)), nil
}
