package main

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha1"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	repb "github.com/bazelbuild/remote-apis/build/bazel/remote/execution/v2"
)

// The integration tests run the remote scenarios against real servers,
// which .ci/run builds and starts (tools/remote/servers.sh) and names in
// these variables; without them the tests are skipped.
const (
	bazelRemoteVar    = "GOBUILDJ_TEST_BAZEL_REMOTE"     // its gRPC endpoint
	bazelRemoteDirVar = "GOBUILDJ_TEST_BAZEL_REMOTE_DIR" // its --dir, to damage a blob on disk
	buildbarnVar      = "GOBUILDJ_TEST_BUILDBARN"        // bb_storage's endpoint, the frontend of the scheduler
	bazelRemoteBinVar = "GOBUILDJ_TEST_BAZEL_REMOTE_BIN" // the binary, for tests that start their own
	bbWorkerPgidVar   = "GOBUILDJ_TEST_BUILDBARN_WORKER_PGID"
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

// startBazelRemote starts a bazel-remote of the test's own, with args
// added, on a unix socket unless addr names a loopback TCP address, and
// returns its gRPC endpoint (unix:PATH, or the address) and process; it is
// killed when the test ends.
func startBazelRemote(t *testing.T, addr string, args ...string) (string, *os.Process) {
	t.Helper()
	bin := serverFrom(t, bazelRemoteBinVar)
	dir, err := os.MkdirTemp("", "br") // short: a socket path has 107 bytes at most
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	sock := filepath.Join(dir, "grpc.sock")
	endpoint, grpcAddr := "unix:"+sock, "unix://"+sock
	if addr != "" {
		endpoint, grpcAddr = addr, addr
	}
	all := []string{"--dir", filepath.Join(dir, "cache"), "--max_size", "1", "--storage_mode", "uncompressed",
		"--http_address", "unix://" + filepath.Join(dir, "http.sock"), "--grpc_address", grpcAddr,
		"--idle_timeout", "10m", "--access_log_level", "none"}
	cmd := exec.Command(bin, append(all, args...)...)
	logFile := filepath.Join(dir, "log")
	log, err := os.Create(logFile)
	if err != nil {
		t.Fatal(err)
	}
	defer log.Close()
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGCONT)
		cmd.Process.Kill()
		cmd.Wait()
		if t.Failed() {
			b, _ := os.ReadFile(logFile)
			t.Logf("bazel-remote's log:\n%s", b)
		}
	})
	for i := 0; ; i++ {
		var err error
		if addr == "" {
			_, err = os.Stat(sock)
		} else {
			var c net.Conn
			if c, err = net.Dial("tcp", addr); err == nil {
				c.Close()
			}
		}
		if err == nil {
			break
		}
		if i == 300 {
			b, _ := os.ReadFile(logFile)
			t.Fatalf("bazel-remote did not start in 30s:\n%s", b)
		}
		time.Sleep(100 * time.Millisecond)
	}
	return endpoint, cmd.Process
}

// breakerTargets is the number of targets of the circuit breaker's tests.
const breakerTargets = 30

