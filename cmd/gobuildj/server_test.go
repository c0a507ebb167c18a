package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// serverProject is a chain (gen, upper), a target that fails (bad), one
// that times out (slow) and one independent of them (other). Every command
// appends its target's name to ran.log.
const serverProject = chain + `
[targets.other]
inputs  = ["other.txt"]
outputs = ["build/other.txt"]
cmd     = "${log}; cp ${in} ${out}"

[targets.bad]
cmd = "${log}; echo broken >&2; exit 3"

[targets.slow]
timeout = "1s"
cmd = "${log}; sleep 343.25"
`

var serverFiles = map[string]string{"Buildfile.toml": serverProject, "src.txt": "hello\n", "other.txt": "x\n"}

// startTestServer starts the build server of dir and stops it when the
// test ends, checking that it leaves no process behind.
func startTestServer(t *testing.T, dir string) int {
	t.Helper()
	r := gobuildj(t, dir, "server", "start")
	m := regexp.MustCompile(`\(pid (\d+)\)`).FindStringSubmatch(r.out)
	if r.code != 0 || m == nil {
		t.Fatalf("server start: exit code %d:\n%s", r.code, r.out)
	}
	pid, _ := strconv.Atoi(m[1])
	t.Cleanup(func() {
		gobuildj(t, dir, "server", "stop")
		if processAlive(pid) {
			syscall.Kill(pid, syscall.SIGKILL)
			t.Errorf("the server (pid %d) outlived gobuildj server stop", pid)
		}
		// Under -race the binary reports races on its stderr: the log.
		if b, _ := os.ReadFile(filepath.Join(dir, ".gobuildj", "server.log")); bytes.Contains(b, []byte("DATA RACE")) {
			t.Errorf("the server's log reports a data race:\n%s", b)
		}
	})
	return pid
}

// served counts the builds the server of dir ran, from its log.
func served(t *testing.T, dir string) int {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, ".gobuildj", "server.log"))
	if err != nil {
		return 0
	}
	return strings.Count(string(b), " built [")
}

// comparable takes out of a build's output what differs between two runs
// of the same build: durations and the project's folder.
func comparable(out, dir string) string {
	out = strings.ReplaceAll(out, dir, "$DIR")
	out = timings.ReplaceAllString(out, "")
	out = regexp.MustCompile(`(?m)^gobuildj: doctor: .*\n`).ReplaceAllString(out, "") // timings
	return durationRe.ReplaceAllString(out, "D")
}

// twin is a pair of identical projects: one built through a server, the
// other standalone.
type twin struct {
	t                     *testing.T
	server, alone         string
	serverPID             int
	builds                int
	serverEnv, standalEnv []string
}

func newTwin(t *testing.T, files map[string]string) *twin {
	tw := &twin{t: t, server: project(t, files), alone: project(t, files)}
	tw.serverPID = startTestServer(t, tw.server)
	tw.standalEnv = []string{"GOBUILDJ_NO_SERVER=1"}
	return tw
}

// do changes both projects alike.
func (tw *twin) do(change func(dir string)) {
	change(tw.server)
	change(tw.alone)
}

// build builds both with args and checks that they print the same, exit
// alike and run the same commands, and that the server did build; it
// returns what ran and the exit code.
func (tw *twin) build(args ...string) ([]string, int) {
	t := tw.t
	t.Helper()
	rs := gobuildjEnv(t, tw.server, tw.serverEnv, args...)
	ra := gobuildjEnv(t, tw.alone, tw.standalEnv, args...)
	tw.builds++
	if got := served(t, tw.server); got != tw.builds {
		t.Fatalf("gobuildj %v: the server ran %d builds, want %d:\n%s", args, got, tw.builds, rs.out)
	}
	if rs.code != ra.code {
		t.Errorf("gobuildj %v: exit code %d through the server, %d standalone:\n%s\n---\n%s", args, rs.code, ra.code, rs.out, ra.out)
	}
	if s, a := comparable(rs.out, tw.server), comparable(ra.out, tw.alone); s != a {
		t.Errorf("gobuildj %v: output through the server differs:\n%s\n--- standalone:\n%s", args, s, a)
	}
	rans, rana := sorted(ranLog(t, tw.server)), sorted(ranLog(t, tw.alone))
	if strings.Join(rans, " ") != strings.Join(rana, " ") {
		t.Errorf("gobuildj %v: ran %v through the server, %v standalone", args, rans, rana)
	}
	return rans, rs.code
}

