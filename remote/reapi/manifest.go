package reapi

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	repb "github.com/bazelbuild/remote-apis/build/bazel/remote/execution/v2"

	"github.com/gobuildj/gobuildj/depfile"
	"github.com/gobuildj/gobuildj/internal/fileid"
	"github.com/gobuildj/gobuildj/remote"
	"github.com/gobuildj/gobuildj/trace"
)

// Manifests: the action of a target with a depfile (a C compilation) has
// inputs that only a run finds, the headers its depfile names. Its key is
// found in two steps, as ccache's direct mode does:
//
//   - the first-level action is the target's action as known before it
//     runs (commands, declared inputs, deps' outputs, tools, environment,
//     the depfile as an output), with manifestMarker in its salt so that
//     it never collides with an action that runs. Its ActionResult is not
//     a result: its one output file, manifestPath, is the manifest, an
//     ordinary CAS blob listing the files the depfile of the last shared
//     run named;
//   - the full action adds those files with their contents as hashed
//     here: the files inside the project to its input tree (so that remote
//     execution ships them), and system headers (under systemDir, which a
//     remote worker has of its own) to its salt, by absolute path and
//     digest.
//
// After a local run the depfile tells the files, and both are stored: the
// result under the full action, the manifest under the first-level one.
// A depfile that names a file outside the project but not under systemDir
// (another checkout's headers, $HOME) keeps the target unshared: its key
// could not be the same on another machine.

const (
	// manifestMarker starts the salt of first-level actions and the
	// manifest blob.
	manifestMarker = "gobuildj manifest 1"
	// manifestPath is the name of the manifest in the first-level
	// action's result.
	manifestPath = "gobuildj-manifest"
	// maxManifestSize bounds a manifest read from the server.
	maxManifestSize = 4 << 20
	// systemDir holds the system headers a depfile may name (gcc -MD) and
	// that enter the key by digest: the compiler's own files, and those
	// of the system's packages.
	systemDir = "/usr/"
	// tracedMarker is added to the salts of the actions of a traced
	// target, whose manifest lists what its commands read.
	tracedMarker = "traced"
)

// firstLevel returns the first-level action of a target with a depfile or
// traced commands.
func firstLevel(s remote.Spec) (*Action, error) {
	if s.Trace {
		s.Salt = tracedMarker + "\x00" + s.Salt
	}
	s.Salt = manifestMarker + "\x00" + s.Salt
	s.Known = nil
	return Build(s)
}

// fullAction returns the action of s with the files a manifest lists:
// those inside the root in its input tree, system ones in its salt, and
// the paths that must be absent (a traced target's vain probes) in its
// salt.
func fullAction(s remote.Spec, files []Input, absent []string) (*Action, error) {
	s.Inputs = slices.Clone(s.Inputs)
	s.Known = nil
	var sys strings.Builder
	if s.Trace {
		sys.WriteString("\x00" + tracedMarker)
	}
	for _, f := range files {
		if filepath.IsAbs(f.Path) {
			fmt.Fprintf(&sys, "\x00%s=%s", f.Path, f.Digest)
			continue
		}
		s.Inputs = append(s.Inputs, f)
	}
	for _, p := range absent {
		fmt.Fprintf(&sys, "\x00absent %s", p)
	}
	s.Salt += sys.String()
	return Build(s)
}

// encodeManifest returns the manifest listing files (sorted), then, after
// an empty line, the paths that must be absent (sorted; the line and the
// section only when there are some, so that a depfile's manifest reads as
// it always did).
func encodeManifest(files, absent []string) []byte {
	var b bytes.Buffer
	b.WriteString(manifestMarker + "\n")
	for _, p := range files {
		b.WriteString(p + "\n")
	}
	if len(absent) > 0 {
		b.WriteString("\n")
		for _, p := range absent {
			b.WriteString(p + "\n")
		}
	}
	return b.Bytes()
}

