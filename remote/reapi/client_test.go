package reapi_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	repb "github.com/bazelbuild/remote-apis/build/bazel/remote/execution/v2"

	"github.com/gobuildj/gobuildj/internal/statedir"
	"github.com/gobuildj/gobuildj/remote"
	"github.com/gobuildj/gobuildj/remote/reapi"
	"github.com/gobuildj/gobuildj/remote/remotetest"
)

func startServer(t *testing.T, opts remotetest.Options) *remotetest.Server {
	t.Helper()
	s, err := remotetest.Start(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

func dial(t *testing.T, cfg remote.Config) *reapi.Client {
	t.Helper()
	c, err := reapi.Dial(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func writeFile(t *testing.T, path, content string, mode os.FileMode) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), mode); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, mode); err != nil {
		t.Fatal(err)
	}
}

func digestFile(t *testing.T, path string) remote.Digest {
	t.Helper()
	d, err := reapi.DigestFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// buildAction makes the action of a target that reads src/in.txt and writes
// the given outputs.
func buildAction(t *testing.T, root string, cmds []string, outputs ...string) *reapi.Action {
	t.Helper()
	in := filepath.Join(root, "src/in.txt")
	a, err := reapi.Build(remote.Spec{
		Cmds:    cmds,
		Dir:     ".",
		Env:     []string{"PATH=/usr/bin:/bin", "GOBUILDJ_TARGET=t"},
		Inputs:  []remote.Input{{Path: "src/in.txt", Digest: digestFile(t, in)}},
		Outputs: outputs,
	})
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func TestStoreThenMaterializeRestoresOutputsAndOutput(t *testing.T) {
	s := startServer(t, remotetest.Options{})
	c := dial(t, remote.Config{Endpoint: s.Endpoint})
	ctx := context.Background()
	if err := c.Check(ctx, false); err != nil {
		t.Fatal(err)
	}
	root := t.TempDir()
	writeFile(t, filepath.Join(root, "src/in.txt"), "input\n", 0o644)
	a := buildAction(t, root, []string{"true"}, "out/app", "out/data.txt", "out/link")
	writeFile(t, filepath.Join(root, "out/app"), "#!/bin/sh\necho hi\n", 0o755)
	writeFile(t, filepath.Join(root, "out/data.txt"), "data\n", 0o644)
	if err := os.Symlink("data.txt", filepath.Join(root, "out/link")); err != nil {
		t.Fatal(err)
	}
	outs, err := reapi.ReadOutputs(root, a)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Store(ctx, root, a, outs, []byte("compiling\n")); err != nil {
		t.Fatal(err)
	}

	other := t.TempDir()
	res, found, err := c.GetActionResult(ctx, a.Digest)
	if err != nil || !found {
		t.Fatalf("GetActionResult: found=%v err=%v", found, err)
	}
	f, err := c.Materialize(ctx, other, a, res)
	if err != nil {
		t.Fatal(err)
	}
	if string(f.Output) != "compiling\n" {
		t.Errorf("output %q, want %q", f.Output, "compiling\n")
	}
	for name, mode := range map[string]os.FileMode{"out/app": 0o755, "out/data.txt": 0o644} {
		want, _ := os.ReadFile(filepath.Join(root, name))
		got, err := os.ReadFile(filepath.Join(other, name))
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("%s: %q (%v), want %q", name, got, err, want)
		}
		fi, _ := os.Stat(filepath.Join(other, name))
		if fi.Mode().Perm() != mode {
			t.Errorf("%s: mode %v, want %v", name, fi.Mode().Perm(), mode)
		}
	}
	if target, err := os.Readlink(filepath.Join(other, "out/link")); err != nil || target != "data.txt" {
		t.Errorf("out/link -> %q (%v), want data.txt", target, err)
	}
	if matches, _ := statedir.Of(other).FetchTemps(); len(matches) > 0 {
		t.Errorf("temporary folders left: %v", matches)
	}
}

func TestMaterializeRefusesPoisonAndEscapes(t *testing.T) {
	s := startServer(t, remotetest.Options{})
	c := dial(t, remote.Config{Endpoint: s.Endpoint})
	ctx := context.Background()
	root := t.TempDir()
	writeFile(t, filepath.Join(root, "src/in.txt"), "input\n", 0o644)
	a := buildAction(t, root, []string{"true"}, "out/a")
	good := s.Put([]byte("good\n"))

	cases := []struct {
		name string
		res  *repb.ActionResult
		want string
	}{
		{"poisoned blob", &repb.ActionResult{OutputFiles: []*repb.OutputFile{{Path: "out/a", Digest: good}}}, "another SHA-256"},
		{"dot-dot path", &repb.ActionResult{OutputFiles: []*repb.OutputFile{{Path: "out/../../x", Digest: good}}}, "not a clean relative path"},
		{"absolute path", &repb.ActionResult{OutputFiles: []*repb.OutputFile{{Path: "/etc/x", Digest: good}}}, "not a clean relative path"},
		{"undeclared path", &repb.ActionResult{OutputFiles: []*repb.OutputFile{{Path: "out/a", Digest: good}, {Path: "out/b", Digest: good}}}, "not a declared output"},
		{"absolute symlink", &repb.ActionResult{OutputSymlinks: []*repb.OutputSymlink{{Path: "out/a", Target: "/etc/passwd"}}}, "relative target"},
		{"escaping symlink", &repb.ActionResult{OutputSymlinks: []*repb.OutputSymlink{{Path: "out/a", Target: "../../x"}}}, "out of the tree"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if tc.name == "poisoned blob" {
				s.Poison(good, []byte("evil\n"))
				defer s.Poison(good, []byte("good\n"))
			}
			_, err := c.Materialize(ctx, root, a, tc.res)
			var ce *reapi.CorruptError
			if !errors.As(err, &ce) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want a CorruptError about %q", err, tc.want)
			}
			if _, err := os.Lstat(filepath.Join(root, "out/a")); err == nil {
				t.Fatal("out/a was written")
			}
			if _, err := os.Lstat(filepath.Join(filepath.Dir(root), "x")); err == nil {
				t.Fatal("a file was written outside the root")
			}
		})
	}
	_, err := c.Materialize(ctx, root, a, &repb.ActionResult{})
	if !errors.Is(err, reapi.ErrIncomplete) {
		t.Fatalf("result without out/a: %v, want ErrIncomplete", err)
	}
	gone := reapi.ToProto(remote.DigestOf([]byte("evicted")))
	_, err = c.Materialize(ctx, root, a, &repb.ActionResult{OutputFiles: []*repb.OutputFile{{Path: "out/a", Digest: gone}}})
	if !errors.Is(err, reapi.ErrIncomplete) {
		t.Fatalf("result whose blob is gone: %v, want ErrIncomplete", err)
	}
}