// The circuit breaker: once the server timed out, the rest of the build
// stops waiting on it. A bazel-remote stopped by SIGSTOP accepts
// connections and answers nothing, so every call runs into its timeout:
// without the breaker each of the 30 targets waits its own.
func TestIntegrationBazelRemoteStoppedCostsOneTimeout(t *testing.T) {
	endpoint, proc := startBazelRemote(t, "")
	salt := randomSalt(t)
	warm, local, stalled := t.TempDir(), t.TempDir(), t.TempDir()
	for _, d := range []string{warm, local, stalled} {
		project2(t, d, salt, breakerTargets/2)
	}
	// The server works, and the connection is made, before it stops.
	if r := gobuildjClean(t, warm, []string{"CI=true"}, "--remote-cache", endpoint); r.code != 0 || strings.Contains(r.out, "warning") {
		t.Fatalf("with the server up: exit %d\n%s", r.code, r.out)
	}
	r, localTime := timedBuild(t, local, nil)
	if r.code != 0 {
		t.Fatalf("local build: exit %d\n%s", r.code, r.out)
	}
	if err := proc.Signal(syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}
	const timeout = 2 * time.Second
	r, took := timedBuild(t, stalled, []string{"CI=true"}, "--remote-cache", endpoint, "--remote-timeout", timeout.String())
	if r.code != 0 || !strings.Contains(r.out, fmt.Sprintf("gobuildj: %d run, 0 up to date", breakerTargets)) {
		t.Fatalf("exit %d\n%s", r.code, r.out)
	}
	if n := strings.Count(r.out, "warning"); n != 1 || !strings.Contains(r.out, "building locally from now on") {
		t.Errorf("%d warnings, want one:\n%s", n, r.out)
	}
	// One timeout, and slack for a busy machine: twice the local
	// build, plus a second. Waiting for each target would take 30 x 2s / -j.
	if limit := 2*localTime + timeout + time.Second; took > limit {
		t.Errorf("the build took %s with the server stopped, want at most %s (local build %s, remote timeout %s)\n%s", took, limit, localTime, timeout, r.out)
	}
	t.Logf("local build %s; with the server stopped %s (remote timeout %s)", localTime, took, timeout)
}

// A farm whose only worker stopped takes actions and queues them (for up
// to 900 s in Buildbarn's configuration): --remote-exec-timeout bounds the
// wait, the breaker trips, and the whole build runs locally.
func TestIntegrationBuildbarnWorkerStoppedExecTimeout(t *testing.T) {
	endpoint := serverFrom(t, buildbarnVar)
	pgid, err := strconv.Atoi(serverFrom(t, bbWorkerPgidVar))
	if err != nil {
		t.Fatalf("%s: %v", bbWorkerPgidVar, err)
	}
	salt := randomSalt(t)
	local, stalled := t.TempDir(), t.TempDir()
	for _, d := range []string{local, stalled} {
		project2(t, d, salt, 5)
	}
	r, localTime := timedBuild(t, local, nil)
	if r.code != 0 {
		t.Fatalf("local build: exit %d\n%s", r.code, r.out)
	}
	if err := syscall.Kill(-pgid, syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { syscall.Kill(-pgid, syscall.SIGCONT) })
	const deadline = 3 * time.Second
	r, took := timedBuild(t, stalled, nil, "--remote-exec", endpoint, "--remote-exec-timeout", deadline.String())
	if r.code != 0 || !strings.Contains(r.out, "gobuildj: 10 run, 0 up to date") {
		t.Fatalf("exit %d\n%s", r.code, r.out)
	}
	if n := strings.Count(r.out, "warning"); n != 1 || !strings.Contains(r.out, "no result within the remote execution timeout of 3s; building locally from now on") {
		t.Errorf("%d warnings, want one about the timeout:\n%s", n, r.out)
	}
	if got := len(ranLog(t, stalled)); got != 10 {
		t.Errorf("%d commands ran locally, want 10", got)
	}
	if limit := 2*localTime + deadline + 2*time.Second; took > limit {
		t.Errorf("the build took %s with the worker stopped, want at most %s (local build %s)\n%s", took, limit, localTime, r.out)
	}
	t.Logf("local build %s; with the worker stopped %s (--remote-exec-timeout %s)", localTime, took, deadline)
}