// decodeManifest returns the files a manifest lists, each relative and
// inside the root or under systemDir, and the paths that must be absent,
// each relative and inside the root.
func decodeManifest(b []byte) (files, absent []string, err error) {
	head, rest, ok := bytes.Cut(b, []byte("\n"))
	if !ok || string(head) != manifestMarker {
		return nil, nil, errors.New("not a manifest of this version")
	}
	inAbsent := false
	for _, line := range strings.SplitAfter(string(rest), "\n") {
		if line == "" {
			continue
		}
		p, ok := strings.CutSuffix(line, "\n")
		switch {
		case !ok:
			return nil, nil, errors.New("manifest: truncated")
		case p == "" && !inAbsent:
			inAbsent = true
			continue
		}
		c, err := cleanRel(p)
		inside := err == nil && c == p
		switch {
		case inAbsent && !inside:
			return nil, nil, fmt.Errorf("manifest: absent path %q is not inside the root", p)
		case inAbsent:
			absent = append(absent, p)
		case !inside && !isSystem(p):
			return nil, nil, fmt.Errorf("manifest: path %q is neither inside the root nor under %s", p, systemDir)
		default:
			files = append(files, p)
		}
	}
	return files, absent, nil
}

func isSystem(p string) bool {
	return strings.HasPrefix(p, systemDir) && filepath.Clean(p) == p
}

// readManifest returns the manifest stored under the first-level action
// first, or nil if there is none (or none this version can read).
func (c *Client) readManifest(ctx context.Context, first *Action) ([]byte, error) {
	ar, found, err := c.GetActionResult(ctx, first.Digest)
	if err != nil || !found {
		return nil, err
	}
	for _, f := range ar.OutputFiles {
		if f.Path != manifestPath {
			continue
		}
		d, err := FromProto(f.Digest)
		if err != nil || d.Size > maxManifestSize {
			return nil, nil
		}
		b, err := c.Read(ctx, d)
		if isNotFound(err) || errors.As(err, new(*CorruptError)) {
			return nil, nil // evicted or damaged: as if there were none
		}
		return b, err
	}
	return nil, nil
}

// storeManifest stores manifest under the first-level action first: the
// blob, then the entry that names it.
func (c *Client) storeManifest(ctx context.Context, first *Action, manifest []byte) error {
	d := remote.DigestOf(manifest)
	if err := c.Upload(ctx, []Blob{{Digest: d, Data: manifest}}); err != nil {
		return err
	}
	return c.UpdateActionResult(ctx, first.Digest, &repb.ActionResult{
		OutputFiles:       []*repb.OutputFile{{Path: manifestPath, Digest: ToProto(d)}},
		ExecutionMetadata: &repb.ExecutedActionMetadata{Worker: "gobuildj (manifest)"},
	})
}

// manifested is what the server knows of a target with a depfile or
// traced commands.
type manifested struct {
	first    *Action // the first-level action
	manifest []byte  // the manifest stored under it; nil if none
	// full is the full action of the files it lists as they are here;
	// nil if none, or one is gone, or a path that must be absent is not.
	full *Action
	// files and absent are what the manifest lists.
	files, absent []string
}

// findManifest looks up the manifest of s and, if there is one, the full
// action of the files it lists as they are here, taking the digests of
// system files from sys when they have not changed (nil for none). Only a
// server error is returned: a manifest that cannot be used is a miss.
func findManifest(ctx context.Context, cl *Client, root string, s remote.Spec, sys *systemDigests) (*manifested, error) {
	first, err := firstLevel(s)
	if err != nil {
		return nil, err
	}
	m := &manifested{first: first}
	if m.manifest, err = cl.readManifest(ctx, first); err != nil || m.manifest == nil {
		return m, err
	}
	paths, absent, err := decodeManifest(m.manifest)
	if err != nil {
		return m, nil
	}
	for _, p := range absent {
		if exists(filepath.Join(root, p)) {
			return m, nil // made where the last run looked in vain: it may read it
		}
	}
	known := make(map[string]Input, len(s.Known))
	for _, in := range s.Known {
		known[in.Path] = in
	}
	start := time.Now()
	files, why := hashFiles(root, paths, sys.known(paths, known), time.Time{})
	if why != "" {
		return m, nil // a file is gone here: this checkout differs
	}
	sys.remember(files, start)
	m.full, _ = fullAction(s, files, absent)
	m.files, m.absent = paths, absent
	return m, nil
}

