package worker

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/gobuildj/gobuildj/sandbox"
	"github.com/gobuildj/gobuildj/sched"
)

// BenchmarkCommand compares running `cp a b` directly (ForkExec of cp) with
// running it through /bin/sh -c, in this process, directly but traced
// (through the launcher, this test binary), and directly in the sandbox
// (forked from a restricted thread; where the kernel has Landlock).
func BenchmarkCommand(b *testing.B) {
	dir := b.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "a"), []byte("content\n"), 0o666); err != nil {
		b.Fatal(err)
	}
	job := &Job{Dir: dir}
	r := newRunner()
	env := r.environ(job)
	var confined *Job
	var confinedEnv []string
	if sandbox.ABI() >= sandbox.MinABI {
		j, e, clean, err := sandboxJob(&Job{Dir: dir, Sandbox: &sandbox.Policy{
			Read:  []string{"/usr", "/bin", "/lib", "/lib64", "/etc"},
			Write: []string{dir},
		}}, env)
		if err != nil {
			b.Fatal(err)
		}
		defer clean()
		confined, confinedEnv = j, e
	}
	for _, bc := range []struct {
		name string
		run  func(out *outputBuf) error
	}{
		{"direct", func(out *outputBuf) error {
			ws, err := r.command("cp a b", job, env, out)
			if err == nil && ws.ExitStatus() != 0 {
				b.Fatalf("cp: %s", sched.ProcessStatus(ws))
			}
			return err
		}},
		{"shell", func(out *outputBuf) error {
			ws, err := r.shell("cp a b", job, env, out)
			if err == nil && ws.ExitStatus() != 0 {
				b.Fatalf("sh: %s", sched.ProcessStatus(ws))
			}
			return err
		}},
		{"traced", func(out *outputBuf) error {
			traced := *job
			traced.Trace = true
			ws, err := r.command("cp a b", &traced, env, out)
			if err == nil && ws.ExitStatus() != 0 {
				b.Fatalf("cp traced: %s", sched.ProcessStatus(ws))
			}
			return err
		}},
		{"sandboxed", func(out *outputBuf) error {
			if confined == nil {
				b.Skip("this kernel has no usable Landlock")
			}
			ws, err := r.command("cp a b", confined, confinedEnv, out)
			if err == nil && ws.ExitStatus() != 0 {
				b.Fatalf("cp sandboxed: %s", sched.ProcessStatus(ws))
			}
			return err
		}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			var out outputBuf
			for b.Loop() {
				out.reset(job)
				if err := bc.run(&out); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkJobs runs 200 one-command jobs through the scheduler and worker
// processes (Jobs=2) with a command that is executed directly and with one
// that needs the shell; ns/job includes the worker hop.
func BenchmarkJobs(b *testing.B) {
	const n = 200
	dir := b.TempDir()
	for i := range n {
		if err := os.WriteFile(filepath.Join(dir, strconv.Itoa(i)+".txt"), []byte("content\n"), 0o666); err != nil {
			b.Fatal(err)
		}
	}
	for _, bc := range []struct{ name, format string }{
		{"direct", "cp %d.txt out/%d.o"},
		{"shell", `cp "%d.txt" out/%d.o`},
	} {
		payloads := make([][]byte, n)
		for i := range payloads {
			s := strconv.Itoa(i)
			cmd := fmt.Sprintf(bc.format, i, i)
			payloads[i] = (&Job{Target: s, Dir: dir, Cmds: []string{cmd}, Outputs: []string{filepath.Join(dir, "out", s+".o")}}).Encode()
		}
		b.Run(bc.name, func(b *testing.B) {
			start := time.Now()
			for b.Loop() {
				s := sched.New(sched.Options{Jobs: 2})
				failed := 0
				for _, p := range payloads {
					s.AddTask(&sched.Task{Func: TaskName, Payload: p, OnEnd: func(r sched.Result) {
						if res, err := DecodeResult(r.Value); r.Err != nil || err != nil || !res.OK() {
							failed++
						}
					}})
				}
				if err := s.Run(); err != nil {
					b.Fatal(err)
				}
				if failed > 0 {
					b.Fatalf("%d jobs failed", failed)
				}
			}
			b.ReportMetric(float64(time.Since(start).Nanoseconds())/float64(b.N*n), "ns/job")
		})
	}
}