func TestMaterializeOutputFolder(t *testing.T) {
	s := startServer(t, remotetest.Options{})
	c := dial(t, remote.Config{Endpoint: s.Endpoint})
	root := t.TempDir()
	writeFile(t, filepath.Join(root, "src/in.txt"), "input\n", 0o644)
	a := buildAction(t, root, []string{"true"}, "gen")
	file := s.Put([]byte("x\n"))
	sub := &repb.Directory{Files: []*repb.FileNode{{Name: "tool", Digest: file, IsExecutable: true}}}
	empty := &repb.Directory{}
	subB, _ := protoMarshal(sub)
	emptyB, _ := protoMarshal(empty)
	tree := &repb.Tree{
		Root: &repb.Directory{
			Files:       []*repb.FileNode{{Name: "a.txt", Digest: file}},
			Directories: []*repb.DirectoryNode{{Name: "bin", Digest: s.Put(subB)}, {Name: "empty", Digest: s.Put(emptyB)}},
			Symlinks:    []*repb.SymlinkNode{{Name: "l", Target: "bin/tool"}},
		},
		Children: []*repb.Directory{sub, empty},
	}
	treeB, _ := protoMarshal(tree)
	res := &repb.ActionResult{OutputDirectories: []*repb.OutputDirectory{{Path: "gen", TreeDigest: s.Put(treeB)}}}
	if _, err := c.Materialize(context.Background(), root, a, res); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(filepath.Join(root, "gen/bin/tool")); err != nil || fi.Mode().Perm() != 0o755 {
		t.Fatalf("gen/bin/tool: %v %v", fi, err)
	}
	if fi, err := os.Stat(filepath.Join(root, "gen/empty")); err != nil || !fi.IsDir() {
		t.Fatalf("gen/empty: %v", err)
	}
	if target, _ := os.Readlink(filepath.Join(root, "gen/l")); target != "bin/tool" {
		t.Fatalf("gen/l -> %q", target)
	}

	tree.Root.Symlinks[0].Target = "../../etc"
	treeB, _ = protoMarshal(tree)
	res.OutputDirectories[0].TreeDigest = s.Put(treeB)
	if _, err := c.Materialize(context.Background(), root, a, res); !errors.As(err, new(*reapi.CorruptError)) {
		t.Fatalf("escaping symlink in a tree: %v, want a CorruptError", err)
	}
}