func (tw *twin) expect(args []string, code int, ran ...string) {
	tw.t.Helper()
	got, gotCode := tw.build(args...)
	if gotCode != code || strings.Join(got, " ") != strings.Join(sorted(ran), " ") {
		tw.t.Errorf("gobuildj %v: exit code %d, ran %v; want %d, %v", args, gotCode, got, code, sorted(ran))
	}
}

// Through a server, a build prints, exits and runs as it does standalone:
// a first build, a no-op, an edit, a touch, a failure, -k, a timeout, a
// Buildfile edit; and each is followed by a build that runs nothing.
func TestServerBuildsAsStandalone(t *testing.T) {
	tw := newTwin(t, serverFiles)
	tw.expect(nil, 0, "gen", "upper")
	tw.expect(nil, 0)
	// Builds one right after the other: none waits for the one before.
	for range 5 {
		cmd := exec.Command(binary) // no settle(): at once
		cmd.Dir = tw.server
		cmd.Env = append(os.Environ(), "CI=true")
		out, err := cmd.CombinedOutput()
		if err != nil || strings.Contains(string(out), "waiting") {
			t.Fatalf("a build right after another: %v\n%s", err, out)
		}
		tw.builds++
	}
	tw.expect([]string{"all", "other"}, 0, "other")
	tw.do(func(dir string) { write(t, filepath.Join(dir, "src.txt"), "hello world\n") })
	tw.expect([]string{"--explain"}, 0, "gen", "upper")
	tw.expect(nil, 0)
	tw.do(func(dir string) {
		later := time.Now().Add(time.Minute)
		os.Chtimes(filepath.Join(dir, "src.txt"), later, later)
	})
	tw.expect(nil, 0)
	tw.do(func(dir string) { write(t, filepath.Join(dir, "other.txt"), "y\n") })
	tw.expect([]string{"-j1", "bad", "other"}, 1, "bad", "other")
	tw.expect([]string{"-j1", "bad", "other"}, 1, "bad")
	tw.do(func(dir string) { write(t, filepath.Join(dir, "other.txt"), "z\n") })
	tw.expect([]string{"-k", "-j1", "bad", "other"}, 1, "bad", "other")
	tw.expect([]string{"slow"}, 1, "slow")
	tw.expect([]string{"-n", "all"}, 0)
	tw.expect([]string{"nosuch"}, 2)
	// A Buildfile edit: a new target, and a changed command.
	tw.do(func(dir string) {
		bf := strings.Replace(serverProject, "tr a-z A-Z", "tr a-z A-Z | rev", 1) + `
[targets.extra]
cmd = "${log}; echo extra"
`
		write(t, filepath.Join(dir, "Buildfile.toml"), bf)
	})
	tw.expect([]string{"all", "extra"}, 0, "upper", "extra")
	tw.expect([]string{"all", "extra"}, 0)
	if got := read(t, filepath.Join(tw.server, "build/upper.txt")); got != "dlrow olleh\n" {
		t.Errorf("build/upper.txt = %q", got)
	}
	assertNoStrays(t, "sleep 343.25")
}

