package reapi

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	repb "github.com/bazelbuild/remote-apis/build/bazel/remote/execution/v2"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"

	"github.com/gobuildj/gobuildj/internal/statedir"
	"github.com/gobuildj/gobuildj/remote"
	"github.com/gobuildj/gobuildj/worker"
)

// ErrIncomplete is wrapped by the error of a cached result that lacks a
// declared output: it was made by something else and is ignored, as a miss.
var ErrIncomplete = errors.New("the cached result lacks a declared output")

// OutputFile is an output of an action: a file with its digest, or a
// symlink.
type OutputFile struct {
	Path       string // relative to the root
	Digest     Digest // of a file
	Executable bool
	Symlink    string // the target of a symlink, "" for a file
}

// fileWrite is one file to create while materializing a result.
type fileWrite struct {
	path   string // relative to the root
	digest Digest
	exec   bool
}

// linkWrite is one symlink to create.
type linkWrite struct{ path, target string }

// Fetched is what Materialize wrote.
type Fetched struct {
	// Output is the commands' stdout followed by their stderr.
	Output []byte
	// Files are the output files with their digests (symlinks and the
	// contents of output folders are not listed).
	Files []OutputFile
}

// Materialize writes the outputs of res, a result of action a, under root:
// files (with their executable bit), symlinks and whole folders. It first
// checks that res names exactly the declared outputs, with paths and symlink
// targets that stay inside the root, and downloads every blob, checking it
// against its digest, into temporary files; only then are the outputs
// renamed into place, so a bad entry changes nothing. The error wraps
// ErrIncomplete when a declared output is missing, and is a *CorruptError
// when the entry or a blob is not what it claims.
func (c *Client) Materialize(ctx context.Context, root string, a *Action, res *repb.ActionResult) (*Fetched, error) {
	f, err := c.materialize(ctx, root, a, res)
	if isNotFound(err) {
		// An entry whose blobs are gone (evicted since) is a miss.
		return nil, fmt.Errorf("%w: %v", ErrIncomplete, err)
	}
	return f, err
}

// isNotFound reports whether err wraps a gRPC NotFound status.
func isNotFound(err error) bool {
	var s interface{ GRPCStatus() *status.Status }
	return errors.As(err, &s) && s.GRPCStatus().Code() == codes.NotFound
}

func (c *Client) materialize(ctx context.Context, root string, a *Action, res *repb.ActionResult) (*Fetched, error) {
	files, links, dirs, err := plan(a, res)
	if err != nil {
		return nil, err
	}
	var folders []string // every folder of the output folders, empty ones included
	for _, od := range dirs {
		f, l, d, err := c.treeOf(ctx, od)
		if err != nil {
			return nil, err
		}
		files, links, folders = append(files, f...), append(links, l...), append(folders, d...)
	}
	out := &Fetched{}
	if out.Output, err = c.Streams(ctx, res); err != nil {
		return nil, err
	}
	// Everything is fetched into one temporary folder at the root (on the
	// same file system as the outputs, so that renames are atomic) before
	// anything is renamed into place.
	tmpDir, err := statedir.Of(root).MkdirFetchTemp()
	if err != nil {
		return nil, fmt.Errorf("fetch outputs: %w", err)
	}
	defer os.RemoveAll(tmpDir)
	tmps, err := c.download(ctx, tmpDir, files)
	if err != nil {
		return nil, err
	}
	for _, od := range dirs {
		if err := os.RemoveAll(filepath.Join(root, od.Path)); err != nil {
			return nil, fmt.Errorf("replace output folder %s: %w", od.Path, err)
		}
	}
	for i, f := range files {
		dst := filepath.Join(root, f.path)
		if err := os.MkdirAll(filepath.Dir(dst), 0o777); err != nil {
			return nil, fmt.Errorf("output %s: %w", f.path, err)
		}
		if err := os.Rename(tmps[i], dst); err != nil {
			return nil, fmt.Errorf("output %s: %w", f.path, err)
		}
		if slices.Contains(a.Outputs, f.path) {
			out.Files = append(out.Files, OutputFile{Path: f.path, Digest: f.digest, Executable: f.exec})
		}
	}
	for _, d := range folders {
		if err := os.MkdirAll(filepath.Join(root, d), 0o777); err != nil {
			return nil, fmt.Errorf("output %s: %w", d, err)
		}
	}
	for _, l := range links {
		dst := filepath.Join(root, l.path)
		if err := os.MkdirAll(filepath.Dir(dst), 0o777); err != nil {
			return nil, fmt.Errorf("output %s: %w", l.path, err)
		}
		if err := os.Remove(dst); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("output %s: %w", l.path, err)
		}
		if err := os.Symlink(l.target, dst); err != nil {
			return nil, fmt.Errorf("output %s: %w", l.path, err)
		}
	}
	return out, nil
}

