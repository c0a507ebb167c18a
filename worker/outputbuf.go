package worker

import (
	"bytes"
	"fmt"
	"os"

	"golang.org/x/sys/unix"

	"github.com/gobuildj/gobuildj/internal/statedir"
)

// A job's output (the stdout and stderr of its commands) is kept in memory
// whole up to outputKeep bytes. A longer one keeps its first outputHead
// bytes and its last outputTail bytes, with a line between them that says
// how much was left out and where the whole output is: a worker and the
// engine hold at most about a MiB per job however much a command prints
// (a result frame could not even carry more than a GiB). The whole output
// goes to the target's log in the state folder (statedir.Dir.OutputLog),
// up to outputLogMax bytes, which is where a command that prints without
// end stops filling the disk; the log then says how much more there was.
const (
	outputHead   = 256 << 10
	outputTail   = 768 << 10
	outputKeep   = outputHead + outputTail
	outputLogMax = 1 << 30
	// outputChunk is the size of the reads once the output overflowed.
	outputChunk = 64 << 10
	// outputMinRead is the least room a read into the buffer gets while
	// the output fits: the buffer grows when it has less.
	outputMinRead = 4 << 10
)

// outputBuf holds a job's output as it is written: whole while it fits in
// outputKeep bytes; after that, the head and a ring of the tail in memory
// and the whole in the target's log. A runner reuses one from job to job
// (reset).
type outputBuf struct {
	// buf is the output while it fits; once it overflowed, buf[:outputHead]
	// is the head and buf[outputHead:outputKeep] a ring of the tail
	// whose oldest byte is at pos.
	buf   []byte
	pos   int
	total int64  // bytes written
	chunk []byte // read buffer once the output overflowed

	// open creates the log when the output overflows (nil: the job keeps
	// no log); logMax bounds what goes there.
	open    func() (*os.File, error)
	logMax  int64
	log     *os.File
	logName string
	logged  int64 // bytes written to the log
	logErr  error // why the log could not be created or written
}

// reset empties b for a new job whose log, if it needs one, is the target's
// OutputLog in the state folder of job.Project ("": none).
func (b *outputBuf) reset(job *Job) {
	*b = outputBuf{buf: b.buf[:0], chunk: b.chunk, logMax: outputLogMax}
	if job.Project != "" {
		state, target := statedir.Of(job.Project), job.Target
		b.logName = state.OutputLog(target)
		b.open = func() (*os.File, error) { return state.CreateOutputLog(target) }
	}
}

// overflowed reports whether the output no longer fits in memory.
func (b *outputBuf) overflowed() bool { return b.total > outputKeep }

// Write appends p to the output. It never fails: a log that cannot be
// written is said in the output (finish).
func (b *outputBuf) Write(p []byte) (int, error) {
	if b.total+int64(len(p)) <= outputKeep {
		b.grow(len(b.buf) + len(p))
		b.buf = append(b.buf, p...)
		b.total += int64(len(p))
		return len(p), nil
	}
	if !b.overflowed() {
		// This write overflows: what was kept goes to the log first,
		// and the buffer becomes the head and a full ring.
		b.openLog()
		b.writeLog(b.buf)
		b.grow(outputKeep)
		n := outputKeep - len(b.buf)
		b.buf = append(b.buf, p[:n]...)
		b.writeLog(p[:n])
		b.total += int64(n)
		p = p[n:]
	}
	b.writeLog(p)
	b.toRing(p)
	b.total += int64(len(p))
	return len(p), nil
}

// toRing writes p into the ring of the tail, over its oldest bytes.
func (b *outputBuf) toRing(p []byte) {
	ring := b.buf[outputHead:outputKeep]
	if len(p) >= len(ring) {
		copy(ring, p[len(p)-len(ring):])
		b.pos = 0
		return
	}
	if n := copy(ring[b.pos:], p); n < len(p) {
		copy(ring, p[n:])
	}
	b.pos = (b.pos + len(p)) % len(ring)
}

// grow makes room for n bytes in buf, allocating no more than outputKeep
// in all.
func (b *outputBuf) grow(n int) {
	if cap(b.buf) >= n {
		return
	}
	buf := make([]byte, len(b.buf), min(max(n, 2*cap(b.buf)), outputKeep))
	copy(buf, b.buf)
	b.buf = buf
}

