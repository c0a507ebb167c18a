package main

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	repb "github.com/bazelbuild/remote-apis/build/bazel/remote/execution/v2"

	"github.com/gobuildj/gobuildj/remote/remotetest"
)

// The remote tests run against an in-process REAPI server (remotetest);
// remote_integration_test.go runs the same scenarios against bazel-remote
// and Buildbarn when .ci/run provides them.

// wideTargets is the number of targets with a command in wideProject.
const wideTargets = 200

// wideProject writes a project of wideTargets targets (smallProject:
// smallTargets).
func wideProject(t *testing.T, dir, salt string) { project2(t, dir, salt, wideTargets/2) }

const smallTargets = 20

func smallProject(t *testing.T, dir, salt string) { project2(t, dir, salt, smallTargets/2) }

// project2 writes a project of 2*n targets: n that transform a source each,
// n-1 that combine two of those, and one that makes an executable. Each
// command appends its target's name to ran.log (not an output), so a test
// can tell what ran locally. salt isolates the test's actions from every
// other test sharing the server.
func project2(t *testing.T, dir, salt string, n int) {
	t.Helper()
	var b strings.Builder
	fmt.Fprintf(&b, "[remote]\nsalt = %q\n\n[targets.all]\ndeps = [\"tool\"", salt)
	for i := 0; i < n-1; i++ {
		fmt.Fprintf(&b, ", \"mix%d\"", i)
	}
	b.WriteString("]\n\n")
	b.WriteString("[targets.tool]\noutputs = [\"out/bin/tool\"]\ncmd = \"echo tool >> ran.log && printf '#!/bin/sh\\\\necho tool\\\\n' > out/bin/tool && chmod +x out/bin/tool\"\n\n")
	for i := 0; i < n; i++ {
		write(t, filepath.Join(dir, fmt.Sprintf("src/%d.txt", i)), fmt.Sprintf("source number %d\n", i))
		fmt.Fprintf(&b, "[targets.gen%d]\ninputs = [\"src/%d.txt\"]\noutputs = [\"out/gen/%d.txt\"]\n", i, i, i)
		fmt.Fprintf(&b, "cmd = [\"echo gen%d >> ran.log\", \"tr a-z A-Z < src/%d.txt > out/gen/%d.txt\"]\n\n", i, i, i)
	}
	for i := 0; i < n-1; i++ {
		fmt.Fprintf(&b, "[targets.mix%d]\ninputs = [\"out/gen/%d.txt\", \"out/gen/%d.txt\"]\noutputs = [\"out/mix/%d.txt\"]\n", i, i, i+1, i)
		fmt.Fprintf(&b, "cmd = \"echo mix%d >> ran.log && cat ${in} > ${out} && echo mixed %d\"\n\n", i, i)
	}
	write(t, filepath.Join(dir, "Buildfile.toml"), b.String())
}

// randomSalt returns a salt no other test run uses.
func randomSalt(t *testing.T) string {
	var b [8]byte
	rand.Read(b[:])
	return t.Name() + "-" + hex.EncodeToString(b[:])
}