// A file reached through a link to a folder outside the project, and one
// named by its absolute path outside it, are not watched: the server
// states them at every build, and sees their changes.
func TestServerSeesChangesOutsideWatches(t *testing.T) {
	outside := t.TempDir()
	write(t, filepath.Join(outside, "lib/x.txt"), "x\n")
	write(t, filepath.Join(outside, "abs.txt"), "a\n")
	dir := project(t, map[string]string{"Buildfile.toml": `
[targets.linked]
inputs  = ["ext/x.txt"]
outputs = ["linked.out"]
cmd     = "echo ${target} >> ran.log; cp ${in} ${out}"

[targets.absolute]
inputs  = ["` + filepath.Join(outside, "abs.txt") + `"]
outputs = ["absolute.out"]
cmd     = "echo ${target} >> ran.log; cp ${in} ${out}"
`})
	if err := os.Symlink(filepath.Join(outside, "lib"), filepath.Join(dir, "ext")); err != nil {
		t.Fatal(err)
	}
	startTestServer(t, dir)
	mustBuild(t, dir, "linked", "absolute")
	assertRan(t, dir, "linked", "absolute")
	mustBuild(t, dir, "linked", "absolute")
	assertRan(t, dir)
	write(t, filepath.Join(outside, "lib/x.txt"), "x2\n")
	mustBuild(t, dir, "linked", "absolute")
	assertRan(t, dir, "linked")
	write(t, filepath.Join(outside, "abs.txt"), "a2\n")
	mustBuild(t, dir, "linked", "absolute")
	assertRan(t, dir, "absolute")
	mustBuild(t, dir, "linked", "absolute")
	assertRan(t, dir)
	if got := read(t, filepath.Join(dir, "linked.out")); got != "x2\n" {
		t.Errorf("linked.out = %q", got)
	}
	if served(t, dir) != 5 {
		t.Errorf("the server ran %d builds, want 5", served(t, dir))
	}
}

// On a terminal, the client shows what a standalone build shows: the live
// status line and the colours.
func TestServerOnTerminal(t *testing.T) {
	tw := newTwin(t, serverFiles)
	s := onTerminal(t, tw.server, nil, "-j1", "all", "bad")
	a := onTerminal(t, tw.alone, []string{"GOBUILDJ_NO_SERVER=1"}, "-j1", "all", "bad")
	if served(t, tw.server) != 1 {
		t.Fatalf("the server did not build:\n%s", s)
	}
	if !strings.Contains(s, "\x1b[") || !strings.Contains(s, "\r") {
		t.Errorf("no live status line or colours on the terminal:\n%q", s)
	}
	if cs, ca := comparable(s, tw.server), comparable(a, tw.alone); cs != ca {
		t.Errorf("terminal output through the server:\n%q\n--- standalone:\n%q", cs, ca)
	}
	if s, a := sorted(ranLog(t, tw.server)), sorted(ranLog(t, tw.alone)); strings.Join(s, " ") != strings.Join(a, " ") || len(s) == 0 {
		t.Errorf("ran %v through the server, %v standalone", s, a)
	}
}

// blocking is a project whose target wait blocks until the file "go"
// exists, after writing "started".
const blocking = `
[targets.wait]
outputs = ["out.txt"]
cmd = "echo ${target} >> ran.log; echo started > started; while [ ! -f go ]; do sleep 0.0143; done; echo done > out.txt"
`

// Ctrl-C in the client stops the build in the server, as it stops a
// standalone build: exit code 130, no command left, and the next build
// runs the target again.
func TestServerCtrlC(t *testing.T) {
	for _, through := range []bool{true, false} {
		dir := project(t, map[string]string{"Buildfile.toml": blocking})
		if through {
			startTestServer(t, dir)
		}
		cmd, out := startBuild(t, dir, "--kill-grace", "1s")
		waitForFile(t, filepath.Join(dir, "started"), 20*time.Second)
		if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
			t.Fatal(err)
		}
		err := waitBounded(cmd, 20*time.Second)
		code := -1
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
		}
		if code != exitInterrupted || !strings.Contains(outputSoFar(out), "interrupted") {
			t.Errorf("through the server %v: exit code %d after Ctrl-C, want 130:\n%s", through, code, outputSoFar(out))
		}
		assertNoStrays(t, "sleep 0.0143")
		if through && served(t, dir) != 1 {
			t.Errorf("the server did not run the build")
		}
		assertRan(t, dir, "wait")
		write(t, filepath.Join(dir, "go"), "")
		mustBuild(t, dir)
		assertRan(t, dir, "wait")
		mustBuild(t, dir)
		assertRan(t, dir)
	}
}