func TestLargeBlobsGoThroughByteStream(t *testing.T) {
	s := startServer(t, remotetest.Options{MaxBatch: 128 << 10})
	c := dial(t, remote.Config{Endpoint: s.Endpoint})
	ctx := context.Background()
	if err := c.Check(ctx, false); err != nil {
		t.Fatal(err)
	}
	root := t.TempDir()
	writeFile(t, filepath.Join(root, "src/in.txt"), "input\n", 0o644)
	big := strings.Repeat("0123456789abcdef", 200<<10) // 3.2 MB
	writeFile(t, filepath.Join(root, "out/big"), big, 0o644)
	a := buildAction(t, root, []string{"true"}, "out/big")
	outs, err := reapi.ReadOutputs(root, a)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Store(ctx, root, a, outs, nil); err != nil {
		t.Fatal(err)
	}
	if b, ok := s.Blob(reapi.ToProto(outs[0].Digest)); !ok || len(b) != len(big) {
		t.Fatalf("the server has %d bytes, want %d", len(b), len(big))
	}
	res, _, err := c.GetActionResult(ctx, a.Digest)
	if err != nil {
		t.Fatal(err)
	}
	other := t.TempDir()
	if _, err := c.Materialize(ctx, other, a, res); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(filepath.Join(other, "out/big")); string(got) != big {
		t.Fatal("the big output differs")
	}
	s.Poison(reapi.ToProto(outs[0].Digest), []byte(strings.Repeat("x", len(big))))
	if _, err := c.Materialize(ctx, t.TempDir(), a, res); !errors.As(err, new(*reapi.CorruptError)) {
		t.Fatalf("poisoned big blob: %v, want a CorruptError", err)
	}
}

func TestExecuteRunsWithOnlyTheCommandsEnvironment(t *testing.T) {
	s := startServer(t, remotetest.Options{Exec: true})
	c := dial(t, remote.Config{Endpoint: s.Endpoint})
	ctx := context.Background()
	if err := c.Check(ctx, true); err != nil {
		t.Fatal(err)
	}
	root := t.TempDir()
	writeFile(t, filepath.Join(root, "src/in.txt"), "input\n", 0o644)
	a := buildAction(t, root, []string{"mkdir -p out", "(cat src/in.txt; env | sort) > out/a; echo done; echo warn >&2"}, "out/a")
	ex, err := c.Execute(ctx, root, a)
	if err != nil {
		t.Fatal(err)
	}
	if ex.Result.ExitCode != 0 || ex.Cached {
		t.Fatalf("exit %d cached %v", ex.Result.ExitCode, ex.Cached)
	}
	f, err := c.Materialize(ctx, root, a, ex.Result)
	if err != nil {
		t.Fatal(err)
	}
	if string(f.Output) != "done\nwarn\n" {
		t.Errorf("output %q", f.Output)
	}
	got, _ := os.ReadFile(filepath.Join(root, "out/a"))
	if !strings.HasPrefix(string(got), "input\n") || !strings.Contains(string(got), "GOBUILDJ_TARGET=t\n") || strings.Contains(string(got), "HOME=") {
		t.Errorf("out/a = %q, want the input and the Command's environment only", got)
	}
	ex, err = c.Execute(ctx, root, a)
	if err != nil || !ex.Cached {
		t.Fatalf("second execution: cached=%v err=%v, want a cached result", ex != nil && ex.Cached, err)
	}
}

