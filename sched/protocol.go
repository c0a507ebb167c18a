package sched

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"sync"
	"syscall"
)

// The protocol between a scheduler and its workers is a stream of frames on
// two pipes (scheduler to worker on the worker's fd 3, worker to scheduler on
// its fd 4). A frame is
//
//	[u32 little-endian body length][u8 kind][body]
//
// and every body starts with the task id as a uvarint. Bodies are written by
// hand (no gob or json): a task round trip is two small frames.
const (
	// frameTask (scheduler to worker): id, uvarint length + function name, payload.
	frameTask byte = 1
	// frameMessage (both ways): id, message bytes.
	frameMessage byte = 2
	// frameResult (worker to scheduler): id, ok byte (1: value follows,
	// 0: error text follows), value or error text.
	frameResult byte = 3
	// frameReady (worker to scheduler, once, id 0): the worker is serving
	// tasks. A worker that dies before saying so most likely never reached
	// WorkerMain, which makes for a better error message.
	frameReady byte = 4
	// frameTerm (scheduler to worker): id, uvarint signal number. The task
	// was sent its TermSignal: the worker closes its Done channel. Done
	// follows this frame rather than the signal itself, which cannot say
	// which task it was meant for when it arrives near a task boundary.
	frameTerm byte = 5
	// frameRequest (worker to scheduler): id, uvarint request id, body. A
	// request expects exactly one frameReply with its request id.
	frameRequest byte = 6
	// frameReply (scheduler to worker): id, uvarint request id, ok byte
	// (1: answer follows, 0: error text follows), answer or error text.
	frameReply byte = 7
	// frameStarted (worker to scheduler): id. The worker is about to run
	// the task: a worker that dies before it says so never ran it, and
	// the scheduler queues the task again.
	frameStarted byte = 8
	// frameExit (scheduler to worker, id 0): the scheduler is about to
	// close the task pipe to retire the worker. A worker that sees EOF
	// without it takes it for the scheduler's death and kills its whole
	// group, itself included; after it, the worker just exits with code
	// 0, and the scheduler kills what is left of its group.
	frameExit byte = 9
	// frameWithdraw (scheduler to worker): id of a task sent ahead (see
	// Options.Ahead). If the worker has not started it, it drops it and
	// answers frameWithdrawn; if it has, the frame is ignored and the
	// task runs as any other.
	frameWithdraw byte = 10
	// frameWithdrawn (worker to scheduler): id. The task sent ahead was
	// dropped before it started.
	frameWithdrawn byte = 11
	// frameGo (scheduler to worker): id of a held result (see
	// WorkerContext.Hold). The scheduler has handled it: the worker may
	// start the task it holds ahead, if it was not withdrawn.
	frameGo byte = 12
)

// The flags of a frameResult's status byte.
const (
	resultOK   byte = 1 << iota // a value follows, else an error text
	resultHeld                  // the worker starts nothing until frameGo
	resultNext                  // the worker started its task sent ahead in this one's place
)

const (
	frameHeaderLen = 5
	// maxFrameBody bounds a frame so that a corrupt length cannot make the
	// reader allocate gigabytes.
	maxFrameBody = 1 << 30
	// keepBufferCap is the largest encoding buffer a frameWriter keeps
	// between frames; bigger ones (a huge payload) are released.
	keepBufferCap = 256 << 10
)

// frameWriter encodes frames into one reused buffer and writes each with a
// single write call. It is safe for concurrent use.
type frameWriter struct {
	mu  sync.Mutex
	w   io.Writer
	buf []byte
}

// begin starts a frame of the given kind for task id; the caller holds fw.mu.
func (fw *frameWriter) begin(kind byte, id uint64) []byte {
	b := append(fw.buf[:0], 0, 0, 0, 0, kind)
	return binary.AppendUvarint(b, id)
}

// finish fills in the length of frame b and writes it; the caller holds fw.mu.
func (fw *frameWriter) finish(b []byte) error {
	body := len(b) - frameHeaderLen
	if body > maxFrameBody {
		return fmt.Errorf("frame of %d bytes is larger than the limit of %d", body, maxFrameBody)
	}
	binary.LittleEndian.PutUint32(b, uint32(body))
	_, err := fw.w.Write(b)
	if cap(b) <= keepBufferCap {
		fw.buf = b[:0]
	} else {
		fw.buf = nil
	}
	return err
}

func (fw *frameWriter) writeTask(id uint64, name string, payload []byte) error {
	fw.mu.Lock()
	defer fw.mu.Unlock()
	b := fw.begin(frameTask, id)
	b = binary.AppendUvarint(b, uint64(len(name)))
	b = append(b, name...)
	b = append(b, payload...)
	return fw.finish(b)
}

func (fw *frameWriter) writeMessage(id uint64, msg []byte) error {
	fw.mu.Lock()
	defer fw.mu.Unlock()
	return fw.finish(append(fw.begin(frameMessage, id), msg...))
}

// writeResult writes a result frame; status holds the result flags.
func (fw *frameWriter) writeResult(id uint64, status byte, data []byte) error {
	fw.mu.Lock()
	defer fw.mu.Unlock()
	b := append(fw.begin(frameResult, id), status)
	return fw.finish(append(b, data...))
}