// A server killed with -9 during a build: the client says so and builds by
// itself; the next build runs nothing.
func TestServerKilledDuringBuild(t *testing.T) {
	dir := project(t, map[string]string{"Buildfile.toml": blocking})
	pid := startTestServer(t, dir)
	cmd, out := startBuild(t, dir)
	waitForFile(t, filepath.Join(dir, "started"), 20*time.Second)
	os.Remove(filepath.Join(dir, "started"))
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	waitForFile(t, filepath.Join(dir, "started"), 20*time.Second) // built again, standalone
	write(t, filepath.Join(dir, "go"), "")
	if err := waitBounded(cmd, 20*time.Second); err != nil {
		t.Fatalf("the build after the server died: %v\n%s", err, outputSoFar(out))
	}
	if o := outputSoFar(out); strings.Count(o, "gobuildj: the server died; building without it\n") != 1 {
		t.Errorf("the client did not say the server died:\n%s", o)
	}
	assertNoStrays(t, "sleep 0.0143")
	assertRan(t, dir, "wait", "wait")
	mustBuild(t, dir)
	assertRan(t, dir)
	if got := read(t, filepath.Join(dir, "out.txt")); got != "done\n" {
		t.Errorf("out.txt = %q", got)
	}
}

// A client that dies (kill -9) stops its build in the server, as a closed
// terminal stops a standalone one: no command is left, the server goes on,
// and the next build runs the target again.
func TestServerClientKilled(t *testing.T) {
	dir := project(t, map[string]string{"Buildfile.toml": blocking})
	pid := startTestServer(t, dir)
	cmd, _ := startBuild(t, dir)
	waitForFile(t, filepath.Join(dir, "started"), 20*time.Second)
	cmd.Process.Kill()
	cmd.Wait()
	assertNoStrays(t, "sleep 0.0143")
	if !processAlive(pid) {
		t.Fatal("the server ended with its client")
	}
	assertRan(t, dir, "wait")
	write(t, filepath.Join(dir, "go"), "")
	mustBuild(t, dir)
	assertRan(t, dir, "wait")
	mustBuild(t, dir)
	assertRan(t, dir)
	if served(t, dir) != 3 {
		t.Errorf("the server ran %d builds, want 3", served(t, dir))
	}
}

// Two clients at once: the second waits for the first, says so once, and
// finds the target built.
func TestServerTwoClients(t *testing.T) {
	dir := project(t, map[string]string{"Buildfile.toml": blocking})
	startTestServer(t, dir)
	first, out1 := startBuild(t, dir)
	waitForFile(t, filepath.Join(dir, "started"), 20*time.Second)
	second, out2 := startBuild(t, dir)
	waitForOutput(t, out2, "waiting for another build through the server", 20*time.Second)
	write(t, filepath.Join(dir, "go"), "")
	for _, c := range []struct {
		cmd *exec.Cmd
		out *bytes.Buffer
	}{{first, out1}, {second, out2}} {
		if err := waitBounded(c.cmd, 20*time.Second); err != nil {
			t.Fatalf("%v:\n%s", err, outputSoFar(c.out))
		}
	}
	if o := outputSoFar(out2); strings.Count(o, "waiting for another build") != 1 || !strings.Contains(o, "0 run, 1 up to date") {
		t.Errorf("the second client:\n%s", o)
	}
	if served(t, dir) != 2 {
		t.Errorf("the server ran %d builds, want 2", served(t, dir))
	}
	assertRan(t, dir, "wait")
	mustBuild(t, dir)
	assertRan(t, dir)
}

