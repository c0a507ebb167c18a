package worker

import (
	"encoding/binary"
	"errors"
	"fmt"
	"time"

	"github.com/gobuildj/gobuildj/cache"
)

// Job is what the engine sends a worker for one target: its commands and
// where and how to run them.
type Job struct {
	Target  string   // the target's name, for GOBUILDJ_TARGET and messages
	Cmds    []string // run in order; the job stops at the first failure
	Dir     string   // absolute working directory
	Env     []string // KEY=value, added to (overriding) the worker's environment
	Outputs []string // absolute paths: parent folders are created before the commands run; hashed after success, deleted after failure
	Shell   string   // the shell for commands with shell syntax; "" means /bin/sh
	Files   []int    // worker descriptors passed to every command as fds 3, 4, ... (a jobserver)
	// Ports is how many free TCP ports the commands get in
	// GOBUILDJ_PORTS. The scheduler chooses them when the job starts and
	// sends them as the job's first message (see PortsMessage).
	Ports int
	// Remote, if set, is an encoded remote.Request: look the action up in
	// a remote cache (or run it remotely) before running it here, and
	// share a successful local run.
	Remote []byte
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
	// written, whole.
	Output []byte
	// Outputs has one state per Job.Outputs, taken after the commands
	// succeeded; empty if the job failed.
	Outputs []cache.FileState
	// Missing lists the declared outputs that commands which all succeeded
	// did not create; the job then fails.
	Missing []string
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
	n := 20 + len(j.Target) + len(j.Dir) + len(j.Shell) + 4*len(j.Files) + len(j.Remote)
	for _, ss := range [][]string{j.Cmds, j.Env, j.Outputs} {
		for _, s := range ss {
			n += len(s) + 2
		}
	}
	b := make([]byte, 0, n)
	b = appendString(b, j.Target)
	b = appendStrings(b, j.Cmds)
	b = appendString(b, j.Dir)
	b = appendStrings(b, j.Env)
	b = appendStrings(b, j.Outputs)
	b = appendString(b, j.Shell)
	b = binary.AppendUvarint(b, uint64(len(j.Files)))
	for _, fd := range j.Files {
		b = binary.AppendVarint(b, int64(fd))
	}
	b = binary.AppendUvarint(b, uint64(j.Ports))
	b = binary.AppendUvarint(b, uint64(len(j.Remote)))
	return append(b, j.Remote...)
}