// outputDir is an output folder of a result: the Tree that describes it.
type outputDir struct {
	Path string
	Tree Digest
}

// plan checks res against the declared outputs of a and lists what to
// write.
func plan(a *Action, res *repb.ActionResult) (files []fileWrite, links []linkWrite, dirs []outputDir, err error) {
	declared := map[string]bool{}
	for _, o := range a.Outputs {
		declared[o] = false
	}
	claim := func(p string) (string, error) {
		c, err := cleanRel(p)
		if err != nil || c != p {
			return "", &CorruptError{Why: fmt.Sprintf("output path %q is not a clean relative path inside the tree", p)}
		}
		seen, ok := declared[c]
		if !ok {
			return "", &CorruptError{Why: fmt.Sprintf("output path %q is not a declared output", p)}
		}
		if seen {
			return "", &CorruptError{Why: fmt.Sprintf("output path %q is listed twice", p)}
		}
		declared[c] = true
		return c, nil
	}
	for _, f := range res.OutputFiles {
		p, err := claim(f.Path)
		if err != nil {
			return nil, nil, nil, err
		}
		d, err := FromProto(f.Digest)
		if err != nil {
			return nil, nil, nil, &CorruptError{Why: fmt.Sprintf("output %s: %v", p, err)}
		}
		files = append(files, fileWrite{path: p, digest: d, exec: f.IsExecutable})
	}
	syms := append(append(slices.Clone(res.OutputSymlinks), res.OutputFileSymlinks...), res.OutputDirectorySymlinks...)
	for _, s := range syms {
		p, err := claim(s.Path)
		if err != nil {
			return nil, nil, nil, err
		}
		if err := checkLink(p, s.Target); err != nil {
			return nil, nil, nil, err
		}
		links = append(links, linkWrite{path: p, target: s.Target})
	}
	for _, od := range res.OutputDirectories {
		p, err := claim(od.Path)
		if err != nil {
			return nil, nil, nil, err
		}
		d, err := FromProto(od.TreeDigest)
		if err != nil {
			return nil, nil, nil, &CorruptError{Why: fmt.Sprintf("output folder %s: %v", p, err)}
		}
		dirs = append(dirs, outputDir{Path: p, Tree: d})
	}
	for _, o := range a.Outputs {
		if !declared[o] {
			return nil, nil, nil, fmt.Errorf("%w: %s", ErrIncomplete, o)
		}
	}
	return files, links, dirs, nil
}

// checkLink refuses a symlink at p (relative to the root) whose target is
// absolute or leads out of the root.
func checkLink(p, target string) error {
	if target == "" || path.IsAbs(target) {
		return &CorruptError{Why: fmt.Sprintf("symlink %s -> %q: expected a relative target inside the tree", p, target)}
	}
	if _, err := cleanRel(path.Join(path.Dir(p), target)); err != nil {
		return &CorruptError{Why: fmt.Sprintf("symlink %s -> %q leads out of the tree", p, target)}
	}
	return nil
}

