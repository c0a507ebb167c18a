package worker

import (
	"errors"
	"fmt"
	"strings"
	"time"
	"unsafe"

	"github.com/gobuildj/gobuildj/cache"
	"github.com/gobuildj/gobuildj/internal/wire"
	"github.com/gobuildj/gobuildj/sandbox"
	"github.com/gobuildj/gobuildj/trace"
)

// Job is what the engine sends a worker for one target: its commands and
// where and how to run them.
type Job struct {
	Target  string   // the target's name, for GOBUILDJ_TARGET and messages
	Cmds    []string // run in order; the job stops at the first failure
	Dir     string   // absolute working directory
	Env     []string // KEY=value, added to (overriding) the worker's environment
	Outputs []string // absolute paths: parent folders are created before the commands run; hashed after success, deleted after failure (see deleteOutputs)
	// Depfile, if set, is the absolute path of the depfile the commands
	// write: the last one is removed just before the commands start (not
	// when the job is queued: a job that never starts keeps it).
	Depfile string
	Shell   string // the shell for commands with shell syntax; "" means /bin/sh
	Files   []int  // worker descriptors passed to every command as fds 3, 4, ... (a jobserver)
	// Remote, if set, is an encoded remote.Request: look the action up in
	// a remote cache (or run it remotely) before running it here, and
	// share a successful local run.
	Remote []byte
	// Project is the Buildfile's folder. An output file that lies outside
	// it, once symbolic links are resolved, is removed after a failure only
	// if the commands wrote it; an output too long to keep in memory goes
	// whole to the target's log in its state folder (statedir.Dir.OutputLog;
	// "" keeps no such log).
	Project string
	// Trace runs the commands under the tracer (package trace): the
	// result's Trace says what they did to files.
	Trace bool
	// Sandbox, if set, runs the commands in a Landlock sandbox with this
	// file access (package sandbox).
	Sandbox *sandbox.Policy

	// ruleset is Sandbox made into a Landlock ruleset by sandboxJob, for
	// the job's commands (not encoded).
	ruleset *sandbox.Ruleset
}

// Result is what a worker answers for a Job.
type Result struct {
	// ExitCode is the exit code of the failing command, 0 if none failed,
	// -1 if it was killed by (or interrupted after) a signal.
	ExitCode int
	// Signal names the signal that killed the failing command ("SIGTERM"),
	// or that the job received (TermTimeout, Stop) before it could finish;
	// "" if none.
	Signal string
	// FailedCmd is the index in Job.Cmds of the command that failed or
	// was running when the job was told to stop; -1 if all succeeded.
	FailedCmd int
	// Output is the stdout and stderr of the commands, interleaved as
	// written: whole up to a MiB, and past that its beginning and its end
	// around a line that says how much was left out and where the whole
	// output is (see outputKeep).
	Output []byte
	// Outputs has one state per Job.Outputs, taken after the commands
	// succeeded; empty if the job failed.
	Outputs []cache.FileState
	// Missing lists the declared outputs that commands which all succeeded
	// did not create; the job then fails.
	Missing []string
	// StartErr says why the failing command (FailedCmd) could not be
	// started at all ("argument list too long ..."); ExitCode is then
	// 127, as a shell's for a command it cannot run. "" otherwise.
	StartErr string
	// Duration is how long the job took in the worker.
	Duration time.Duration

	// The fields below are set only for a job with Remote.

	// Cached is set when the outputs came from a remote cache: no command
	// ran.
	Cached bool
	// Remote is set when the commands ran on a remote worker.
	Remote bool
	// SHA256 has one SHA-256 per output when known (all zero otherwise),
	// so that the engine need not read the outputs again.
	SHA256 [][32]byte
	// RemoteErr says why the remote server could not be used (it was
	// down, slow or refused): the job ran locally instead.
	RemoteErr string
	// RemoteNote reports a cache entry that was refused (a blob that does
	// not match its digest, a path outside the tree): the job ran locally.
	RemoteNote string
	// NotShared says why a successful local run was not shared through
	// the remote cache although it was asked to be (its depfile names a
	// file outside the project, ...); "" if it was, or was not asked.
	NotShared string

	// Trace is what the commands did to files, for a job with Trace; nil
	// otherwise.
	Trace *trace.Report
}

