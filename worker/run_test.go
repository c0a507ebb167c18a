package worker

import (
	"bytes"
	"errors"
	"fmt"
	"github.com/gobuildj/gobuildj/sandbox"
	"github.com/gobuildj/gobuildj/trace"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gobuildj/gobuildj/cache"
	"github.com/gobuildj/gobuildj/sched"
)

// runJobs runs jobs through a real scheduler and worker process and returns
// their results in order.
func runJobs(t *testing.T, opts sched.Options, task sched.Task, jobs ...Job) []Result {
	t.Helper()
	s := sched.New(opts)
	results := make([]Result, len(jobs))
	for i := range jobs {
		tk := task
		tk.Func = TaskName
		tk.Payload = jobs[i].Encode()
		tk.OnEnd = func(r sched.Result) {
			// A job that returned after its TermTimeout has a result
			// that says how its commands ended.
			var te *sched.TimeoutError
			if errors.As(r.Err, &te) && te.Err == nil {
				r.Err = nil
			}
			if r.Err != nil {
				t.Errorf("job %s: %v", jobs[i].Target, r.Err)
				return
			}
			res, err := DecodeResult(r.Value)
			if err != nil {
				t.Errorf("job %s: %v", jobs[i].Target, err)
			}
			results[i] = res
		}
		s.AddTask(&tk)
	}
	done := make(chan error, 1)
	go func() { done <- s.Run() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(2 * time.Minute):
		t.Fatal("Run did not return")
	}
	return results
}

func writeScript(t testing.TB, path, text string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o777); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(text), 0o755); err != nil {
		t.Fatal(err)
	}
}