// treeOf reads the Tree of an output folder and lists its files, symlinks
// and folders, checking every name.
func (c *Client) treeOf(ctx context.Context, od outputDir) ([]fileWrite, []linkWrite, []string, error) {
	b, err := c.Read(ctx, od.Tree)
	if err != nil {
		return nil, nil, nil, err
	}
	var tree repb.Tree
	if err := proto.Unmarshal(b, &tree); err != nil {
		return nil, nil, nil, &CorruptError{Digest: od.Tree, Why: "not a Tree: " + err.Error()}
	}
	children := map[Digest]*repb.Directory{}
	for _, ch := range tree.Children {
		cb, err := marshal(ch)
		if err != nil {
			return nil, nil, nil, err
		}
		children[remote.DigestOf(cb)] = ch
	}
	var files []fileWrite
	var links []linkWrite
	var folders []string
	var walk func(d *repb.Directory, dir string, depth int) error
	walk = func(d *repb.Directory, dir string, depth int) error {
		if d == nil || depth > 256 {
			return &CorruptError{Digest: od.Tree, Why: "a folder of the tree is missing or nested too deep"}
		}
		folders = append(folders, dir)
		name := func(n string) (string, error) {
			if n == "" || n == "." || n == ".." || strings.ContainsAny(n, "/\x00") {
				return "", &CorruptError{Digest: od.Tree, Why: fmt.Sprintf("bad file name %q in output folder %s", n, dir)}
			}
			return dir + "/" + n, nil
		}
		for _, f := range d.Files {
			p, err := name(f.Name)
			if err != nil {
				return err
			}
			fd, err := FromProto(f.Digest)
			if err != nil {
				return &CorruptError{Why: fmt.Sprintf("%s: %v", p, err)}
			}
			files = append(files, fileWrite{path: p, digest: fd, exec: f.IsExecutable})
		}
		for _, s := range d.Symlinks {
			p, err := name(s.Name)
			if err != nil {
				return err
			}
			if err := checkLink(p, s.Target); err != nil {
				return err
			}
			links = append(links, linkWrite{path: p, target: s.Target})
		}
		for _, sub := range d.Directories {
			p, err := name(sub.Name)
			if err != nil {
				return err
			}
			sd, err := FromProto(sub.Digest)
			if err != nil {
				return &CorruptError{Why: fmt.Sprintf("%s: %v", p, err)}
			}
			if err := walk(children[sd], p, depth+1); err != nil {
				return err
			}
		}
		return nil
	}
	err = walk(tree.Root, od.Path, 0)
	return files, links, folders, err
}

// Streams returns the stdout of res followed by its stderr, bounded as a
// worker bounds a command's output (worker.Output): a server that sends a
// GiB of output costs about a MiB here, and its result still fits in a
// frame to the engine.
func (c *Client) Streams(ctx context.Context, res *repb.ActionResult) ([]byte, error) {
	out := worker.NewOutput(&worker.Job{})
	for _, std := range []struct {
		raw []byte
		d   *repb.Digest
	}{{res.StdoutRaw, res.StdoutDigest}, {res.StderrRaw, res.StderrDigest}} {
		if err := c.stdStream(ctx, std.raw, std.d, out); err != nil {
			return nil, err
		}
	}
	return out.Bytes(), nil
}

// stdStream writes an inline stream to out, or fetches it by digest: a
// large one goes through a stream checked against its digest as it
// comes, never whole in memory.
func (c *Client) stdStream(ctx context.Context, raw []byte, pd *repb.Digest, out io.Writer) error {
	if len(raw) > 0 || pd == nil {
		out.Write(raw)
		return nil
	}
	d, err := FromProto(pd)
	if err != nil {
		return &CorruptError{Why: "output stream: " + err.Error()}
	}
	if d.Size <= c.batchLimit() {
		b, err := c.Read(ctx, d)
		out.Write(b)
		return err
	}
	h := sha256.New()
	var n int64
	err = c.stream(ctx, d, func(p []byte) error {
		h.Write(p)
		n += int64(len(p))
		out.Write(p)
		return nil
	})
	switch {
	case err != nil:
		return err
	case n != d.Size:
		return &CorruptError{Digest: d, Why: fmt.Sprintf("got %d bytes", n)}
	case [32]byte(h.Sum(nil)) != d.Hash:
		return &CorruptError{Digest: d, Why: "the bytes have another SHA-256"}
	}
	return nil
}