// OK reports whether every command succeeded and created every output.
func (r *Result) OK() bool {
	return r.FailedCmd < 0 && r.Signal == "" && r.ExitCode == 0 && len(r.Missing) == 0
}

// The encodings below are hand-written (uvarint lengths, varint numbers):
// a job crosses the process boundary twice per target, so they avoid gob
// and json. Both ends are the same binary, so there is no versioning.

// Encode returns the binary form of j, for DecodeJob.
func (j *Job) Encode() []byte {
	n := 24 + len(j.Target) + len(j.Dir) + len(j.Shell) + len(j.Depfile) + 4*len(j.Files) + len(j.Remote) + len(j.Project)
	for _, ss := range [][]string{j.Cmds, j.Env, j.Outputs} {
		for _, s := range ss {
			n += len(s) + 2
		}
	}
	b := make([]byte, 0, n)
	b = wire.AppendString(b, j.Target)
	b = wire.AppendStrings(b, j.Cmds)
	b = wire.AppendString(b, j.Dir)
	b = wire.AppendStrings(b, j.Env)
	b = wire.AppendStrings(b, j.Outputs)
	b = wire.AppendString(b, j.Shell)
	b = wire.AppendString(b, j.Depfile)
	b = wire.AppendUvarint(b, uint64(len(j.Files)))
	for _, fd := range j.Files {
		b = wire.AppendVarint(b, int64(fd))
	}
	b = wire.AppendBytes(b, j.Remote)
	b = wire.AppendString(b, j.Project)
	b = wire.AppendBool(b, j.Trace)
	b = wire.AppendBool(b, j.Sandbox != nil)
	if j.Sandbox != nil {
		b = wire.AppendStrings(b, j.Sandbox.Read)
		b = wire.AppendStrings(b, j.Sandbox.Write)
		b = wire.AppendStrings(b, j.Sandbox.List)
	}
	return b
}

// DecodeJob decodes a Job encoded by Job.Encode.
func DecodeJob(b []byte) (Job, error) {
	d := newDecoder(b)
	var j Job
	j.Target = d.string()
	j.Cmds = d.strings()
	j.Dir = d.string()
	j.Env = d.strings()
	j.Outputs = d.strings()
	j.Shell = d.string()
	j.Depfile = d.string()
	if n := d.Count(1); n > 0 {
		j.Files = make([]int, n)
		for i := range j.Files {
			j.Files[i] = int(d.Varint())
		}
	}
	if r := d.bytes(); len(r) > 0 {
		j.Remote = r
	}
	j.Project = d.string()
	j.Trace = d.Bool()
	if d.Bool() {
		j.Sandbox = &sandbox.Policy{Read: d.strings(), Write: d.strings(), List: d.strings()}
	}
	if err := d.end(); err != nil {
		return Job{}, fmt.Errorf("decode job: %w", err)
	}
	return j, nil
}

// fileStateSize bounds the encoding of a cache.FileState from below, to
// check counts before allocating.
const fileStateSize = 4 + len(cache.Hash{}) + 1

// Encode returns the binary form of r, for DecodeResult.
func (r *Result) Encode() []byte {
	return r.appendTo(make([]byte, 0, 32+len(r.Signal)+len(r.Output)+40*len(r.Outputs)))
}