// treeFiles returns every file under dir/out with its content and mode.
func treeFiles(t *testing.T, dir string) map[string]string {
	t.Helper()
	files := map[string]string{}
	root := filepath.Join(dir, "out")
	err := filepath.Walk(root, func(p string, fi os.FileInfo, err error) error {
		if err != nil || fi.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		rel, _ := filepath.Rel(dir, p)
		files[rel] = fmt.Sprintf("%v %q", fi.Mode(), b)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

func assertSameTree(t *testing.T, a, b string) {
	t.Helper()
	fa, fb := treeFiles(t, a), treeFiles(t, b)
	if len(fa) != wideTargets {
		t.Fatalf("%s has %d outputs, want %d", a, len(fa), wideTargets)
	}
	var diffs []string
	for name, v := range fa {
		if fb[name] != v {
			diffs = append(diffs, fmt.Sprintf("%s: %s vs %s", name, v, fb[name]))
		}
	}
	for name := range fb {
		if _, ok := fa[name]; !ok {
			diffs = append(diffs, name+" only in the second tree")
		}
	}
	sort.Strings(diffs)
	if len(diffs) > 0 {
		t.Fatalf("the trees differ:\n%s", strings.Join(diffs[:min(len(diffs), 10)], "\n"))
	}
}

// gobuildjClean runs the binary in dir with exactly env added to a clean
// environment (no CI=true unless given).
func gobuildjClean(t *testing.T, dir string, env []string, args ...string) result {
	t.Helper()
	cmd := exec.Command(binary, args...)
	cmd.Dir = dir
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME"), "NO_COLOR=1"}, env...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return result{out: out.String(), code: code}
}

func startFake(t *testing.T, opts remotetest.Options) *remotetest.Server {
	t.Helper()
	opts.Dir = t.TempDir()
	s, err := remotetest.Start(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

// checkSharing is the remote cache's main promise: a clean checkout in
// another folder builds the wide project with zero local commands, and
// byte-identical outputs, from what a first checkout uploaded.
func checkSharing(t *testing.T, endpoint string) (first, second string) {
	salt := randomSalt(t)
	first, second = t.TempDir(), t.TempDir()
	wideProject(t, first, salt)
	wideProject(t, second, salt)

	r := gobuildjClean(t, first, []string{"CI=true"}, "--remote-cache", endpoint)
	if r.code != 0 || !strings.Contains(r.out, fmt.Sprintf("gobuildj: %d run, 0 up to date", wideTargets)) {
		t.Fatalf("first checkout: exit %d\n%s", r.code, r.out)
	}
	if got := len(ranLog(t, first)); got != wideTargets {
		t.Fatalf("first checkout ran %d commands, want %d", got, wideTargets)
	}

	r = gobuildjClean(t, second, nil, "--remote-cache", endpoint)
	if r.code != 0 || !strings.Contains(r.out, fmt.Sprintf("gobuildj: 0 run, %d cached, 0 up to date, 0 failed", wideTargets)) {
		t.Fatalf("second checkout: exit %d\n%s", r.code, r.out)
	}
	if ran := ranLog(t, second); len(ran) != 0 {
		t.Fatalf("second checkout ran %d local commands: %v", len(ran), ran[:min(5, len(ran))])
	}
	if !strings.Contains(r.out, "mixed 42\n") {
		t.Errorf("the output of cached commands was not replayed:\n%s", r.out)
	}
	assertSameTree(t, first, second)

	// The cached outputs are recorded like built ones: nothing to do now.
	r = gobuildjClean(t, second, nil, "--remote-cache", endpoint)
	if r.code != 0 || !strings.Contains(r.out, fmt.Sprintf("gobuildj: 0 run, %d up to date", wideTargets)) {
		t.Fatalf("third build: exit %d\n%s", r.code, r.out)
	}
	return first, second
}

// checkPoison runs checkSharing, then corrupts the blob behind gen7's
// output in the server (with poison) and checks that a clean checkout
// refuses it, builds gen7 locally and still gets the right bytes.
func checkPoison(t *testing.T, endpoint string, poison func(digest *repb.Digest)) {
	first, _ := checkSharing(t, endpoint)
	data, err := os.ReadFile(filepath.Join(first, "out/gen/7.txt"))
	if err != nil {
		t.Fatal(err)
	}
	poison(remotetest.DigestOf(data))

	third := t.TempDir()
	wideProject(t, third, readSalt(t, first))
	r := gobuildjClean(t, third, nil, "--remote-cache", endpoint)
	if r.code != 0 {
		t.Fatalf("exit %d\n%s", r.code, r.out)
	}
	if !strings.Contains(r.out, "gen7: refused the remote cache's entry") || !strings.Contains(r.out, "running it locally") {
		t.Fatalf("no warning about the poisoned entry:\n%s", r.out)
	}
	if ran := ranLog(t, third); len(ran) != 1 || ran[0] != "gen7" {
		t.Fatalf("local commands %v, want [gen7]", ran)
	}
	assertSameTree(t, first, third)
}

func TestRemoteCacheSharedBetweenCheckoutsPoisonRebuiltLocally(t *testing.T) {
	s := startFake(t, remotetest.Options{})
	checkPoison(t, s.Endpoint, func(d *repb.Digest) {
		if s.Hits.Load() < wideTargets {
			t.Errorf("%d cache hits, want at least %d", s.Hits.Load(), wideTargets)
		}
		b, ok := s.Blob(d)
		if !ok {
			t.Fatalf("the server has no blob %v", d)
		}
		bad := bytes.ToLower(b) // same size, other bytes
		s.Poison(d, bad)
	})
}

func readSalt(t *testing.T, dir string) string {
	t.Helper()
	text := read(t, filepath.Join(dir, "Buildfile.toml"))
	line := strings.SplitN(strings.SplitN(text, "salt = ", 2)[1], "\n", 2)[0]
	return strings.Trim(line, `"`)
}

func TestRemoteCacheReadOnlyByDefault(t *testing.T) {
	s := startFake(t, remotetest.Options{})
	dir := project(t, map[string]string{
		"a.txt": "a\n",
		"Buildfile.toml": `default = ["up", "private", "broken"]
[targets.up]
inputs = ["a.txt"]
outputs = ["up.txt"]
cmd = "tr a-z A-Z < a.txt > up.txt"

[targets.private]
inputs = ["a.txt"]
outputs = ["private.txt"]
cmd = "cp a.txt private.txt"
remote = false

[targets.broken]
inputs = ["a.txt"]
outputs = ["broken.txt"]
cmd = "echo half > broken.txt; exit 3"
`})
	r := gobuildjClean(t, dir, nil, "--remote-cache", s.Endpoint, "-k")
	if r.code != 1 || s.Updates.Load() != 0 {
		t.Fatalf("a build without CI=true or --remote-upload uploaded %d results (exit %d)\n%s", s.Updates.Load(), r.code, r.out)
	}
	os.RemoveAll(filepath.Join(dir, ".gobuildj"))
	r = gobuildjClean(t, dir, []string{"CI=true"}, "--remote-cache", s.Endpoint, "-k")
	if r.code != 1 {
		t.Fatalf("exit %d\n%s", r.code, r.out)
	}
	// Only "up" is shared: "private" says remote = false, "broken" failed.
	// Its result goes with its why manifest (see why --remote).
	if n := s.Updates.Load(); n != 2 || len(s.Results()) != 2 {
		t.Fatalf("%d uploads, %d results; want only the one of target up\n%s", n, len(s.Results()), r.out)
	}
	os.RemoveAll(filepath.Join(dir, ".gobuildj"))
	os.Remove(filepath.Join(dir, "up.txt"))
	r = gobuildjClean(t, dir, []string{"CI=true"}, "--remote-cache", s.Endpoint, "--remote-upload=false", "up", "private")
	if r.code != 0 || !strings.Contains(r.out, "gobuildj: 1 run, 1 cached") || s.Updates.Load() != 2 { // none more
		t.Fatalf("--remote-upload=false: exit %d, %d uploads\n%s", r.code, s.Updates.Load(), r.out)
	}
	if got := read(t, filepath.Join(dir, "up.txt")); got != "A\n" {
		t.Fatalf("up.txt = %q", got)
	}
}

func TestRemoteCacheDeadOrSlowServerFallsBackLocally(t *testing.T) {
	s := startFake(t, remotetest.Options{})
	s.SetDelay(5 * 60e9) // far longer than the timeout below
	for name, endpoint := range map[string]string{
		"dead": "unix:" + filepath.Join(t.TempDir(), "nobody.sock"),
		"slow": s.Endpoint,
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			smallProject(t, dir, randomSalt(t))
			r := gobuildjClean(t, dir, []string{"CI=true"}, "--remote-cache", endpoint, "--remote-timeout", "300ms", "-j4")
			if r.code != 0 || !strings.Contains(r.out, fmt.Sprintf("gobuildj: %d run, 0 up to date", smallTargets)) {
				t.Fatalf("exit %d\n%s", r.code, r.out)
			}
			if n := strings.Count(r.out, "building locally from now on"); n != 1 {
				t.Fatalf("%d warnings, want exactly one:\n%s", n, r.out)
			}
			if got := len(ranLog(t, dir)); got != smallTargets {
				t.Fatalf("%d local commands, want %d", got, smallTargets)
			}
			r = gobuildjClean(t, dir, nil, "--remote-cache", endpoint, "--remote-timeout", "300ms", "--remote-strict", "-B", "gen1")
			if r.code != 0 {
				t.Fatalf("-B skips the remote server, so --remote-strict cannot fail: exit %d\n%s", r.code, r.out)
			}
			write(t, filepath.Join(dir, "src/1.txt"), "changed\n")
			r = gobuildjClean(t, dir, nil, "--remote-cache", endpoint, "--remote-timeout", "300ms", "--remote-strict", "gen1")
			if r.code != 1 || !strings.Contains(r.out, "no local fallback with --remote-strict") {
				t.Fatalf("--remote-strict: exit %d, want 1\n%s", r.code, r.out)
			}
		})
	}
}

func TestRemoteExecutionMatchesLocalBuild(t *testing.T) {
	s := startFake(t, remotetest.Options{Exec: true})
	salt := randomSalt(t)
	remoteDir, localDir := t.TempDir(), t.TempDir()
	wideProject(t, remoteDir, salt)
	wideProject(t, localDir, salt)
	mustBuild(t, localDir)

	r := gobuildjClean(t, remoteDir, nil, "--remote-exec", s.Endpoint, "--remote-jobs", "8")
	if r.code != 0 || !strings.Contains(r.out, fmt.Sprintf("gobuildj: %d run (%d remotely), 0 up to date", wideTargets, wideTargets)) {
		t.Fatalf("exit %d\n%s", r.code, r.out)
	}
	if ran := ranLog(t, remoteDir); len(ran) != 0 {
		t.Fatalf("%d commands ran locally", len(ran))
	}
	if n := s.Executions.Load(); n != wideTargets {
		t.Fatalf("%d remote executions, want %d", n, wideTargets)
	}
	assertSameTree(t, localDir, remoteDir)

	// A failing command fails the target, with its output, and is not cached.
	write(t, filepath.Join(remoteDir, "Buildfile.toml"), `default = ["bad", "env"]
[targets.bad]
outputs = ["bad.txt"]
cmd = "echo some output; echo oops >&2; exit 7"
[targets.env]
outputs = ["env.txt"]
cmd = "env | grep -v ^PWD= | sort > env.txt"
`)
	r = gobuildjClean(t, remoteDir, nil, "--remote-exec", s.Endpoint, "-k")
	if r.code != 1 || !strings.Contains(r.out, "FAILED: bad (exit code 7)") || !strings.Contains(r.out, "some output\noops\n") {
		t.Fatalf("exit %d\n%s", r.code, r.out)
	}
	env := read(t, filepath.Join(remoteDir, "env.txt"))
	if env != "GOBUILDJ_TARGET=env\nPATH=/usr/local/bin:/usr/bin:/bin\n" {
		t.Fatalf("the remote environment is\n%s", env)
	}
}

func TestRemoteExecutionDownFallsBackUnlessStrict(t *testing.T) {
	dead := "unix:" + filepath.Join(t.TempDir(), "nobody.sock")
	dir := project(t, map[string]string{"Buildfile.toml": "default = [\"a\"]\n[targets.a]\noutputs = [\"a.txt\"]\ncmd = \"echo a > a.txt\"\n"})
	r := gobuildjClean(t, dir, nil, "--remote-exec", dead)
	if r.code != 0 || !strings.Contains(r.out, "building locally from now on") {
		t.Fatalf("exit %d\n%s", r.code, r.out)
	}
	os.Remove(filepath.Join(dir, "a.txt"))
	r = gobuildjClean(t, dir, nil, "--remote-exec", dead, "--remote-strict")
	if r.code != 1 || !strings.Contains(r.out, "FAILED: a") {
		t.Fatalf("--remote-strict: exit %d\n%s", r.code, r.out)
	}
}

func TestRemoteCacheOverTLSWithToken(t *testing.T) {
	s := startFake(t, remotetest.Options{TLS: true, Header: "authorization=Bearer sesame"})
	dir := project(t, map[string]string{
		"Buildfile.toml": fmt.Sprintf("[remote]\ncache = %q\ntls_ca = %q\nupload = true\n\n[targets.all]\noutputs = [\"a.txt\"]\ncmd = \"echo a > a.txt\"\n", s.Endpoint, s.CAFile),
	})
	r := gobuildjClean(t, dir, []string{"GOBUILDJ_REMOTE_TOKEN=sesame"})
	if r.code != 0 || strings.Contains(r.out, "warning") || s.Updates.Load() != 2 { // the result and its why manifest
		t.Fatalf("exit %d, %d uploads\n%s", r.code, s.Updates.Load(), r.out)
	}
	os.RemoveAll(filepath.Join(dir, ".gobuildj"))
	r = gobuildjClean(t, dir, nil)
	if r.code != 0 || !strings.Contains(r.out, "Unauthenticated") || !strings.Contains(r.out, "1 run") {
		t.Fatalf("without the token: exit %d\n%s", r.code, r.out)
	}
}

func TestRemoteUsageErrors(t *testing.T) {
	dir := project(t, map[string]string{"Buildfile.toml": "[targets.all]\ncmd = \"true\"\n"})
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--remote-cache", "http://x:1"}, `--remote-cache: "http://x:1": unknown scheme "http"`},
		{[]string{"--remote-exec", "grpc://x"}, `--remote-exec: "grpc://x" has no port`},
		{[]string{"--remote-cache", "grpc://a:1", "--remote-exec", "grpc://b:1"}, "name different servers"},
		{[]string{"--remote-cache", "grpc://a:1", "--remote-header", "no-equals"}, "expected NAME=VALUE"},
		{[]string{"--remote-cache", "grpc://a:1", "--remote-jobs", "0"}, "--remote-jobs 0"},
	} {
		r := gobuildjClean(t, dir, nil, tc.args...)
		if r.code != 2 || !strings.Contains(r.out, tc.want) {
			t.Errorf("%v: exit %d, want 2 and %q:\n%s", tc.args, r.code, tc.want, r.out)
		}
	}
	// Credentials never cross the network unencrypted, unless asked.
	for _, tc := range []struct {
		env  string
		args []string
		want string
	}{
		{"GOBUILDJ_REMOTE_TOKEN=sesame", []string{"--remote-cache", "grpc://192.0.2.1:9092"}, "refusing to send the authorization header unencrypted"},
		{"GOBUILDJ_REMOTE_BASIC_AUTH=me:pw", []string{"--remote-exec", "grpc://cache.example.com:9092"}, "refusing to send the authorization header unencrypted"},
		{"X=1", []string{"--remote-cache", "grpc://192.0.2.1:9092", "--remote-header", "x-api-key=k"}, "refusing to send the x-api-key header"},
		{"GOBUILDJ_REMOTE_BASIC_AUTH=nocolon", []string{"--remote-cache", "grpc://127.0.0.1:9092"}, "expected USER:PASSWORD"},
		{"X=1", []string{"--remote-cache", "grpc://127.0.0.1:9092", "--remote-tls-cert", "c.pem", "--remote-tls-key", "k.pem"}, "a client certificate needs grpcs://"},
		{"X=1", []string{"--remote-cache", "grpcs://127.0.0.1:9092", "--remote-tls-cert", "c.pem"}, "needs both its certificate and its key"},
		{"X=1", []string{"--remote-exec", "grpc://127.0.0.1:9092", "--remote-exec-timeout", "0s"}, "--remote-exec-timeout 0s"},
	} {
		r := gobuildjClean(t, dir, []string{tc.env}, tc.args...)
		if r.code != 2 || !strings.Contains(r.out, tc.want) {
			t.Errorf("%s %v: exit %d, want 2 and %q:\n%s", tc.env, tc.args, r.code, tc.want, r.out)
		}
	}
	if r := gobuildjClean(t, dir, []string{"GOBUILDJ_REMOTE_TOKEN=sesame"}, "--remote-cache", "grpc://192.0.2.1:9092",
		"--remote-plaintext-credentials", "--remote-timeout", "100ms", "-n"); r.code != 0 {
		t.Errorf("--remote-plaintext-credentials: exit %d\n%s", r.code, r.out)
	}
	// Without gobuildj-remote beside the binary or in PATH.
	alone := filepath.Join(t.TempDir(), "gobuildj")
	data, err := os.ReadFile(binary)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(alone, data, 0o755); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(alone, "--remote-cache", "grpc://a:1")
	cmd.Dir, cmd.Env = dir, []string{"PATH=/usr/bin:/bin"}
	out, err := cmd.CombinedOutput()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 2 || !strings.Contains(string(out), "needs gobuildj-remote") {
		t.Errorf("without gobuildj-remote: %v\n%s", err, out)
	}
	write(t, filepath.Join(dir, "Buildfile.toml"), "[remote]\ncache = \"grpc://x:1\"\njobs = \"4\"\n")
	if r := gobuildjClean(t, dir, nil); r.code != 2 || !strings.Contains(r.out, "Buildfile.toml:3:8: remote.jobs: expected a whole number") {
		t.Errorf("bad [remote]: exit %d\n%s", r.code, r.out)
	}
}

// timedBuild runs gobuildj in dir and returns its result and how long it
// took.
func timedBuild(t *testing.T, dir string, env []string, args ...string) (result, time.Duration) {
	t.Helper()
	start := time.Now()
	r := gobuildjClean(t, dir, env, args...)
	return r, time.Since(start)
}

// The circuit breaker against a server that accepts calls and never
// answers: one remote timeout over the local build, not one per target;
// with --remote-strict -k, every target that needs the server fails as
// fast.
func TestRemoteCacheStalledServerCostsOneTimeout(t *testing.T) {
	s := startFake(t, remotetest.Options{})
	s.SetDelay(5 * 60e9)
	salt := randomSalt(t)
	local, stalled, strict := t.TempDir(), t.TempDir(), t.TempDir()
	for _, d := range []string{local, stalled, strict} {
		smallProject(t, d, salt)
	}
	r, localTime := timedBuild(t, local, nil, "-j2")
	if r.code != 0 {
		t.Fatalf("local build: exit %d\n%s", r.code, r.out)
	}
	const timeout = time.Second
	limit := 2*localTime + timeout + time.Second // one timeout, and slack for a busy machine
	r, took := timedBuild(t, stalled, []string{"CI=true"}, "--remote-cache", s.Endpoint, "--remote-timeout", timeout.String(), "-j2")
	if r.code != 0 || strings.Count(r.out, "warning") != 1 {
		t.Fatalf("exit %d, want 0 and one warning\n%s", r.code, r.out)
	}
	if took > limit {
		t.Errorf("the build took %s, want at most %s (local build %s, remote timeout %s)\n%s", took, limit, localTime, timeout, r.out)
	}
	r, took = timedBuild(t, strict, nil, "--remote-cache", s.Endpoint, "--remote-timeout", timeout.String(), "--remote-strict", "-k", "-j2")
	if r.code != 1 || !strings.Contains(r.out, "no local fallback with --remote-strict") || len(ranLog(t, strict)) != 0 {
		t.Fatalf("--remote-strict: exit %d, want 1 and nothing run locally\n%s", r.code, r.out)
	}
	if took > limit {
		t.Errorf("--remote-strict -k took %s, want at most %s\n%s", took, limit, r.out)
	}
}
