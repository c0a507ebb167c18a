package worker

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gobuildj/gobuildj/sandbox"
	"github.com/gobuildj/gobuildj/sched"
)

// The commands of a sandboxed job are confined, and nothing else of the
// worker is: the unsandboxed jobs it runs after them, on whatever thread,
// read and write freely.
func TestSandboxConfinesTheJobNotTheWorker(t *testing.T) {
	if abi := sandbox.ABI(); abi < sandbox.MinABI {
		t.Skipf("this kernel has no usable Landlock (ABI %d)", abi)
	}
	dir := t.TempDir()
	abs := func(p string) string { return filepath.Join(dir, p) }
	for name, text := range map[string]string{"in.txt": "in\n", "secret.txt": "secret\n"} {
		if err := os.WriteFile(abs(name), []byte(text), 0o666); err != nil {
			t.Fatal(err)
		}
	}
	policy := &sandbox.Policy{
		Read:  []string{"/usr", "/bin", "/lib", "/lib64", "/etc", "/proc", abs("in.txt")},
		Write: []string{"/dev/null", abs("out")},
	}
	var jobs []Job
	// Sandboxed jobs, direct and through the shell, between unsandboxed
	// ones: a restricted thread that went back to the runtime's pool would
	// confine a later job's command. The worker runs one job at a time.
	for i := range 6 {
		jobs = append(jobs,
			Job{Target: "confined", Dir: dir, Sandbox: policy, Outputs: []string{abs("out/a")},
				Cmds: []string{"cat in.txt > out/a", "cat /proc/self/status"}},
			Job{Target: "denied", Dir: dir, Sandbox: policy, Cmds: []string{"cat secret.txt"}},
			Job{Target: "denied-write", Dir: dir, Sandbox: policy, Cmds: []string{"sh -c 'echo x > free.txt'"}},
			Job{Target: "free", Dir: dir, Outputs: []string{abs(filepath.Join("free", string(rune('a'+i))))},
				Cmds: []string{"cat secret.txt", "echo x > free.txt", "cp secret.txt free/" + string(rune('a'+i)), "cat /proc/self/status"}},
		)
	}
	// A sandboxed command that cannot start is reported as an unsandboxed
	// one is, by the shell.
	jobs = append(jobs,
		Job{Target: "missing", Dir: dir, Sandbox: policy, Cmds: []string{"./no-such-tool"}},
		Job{Target: "missing", Dir: dir, Cmds: []string{"./no-such-tool"}})
	results := runJobs(t, sched.Options{Jobs: 1}, sched.Task{}, jobs...)
	ppids := map[string]bool{}
	for i, res := range results[:len(results)-2] {
		job := jobs[i]
		out := string(res.Output)
		switch job.Target {
		case "confined", "free":
			if !res.OK() {
				t.Fatalf("job %d %s: %+v, output:\n%s", i, job.Target, res, out)
			}
			nnp := "NoNewPrivs:\t0"
			if job.Sandbox != nil {
				nnp = "NoNewPrivs:\t1"
			}
			if !strings.Contains(out, nnp) {
				t.Errorf("job %d %s: its command's status lacks %q:\n%s", i, job.Target, nnp, out)
			}
			ppids[field(out, "PPid:")] = true
		case "denied":
			if res.OK() || res.ExitCode != 1 || !strings.Contains(out, "secret.txt: Permission denied") {
				t.Errorf("job %d reads an undeclared file: %+v, output:\n%s", i, res, out)
			}
		case "denied-write":
			if res.OK() || !strings.Contains(out, "Permission denied") {
				t.Errorf("job %d writes outside its outputs: %+v, output:\n%s", i, res, out)
			}
		}
	}
	if len(ppids) != 1 {
		t.Errorf("the commands had the parents %v: want one worker", ppids)
	}
	if got := string(results[len(results)-1].Output); got == "" || string(results[len(results)-2].Output) != got {
		t.Errorf("a missing program, sandboxed: %q; unsandboxed: %q", results[len(results)-2].Output, got)
	}
	if got, err := os.ReadFile(abs("free.txt")); err != nil || string(got) != "x\n" {
		t.Errorf("free.txt = %q, %v", got, err)
	}
}

// field returns the value of the line of status that starts with name.
func field(status, name string) string {
	for line := range strings.SplitSeq(status, "\n") {
		if v, ok := strings.CutPrefix(line, name); ok {
			return strings.TrimSpace(v)
		}
	}
	return ""
}
