package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	repb "github.com/bazelbuild/remote-apis/build/bazel/remote/execution/v2"
)

// The integration tests run the remote scenarios against real servers,
// which .ci/run builds and starts (tools/remote/servers.sh) and names in
// these variables; without them the tests are skipped.
const (
	bazelRemoteVar    = "GOBUILDJ_TEST_BAZEL_REMOTE"     // its gRPC endpoint
	bazelRemoteDirVar = "GOBUILDJ_TEST_BAZEL_REMOTE_DIR" // its --dir, to damage a blob on disk
	buildbarnVar      = "GOBUILDJ_TEST_BUILDBARN"        // bb_storage's endpoint, the frontend of the scheduler
)

func serverFrom(t *testing.T, variable string) string {
	t.Helper()
	v := os.Getenv(variable)
	if v == "" {
		t.Skipf("%s is not set (.ci/run starts the servers)", variable)
	}
	return v
}

func TestIntegrationBazelRemoteSharedBetweenCheckoutsPoisonRebuiltLocally(t *testing.T) {
	endpoint := serverFrom(t, bazelRemoteVar)
	dir := serverFrom(t, bazelRemoteDirVar)
	checkPoison(t, endpoint, func(d *repb.Digest) {
		// bazel-remote (--storage_mode uncompressed) keeps a blob in
		// cas.v2/HH/HASH-*: give it other bytes of the same size,
		// as a failing disk would.
		files, _ := filepath.Glob(filepath.Join(dir, "cas.v2", d.Hash[:2], d.Hash+"-*"))
		if len(files) != 1 {
			t.Fatalf("blob %s/%d: files %v, want one", d.Hash, d.SizeBytes, files)
		}
		b, err := os.ReadFile(files[0])
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(files[0], bytes.ToLower(b), 0o644); err != nil {
			t.Fatal(err)
		}
	})
}

func TestIntegrationBuildbarnCacheSharedBetweenCheckouts(t *testing.T) {
	checkSharing(t, serverFrom(t, buildbarnVar))
}

func TestIntegrationBuildbarnExecutionMatchesLocalBuild(t *testing.T) {
	endpoint := serverFrom(t, buildbarnVar)
	salt := randomSalt(t)
	remoteDir, localDir, cachedDir := t.TempDir(), t.TempDir(), t.TempDir()
	for _, d := range []string{remoteDir, localDir, cachedDir} {
		wideProject(t, d, salt)
	}
	mustBuild(t, localDir)

	r := gobuildjClean(t, remoteDir, nil, "--remote-exec", endpoint)
	if r.code != 0 || !strings.Contains(r.out, fmt.Sprintf("gobuildj: %d run (%d remotely), 0 up to date", wideTargets, wideTargets)) {
		t.Fatalf("exit %d\n%s", r.code, r.out)
	}
	if ran := ranLog(t, remoteDir); len(ran) != 0 {
		t.Fatalf("%d commands ran locally", len(ran))
	}
	assertSameTree(t, localDir, remoteDir)

	// What ran remotely is in the cache for a third checkout.
	r = gobuildjClean(t, cachedDir, nil, "--remote-cache", endpoint)
	if r.code != 0 || !strings.Contains(r.out, fmt.Sprintf("gobuildj: 0 run, %d cached", wideTargets)) {
		t.Fatalf("exit %d\n%s", r.code, r.out)
	}
	assertSameTree(t, localDir, cachedDir)

	// Buildbarn's runner passes no environment but the Command's.
	write(t, filepath.Join(remoteDir, "Buildfile.toml"), "default = [\"env\"]\n[targets.env]\noutputs = [\"env.txt\"]\ncmd = \"env | grep -v ^PWD= | sort > env.txt\"\n")
	if r := gobuildjClean(t, remoteDir, nil, "--remote-exec", endpoint); r.code != 0 {
		t.Fatalf("exit %d\n%s", r.code, r.out)
	}
	if env := read(t, filepath.Join(remoteDir, "env.txt")); env != "GOBUILDJ_TARGET=env\nPATH=/usr/local/bin:/usr/bin:/bin\n" {
		t.Fatalf("the remote environment is\n%s", env)
	}
}