// afterRun returns the full action of a local run of s that just ended,
// and its manifest, or why the run cannot be shared: the files its
// depfile named (read from the folder dir) and, for a traced run, what
// its trace rep says it read and probed in vain (traced.go). Files that
// changed since the run started (started) are not trusted: the commands
// may have read the old content. The digests of system files come from
// sys when they have not changed (nil for none).
func afterRun(root, dir string, s remote.Spec, started time.Time, rep *trace.Report, sys *systemDigests) (*Action, []byte, string) {
	var paths, absent []string
	if s.Depfile != "" {
		named, why := depfileFiles(root, dir, s)
		if why != "" {
			return nil, nil, why
		}
		paths = named
	}
	if s.Trace {
		if rep == nil {
			return nil, nil, "its commands could not be traced"
		}
		read, probed, why := tracedFiles(root, s, rep)
		if why != "" {
			return nil, nil, why
		}
		paths = append(paths, read...)
		absent = probed
	}
	slices.Sort(paths)
	paths = slices.Compact(paths)
	// A path a depfile names is a file read, whatever a probe of it said.
	absent = slices.DeleteFunc(absent, func(p string) bool {
		_, found := slices.BinarySearch(paths, p)
		return found
	})
	start := time.Now()
	files, why := hashFiles(root, paths, sys.known(paths, nil), started.Add(-fileid.TickSlack()))
	if why != "" {
		return nil, nil, why
	}
	sys.remember(files, start)
	for _, p := range absent {
		if exists(filepath.Join(root, p)) {
			return nil, nil, fmt.Sprintf("%s, where its commands looked in vain, was made while they ran", p)
		}
	}
	a, err := fullAction(s, files, absent)
	if err != nil {
		return nil, nil, err.Error()
	}
	return a, encodeManifest(paths, absent), ""
}

// depfileFiles returns the files the depfile of a run of s names, but
// for its declared inputs and outputs, relative to root or (system
// headers) absolute, or why the run cannot be shared.
func depfileFiles(root, dir string, s remote.Spec) ([]string, string) {
	data, err := os.ReadFile(filepath.Join(root, s.Depfile))
	if err != nil {
		return nil, fmt.Sprintf("its depfile: %v", err)
	}
	rules, err := depfile.Parse(data)
	if err != nil {
		return nil, fmt.Sprintf("its depfile %s: %v", s.Depfile, err)
	}
	skip := map[string]bool{s.Depfile: true}
	for _, in := range s.Inputs {
		skip[in.Path] = true
	}
	for _, o := range s.Outputs {
		skip[o] = true
	}
	var paths []string
	for _, in := range depfile.Inputs(rules) {
		if strings.ContainsAny(in, "\n\r") {
			return nil, fmt.Sprintf("its depfile names %q, a path with a line break", in)
		}
		abs := in
		if !filepath.IsAbs(in) {
			abs = filepath.Join(dir, in)
		}
		abs = filepath.Clean(abs)
		rel, err := filepath.Rel(root, abs)
		switch {
		case err == nil && rel != ".." && !strings.HasPrefix(rel, "../"):
			rel = filepath.ToSlash(rel)
			if !skip[rel] {
				paths = append(paths, rel)
			}
		case isSystem(abs):
			paths = append(paths, abs)
		default:
			return nil, fmt.Sprintf("its depfile names %s, outside the project (and not under %s)", in, systemDir)
		}
	}
	return paths, ""
}

// exists reports whether something is at abs, following links: a link to
// nothing is nothing, as the commands that looked for it saw.
func exists(abs string) bool {
	_, err := os.Stat(abs)
	return err == nil
}

// hashFiles returns the SHA-256 of each of paths (relative to root, or
// absolute), taken from known when there, or why it cannot: a file is
// gone, is not a regular file, or (with a non-zero since) changed since.
func hashFiles(root string, paths []string, known map[string]Input, since time.Time) ([]Input, string) {
	out := make([]Input, 0, len(paths))
	for _, p := range paths {
		if in, ok := known[p]; ok {
			out = append(out, in)
			continue
		}
		abs := p
		if !filepath.IsAbs(p) {
			abs = filepath.Join(root, p)
		}
		fi, err := os.Stat(abs)
		if err != nil {
			return nil, fmt.Sprintf("its manifest lists %s: %v", p, err)
		}
		if !fi.Mode().IsRegular() {
			return nil, fmt.Sprintf("its manifest lists %s, not a regular file", p)
		}
		if !since.IsZero() {
			if fp, err := fileid.Stat(abs); err != nil || fp.StampedFrom(since) {
				return nil, fmt.Sprintf("%s changed while the commands ran", p)
			}
		}
		d, err := DigestFile(abs)
		if err != nil {
			return nil, fmt.Sprintf("its manifest lists %s: %v", p, err)
		}
		out = append(out, Input{Path: p, Digest: d, Executable: fi.Mode()&0o111 != 0})
	}
	return out, ""
}