// writeID writes a frame whose body is the task id alone (frameWithdraw,
// frameWithdrawn, frameGo).
func (fw *frameWriter) writeID(kind byte, id uint64) error {
	fw.mu.Lock()
	defer fw.mu.Unlock()
	return fw.finish(fw.begin(kind, id))
}

func (fw *frameWriter) writeTerm(id uint64, sig syscall.Signal) error {
	fw.mu.Lock()
	defer fw.mu.Unlock()
	return fw.finish(binary.AppendUvarint(fw.begin(frameTerm, id), uint64(sig)))
}

func (fw *frameWriter) writeExit() error {
	fw.mu.Lock()
	defer fw.mu.Unlock()
	return fw.finish(fw.begin(frameExit, 0))
}

func (fw *frameWriter) writeRequest(id, req uint64, body []byte) error {
	fw.mu.Lock()
	defer fw.mu.Unlock()
	b := binary.AppendUvarint(fw.begin(frameRequest, id), req)
	return fw.finish(append(b, body...))
}

func (fw *frameWriter) writeReply(id, req uint64, ok bool, body []byte) error {
	fw.mu.Lock()
	defer fw.mu.Unlock()
	b := binary.AppendUvarint(fw.begin(frameReply, id), req)
	if ok {
		b = append(b, 1)
	} else {
		b = append(b, 0)
	}
	return fw.finish(append(b, body...))
}

func (fw *frameWriter) writeStarted(id uint64) error {
	fw.mu.Lock()
	defer fw.mu.Unlock()
	return fw.finish(fw.begin(frameStarted, id))
}

func (fw *frameWriter) writeReady() error {
	fw.mu.Lock()
	defer fw.mu.Unlock()
	return fw.finish(fw.begin(frameReady, 0))
}

// frameReader decodes frames from a buffered stream. Each body is freshly
// allocated: its ownership passes to the caller (a message or a result value
// handed to user code must not be overwritten by the next frame).
type frameReader struct {
	r   *bufio.Reader
	hdr [frameHeaderLen]byte
}

func newFrameReader(r io.Reader) *frameReader {
	return &frameReader{r: bufio.NewReaderSize(r, 32<<10)}
}

// next returns the next frame's kind and body. A stream that ends cleanly
// between frames gives io.EOF; one that ends inside a frame gives
// io.ErrUnexpectedEOF.
func (fr *frameReader) next() (kind byte, body []byte, err error) {
	if _, err := io.ReadFull(fr.r, fr.hdr[:]); err != nil {
		return 0, nil, err
	}
	n := binary.LittleEndian.Uint32(fr.hdr[:4])
	if n > maxFrameBody {
		return 0, nil, fmt.Errorf("frame length %d is larger than the limit of %d", n, maxFrameBody)
	}
	body = make([]byte, n)
	if _, err := io.ReadFull(fr.r, body); err != nil {
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return 0, nil, err
	}
	return fr.hdr[4], body, nil
}

var errShortFrame = errors.New("frame body too short")

// cutUvarint decodes a uvarint at the start of b and returns the rest.
func cutUvarint(b []byte) (uint64, []byte, error) {
	v, n := binary.Uvarint(b)
	if n <= 0 {
		return 0, nil, errShortFrame
	}
	return v, b[n:], nil
}

// decodeTask splits a frameTask body.
func decodeTask(body []byte) (id uint64, name string, payload []byte, err error) {
	id, rest, err := cutUvarint(body)
	if err != nil {
		return 0, "", nil, err
	}
	n, rest, err := cutUvarint(rest)
	if err != nil || n > uint64(len(rest)) {
		return 0, "", nil, errShortFrame
	}
	return id, string(rest[:n]), rest[n:], nil
}

// decodeTerm splits a frameTerm body.
func decodeTerm(body []byte) (id uint64, sig syscall.Signal, err error) {
	id, rest, err := cutUvarint(body)
	if err != nil {
		return 0, 0, err
	}
	n, _, err := cutUvarint(rest)
	return id, syscall.Signal(n), err
}

// decodeRequest splits a frameRequest body.
func decodeRequest(body []byte) (id, req uint64, data []byte, err error) {
	id, rest, err := cutUvarint(body)
	if err != nil {
		return 0, 0, nil, err
	}
	req, data, err = cutUvarint(rest)
	return id, req, data, err
}

// decodeReply splits a frameReply body.
func decodeReply(body []byte) (id, req uint64, ok bool, data []byte, err error) {
	id, rest, err := cutUvarint(body)
	if err != nil {
		return 0, 0, false, nil, err
	}
	req, rest, err = cutUvarint(rest)
	if err != nil || len(rest) == 0 {
		return 0, 0, false, nil, errShortFrame
	}
	return id, req, rest[0] == 1, rest[1:], nil
}

// decodeResult splits a frameResult body: status holds the result flags.
func decodeResult(body []byte) (id uint64, status byte, data []byte, err error) {
	id, rest, err := cutUvarint(body)
	if err != nil || len(rest) == 0 {
		return 0, 0, nil, errShortFrame
	}
	return id, rest[0], rest[1:], nil
}
