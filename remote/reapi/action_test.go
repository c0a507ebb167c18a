package reapi_test

import (
	"strings"
	"testing"
	"time"

	"google.golang.org/protobuf/proto"

	repb "github.com/bazelbuild/remote-apis/build/bazel/remote/execution/v2"

	"github.com/gobuildj/gobuildj/remote"
	"github.com/gobuildj/gobuildj/remote/reapi"
)

func protoMarshal(m proto.Message) ([]byte, error) {
	return proto.MarshalOptions{Deterministic: true}.Marshal(m)
}

func TestBuildIsDeterministicAndCoversEveryField(t *testing.T) {
	d1 := remote.DigestOf([]byte("one"))
	d2 := remote.DigestOf([]byte("two"))
	base := remote.Spec{
		Cmds:     []string{"cc -c a.c -o a.o"},
		Dir:      ".",
		Env:      []string{"PATH=/usr/bin:/bin", "LC_ALL=C"},
		Inputs:   []remote.Input{{Path: "src/a.c", Digest: d1}, {Path: "include/a.h", Digest: d2}},
		Outputs:  []string{"a.o"},
		Platform: []string{"OSFamily=linux"},
	}
	key := func(s remote.Spec) remote.Digest {
		t.Helper()
		a, err := reapi.Build(s)
		if err != nil {
			t.Fatal(err)
		}
		return a.Digest
	}
	k := key(base)
	shuffled := base
	shuffled.Env = []string{"LC_ALL=C", "PATH=/usr/bin:/bin"}
	shuffled.Inputs = []remote.Input{base.Inputs[1], base.Inputs[0]}
	shuffled.Dir = ""
	if key(shuffled) != k {
		t.Fatal("the order of env and inputs changed the key")
	}
	for name, change := range map[string]func(*remote.Spec){
		"command": func(s *remote.Spec) { s.Cmds = []string{"cc -O2 -c a.c -o a.o"} },
		"env":     func(s *remote.Spec) { s.Env = []string{"PATH=/bin", "LC_ALL=C"} },
		"dir":     func(s *remote.Spec) { s.Dir = "sub" },
		"content": func(s *remote.Spec) { s.Inputs = []remote.Input{{Path: "src/a.c", Digest: d2}, base.Inputs[1]} },
		"path":    func(s *remote.Spec) { s.Inputs = []remote.Input{{Path: "src/b.c", Digest: d1}, base.Inputs[1]} },
		"exec bit": func(s *remote.Spec) {
			s.Inputs = []remote.Input{{Path: "src/a.c", Digest: d1, Executable: true}, base.Inputs[1]}
		},
		"outputs":  func(s *remote.Spec) { s.Outputs = []string{"b.o"} },
		"platform": func(s *remote.Spec) { s.Platform = []string{"OSFamily=macos"} },
		"timeout":  func(s *remote.Spec) { s.Timeout = time.Minute },
		"salt":     func(s *remote.Spec) { s.Salt = "2" },
	} {
		s := base
		change(&s)
		if key(s) == k {
			t.Errorf("changing the %s kept the key", name)
		}
	}
}

func TestBuildCommandAndTree(t *testing.T) {
	a, err := reapi.Build(remote.Spec{
		Cmds:    []string{"echo a # comment", "echo b"},
		Dir:     "sub dir",
		Env:     []string{"B=2", "A=1"},
		Inputs:  []remote.Input{{Path: "x/y/z.txt", Digest: remote.DigestOf([]byte("z"))}, {Path: "top", Digest: remote.DigestOf(nil), Executable: true}},
		Outputs: []string{"out/b", "out/a", "out/b"},
	})
	if err != nil {
		t.Fatal(err)
	}
	var cmd repb.Command
	if err := proto.Unmarshal(a.Command, &cmd); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(cmd.OutputPaths, ","); got != "out/a,out/b" {
		t.Errorf("output paths %s", got)
	}
	if cmd.EnvironmentVariables[0].Name != "A" || cmd.EnvironmentVariables[1].Name != "B" {
		t.Errorf("environment not sorted: %v", cmd.EnvironmentVariables)
	}
	want := "cd 'sub dir' || exit\n(\necho a # comment\n) &&\n(\necho b\n)"
	if len(cmd.Arguments) != 3 || cmd.Arguments[0] != "/bin/sh" || cmd.Arguments[2] != want {
		t.Errorf("arguments %q, want /bin/sh -c %q", cmd.Arguments, want)
	}
	if len(a.Dirs) != 3 { // root, x, x/y
		t.Fatalf("%d directories, want 3", len(a.Dirs))
	}
	var root repb.Directory
	if err := proto.Unmarshal(a.Dirs[0], &root); err != nil {
		t.Fatal(err)
	}
	if remote.DigestOf(a.Dirs[0]) != a.RootDigest || len(root.Files) != 1 || root.Files[0].Name != "top" || !root.Files[0].IsExecutable || root.Directories[0].Name != "x" {
		t.Errorf("root directory %v", &root)
	}

	for _, bad := range []remote.Spec{
		{Inputs: []remote.Input{{Path: "../etc/passwd"}}},
		{Inputs: []remote.Input{{Path: "/etc/passwd"}}},
		{Outputs: []string{"../x"}},
		{Inputs: []remote.Input{{Path: "a"}, {Path: "a/b"}}},
		{Env: []string{"A=1", "A=2"}},
	} {
		if _, err := reapi.Build(bad); err == nil {
			t.Errorf("Build(%+v) succeeded", bad)
		}
	}
}