func TestRun(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "in.txt"), []byte("content\n"), 0o666); err != nil {
		t.Fatal(err)
	}
	writeScript(t, filepath.Join(dir, "script.sh"), "#!/bin/sh\necho script in $(pwd)\n")
	abs := func(p string) string { return filepath.Join(dir, p) }
	tests := []struct {
		name  string
		job   Job
		check func(t *testing.T, r Result)
	}{
		{"direct exec with an output", Job{Cmds: []string{"cp in.txt out/deep/a.txt"}, Outputs: []string{abs("out/deep/a.txt")}},
			func(t *testing.T, r Result) {
				if !r.OK() || r.FailedCmd != -1 || len(r.Outputs) != 1 {
					t.Fatalf("result %+v, want success with one output", r)
				}
				if want := cache.HashBytes([]byte("content\n")); r.Outputs[0].Hash != want || r.Outputs[0].Size != 8 {
					t.Errorf("output state %+v, want hash %v", r.Outputs[0], want)
				}
			}},
		{"output of both streams", Job{Cmds: []string{"echo out; echo err >&2; echo out2", "echo second"}},
			func(t *testing.T, r Result) {
				if !r.OK() || string(r.Output) != "out\nerr\nout2\nsecond\n" {
					t.Errorf("output %q, want both streams of both commands in order", r.Output)
				}
			}},
		{"failure deletes outputs", Job{Cmds: []string{"touch out/partial", "exit 3", "touch out/never"}, Outputs: []string{abs("out/partial")}},
			func(t *testing.T, r Result) {
				if r.OK() || r.FailedCmd != 1 || r.ExitCode != 3 || r.Signal != "" || r.Outputs != nil {
					t.Errorf("result %+v, want command 1 failed with code 3", r)
				}
				for _, p := range []string{"out/partial", "out/never"} {
					if _, err := os.Stat(abs(p)); !errors.Is(err, os.ErrNotExist) {
						t.Errorf("%s exists after the failure: %v", p, err)
					}
				}
			}},
		{"missing output", Job{Cmds: []string{"touch present"}, Outputs: []string{abs("present"), abs("out/y")}},
			func(t *testing.T, r Result) {
				if r.OK() || r.FailedCmd != -1 || !slices.Equal(r.Missing, []string{abs("out/y")}) {
					t.Errorf("result %+v, want out/y missing", r)
				}
				if _, err := os.Stat(abs("present")); err == nil {
					t.Error("the present output of a job with a missing one was kept")
				}
			}},
		{"killed by a signal", Job{Cmds: []string{"kill -TERM $$"}},
			func(t *testing.T, r Result) {
				if r.OK() || r.FailedCmd != 0 || r.Signal != "SIGTERM" || r.ExitCode != -1 {
					t.Errorf("result %+v, want killed by SIGTERM", r)
				}
			}},
		{"environment", Job{Target: "app", Cmds: []string{`echo "$GOBUILDJ_TARGET $FOO $HOME"`}, Env: []string{"FOO=bar", "HOME=/nowhere"}},
			func(t *testing.T, r Result) {
				if string(r.Output) != "app bar /nowhere\n" {
					t.Errorf("output %q, want the target name and the job's variables", r.Output)
				}
			}},
		{"folder and relative program", Job{Cmds: []string{"pwd", "./script.sh"}},
			func(t *testing.T, r Result) {
				if want := dir + "\nscript in " + dir + "\n"; !r.OK() || string(r.Output) != want {
					t.Errorf("output %q, want %q", r.Output, want)
				}
			}},
		{"program not found", Job{Cmds: []string{"no-such-program-gobuildj arg"}},
			func(t *testing.T, r Result) {
				if r.ExitCode != 127 || !strings.Contains(string(r.Output), "not found") {
					t.Errorf("result %+v, want the shell's not found, code 127", r)
				}
			}},
		{"background process holds the pipe", Job{Cmds: []string{"sleep 30 & echo done"}},
			func(t *testing.T, r Result) {
				// The background sleep holds the pipe: the job still ends.
				if !r.OK() || string(r.Output) != "done\n" || r.Duration > 20*time.Second {
					t.Errorf("result %+v, want done without waiting for the background sleep", r)
				}
			}},
		{"large output", Job{Cmds: []string{"head -c 3000000 /dev/zero"}, Project: dir},
			func(t *testing.T, r Result) {
				// Its head and its tail, around where the whole is.
				log := filepath.Join(dir, ".gobuildj/log/output/large%20output.log")
				notice := fmt.Sprintf("\ngobuildj: %d bytes of output not shown; the whole output is in %s\n", 3000000-outputKeep, log)
				want := string(make([]byte, outputHead)) + notice + string(make([]byte, outputTail))
				if !r.OK() || string(r.Output) != want {
					t.Errorf("captured %d bytes %.80q..., want the head and tail of 3000000 around %q", len(r.Output), r.Output[outputHead:], notice)
				}
				if b, err := os.ReadFile(log); err != nil || !bytes.Equal(b, make([]byte, 3000000)) {
					t.Errorf("the whole output: %d bytes, %v; want 3000000 zeros", len(b), err)
				}
			}},
		{"output that fits after a large one", Job{Cmds: []string{"echo small"}, Project: dir},
			func(t *testing.T, r Result) {
				if !r.OK() || string(r.Output) != "small\n" {
					t.Errorf("output %q, want small", r.Output)
				}
			}},
		{"shell of the job", Job{Cmds: []string{"echo -n $0"}, Shell: "bash"},
			func(t *testing.T, r Result) {
				if string(r.Output) != "bash" {
					t.Errorf("shell $0 = %q, want bash", r.Output)
				}
			}},
		{"missing folder", Job{Cmds: []string{"true"}, Dir: "/nonexistent/gobuildj"},
			func(t *testing.T, r Result) {
				if r.OK() || r.ExitCode != 127 || !strings.Contains(r.StartErr, "no such file or directory") {
					t.Errorf("result %+v, want a failure to enter the folder", r)
				}
			}},
	}
	jobs := make([]Job, len(tests))
	for i, tt := range tests {
		jobs[i] = tt.job
		if jobs[i].Dir == "" {
			jobs[i].Dir = dir
		}
		if jobs[i].Target == "" {
			jobs[i].Target = tt.name
		}
	}
	if _, err := os.Stat("/bin/bash"); err != nil {
		jobs[len(jobs)-2].Shell = "sh" // no bash: the check below fails loudly enough
	}
	// Jobs=1: the jobs run in order (some depend on files of earlier
	// ones) and share a worker (exercising the reused buffers).
	results := runJobs(t, sched.Options{Jobs: 1}, sched.Task{}, jobs...)
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { tt.check(t, results[i]) })
	}
}