// Without a server, with a server of another gobuildj binary, or for a
// subcommand, gobuildj builds by itself.
func TestServerFallback(t *testing.T) {
	dir := project(t, serverFiles)
	mustBuild(t, dir)
	assertRan(t, dir, "gen", "upper")
	if _, err := os.Stat(filepath.Join(dir, ".gobuildj", "server.sock")); err == nil {
		t.Fatal("a plain build started a server")
	}
	// Another binary: a copy has another identity.
	other := filepath.Join(t.TempDir(), "gobuildj")
	b, err := os.ReadFile(binary)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(other, b, 0o755); err != nil {
		t.Fatal(err)
	}
	start := exec.Command(other, "server", "start")
	start.Dir = dir
	if out, err := start.CombinedOutput(); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	t.Cleanup(func() {
		stop := exec.Command(other, "server", "stop")
		stop.Dir = dir
		stop.Run()
	})
	write(t, filepath.Join(dir, "src.txt"), "changed\n")
	mustBuild(t, dir)
	assertRan(t, dir, "gen", "upper")
	if n := served(t, dir); n != 0 {
		t.Errorf("a server of another binary ran %d builds", n)
	}
	if r := mustBuild(t, dir, "list"); !strings.Contains(r.out, "upper") || served(t, dir) != 0 {
		t.Errorf("list:\n%s", r.out)
	}
	mustBuild(t, dir)
	assertRan(t, dir)
}

// --daemon starts a server when none runs and builds through it; server
// status describes it and server stop ends it.
func TestServerDaemonFlagAndStatus(t *testing.T) {
	dir := project(t, serverFiles)
	r := gobuildj(t, dir, "server", "status")
	if r.code != 1 || !strings.Contains(r.out, "none runs") {
		t.Errorf("status without a server: exit code %d:\n%s", r.code, r.out)
	}
	mustBuild(t, dir, "--daemon")
	assertRan(t, dir, "gen", "upper")
	t.Cleanup(func() { gobuildj(t, dir, "server", "stop") })
	if served(t, dir) != 1 {
		t.Fatalf("--daemon did not build through a server")
	}
	mustBuild(t, dir)
	assertRan(t, dir)
	st := mustBuild(t, dir, "server", "status")
	for _, want := range []string{"pid ", "uptime ", "builds   2", "targets  6", "memory "} {
		if !strings.Contains(st.out, want) {
			t.Errorf("server status lacks %q:\n%s", want, st.out)
		}
	}
	fi, err := os.Lstat(filepath.Join(dir, ".gobuildj", "server.sock"))
	if err != nil || fi.Mode().Perm() != 0o600 || fi.Mode()&os.ModeSocket == 0 {
		t.Errorf("socket: %v %v", fi.Mode(), err)
	}
	if r := mustBuild(t, dir, "server", "stop"); !strings.Contains(r.out, "stopped") {
		t.Errorf("server stop:\n%s", r.out)
	}
	if _, err := os.Lstat(filepath.Join(dir, ".gobuildj", "server.sock")); err == nil {
		t.Errorf("the socket outlived the server")
	}
}

// A server ends when its Buildfile disappears, and after --idle.
func TestServerEnds(t *testing.T) {
	dir := project(t, serverFiles)
	pid := startTestServer(t, dir)
	os.Remove(filepath.Join(dir, "Buildfile.toml"))
	waitGone(t, pid)
	write(t, filepath.Join(dir, "Buildfile.toml"), serverProject)
	r := mustBuild(t, dir, "server", "start", "--idle", "1s")
	m := regexp.MustCompile(`\(pid (\d+)\)`).FindStringSubmatch(r.out)
	pid, _ = strconv.Atoi(m[1])
	waitGone(t, pid)
}