// readFrom reads what fd has (one read) into the output: in place while it
// fits, through a chunk once it overflowed.
func (b *outputBuf) readFrom(fd int) (int, error) {
	if b.total < outputKeep {
		if cap(b.buf)-len(b.buf) < outputMinRead {
			b.grow(len(b.buf) + max(32<<10, len(b.buf)))
		}
		room := b.buf[len(b.buf):min(cap(b.buf), outputKeep)]
		k, err := unix.Read(fd, room)
		if k > 0 {
			b.buf = b.buf[:len(b.buf)+k]
			b.total += int64(k)
		}
		return k, err
	}
	if b.chunk == nil {
		b.chunk = make([]byte, outputChunk)
	}
	k, err := unix.Read(fd, b.chunk)
	if k > 0 {
		b.Write(b.chunk[:k])
	}
	return k, err
}

func (b *outputBuf) openLog() {
	if b.open == nil {
		return
	}
	f, err := b.open()
	if err != nil {
		b.logErr = err
		return
	}
	b.log = f
}

// writeLog appends p to the log, up to logMax bytes in all.
func (b *outputBuf) writeLog(p []byte) {
	if b.log == nil || b.logErr != nil {
		return
	}
	p = p[:min(int64(len(p)), b.logMax-b.logged)]
	if len(p) == 0 {
		return
	}
	n, err := b.log.Write(p)
	b.logged += int64(n)
	if err != nil {
		b.logErr = err
	}
}

// finish closes the log, if any, and returns the output to show: all of
// it, or its head and tail around a line that says what was left out and
// where the whole is. The result shares b's memory until the next reset
// when the output fit.
func (b *outputBuf) finish() []byte {
	if !b.overflowed() {
		return b.buf
	}
	if b.log != nil {
		if b.logErr == nil && b.logged < b.total {
			fmt.Fprintf(b.log, "\ngobuildj: the output went on for %d more bytes, not written here: a log holds at most %d bytes\n",
				b.total-b.logged, b.logMax)
		}
		if err := b.log.Close(); err != nil && b.logErr == nil {
			b.logErr = err
		}
		b.log = nil
	}
	head := b.buf[:outputHead]
	if i := bytes.LastIndexByte(head, '\n'); i >= outputHead-outputHead/4 {
		head = head[:i+1] // end at a line's end, if one is near
	}
	// The tail is the ring from its oldest byte: older, then newer. It
	// starts after the first line's end, if one is near.
	older, newer := b.buf[outputHead+b.pos:outputKeep], b.buf[outputHead:outputHead+b.pos]
	near := outputTail / 4
	if i := bytes.IndexByte(older[:min(len(older), near)], '\n'); i >= 0 {
		older = older[i+1:]
	} else if len(older) < near {
		if i := bytes.IndexByte(newer[:near-len(older)], '\n'); i >= 0 {
			older, newer = nil, newer[i+1:]
		}
	}
	hidden := b.total - int64(len(head)+len(older)+len(newer))
	out := make([]byte, 0, len(head)+len(older)+len(newer)+256+len(b.logName))
	out = append(out, head...)
	if len(head) > 0 && head[len(head)-1] != '\n' {
		out = append(out, '\n')
	}
	out = fmt.Appendf(out, "gobuildj: %d bytes of output not shown; %s\n", hidden, b.whereLog())
	out = append(out, older...)
	return append(out, newer...)
}

// whereLog says where the whole output is, or why it is nowhere.
func (b *outputBuf) whereLog() string {
	switch {
	case b.open == nil:
		return "the whole output was not saved"
	case b.logErr != nil && b.logged == 0:
		return fmt.Sprintf("the whole output could not be saved: %v", b.logErr)
	case b.logErr != nil:
		return fmt.Sprintf("only its first %d bytes are in %s: %v", b.logged, b.logName, b.logErr)
	case b.logged < b.total:
		return fmt.Sprintf("the whole output is too long to keep: its first %d bytes are in %s", b.logged, b.logName)
	}
	return "the whole output is in " + b.logName
}

// Output collects output as a worker collects its commands': whole up to
// a MiB, and past that its beginning and its end around a line that says
// how much was left out (see outputKeep). Other tasks use it for output
// that does not come from a pipe (a remote server's).
type Output struct{ b outputBuf }

// NewOutput returns an empty Output whose whole, when it overflows, goes
// to the log of job's target (see Job.Project; "" keeps no log).
func NewOutput(job *Job) *Output {
	o := &Output{}
	o.b.reset(job)
	return o
}

// Write appends p. It never fails.
func (o *Output) Write(p []byte) (int, error) { return o.b.Write(p) }

// Bytes closes the log, if any, and returns the output to show. It is
// called once, at the end.
func (o *Output) Bytes() []byte { return o.b.finish() }
