package worker

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/gobuildj/gobuildj/sandbox"
	"github.com/gobuildj/gobuildj/sched"
)

// A sandboxed job's policy is made into a Landlock ruleset once, when the
// job starts, and each of its commands is forked from an OS thread that
// the ruleset restricts and that ends right after (sandbox.Ruleset.Start):
// the command inherits the restriction, the worker's other threads and
// its later jobs do not. A traced one (spawnTraced, and the rerun that
// explains a denial) starts through the launcher (package launch) instead,
// which restricts itself and installs the tracer's filter before it execs
// the command. Each job gets a private temp folder, TMPDIR, that its
// commands may write and that is removed after them: the system's /tmp is
// outside the policy, so a command reads no other build's temp files and
// leaves none behind.

// sandboxJob returns a copy of job whose policy lets it write its private
// temp folder, with that policy made into a ruleset, the environment with
// TMPDIR set to it, and a function that removes the folder and releases
// the ruleset. Jobs without a sandbox are returned as they are.
func sandboxJob(job *Job, env []string) (*Job, []string, func(), error) {
	if job.Sandbox == nil {
		return job, env, func() {}, nil
	}
	tmp, err := os.MkdirTemp("", "gobuildj-sandbox-")
	if err != nil {
		return job, env, func() {}, fmt.Errorf("create the sandbox's temp folder: %w", err)
	}
	p := sandbox.Policy{Read: job.Sandbox.Read, List: job.Sandbox.List, Write: append(job.Sandbox.Write[:len(job.Sandbox.Write):len(job.Sandbox.Write)], tmp)}
	rs, err := sandbox.NewRuleset(p)
	if err != nil {
		os.RemoveAll(tmp)
		return job, env, func() {}, fmt.Errorf("sandbox: %w", err)
	}
	j := *job
	j.Sandbox = &p
	j.ruleset = rs
	env = append(slices.DeleteFunc(slices.Clone(env), func(kv string) bool { return strings.HasPrefix(kv, "TMPDIR=") }), "TMPDIR="+tmp)
	return &j, env, func() { rs.Close(); os.RemoveAll(tmp) }, nil
}

// confined calls start, which forks a command of job, from a thread the
// job's sandbox restricts when it has one (see sandbox.Ruleset.Start),
// else as it is.
func confined(job *Job, start func() error) error {
	if job.ruleset == nil {
		return start()
	}
	return job.ruleset.Start(start)
}

// explainDenied names what the sandbox denied a sandboxed job's failed
// command, as a line for its output: the sandbox answers the command
// EACCES and says nothing else, so the command is rerun once under the
// tracer, in the same sandbox, and the first access its report shows
// outside the policy is named. The rerun is safe: the sandbox confines its
// writes to the outputs' folders and the temp folder, which a failure
// clears anyway. A traced job's commands ran under the tracer already:
// their report is used as it is. It returns "" for a job that is not
// sandboxed, was stopped, or failed for another reason than the sandbox.
func (r *runner) explainDenied(ctx *sched.WorkerContext, job *Job, env []string, res *Result) string {
	if job.Sandbox == nil || res.FailedCmd < 0 || res.Signal != "" || res.StartErr != "" || stopped(ctx) {
		return ""
	}
	if !job.Trace {
		traced := *job
		traced.Trace = true
		var scratch outputBuf
		scratch.reset(&Job{})
		r.traced.Reset()
		_, err := r.command(job.Cmds[res.FailedCmd], &traced, env, &scratch)
		scratch.finish()
		if err != nil {
			return ""
		}
	}
	v, ok := job.Sandbox.Violation(r.traced.Report(), job.Project)
	if !ok {
		return ""
	}
	path := v.Path
	if rel, err := filepath.Rel(job.Project, path); job.Project != "" && err == nil && filepath.IsLocal(rel) {
		path = rel
	}
	if v.Folder {
		return fmt.Sprintf("gobuildj: sandbox: it may have failed for being denied the listing of folder %s (only the project's folders may be listed, and the folders of its inputs and tools read)\n", path)
	}
	if v.Write {
		return fmt.Sprintf("gobuildj: sandbox: denied write of %s (not in the folder of an output of %s)\n", path, job.Target)
	}
	return fmt.Sprintf("gobuildj: sandbox: denied read of %s (not among the inputs of %s, the outputs of its deps, its tools or the system folders)\n", path, job.Target)
}