// DecodeJob decodes a Job encoded by Job.Encode.
func DecodeJob(b []byte) (Job, error) {
	d := decoder{b: b}
	var j Job
	j.Target = d.string()
	j.Cmds = d.strings()
	j.Dir = d.string()
	j.Env = d.strings()
	j.Outputs = d.strings()
	j.Shell = d.string()
	if n := d.count(1); n > 0 {
		j.Files = make([]int, n)
		for i := range j.Files {
			j.Files[i] = int(d.varint())
		}
	}
	j.Ports = int(min(d.uvarint(), 1<<16))
	if r := d.bytes(); len(r) > 0 {
		j.Remote = r
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
	b = binary.AppendVarint(b, int64(r.ExitCode))
	b = appendString(b, r.Signal)
	b = binary.AppendVarint(b, int64(r.FailedCmd))
	b = binary.AppendUvarint(b, uint64(len(r.Output)))
	b = append(b, r.Output...)
	b = binary.AppendUvarint(b, uint64(len(r.Outputs)))
	for _, st := range r.Outputs {
		b = binary.AppendVarint(b, st.Size)
		b = binary.AppendVarint(b, st.MtimeNs)
		b = binary.AppendVarint(b, st.CtimeNs)
		b = binary.AppendUvarint(b, st.Inode)
		b = append(b, st.Hash[:]...)
		if st.Racy {
			b = append(b, 1)
		} else {
			b = append(b, 0)
		}
	}
	b = appendStrings(b, r.Missing)
	b = binary.AppendVarint(b, int64(r.Duration))
	var flags byte
	if r.Cached {
		flags |= 1
	}
	if r.Remote {
		flags |= 2
	}
	b = append(b, flags)
	b = binary.AppendUvarint(b, uint64(len(r.SHA256)))
	for _, h := range r.SHA256 {
		b = append(b, h[:]...)
	}
	b = appendString(b, r.RemoteErr)
	return appendString(b, r.RemoteNote)
}

// DecodeResult decodes a Result encoded by Result.Encode. The Output of the
// result shares b's memory.
func DecodeResult(b []byte) (Result, error) {
	d := decoder{b: b}
	var r Result
	r.ExitCode = int(d.varint())
	r.Signal = d.string()
	r.FailedCmd = int(d.varint())
	if out := d.bytes(); len(out) > 0 {
		r.Output = out
	}
	if n := d.count(fileStateSize); n > 0 {
		r.Outputs = make([]cache.FileState, n)
		for i := range r.Outputs {
			st := &r.Outputs[i]
			st.Size = d.varint()
			st.MtimeNs = d.varint()
			st.CtimeNs = d.varint()
			st.Inode = d.uvarint()
			copy(st.Hash[:], d.take(len(st.Hash)))
			if racy := d.take(1); racy != nil {
				st.Racy = racy[0] == 1
			}
		}
	}
	r.Missing = d.strings()
	r.Duration = time.Duration(d.varint())
	if flags := d.take(1); flags != nil {
		r.Cached, r.Remote = flags[0]&1 != 0, flags[0]&2 != 0
	}
	if n := d.count(32); n > 0 {
		r.SHA256 = make([][32]byte, n)
		for i := range r.SHA256 {
			copy(r.SHA256[i][:], d.take(32))
		}
	}
	r.RemoteErr = d.string()
	r.RemoteNote = d.string()
	if err := d.end(); err != nil {
		return Result{}, fmt.Errorf("decode job result: %w", err)
	}
	return r, nil
}

func appendString(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

func appendStrings(b []byte, ss []string) []byte {
	b = binary.AppendUvarint(b, uint64(len(ss)))
	for _, s := range ss {
		b = appendString(b, s)
	}
	return b
}

var errTruncated = errors.New("truncated or corrupt data")

// decoder reads the encodings above; the first error sticks and makes
// every later read return zero values.
type decoder struct {
	b   []byte
	off int
	err error
}

func (d *decoder) rest() []byte { return d.b[d.off:] }

func (d *decoder) uvarint() uint64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Uvarint(d.rest())
	if n <= 0 {
		d.err = errTruncated
		return 0
	}
	d.off += n
	return v
}

func (d *decoder) varint() int64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Varint(d.rest())
	if n <= 0 {
		d.err = errTruncated
		return 0
	}
	d.off += n
	return v
}

// take returns the next n bytes, or nil if there are fewer.
func (d *decoder) take(n int) []byte {
	if d.err != nil {
		return nil
	}
	if n < 0 || n > len(d.rest()) {
		d.err = errTruncated
		return nil
	}
	b := d.b[d.off : d.off+n : d.off+n]
	d.off += n
	return b
}

// count reads a count of items that take at least minSize bytes each,
// rejecting counts the remaining data cannot hold.
func (d *decoder) count(minSize int) int {
	n := d.uvarint()
	if d.err == nil && n > uint64(len(d.rest())/minSize) {
		d.err = errTruncated
		return 0
	}
	return int(n)
}

func (d *decoder) bytes() []byte { return d.take(int(min(d.uvarint(), uint64(len(d.b)+1)))) }

func (d *decoder) string() string { return string(d.bytes()) }

func (d *decoder) strings() []string {
	n := d.count(1)
	if n == 0 {
		return nil
	}
	ss := make([]string, n)
	for i := range ss {
		ss[i] = d.string()
	}
	return ss
}

func (d *decoder) end() error {
	if d.err == nil && d.off != len(d.b) {
		d.err = fmt.Errorf("%d bytes of trailing data", len(d.b)-d.off)
	}
	return d.err
}