func waitGone(t *testing.T, pid int) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); processAlive(pid); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the server (pid %d) still runs", pid)
		}
	}
}

// Ctrl-C while the server's build loads (hashing an 8 GiB input): the
// client ends at once with exit code 130, as a standalone build does, and
// the build in the server stops without running its command.
func TestServerSignalDuringLoad(t *testing.T) {
	dir := slowLoadProject(t)
	startTestServer(t, dir)
	settle()
	cmd := exec.Command(binary)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "CI=true", "NO_COLOR=1")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	time.Sleep(200 * time.Millisecond)
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		cmd.Process.Kill()
		<-done
		t.Fatalf("the client did not end within 5s of SIGINT:\n%s", out.String())
	}
	if code := cmd.ProcessState.ExitCode(); code != 130 || !strings.Contains(out.String(), "interrupt before the build started; stopping") {
		t.Errorf("exit code %d, want 130:\n%s", code, out.String())
	}
	// The server's build ends once it has hashed the input.
	for deadline := time.Now().Add(60 * time.Second); served(t, dir) == 0; time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the server's build did not end")
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "ran.txt")); err == nil {
		t.Error("the command ran")
	}
}

// replayed counts the builds the server of dir answered from its memo of
// the last build that ran nothing.
func replayed(t *testing.T, dir string) int {
	t.Helper()
	b, _ := os.ReadFile(filepath.Join(dir, ".gobuildj", "server.log"))
	return strings.Count(string(b), "told again from memory")
}

// A build that runs nothing is told again from memory while nothing it
// looked at changed, and prints, records and exits as a standalone build;
// an edit, a standalone build in the server's folder and a Buildfile edit
// each make the server build again.
func TestServerKeepsNoop(t *testing.T) {
	tw := newTwin(t, serverFiles)
	tw.expect([]string{"-j1", "all", "other"}, 0, "gen", "upper", "other")
	tw.expect([]string{"-j1", "all", "other"}, 0)
	tw.expect([]string{"-j1", "all", "other"}, 0)
	tw.expect([]string{"-j1", "all", "other"}, 0)
	if got := replayed(t, tw.server); got != 2 {
		t.Errorf("%d no-ops told from memory, want 2", got)
	}
	// Other arguments: another build.
	tw.expect([]string{"-k", "-j1", "all", "other"}, 0)
	tw.do(func(dir string) { write(t, filepath.Join(dir, "src.txt"), "hello again\n") })
	tw.expect([]string{"-j1", "all", "other"}, 0, "gen", "upper")
	tw.expect([]string{"-j1", "all", "other"}, 0)
	tw.expect([]string{"-j1", "all", "other"}, 0)
	if got := replayed(t, tw.server); got != 3 {
		t.Errorf("%d no-ops told from memory, want 3", got)
	}
	// A standalone build in the server's folder, after an edit it alone
	// saw built: the server's next build checks again.
	tw.do(func(dir string) { write(t, filepath.Join(dir, "other.txt"), "standalone\n") })
	settle()
	for _, dir := range []string{tw.server, tw.alone} {
		if r := gobuildjEnv(t, dir, []string{"GOBUILDJ_NO_SERVER=1"}, "-j1", "all", "other"); r.code != 0 {
			t.Fatalf("standalone build: exit code %d:\n%s", r.code, r.out)
		}
		assertRan(t, dir, "other")
	}
	tw.expect([]string{"-j1", "all", "other"}, 0)
	if got := replayed(t, tw.server); got != 3 {
		t.Errorf("the build after a standalone one was told from memory")
	}
	tw.expect([]string{"-j1", "all", "other"}, 0)
	tw.expect([]string{"-j1", "all", "other"}, 0)
	// A Buildfile edit.
	tw.do(func(dir string) {
		write(t, filepath.Join(dir, "Buildfile.toml"), strings.Replace(serverProject, "tr a-z A-Z", "tr a-z A-Z | rev", 1))
	})
	tw.expect([]string{"-j1", "all", "other"}, 0, "upper")
	tw.expect([]string{"-j1", "all", "other"}, 0)
	tw.expect([]string{"-j1", "all", "other"}, 0)
	if got := read(t, filepath.Join(tw.server, "build/upper.txt")); got != "niaga olleh\n" {
		t.Errorf("build/upper.txt = %q", got)
	}
	if got := replayed(t, tw.server); got != 6 {
		t.Errorf("%d no-ops told from memory, want 6", got)
	}
	// The run records agree.
	counts := func(out string) string { // the counts of each run, not its id and times
		var b strings.Builder
		for _, line := range strings.Split(out, "\n") {
			if f := strings.Fields(line); len(f) >= 5 {
				fmt.Fprintln(&b, f[len(f)-5:])
			}
		}
		return b.String()
	}
	rs, ra := gobuildj(t, tw.server, "runs"), gobuildj(t, tw.alone, "runs")
	if s, a := counts(rs.out), counts(ra.out); s != a || rs.code != 0 {
		t.Errorf("gobuildj runs through the server:\n%s\n--- standalone:\n%s", s, a)
	}
}

