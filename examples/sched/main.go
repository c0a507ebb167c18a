// Command sched is a test runner in the manner of tezt, built on package
// sched (with a group and typed messages from sched/schedx, and TCP ports
// from package ports): it runs many tests in parallel, each in a worker
// process of its own (a crash or a hang cannot take the runner down), in a
// sandbox folder of its own, with a free TCP port chosen by the scheduler
// when the test starts; a test that hangs is sent SIGTERM at its timeout
// and SIGKILL a grace later, with everything it started.
//
//	go run ./examples/sched            # 100 tests, one of which hangs
//	go run ./examples/sched -j 16 -n 500 -timeout 1s
//
// Every test but one starts a TCP echo server on its port and talks to it;
// the test named "hang" starts a `sleep` and then ignores SIGTERM, and is
// expected to be killed at its timeout. The runner exits 0 when every test
// ended as expected.
package main

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/gobuildj/gobuildj/ports"
	"github.com/gobuildj/gobuildj/sched"
	"github.com/gobuildj/gobuildj/sched/schedx"
)

// testName is the registered task that runs one test.
const testName = "example.test"

func init() { schedx.RegisterFunc(testName, runTest) }

func main() {
	if sched.IsWorker() {
		sched.WorkerMain()
	}
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// spec is a test as the runner queues it.
type spec struct {
	Name string
	Hang bool // ignore SIGTERM and never return
}

// setup is what the scheduler sends a test when it starts: known only
// then, so that no two running tests share a port.
type setup struct {
	Port    int
	Sandbox string
}

// outcome is what a test returns.
type outcome struct {
	Port  int
	Reply string // what its echo server sent back
}

// runTest runs one test in a worker.
func runTest(ctx *sched.WorkerContext, sp spec) (outcome, error) {
	su, err := schedx.Typed[setup]{}.Receive(ctx)
	if err != nil {
		return outcome{}, err
	}
	if err := os.WriteFile(filepath.Join(su.Sandbox, "started"), []byte(sp.Name+"\n"), 0o644); err != nil {
		return outcome{}, err
	}
	if sp.Hang {
		// A command of the test, in the worker's process group, and a
		// test function that ignores Done: only SIGKILL ends it.
		sleep := exec.Command("sleep", "300")
		if err := sleep.Start(); err != nil {
			return outcome{}, err
		}
		_ = schedx.Typed[int]{}.ToScheduler(ctx, sleep.Process.Pid)
		select {}
	}
	reply, err := echo(su.Port, sp.Name)
	if err != nil {
		return outcome{}, err
	}
	return outcome{Port: su.Port, Reply: reply}, nil
}

// echo serves one line on 127.0.0.1:port and sends it msg.
func echo(port int, msg string) (string, error) {
	l, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", port))
	if err != nil {
		return "", fmt.Errorf("listen on the test's port: %w", err)
	}
	defer l.Close()
	go func() {
		c, err := l.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		line, _ := bufio.NewReader(c).ReadString('\n')
		io.WriteString(c, line)
	}()
	c, err := net.Dial("tcp", l.Addr().String())
	if err != nil {
		return "", err
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := io.WriteString(c, msg+"\n"); err != nil {
		return "", err
	}
	line, err := bufio.NewReader(c).ReadString('\n')
	return strings.TrimSuffix(line, "\n"), err
}

// report is the runner's account of one test.
type report struct {
	name   string
	port   int
	err    error
	hangOK bool // the hung test was killed at its timeout, as expected
	extra  string
}

func run(args []string, stdout, stderr io.Writer) int {
	fl := flag.NewFlagSet("sched", flag.ContinueOnError)
	fl.SetOutput(stderr)
	jobs := fl.Int("j", 8, "run `N` tests at once")
	n := fl.Int("n", 100, "run `N` tests (one of them hangs)")
	timeout := fl.Duration("timeout", 2*time.Second, "SIGTERM a test after this long, SIGKILL a second later")
	if err := fl.Parse(args); err != nil {
		return 2
	}
	if *n < 1 || *jobs < 1 {
		fmt.Fprintln(stderr, "sched: -n and -j must be at least 1")
		return 2
	}
	root, err := os.MkdirTemp("", "sched-example-")
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	defer os.RemoveAll(root)

	var pool ports.Pool
	inUse := map[int]string{} // port -> running test: checks what the pool promises
	s := sched.New(sched.Options{Jobs: *jobs})
	suite := schedx.NewGroup(s, "suite")
	reports := make([]report, 0, *n)
	for i := range *n {
		sp := spec{Name: fmt.Sprintf("test-%03d", i)}
		if i == *n/2 {
			sp = spec{Name: "hang", Hang: true}
		}
		t, err := schedx.NewTask(testName, sp)
		if err != nil {
			fmt.Fprintln(stderr, err)
			return 1
		}
		t.Key = sp.Name
		t.TermTimeout, t.KillTimeout = *timeout, time.Second
		var held []int
		var rep report
		rep.name = sp.Name
		t.OnStart = func(ctx *sched.SchedulerContext) {
			sandbox := filepath.Join(root, sp.Name)
			p, err := pool.Take(1)
			if err == nil {
				err = os.Mkdir(sandbox, 0o755)
			}
			if err != nil {
				rep.err = err
				s.Cancel(t)
				return
			}
			if other, ok := inUse[p[0]]; ok {
				rep.err = fmt.Errorf("port %d is also held by running test %s", p[0], other)
			}
			inUse[p[0]] = sp.Name
			held, rep.port = p, p[0]
			_ = schedx.Typed[setup]{}.ToWorker(ctx, setup{Port: p[0], Sandbox: sandbox})
		}
		t.OnMessage = func(ctx *sched.SchedulerContext, msg []byte) {
			pid, _ := schedx.Typed[int]{}.Decode(msg)
			rep.extra = fmt.Sprintf("its command (pid %d) ran in the group of worker %d", pid, ctx.Pid())
		}
		t.OnEnd = func(r sched.Result) {
			switch {
			case sp.Hang:
				var exit *sched.WorkerExitError
				rep.hangOK = r.TimedOut && errors.As(r.Err, &exit) && exit.WaitStatus.Signaled()
				rep.err = r.Err
				if rep.hangOK {
					rep.err = exit // the report says it was at its timeout
				}
			case r.Err != nil:
				if rep.err == nil {
					rep.err = r.Err
				}
			default:
				o, err := schedx.Typed[outcome]{}.Decode(r.Value)
				if err == nil && (o.Reply != sp.Name || o.Port != rep.port) {
					err = fmt.Errorf("echo server on port %d answered %q", o.Port, o.Reply)
				}
				rep.err = err
			}
			reports = append(reports, rep)
			// The sandbox goes whatever happened; the port is free
			// again.
			for _, p := range held {
				delete(inUse, p)
			}
			pool.Release(held)
			os.RemoveAll(filepath.Join(root, sp.Name))
		}
		suite.Add(t)
	}
	suite.Close()
	start := time.Now()
	if err := s.Run(); err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	return summarize(stdout, reports, suite.Status(), *jobs, time.Since(start))
}

// summarize prints the failures and a summary, and returns the exit code.
func summarize(w io.Writer, reports []report, st schedx.GroupStatus, jobs int, took time.Duration) int {
	sort.Slice(reports, func(i, j int) bool { return reports[i].name < reports[j].name })
	passed, bad := 0, 0
	distinct := map[int]bool{}
	for _, r := range reports {
		if r.port != 0 {
			distinct[r.port] = true
		}
		switch {
		case r.name == "hang" && r.hangOK:
			fmt.Fprintf(w, "[killed] hang: %v at its timeout, as expected; %s\n", r.err, r.extra)
		case r.name == "hang":
			bad++
			fmt.Fprintf(w, "[FAILED] hang: expected to be killed at its timeout, got %v\n", r.err)
		case r.err != nil:
			bad++
			fmt.Fprintf(w, "[FAILED] %s: %v\n", r.name, r.err)
		default:
			passed++
		}
	}
	fmt.Fprintf(w, "%d tests in %d workers in %s: %d passed, %d failed; %d distinct ports, never one to two running tests\n",
		st.Total, jobs, took.Round(time.Millisecond), passed, bad, len(distinct))
	if bad > 0 || st.Complete != st.Total {
		return 1
	}
	return 0
}