// bazel-remote checks Basic credentials against an htpasswd file (it
// refuses Bearer tokens): GOBUILDJ_REMOTE_BASIC_AUTH sends them. Reads
// are open to all here, as for developers; a refused upload only warns,
// unless --remote-strict.
func TestIntegrationBazelRemoteBasicAuth(t *testing.T) {
	pw := filepath.Join(t.TempDir(), "htpasswd")
	sum := sha1.Sum([]byte("sesame"))
	write(t, pw, "ci:{SHA}"+base64.StdEncoding.EncodeToString(sum[:])+"\n")
	endpoint, _ := startBazelRemote(t, "", "--htpasswd_file", pw, "--allow_unauthenticated_reads")
	salt := randomSalt(t)
	ci, dev, anon := t.TempDir(), t.TempDir(), t.TempDir()
	for _, d := range []string{ci, dev, anon} {
		smallProject(t, d, salt)
	}
	r := gobuildjClean(t, ci, []string{"CI=true", "GOBUILDJ_REMOTE_BASIC_AUTH=ci:sesame"}, "--remote-cache", endpoint)
	if r.code != 0 || strings.Contains(r.out, "warning") {
		t.Fatalf("with the credentials: exit %d\n%s", r.code, r.out)
	}
	r = gobuildjClean(t, dev, nil, "--remote-cache", endpoint)
	if r.code != 0 || !strings.Contains(r.out, fmt.Sprintf("gobuildj: 0 run, %d cached", smallTargets)) {
		t.Fatalf("an anonymous reader: exit %d\n%s", r.code, r.out)
	}
	r = gobuildjClean(t, anon, []string{"CI=true", "GOBUILDJ_REMOTE_BASIC_AUTH=ci:wrong"}, "--remote-cache", endpoint, "gen0", "-B")
	if r.code != 0 {
		t.Fatalf("-B: exit %d\n%s", r.code, r.out)
	}
	write(t, filepath.Join(anon, "src/0.txt"), "changed\n")
	r = gobuildjClean(t, anon, []string{"CI=true", "GOBUILDJ_REMOTE_BASIC_AUTH=ci:wrong"}, "--remote-cache", endpoint, "gen0")
	if r.code != 0 || !strings.Contains(r.out, "Unauthenticated") || !strings.Contains(r.out, "building locally from now on") {
		t.Fatalf("a refused upload warns: exit %d\n%s", r.code, r.out)
	}
	write(t, filepath.Join(anon, "src/0.txt"), "changed again\n")
	r = gobuildjClean(t, anon, []string{"CI=true", "GOBUILDJ_REMOTE_BASIC_AUTH=ci:wrong"}, "--remote-cache", endpoint, "--remote-strict", "gen0")
	if r.code != 1 || !strings.Contains(r.out, "FAILED: gen0") || !strings.Contains(r.out, "Unauthenticated") {
		t.Fatalf("a refused upload with --remote-strict fails: exit %d\n%s", r.code, r.out)
	}
}

// Basic credentials from a netrc file ($NETRC), as curl and git read it,
// for the server's host: the right password uploads, a wrong one is
// refused with a warning.
func TestIntegrationBazelRemoteNetrc(t *testing.T) {
	pw := filepath.Join(t.TempDir(), "htpasswd")
	sum := sha1.Sum([]byte("sesame"))
	write(t, pw, "ci:{SHA}"+base64.StdEncoding.EncodeToString(sum[:])+"\n")
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	startBazelRemote(t, addr, "--htpasswd_file", pw, "--allow_unauthenticated_reads")
	endpoint := "grpc://" + addr
	salt := randomSalt(t)
	right, wrong := t.TempDir(), t.TempDir()
	for _, d := range []string{right, wrong} {
		smallProject(t, d, salt)
	}
	netrc := func(password string) string {
		p := filepath.Join(t.TempDir(), "netrc")
		write(t, p, "machine elsewhere.example login x password y\nmachine 127.0.0.1\n  login ci\n  password "+password+"\n")
		return p
	}
	r := gobuildjClean(t, wrong, []string{"CI=true", "NETRC=" + netrc("wrong")}, "--remote-cache", endpoint, "gen0")
	if r.code != 0 || !strings.Contains(r.out, "Unauthenticated") {
		t.Fatalf("a wrong netrc password: exit %d, want 0 and a refused upload\n%s", r.code, r.out)
	}
	r = gobuildjClean(t, right, []string{"CI=true", "NETRC=" + netrc("sesame")}, "--remote-cache", endpoint)
	if r.code != 0 || strings.Contains(r.out, "warning") {
		t.Fatalf("the netrc credentials: exit %d\n%s", r.code, r.out)
	}
	// What it uploaded is there for an anonymous reader.
	r = gobuildjClean(t, wrong, nil, "--remote-cache", endpoint)
	if r.code != 0 || !strings.Contains(r.out, "cached") {
		t.Fatalf("an anonymous reader after the upload: exit %d\n%s", r.code, r.out)
	}
}