// A program of the project that is no target's input, edited where no
// watch sees it: the server's next build runs again, as a standalone one
// does (the program's content is part of the action key).
func TestServerNoopSeesPrograms(t *testing.T) {
	files := map[string]string{
		"Buildfile.toml": `
[targets.gen]
inputs  = ["src.txt"]
outputs = ["gen.txt"]
cmd     = "echo gen >> ran.log; tools/conv.sh < ${in} > ${out}"
`,
		"src.txt":       "hello\n",
		"tools/conv.sh": "#!/bin/sh\ncat\n",
	}
	tw := newTwin(t, files)
	tw.do(func(dir string) { os.Chmod(filepath.Join(dir, "tools/conv.sh"), 0o755) })
	tw.expect([]string{"gen"}, 0, "gen")
	tw.expect([]string{"gen"}, 0)
	tw.expect([]string{"gen"}, 0)
	if got := replayed(t, tw.server); got != 1 {
		t.Errorf("%d no-ops told from memory, want 1", got)
	}
	tw.do(func(dir string) { write(t, filepath.Join(dir, "tools/conv.sh"), "#!/bin/sh\ntr a-z A-Z\n") })
	tw.expect([]string{"gen"}, 0, "gen")
	if got := read(t, filepath.Join(tw.server, "gen.txt")); got != "HELLO\n" {
		t.Errorf("gen.txt = %q", got)
	}
	tw.expect([]string{"gen"}, 0)
	tw.expect([]string{"gen"}, 0)
}

// A header found through a depfile, in a folder no input names, edited: the
// server builds what includes it, as a standalone build does, however many
// no-ops came before.
func TestServerNoopDepfile(t *testing.T) {
	files := map[string]string{
		"Buildfile.toml": `
[targets.obj]
inputs  = ["main.c"]
outputs = ["main.o"]
depfile = "main.d"
cmd     = "echo obj >> ran.log; cat ${in} include/defs.h > ${out}; printf 'main.o: main.c include/defs.h\n' > main.d"
`,
		"main.c":         "int main;\n",
		"include/defs.h": "#define A 1\n",
	}
	tw := newTwin(t, files)
	tw.expect([]string{"obj"}, 0, "obj")
	tw.expect([]string{"obj"}, 0)
	tw.expect([]string{"obj"}, 0)
	tw.do(func(dir string) { write(t, filepath.Join(dir, "include/defs.h"), "#define A 2\n") })
	tw.expect([]string{"obj"}, 0, "obj")
	tw.expect([]string{"obj"}, 0)
	if got := read(t, filepath.Join(tw.server, "main.o")); got != "int main;\n#define A 2\n" {
		t.Errorf("main.o = %q", got)
	}
}