// download fetches files into temporary files in tmpDir, with mode 0755
// for executables and 0644 for others, and returns their names in the order
// of files.
func (c *Client) download(ctx context.Context, tmpDir string, files []fileWrite) ([]string, error) {
	tmps := make([]string, len(files))
	limit := c.batchLimit()
	var small []Digest
	for _, f := range files {
		if f.digest.Size <= limit {
			small = append(small, f.digest)
		}
	}
	var blobs map[Digest][]byte
	if len(small) > 0 {
		var err error
		if blobs, err = c.ReadBatch(ctx, small); err != nil {
			return tmps, err
		}
	}
	for i, f := range files {
		perm := os.FileMode(0o644)
		if f.exec {
			perm = 0o755
		}
		tmp := filepath.Join(tmpDir, fmt.Sprint(i))
		if data, ok := blobs[f.digest]; ok {
			if err := os.WriteFile(tmp, data, perm); err != nil {
				return tmps, fmt.Errorf("output %s: %w", f.path, err)
			}
		} else if err := c.ReadToFile(ctx, f.digest, tmp, perm); err != nil {
			return tmps, err
		}
		// The umask may have cut the bits: set them exactly.
		if err := os.Chmod(tmp, perm); err != nil {
			return tmps, fmt.Errorf("output %s: %w", f.path, err)
		}
		tmps[i] = tmp
	}
	return tmps, nil
}

// ReadOutputs describes the declared outputs of a as the commands left them
// under root: regular files with their digests and executable bits, and
// symlinks whose targets stay inside the root. A folder, a missing output
// or a symlink leading out of the root is an error: such a result is not
// shared.
func ReadOutputs(root string, a *Action) ([]OutputFile, error) {
	outs := make([]OutputFile, 0, len(a.Outputs))
	for _, o := range a.Outputs {
		p := filepath.Join(root, o)
		fi, err := os.Lstat(p)
		if err != nil {
			return nil, fmt.Errorf("output %s: %w", o, err)
		}
		switch {
		case fi.Mode()&fs.ModeSymlink != 0:
			target, err := os.Readlink(p)
			if err != nil {
				return nil, fmt.Errorf("output %s: %w", o, err)
			}
			if err := checkLink(o, target); err != nil {
				return nil, fmt.Errorf("output %s is not shared: %w", o, err)
			}
			outs = append(outs, OutputFile{Path: o, Symlink: target})
		case fi.Mode().IsRegular():
			d, err := DigestFile(p)
			if err != nil {
				return nil, err
			}
			outs = append(outs, OutputFile{Path: o, Digest: d, Executable: fi.Mode()&0o111 != 0})
		default:
			return nil, fmt.Errorf("output %s is not shared: it is not a regular file or a symlink", o)
		}
	}
	return outs, nil
}

// Store shares a successful local run of a: it uploads the outputs
// (described by ReadOutputs, read from under root), the commands' output,
// the Action and the Command, and only then the action result, so that no
// reader ever finds an entry whose blobs are missing.
func (c *Client) Store(ctx context.Context, root string, a *Action, outs []OutputFile, output []byte) error {
	res := &repb.ActionResult{ExecutionMetadata: &repb.ExecutedActionMetadata{Worker: "gobuildj (local)"}}
	blobs := []Blob{
		{Digest: a.Digest, Data: a.Action},
		{Digest: a.CommandDigest, Data: a.Command},
	}
	for _, o := range outs {
		if o.Symlink != "" {
			res.OutputSymlinks = append(res.OutputSymlinks, &repb.OutputSymlink{Path: o.Path, Target: o.Symlink})
			continue
		}
		res.OutputFiles = append(res.OutputFiles, &repb.OutputFile{Path: o.Path, Digest: ToProto(o.Digest), IsExecutable: o.Executable})
		blobs = append(blobs, Blob{Digest: o.Digest, Path: filepath.Join(root, o.Path)})
	}
	if len(output) > 0 {
		d := remote.DigestOf(output)
		res.StdoutDigest = ToProto(d)
		blobs = append(blobs, Blob{Digest: d, Data: output})
	}
	if err := c.Upload(ctx, blobs); err != nil {
		return err
	}
	return c.UpdateActionResult(ctx, a.Digest, res)
}
