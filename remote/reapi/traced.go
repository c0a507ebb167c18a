package reapi

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/gobuildj/gobuildj/internal/statedir"
	"github.com/gobuildj/gobuildj/remote"
	"github.com/gobuildj/gobuildj/trace"
)

// Traced targets (remote.Spec.Trace) are shared through a manifest as
// depfile targets are, from what the trace of the local run says:
//
//   - a file read inside the project that is not an input, output or
//     depfile of the action, nor written or deleted by the commands, nor
//     in the state folder, is listed as a depfile's header is;
//   - a file read under systemDir (after resolving links, so that /lib on
//     a merged-/usr system counts) is listed by absolute path, its digest
//     then in the full action's salt;
//   - the paths probed in vain inside the project are listed as paths
//     that must be absent: a lookup in a checkout where one exists misses;
//   - reads of the system's configuration and pseudo files are left out
//     (ignoredDirs: /etc holds ld.so.cache, which every dynamic program
//     reads), as are files the commands wrote themselves (a compiler's
//     temp files);
//   - any other read outside the project (another checkout, $HOME, a
//     temp file made before the run) keeps the target unshared: its key
//     could not be the same elsewhere.
//
// A hit restores both lists as the result's trace, so that gobuildj
// records them as if it had traced a run (engine/tracedeps.go): the next
// build keys the target by them.

// ignoredDirs are the folders outside the project whose reads a traced
// target's manifest leaves out.
var ignoredDirs = []string{"/etc/", "/proc/", "/sys/", "/dev/", "/run/"}

// tracedFiles sorts what the trace rep of a run of s saw into the files
// its manifest lists, relative to root or under systemDir, and the paths
// inside root probed in vain, both sorted; or says why the run cannot be
// shared.
func tracedFiles(root string, s remote.Spec, rep *trace.Report) (read, absent []string, why string) {
	roots := []string{filepath.Clean(root) + "/"}
	if real, err := filepath.EvalSymlinks(root); err == nil && real+"/" != roots[0] {
		roots = append(roots, real+"/")
	}
	rel := func(p string) (string, bool) {
		for _, r := range roots {
			if rel, ok := strings.CutPrefix(p, r); ok && rel != "" {
				return rel, true
			}
		}
		return "", false
	}
	own := map[string]bool{s.Depfile: true}
	for _, in := range s.Inputs {
		own[in.Path] = true
	}
	for _, o := range s.Outputs {
		own[o] = true
	}
	for _, list := range [][]string{rep.Written, rep.Deleted} {
		for _, p := range list {
			own[p] = true
			if r, ok := rel(p); ok {
				own[r] = true
			}
		}
	}
	state := statedir.Name + "/"
	skipInside := func(r string) bool {
		return own[r] || r == statedir.Name || strings.HasPrefix(r, state) || strings.ContainsAny(r, "\n\r")
	}
	for _, p := range rep.Read {
		if own[p] {
			continue
		}
		if r, ok := rel(p); ok {
			if skipInside(r) || !isRegular(p) {
				continue
			}
			read = append(read, r)
			continue
		}
		if slices.ContainsFunc(ignoredDirs, func(d string) bool { return strings.HasPrefix(p, d) }) || !isRegular(p) {
			continue
		}
		real, err := filepath.EvalSymlinks(p)
		switch {
		case err != nil:
			return nil, nil, fmt.Sprintf("its commands read %s: %v", p, err)
		case isSystem(real) && !strings.ContainsAny(real, "\n\r"):
			read = append(read, real)
		default:
			return nil, nil, fmt.Sprintf("its commands read %s, outside the project (and not under %s)", p, systemDir)
		}
	}
	slices.Sort(read)
	read = slices.Compact(read)
	for _, p := range rep.Probed {
		r, ok := rel(p)
		if !ok || skipInside(r) {
			continue
		}
		if _, found := slices.BinarySearch(read, r); !found {
			absent = append(absent, r)
		}
	}
	slices.Sort(absent)
	return read, slices.Compact(absent), ""
}

// isRegular reports whether p is a regular file, following links.
func isRegular(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.Mode().IsRegular()
}

// restoredTrace is the trace a hit of a traced target stands for: the
// files its manifest lists as read, and the paths it lists as absent, as
// absolute paths under root.
func restoredTrace(root string, m *manifested) *trace.Report {
	rep := &trace.Report{}
	for _, p := range m.files {
		if !filepath.IsAbs(p) {
			p = filepath.Join(root, p)
		}
		rep.Read = append(rep.Read, p)
	}
	for _, p := range m.absent {
		rep.Probed = append(rep.Probed, filepath.Join(root, p))
	}
	slices.Sort(rep.Read)
	slices.Sort(rep.Probed)
	return rep
}