func (r *Result) appendTo(b []byte) []byte {
	b = wire.AppendVarint(b, int64(r.ExitCode))
	b = wire.AppendString(b, r.Signal)
	b = wire.AppendVarint(b, int64(r.FailedCmd))
	b = wire.AppendBytes(b, r.Output)
	b = wire.AppendUvarint(b, uint64(len(r.Outputs)))
	for _, st := range r.Outputs {
		b = wire.AppendVarint(b, st.Size)
		b = wire.AppendVarint(b, st.MtimeNs)
		b = wire.AppendVarint(b, st.CtimeNs)
		b = wire.AppendUvarint(b, st.Inode)
		b = append(b, st.Hash[:]...)
		b = wire.AppendBool(b, st.Racy)
	}
	b = wire.AppendStrings(b, r.Missing)
	b = wire.AppendVarint(b, int64(r.Duration))
	var flags byte
	if r.Cached {
		flags |= 1
	}
	if r.Remote {
		flags |= 2
	}
	b = append(b, flags)
	b = wire.AppendUvarint(b, uint64(len(r.SHA256)))
	for _, h := range r.SHA256 {
		b = append(b, h[:]...)
	}
	b = wire.AppendString(b, r.RemoteErr)
	b = wire.AppendString(b, r.RemoteNote)
	b = wire.AppendString(b, r.NotShared)
	b = wire.AppendString(b, r.StartErr)
	b = wire.AppendBool(b, r.Trace != nil)
	if t := r.Trace; t != nil {
		b = wire.AppendStrings(b, t.Read)
		b = wire.AppendStrings(b, t.Written)
		b = wire.AppendStrings(b, t.Deleted)
		b = wire.AppendStrings(b, t.Probed)
	}
	return b
}

// DecodeResult decodes a Result encoded by Result.Encode. The Output of the
// result shares b's memory.
func DecodeResult(b []byte) (Result, error) {
	d := newDecoder(b)
	var r Result
	r.ExitCode = int(d.Varint())
	r.Signal = d.string()
	r.FailedCmd = int(d.Varint())
	if out := d.bytes(); len(out) > 0 {
		r.Output = out
	}
	if n := d.Count(fileStateSize); n > 0 {
		r.Outputs = make([]cache.FileState, n)
		for i := range r.Outputs {
			st := &r.Outputs[i]
			st.Size = d.Varint()
			st.MtimeNs = d.Varint()
			st.CtimeNs = d.Varint()
			st.Inode = d.Uvarint()
			copy(st.Hash[:], d.Take(uint64(len(st.Hash))))
			st.Racy = d.Bool()
		}
	}
	r.Missing = d.strings()
	r.Duration = time.Duration(d.Varint())
	flags := d.Byte()
	r.Cached, r.Remote = flags&1 != 0, flags&2 != 0
	if n := d.Count(32); n > 0 {
		r.SHA256 = make([][32]byte, n)
		for i := range r.SHA256 {
			copy(r.SHA256[i][:], d.Take(32))
		}
	}
	r.RemoteErr = d.string()
	r.RemoteNote = d.string()
	r.NotShared = d.string()
	r.StartErr = d.string()
	if d.Bool() {
		r.Trace = &trace.Report{Read: d.strings(), Written: d.strings(), Deleted: d.strings(), Probed: d.strings()}
	}
	if err := d.end(); err != nil {
		return Result{}, fmt.Errorf("decode job result: %w", err)
	}
	return r, nil
}

var errTruncated = errors.New("truncated or corrupt data")

// decoder reads the encodings above with a wire.Reader over b's memory;
// the first failure sticks and makes every later read return zero values.
// Strings are copied out (b may be a buffer the caller reuses); bytes
// share b's memory.
type decoder struct {
	wire.Reader
	b []byte
}

func newDecoder(b []byte) decoder {
	return decoder{Reader: wire.NewReader(unsafe.String(unsafe.SliceData(b), len(b))), b: b}
}

// bytes reads a length-prefixed byte string, sharing b's memory; nil once
// a read failed.
func (d *decoder) bytes() []byte {
	n := d.Uvarint()
	off := len(d.b) - d.Len()
	s := d.Take(n)
	if d.Bad() {
		return nil
	}
	return d.b[off : off+len(s) : off+len(s)]
}

func (d *decoder) string() string { return strings.Clone(d.Str()) }

func (d *decoder) strings() []string {
	n := d.Count(1)
	if n == 0 {
		return nil
	}
	ss := make([]string, n)
	for i := range ss {
		ss[i] = d.string()
	}
	return ss
}

// end tells why the data did not decode, all of it, or nil if it did.
func (d *decoder) end() error {
	if d.Bad() {
		return errTruncated
	}
	if d.Len() != 0 {
		return fmt.Errorf("%d bytes of trailing data", d.Len())
	}
	return nil
}
