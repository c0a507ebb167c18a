package sched

import (
	"bytes"
	"io"
	"strings"
	"syscall"
	"testing"
)

func TestFramesRoundTrip(t *testing.T) {
	var buf bytes.Buffer
	fw := frameWriter{w: &buf}
	big := bytes.Repeat([]byte("x"), keepBufferCap+1)
	if err := fw.writeTask(7, "gobuildj.run", []byte("payload")); err != nil {
		t.Fatal(err)
	}
	fw.writeMessage(300, []byte("hello"))
	fw.writeResult(7, resultOK, big)
	fw.writeResult(8, 0, []byte("boom"))
	fw.writeReady()
	fw.writeMessage(9, nil)
	fw.writeTerm(10, syscall.SIGINT)

	fr := newFrameReader(&buf)
	kind, body, err := fr.next()
	if err != nil || kind != frameTask {
		t.Fatalf("first frame: kind %d, %v", kind, err)
	}
	if id, name, payload, err := decodeTask(body); err != nil || id != 7 || name != "gobuildj.run" || string(payload) != "payload" {
		t.Errorf("task frame: %d %q %q %v", id, name, payload, err)
	}
	kind, body, _ = fr.next()
	if id, msg, err := cutUvarint(body); kind != frameMessage || err != nil || id != 300 || string(msg) != "hello" {
		t.Errorf("message frame: kind %d, %d %q %v", kind, id, msg, err)
	}
	kind, body, _ = fr.next()
	if id, st, data, err := decodeResult(body); kind != frameResult || err != nil || id != 7 || st != resultOK || !bytes.Equal(data, big) {
		t.Errorf("result frame: kind %d, %d %v %d bytes %v", kind, id, st, len(data), err)
	}
	kind, body, _ = fr.next()
	if id, st, data, err := decodeResult(body); kind != frameResult || err != nil || id != 8 || st != 0 || string(data) != "boom" {
		t.Errorf("error result frame: kind %d, %d %v %q %v", kind, id, st, data, err)
	}
	if kind, _, err := fr.next(); kind != frameReady || err != nil {
		t.Errorf("ready frame: kind %d, %v", kind, err)
	}
	kind, body, _ = fr.next()
	if id, msg, err := cutUvarint(body); kind != frameMessage || err != nil || id != 9 || len(msg) != 0 {
		t.Errorf("empty message frame: %d %q %v", id, msg, err)
	}
	kind, body, _ = fr.next()
	if id, sig, err := decodeTerm(body); kind != frameTerm || err != nil || id != 10 || sig != syscall.SIGINT {
		t.Errorf("term frame: kind %d, %d %v %v", kind, id, sig, err)
	}
	if _, _, err := fr.next(); err != io.EOF {
		t.Errorf("after the last frame: %v, want EOF", err)
	}
	if cap(fw.buf) > keepBufferCap {
		t.Errorf("the writer kept a %d-byte buffer", cap(fw.buf))
	}
}

func TestFramesBroken(t *testing.T) {
	var buf bytes.Buffer
	fw := frameWriter{w: &buf}
	fw.writeTask(1, "f", []byte("payload"))
	whole := buf.Bytes()
	for n := 1; n < len(whole); n++ {
		_, _, err := newFrameReader(bytes.NewReader(whole[:n])).next()
		if err != io.ErrUnexpectedEOF {
			t.Errorf("frame cut at %d bytes: %v, want unexpected EOF", n, err)
		}
	}
	huge := []byte{0xff, 0xff, 0xff, 0xff, frameTask}
	if _, _, err := newFrameReader(bytes.NewReader(huge)).next(); err == nil || !strings.Contains(err.Error(), "limit") {
		t.Errorf("huge frame: %v", err)
	}
	for _, body := range [][]byte{nil, {0x80}, {1, 5, 'a'}} {
		if _, _, _, err := decodeTask(body); err == nil {
			t.Errorf("decodeTask(%v) succeeded", body)
		}
	}
	if _, _, _, err := decodeResult([]byte{1}); err == nil {
		t.Error("decodeResult without ok byte succeeded")
	}
}