func TestDeadServerAndTimeouts(t *testing.T) {
	ctx := context.Background()
	c := dial(t, remote.Config{Endpoint: "unix:" + filepath.Join(t.TempDir(), "nothing.sock")})
	if err := c.Check(ctx, false); err == nil {
		t.Fatal("Check of a dead server succeeded")
	}
	s := startServer(t, remotetest.Options{})
	s.SetDelay(3 * time.Second)
	slow := dial(t, remote.Config{Endpoint: s.Endpoint, Timeout: 100 * time.Millisecond})
	start := time.Now()
	if err := slow.Check(ctx, false); err == nil {
		t.Fatal("Check of a slow server succeeded")
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Fatalf("the timeout took %v", d)
	}
}

func TestTLSAndHeaders(t *testing.T) {
	s := startServer(t, remotetest.Options{TLS: true, Header: "authorization=Bearer sesame"})
	ctx := context.Background()
	good := dial(t, remote.Config{Endpoint: s.Endpoint, TLSCA: s.CAFile, Headers: []string{"Authorization=Bearer sesame"}})
	if err := good.Check(ctx, false); err != nil {
		t.Fatalf("with the token: %v", err)
	}
	noToken := dial(t, remote.Config{Endpoint: s.Endpoint, TLSCA: s.CAFile})
	if err := noToken.Check(ctx, false); err == nil || !strings.Contains(err.Error(), "Unauthenticated") {
		t.Fatalf("without the token: %v, want Unauthenticated", err)
	}
	untrusted := dial(t, remote.Config{Endpoint: s.Endpoint, Headers: []string{"authorization=Bearer sesame"}})
	if err := untrusted.Check(ctx, false); err == nil {
		t.Fatal("a certificate of an unknown authority was accepted")
	}
}

// An entry's output larger than a MiB comes back as its head and its tail
// around a line saying how much was left out, read through a stream that
// is still checked against its digest.
func TestLongOutputIsBounded(t *testing.T) {
	s := startServer(t, remotetest.Options{MaxBatch: 128 << 10})
	c := dial(t, remote.Config{Endpoint: s.Endpoint})
	ctx := context.Background()
	if err := c.Check(ctx, false); err != nil {
		t.Fatal(err)
	}
	root := t.TempDir()
	writeFile(t, filepath.Join(root, "src/in.txt"), "input\n", 0o644)
	writeFile(t, filepath.Join(root, "out/x"), "x\n", 0o644)
	a := buildAction(t, root, []string{"true"}, "out/x")
	outs, err := reapi.ReadOutputs(root, a)
	if err != nil {
		t.Fatal(err)
	}
	output := []byte("first\n" + strings.Repeat("line\n", 1<<20) + "last\n")
	if err := c.Store(ctx, root, a, outs, output); err != nil {
		t.Fatal(err)
	}
	res, _, err := c.GetActionResult(ctx, a.Digest)
	if err != nil {
		t.Fatal(err)
	}
	f, err := c.Materialize(ctx, t.TempDir(), a, res)
	if err != nil {
		t.Fatal(err)
	}
	got := string(f.Output)
	if len(got) > 1<<20+1000 || !strings.HasPrefix(got, "first\nline\n") || !strings.HasSuffix(got, "line\nlast\n") ||
		!strings.Contains(got, " bytes of output not shown; the whole output was not saved\n") {
		t.Errorf("output of %d bytes (%.40q...%.40q), want its head and tail around a notice", len(got), got, got[len(got)-40:])
	}
	s.Poison(res.StdoutDigest, bytes.Repeat([]byte("x"), len(output)))
	if _, err := c.Materialize(ctx, t.TempDir(), a, res); !errors.As(err, new(*reapi.CorruptError)) {
		t.Fatalf("poisoned output: %v, want a CorruptError", err)
	}
}
