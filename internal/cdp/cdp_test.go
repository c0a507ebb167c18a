package cdp

import (
	"bufio"
	"bytes"
	"image/png"
	"io"
	"net"
	"os"
	"strings"
	"testing"
)

func TestFramesRoundTrip(t *testing.T) {
	client, server := net.Pipe()
	defer client.Close()
	defer server.Close()
	c := &wsConn{conn: client}
	sizes := []int{0, 1, 125, 126, 0xFFFF, 0x10000, 3 << 20}
	go func() {
		for _, n := range sizes {
			if err := c.writeFrame(opText, bytes.Repeat([]byte{byte(n)}, n)); err != nil {
				t.Error(err)
				return
			}
		}
	}()
	for _, n := range sizes {
		fin, op, payload, err := readFrame(server)
		if err != nil {
			t.Fatalf("size %d: %v", n, err)
		}
		if !fin || op != opText || !bytes.Equal(payload, bytes.Repeat([]byte{byte(n)}, n)) {
			t.Fatalf("size %d: fin %v op %d, %d bytes back", n, fin, op, len(payload))
		}
	}
}

func TestFragmentsPingsAndClose(t *testing.T) {
	client, server := net.Pipe()
	defer client.Close()
	defer server.Close()
	c := &wsConn{conn: client, r: bufio.NewReader(client)}
	go func() {
		// a message in two fragments with a ping between, then close;
		// the server's frames are not masked
		frames := [][]byte{
			{0x01, 3, 'a', 'b', 'c'},
			{0x89, 2, 'h', 'i'},
			{0x80, 2, 'd', 'e'},
			{0x88, 0},
		}
		for _, f := range frames {
			server.Write(f)
			if f[0] == 0x89 { // expect the pong, masked, with the same payload
				fin, op, payload, err := readFrame(server)
				if err != nil || !fin || op != opPong || string(payload) != "hi" {
					t.Errorf("pong: %v %d %q %v", fin, op, payload, err)
				}
			}
		}
		readFrame(server) // the close answer
	}()
	msg, err := c.readMessage()
	if err != nil || string(msg) != "abcde" {
		t.Fatalf("message %q, %v; want the fragments joined", msg, err)
	}
	if _, err := c.readMessage(); err != io.EOF {
		t.Fatalf("after close: %v, want io.EOF", err)
	}
}

// launch starts Debian's chromium, or skips the test without it.
func launch(t *testing.T) *Browser {
	t.Helper()
	if _, err := os.Stat(DefaultPath); err != nil {
		t.Skipf("%s is absent (apt-get install chromium): the browser tests need it", DefaultPath)
	}
	b, err := Launch(DefaultPath, 800, 600)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	return b
}

func TestPageReportsErrors(t *testing.T) {
	b := launch(t)
	p, err := b.NewPage()
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	dir := t.TempDir()
	clean := dir + "/clean.html"
	os.WriteFile(clean, []byte(`<!DOCTYPE html><title>ok</title><p id=x style="width:120px">hello</p>`), 0o644)
	if err := p.Navigate("file://" + clean); err != nil {
		t.Fatal(err)
	}
	var got struct {
		Text  string
		Width float64
	}
	if err := p.Eval(`({Text: document.getElementById("x").textContent, Width: document.getElementById("x").getBoundingClientRect().width})`, &got); err != nil {
		t.Fatal(err)
	}
	if got.Text != "hello" || got.Width != 120 {
		t.Errorf("Eval: %+v, want the rendered paragraph", got)
	}
	if errs := p.Errors(); len(errs) != 0 {
		t.Errorf("a clean page reported errors: %q", errs)
	}
	shot, err := p.Screenshot()
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(shot))
	if err != nil || img.Bounds().Dx() != 800 {
		t.Errorf("screenshot: %v, bounds %v", err, img.Bounds())
	}

	bad := dir + "/bad.html"
	os.WriteFile(bad, []byte(`<!DOCTYPE html>
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'">
<img src="https://example.invalid/x.png">
<script>console.error("boom", 42); undefinedFunction();</script>`), 0o644)
	if err := p.Navigate("file://" + bad); err != nil {
		t.Fatal(err)
	}
	// The checks are events: give them the time of a round trip.
	p.Eval(`new Promise(r => setTimeout(r, 100))`, nil)
	all := strings.Join(p.Errors(), "\n")
	for _, want := range []string{"console.error: boom 42", "undefinedFunction is not defined", "Content Security Policy"} {
		if !strings.Contains(all, want) {
			t.Errorf("errors lack %q:\n%s", want, all)
		}
	}
}