func TestRunPassesFiles(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	res := runJobs(t, sched.Options{ExtraFiles: []*os.File{w}}, sched.Task{},
		Job{Target: "files", Dir: t.TempDir(), Cmds: []string{"echo hi >&3", "ls /proc/self/fd"}, Files: []int{5}})
	w.Close()
	if !res[0].OK() {
		t.Fatalf("result %+v", res[0])
	}
	buf := make([]byte, 3)
	if _, err := r.Read(buf); err != nil || string(buf) != "hi\n" {
		t.Errorf("read %q, %v from the job's fd 3", buf, err)
	}
	// ls sees its stdin/out/err, fd 3 (Files[0]) and its own directory
	// descriptor: neither the protocol pipes nor the worker's fd 5.
	if fds := strings.Fields(string(res[0].Output)); !slices.Equal(fds, []string{"0", "1", "2", "3", "4"}) {
		t.Errorf("command descriptors %q, want 0 to 4", fds)
	}
}

func TestRunStopsOnTermTimeout(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "out", "x")
	jobs := []Job{
		// The command dies of the signal.
		{Target: "dies", Dir: dir, Cmds: []string{"touch out/x", "sleep 30", "touch out/never"}, Outputs: []string{out}},
		// The command survives the signal and succeeds: the job still
		// stops before the next command.
		{Target: "traps", Dir: dir, Cmds: []string{`touch out/x; trap "exit 0" TERM; sleep 30 & wait`, "touch out/never"}, Outputs: []string{out}},
	}
	for _, job := range jobs {
		t.Run(job.Target, func(t *testing.T) {
			res := runJobs(t, sched.Options{}, sched.Task{TermTimeout: 500 * time.Millisecond}, job)[0]
			if res.OK() || res.Signal != "SIGTERM" || res.ExitCode != -1 {
				t.Errorf("result %+v, want stopped by SIGTERM", res)
			}
			if want := len(job.Cmds) - 2; res.FailedCmd != want {
				t.Errorf("FailedCmd = %d, want %d", res.FailedCmd, want)
			}
			for _, p := range []string{out, filepath.Join(dir, "out/never")} {
				if _, err := os.Stat(p); !errors.Is(err, os.ErrNotExist) {
					t.Errorf("%s exists after the job was stopped: %v", p, err)
				}
			}
		})
	}
}

func TestRunErrors(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "file"), nil, 0o666); err != nil {
		t.Fatal(err)
	}
	s := sched.New(sched.Options{})
	var errs []string
	for _, payload := range [][]byte{
		[]byte("\xff\xff"),
		(&Job{Target: "t", Dir: dir, Cmds: []string{"true"}, Outputs: []string{filepath.Join(dir, "file/sub/x")}}).Encode(),
		(&Job{Target: "d", Dir: dir, Cmds: []string{"mkdir -p out"}, Outputs: []string{filepath.Join(dir, "out")}}).Encode(),
	} {
		s.AddTask(&sched.Task{Func: TaskName, Payload: payload, OnEnd: func(r sched.Result) {
			errs = append(errs, strings.ReplaceAll(r.Err.Error(), dir, "DIR"))
		}})
	}
	if err := s.Run(); err != nil {
		t.Fatal(err)
	}
	want := []string{
		"decode job: truncated or corrupt data",
		"target t: create the folder of output DIR/file/sub/x: mkdir DIR/file: not a directory",
		"target d: fingerprint: DIR/out is a folder, not a regular file",
	}
	if !slices.Equal(errs, want) {
		t.Errorf("errors\n%q\nwant\n%q", errs, want)
	}
}

func TestPortsComeFromTheJobOnly(t *testing.T) {
	t.Setenv("GOBUILDJ_PORTS", "inherited") // never passed on
	dir := t.TempDir()
	res := runJobs(t, sched.Options{}, sched.Task{},
		Job{Target: "two", Dir: dir, Cmds: []string{"echo \"[$GOBUILDJ_PORTS]\""}, Env: []string{PortsEnv([]int{1234, 5678})}},
		Job{Target: "none", Dir: dir, Cmds: []string{"echo \"[$GOBUILDJ_PORTS]\""}})
	if got := string(res[0].Output); got != "[1234 5678]\n" {
		t.Errorf("a job with ports saw %q", got)
	}
	if got := string(res[1].Output); got != "[]\n" {
		t.Errorf("a job without ports saw %q", got)
	}
}