// Mutual TLS: bazel-remote with a CA of client certificates serves only
// clients that present one it signed.
func TestIntegrationBazelRemoteMutualTLS(t *testing.T) {
	dir := t.TempDir()
	ca, caKey := newCert(t, dir, "ca", nil, nil)
	newCert(t, dir, "server", ca, caKey)
	newCert(t, dir, "client", ca, caKey)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	pem := func(name string) string { return filepath.Join(dir, name+".pem") }
	_, _ = startBazelRemote(t, addr, "--tls_ca_file", pem("ca"), "--tls_cert_file", pem("server"), "--tls_key_file", pem("server-key"))
	endpoint := "grpcs://" + addr
	salt := randomSalt(t)
	first, second, stranger := t.TempDir(), t.TempDir(), t.TempDir()
	for _, d := range []string{first, second, stranger} {
		smallProject(t, d, salt)
	}
	withCert := []string{"--remote-cache", endpoint, "--remote-tls-ca", pem("ca"), "--remote-tls-cert", pem("client"), "--remote-tls-key", pem("client-key")}
	r := gobuildjClean(t, first, []string{"CI=true"}, withCert...)
	if r.code != 0 || strings.Contains(r.out, "warning") {
		t.Fatalf("with the client certificate: exit %d\n%s", r.code, r.out)
	}
	r = gobuildjClean(t, second, nil, withCert...)
	if r.code != 0 || !strings.Contains(r.out, fmt.Sprintf("gobuildj: 0 run, %d cached", smallTargets)) {
		t.Fatalf("a second checkout: exit %d\n%s", r.code, r.out)
	}
	r = gobuildjClean(t, stranger, nil, "--remote-cache", endpoint, "--remote-tls-ca", pem("ca"))
	if r.code != 0 || !strings.Contains(r.out, "building locally from now on") || strings.Contains(r.out, "cached") {
		t.Fatalf("without a client certificate: exit %d\n%s", r.code, r.out)
	}
}

// newCert writes NAME.pem and NAME-key.pem in dir: a certificate for
// 127.0.0.1 signed by parent, or a self-signed CA when parent is nil.
func newCert(t *testing.T, dir, name string, parent *x509.Certificate, parentKey *ecdsa.PrivateKey) (*x509.Certificate, *ecdsa.PrivateKey) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()),
		Subject:      pkix.Name{CommonName: "gobuildj test " + name},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth},
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1)},
	}
	if parent == nil {
		tmpl.IsCA, tmpl.BasicConstraintsValid = true, true
		tmpl.KeyUsage |= x509.KeyUsageCertSign
		parent, parentKey = tmpl, key
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, &key.PublicKey, parentKey)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(dir, name+".pem"), string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})))
	write(t, filepath.Join(dir, name+"-key.pem"), string(pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER})))
	return cert, key
}

// A remote action gets the declared inherited variables (env_inputs), as a
// local run does, and they are in its key: another value misses.
func TestIntegrationBuildbarnExecutionGetsEnvInputs(t *testing.T) {
	endpoint := serverFrom(t, buildbarnVar)
	dir := t.TempDir()
	write(t, filepath.Join(dir, "Buildfile.toml"), fmt.Sprintf(`[remote]
salt = %q
[targets.flags]
env_inputs = ["GOBUILDJ_TEST_FLAGS"]
outputs = ["flags.txt"]
cmd = "echo \"flags=$GOBUILDJ_TEST_FLAGS\" > flags.txt"
`, randomSalt(t)))
	for _, flags := range []string{"-O2", "-O3"} {
		settle()
		r := gobuildjClean(t, dir, []string{"GOBUILDJ_TEST_FLAGS=" + flags}, "--remote-exec", endpoint, "flags")
		if r.code != 0 || !strings.Contains(r.out, "1 run (1 remotely)") {
			t.Fatalf("GOBUILDJ_TEST_FLAGS=%s: exit %d\n%s", flags, r.code, r.out)
		}
		if got, want := read(t, filepath.Join(dir, "flags.txt")), "flags="+flags+"\n"; got != want {
			t.Errorf("GOBUILDJ_TEST_FLAGS=%s: remotely built flags.txt holds %q, want %q", flags, got, want)
		}
	}
}
