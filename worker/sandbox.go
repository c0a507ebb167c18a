package worker

import (
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/gobuildj/gobuildj/internal/launch"
	"github.com/gobuildj/gobuildj/sandbox"
)

// A sandboxed job's commands start through the launcher (package launch):
// a re-execution of gobuildj that restricts itself with the job's policy
// and then execs the command, which keeps the restriction. Each job gets a
// private temp folder, TMPDIR, that its commands may write and that is
// removed after them: the system's /tmp is outside the policy, so a
// command reads no other build's temp files and leaves none behind.

// sandboxJob returns a copy of job whose policy lets it write its private
// temp folder, the environment with TMPDIR set to it, and a function that
// removes the folder. Jobs without a sandbox are returned as they are.
func sandboxJob(job *Job, env []string) (*Job, []string, func(), error) {
	if job.Sandbox == nil {
		return job, env, func() {}, nil
	}
	tmp, err := os.MkdirTemp("", "gobuildj-sandbox-")
	if err != nil {
		return job, env, func() {}, fmt.Errorf("create the sandbox's temp folder: %w", err)
	}
	p := sandbox.Policy{Read: job.Sandbox.Read, Write: append(job.Sandbox.Write[:len(job.Sandbox.Write):len(job.Sandbox.Write)], tmp)}
	j := *job
	j.Sandbox = &p
	env = append(slices.DeleteFunc(slices.Clone(env), func(kv string) bool { return strings.HasPrefix(kv, "TMPDIR=") }), "TMPDIR="+tmp)
	return &j, env, func() { os.RemoveAll(tmp) }, nil
}

// launcher returns the program and arguments that run path with argv as
// job asks: through the launcher when it is sandboxed (and not traced:
// spawnTraced launches itself), else as they are.
func launcher(path string, argv []string, job *Job) (string, []string) {
	if job.Sandbox == nil || job.Trace {
		return path, argv
	}
	return selfExe, launch.Argv(selfExe, &launch.Spec{Path: path, Argv: argv, Sandbox: job.Sandbox})
}