func TestEncodings(t *testing.T) {
	jobs := []Job{
		{},
		{Target: "app", Cmds: []string{"cc -c a.c", "echo ü"}, Dir: "/src", Env: []string{"A=1", "B="},
			Outputs: []string{"/src/a.o"}, Shell: "/bin/bash", Files: []int{5, 6, -1}, Remote: []byte("request\x00")},
		{Target: "t", Trace: true, Sandbox: &sandbox.Policy{Read: []string{"/usr", "/src/a.c"}, Write: []string{"/src/out"}, List: []string{"/src"}}},
	}
	for _, j := range jobs {
		b := j.Encode()
		got, err := DecodeJob(b)
		if err != nil || !jobEqual(got, j) {
			t.Errorf("DecodeJob(Encode(%+v)) = %+v, %v", j, got, err)
		}
		for n := range len(b) {
			if _, err := DecodeJob(b[:n]); err == nil {
				t.Errorf("DecodeJob of %d of %d bytes succeeded", n, len(b))
			}
		}
		if _, err := DecodeJob(append(b, 0)); err == nil {
			t.Error("DecodeJob with trailing data succeeded")
		}
	}
	results := []Result{
		{FailedCmd: -1},
		{ExitCode: -1, Signal: "SIGTERM", FailedCmd: 2, Output: []byte("out\x00put"),
			Outputs: []cache.FileState{{Size: 3, MtimeNs: 1e18, CtimeNs: -5, Inode: 1 << 60, Hash: cache.HashBytes([]byte("x")), Racy: true}, {}},
			Missing: []string{"/a", "/b"}, Duration: 1500 * time.Millisecond},
		{FailedCmd: -1, Cached: true, Remote: true, SHA256: [][32]byte{{1, 2}, {}}, RemoteErr: "down", RemoteNote: "refused", NotShared: "local"},
		{FailedCmd: -1, Trace: &trace.Report{Read: []string{"/a", "/b"}, Written: []string{"/c"}, Probed: []string{"/d"}}},
	}
	for _, r := range results {
		b := r.Encode()
		got, err := DecodeResult(b)
		if err != nil || !resultEqual(got, r) {
			t.Errorf("DecodeResult(Encode(%+v)) = %+v, %v", r, got, err)
		}
		for n := range len(b) {
			if _, err := DecodeResult(b[:n]); err == nil {
				t.Errorf("DecodeResult of %d of %d bytes succeeded", n, len(b))
			}
		}
	}
	// A count larger than the data must not allocate it.
	if _, err := DecodeResult([]byte{0, 0, 1, 0, 0xff, 0xff, 0xff, 0xff, 0x0f}); err == nil {
		t.Error("DecodeResult with a huge output count succeeded")
	}
}

func jobEqual(a, b Job) bool {
	return a.Target == b.Target && slices.Equal(a.Cmds, b.Cmds) && a.Dir == b.Dir && slices.Equal(a.Env, b.Env) &&
		slices.Equal(a.Outputs, b.Outputs) && a.Shell == b.Shell && slices.Equal(a.Files, b.Files) && bytes.Equal(a.Remote, b.Remote) &&
		a.Trace == b.Trace && reflect.DeepEqual(a.Sandbox, b.Sandbox)
}

func resultEqual(a, b Result) bool {
	return a.ExitCode == b.ExitCode && a.Signal == b.Signal && a.FailedCmd == b.FailedCmd &&
		bytes.Equal(a.Output, b.Output) && slices.Equal(a.Outputs, b.Outputs) &&
		slices.Equal(a.Missing, b.Missing) && a.Duration == b.Duration && a.Cached == b.Cached && a.Remote == b.Remote &&
		slices.Equal(a.SHA256, b.SHA256) && a.RemoteErr == b.RemoteErr && a.RemoteNote == b.RemoteNote && a.NotShared == b.NotShared &&
		reflect.DeepEqual(a.Trace, b.Trace)
}
