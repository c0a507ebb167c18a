// Package cdp drives a headless Chromium through the Chrome DevTools
// Protocol, for tests that look at a page as a person would: load it, ask
// the rendered page questions in JavaScript, collect what it logged as
// errors, and take a screenshot. It speaks just enough of the protocol (and
// of WebSocket) for that.
package cdp

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// DefaultPath is where Debian's chromium package installs the browser.
const DefaultPath = "/usr/bin/chromium"

// Flags are the command-line flags a Browser starts Chromium with: headless,
// as root in a container (no sandbox), and without any of the background
// connections a closed network refuses.
var Flags = []string{
	"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
	"--disable-background-networking", "--disable-component-update", "--disable-sync",
	"--disable-dev-shm-usage", "--hide-scrollbars", "--mute-audio",
}

// Browser is a headless Chromium process with its own fresh profile,
// listening for the DevTools protocol on a loopback port.
type Browser struct {
	cmd     *exec.Cmd
	dataDir string
	port    int
	stderr  *tailBuffer
}

// Launch starts the Chromium at path with a viewport of width x height CSS
// pixels, and waits until it accepts DevTools connections.
func Launch(path string, width, height int) (*Browser, error) {
	dataDir, err := os.MkdirTemp("", "cdp-profile-")
	if err != nil {
		return nil, fmt.Errorf("chromium profile: %w", err)
	}
	args := append(append([]string(nil), Flags...),
		"--user-data-dir="+dataDir,
		"--remote-debugging-port=0", "--remote-debugging-address=127.0.0.1",
		fmt.Sprintf("--window-size=%d,%d", width, height),
		"about:blank")
	b := &Browser{cmd: exec.Command(path, args...), dataDir: dataDir, stderr: &tailBuffer{}}
	b.cmd.Stderr = b.stderr
	b.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := b.cmd.Start(); err != nil {
		os.RemoveAll(dataDir)
		return nil, fmt.Errorf("starting %s: %w", path, err)
	}
	exited := make(chan error, 1)
	go func() { exited <- b.cmd.Wait() }()
	// Chromium writes the port it chose to DevToolsActivePort in its profile.
	deadline := time.Now().Add(60 * time.Second)
	for {
		data, err := os.ReadFile(filepath.Join(dataDir, "DevToolsActivePort"))
		if err == nil {
			first, _, _ := strings.Cut(string(data), "\n")
			if port, err := strconv.Atoi(strings.TrimSpace(first)); err == nil && port > 0 {
				b.port = port
				break
			}
		}
		select {
		case err := <-exited:
			os.RemoveAll(dataDir)
			return nil, fmt.Errorf("chromium exited before listening (%v): %s", err, b.stderr.String())
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			b.Close()
			return nil, fmt.Errorf("chromium did not listen within a minute: %s", b.stderr.String())
		}
	}
	return b, nil
}

// Close kills the browser's process group and removes its profile.
func (b *Browser) Close() error {
	syscall.Kill(-b.cmd.Process.Pid, syscall.SIGKILL)
	// Launch's goroutine reaps the browser; give its group a moment to go.
	for i := 0; i < 100 && syscall.Kill(-b.cmd.Process.Pid, 0) == nil; i++ {
		time.Sleep(20 * time.Millisecond)
	}
	return os.RemoveAll(b.dataDir)
}

// NewPage connects to the browser's page (the first one it opened).
func (b *Browser) NewPage() (*Page, error) {
	resp, err := http.Get(fmt.Sprintf("http://127.0.0.1:%d/json/list", b.port))
	if err != nil {
		return nil, fmt.Errorf("listing pages: %w", err)
	}
	defer resp.Body.Close()
	var targets []struct {
		Type                 string `json:"type"`
		WebSocketDebuggerURL string `json:"webSocketDebuggerUrl"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&targets); err != nil {
		return nil, fmt.Errorf("listing pages: %w", err)
	}
	for _, t := range targets {
		if t.Type == "page" && t.WebSocketDebuggerURL != "" {
			conn, err := dialWebSocket(t.WebSocketDebuggerURL)
			if err != nil {
				return nil, err
			}
			p := &Page{conn: conn, pending: map[int64]chan reply{}, loaded: make(chan struct{}, 1)}
			go p.read()
			for _, domain := range []string{"Page", "Runtime", "Log"} {
				if err := p.Call(domain+".enable", nil, nil); err != nil {
					conn.close()
					return nil, err
				}
			}
			return p, nil
		}
	}
	return nil, errors.New("the browser has no page")
}

// Page is a browser tab under the protocol's control. It records the
// errors the page reports: uncaught exceptions, console.error and
// console.assert calls, and the browser's own error log entries (a failed
// load, a blocked resource, a Content-Security-Policy violation).
type Page struct {
	conn *wsConn

	mu      sync.Mutex
	nextID  int64
	pending map[int64]chan reply
	errors  []string
	readErr error
	loaded  chan struct{}
}

type reply struct {
	result json.RawMessage
	err    error
}

// message is any message of the protocol: a reply (ID set) or an event.
type message struct {
	ID     int64           `json:"id"`
	Method string          `json:"method"`
	Params json.RawMessage `json:"params"`
	Result json.RawMessage `json:"result"`
	Error  *struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

// Call sends a command and waits (up to a minute) for its reply, decoded
// into result when it is not nil.
func (p *Page) Call(method string, params, result any) error {
	if params == nil {
		params = struct{}{}
	}
	p.mu.Lock()
	if p.readErr != nil {
		p.mu.Unlock()
		return fmt.Errorf("%s: %w", method, p.readErr)
	}
	p.nextID++
	id := p.nextID
	ch := make(chan reply, 1)
	p.pending[id] = ch
	p.mu.Unlock()
	data, err := json.Marshal(struct {
		ID     int64  `json:"id"`
		Method string `json:"method"`
		Params any    `json:"params"`
	}{id, method, params})
	if err != nil {
		return fmt.Errorf("%s: %w", method, err)
	}
	if err := p.conn.writeFrame(opText, data); err != nil {
		return fmt.Errorf("%s: %w", method, err)
	}
	select {
	case r := <-ch:
		if r.err != nil {
			return fmt.Errorf("%s: %w", method, r.err)
		}
		if result != nil {
			if err := json.Unmarshal(r.result, result); err != nil {
				return fmt.Errorf("%s: %w", method, err)
			}
		}
		return nil
	case <-time.After(time.Minute):
		return fmt.Errorf("%s: no reply within a minute", method)
	}
}

// read delivers replies to their callers and records events until the
// connection ends.
func (p *Page) read() {
	for {
		data, err := p.conn.readMessage()
		if err != nil {
			p.mu.Lock()
			p.readErr = err
			for id, ch := range p.pending {
				ch <- reply{err: err}
				delete(p.pending, id)
			}
			p.mu.Unlock()
			return
		}
		var m message
		if json.Unmarshal(data, &m) != nil {
			continue
		}
		if m.ID != 0 {
			p.mu.Lock()
			ch := p.pending[m.ID]
			delete(p.pending, m.ID)
			p.mu.Unlock()
			if ch != nil {
				r := reply{result: m.Result}
				if m.Error != nil {
					r.err = fmt.Errorf("error %d: %s", m.Error.Code, m.Error.Message)
				}
				ch <- r
			}
			continue
		}
		p.event(m.Method, m.Params)
	}
}

func (p *Page) event(method string, params json.RawMessage) {
	var text string
	switch method {
	case "Page.loadEventFired":
		select {
		case p.loaded <- struct{}{}:
		default:
		}
		return
	case "Runtime.exceptionThrown":
		var ev struct {
			Details struct {
				Text      string `json:"text"`
				Exception struct {
					Description string `json:"description"`
				} `json:"exception"`
			} `json:"exceptionDetails"`
		}
		json.Unmarshal(params, &ev)
		text = "uncaught exception: " + ev.Details.Text + " " + ev.Details.Exception.Description
	case "Runtime.consoleAPICalled":
		var ev struct {
			Type string `json:"type"`
			Args []struct {
				Value       any    `json:"value"`
				Description string `json:"description"`
			} `json:"args"`
		}
		json.Unmarshal(params, &ev)
		if ev.Type != "error" && ev.Type != "assert" {
			return
		}
		var parts []string
		for _, a := range ev.Args {
			if a.Value != nil {
				parts = append(parts, fmt.Sprint(a.Value))
			} else {
				parts = append(parts, a.Description)
			}
		}
		text = "console." + ev.Type + ": " + strings.Join(parts, " ")
	case "Log.entryAdded":
		var ev struct {
			Entry struct {
				Level  string `json:"level"`
				Source string `json:"source"`
				Text   string `json:"text"`
				URL    string `json:"url"`
			} `json:"entry"`
		}
		json.Unmarshal(params, &ev)
		if ev.Entry.Level != "error" {
			return
		}
		text = fmt.Sprintf("%s error: %s %s", ev.Entry.Source, ev.Entry.Text, ev.Entry.URL)
	default:
		return
	}
	p.mu.Lock()
	p.errors = append(p.errors, strings.TrimSpace(text))
	p.mu.Unlock()
}

// Navigate loads url and waits (up to a minute) for its load event.
func (p *Page) Navigate(url string) error {
	select { // forget a load event of an earlier page
	case <-p.loaded:
	default:
	}
	var res struct {
		ErrorText string `json:"errorText"`
	}
	if err := p.Call("Page.navigate", map[string]any{"url": url}, &res); err != nil {
		return err
	}
	if res.ErrorText != "" {
		return fmt.Errorf("loading %s: %s", url, res.ErrorText)
	}
	select {
	case <-p.loaded:
		return nil
	case <-time.After(time.Minute):
		return fmt.Errorf("loading %s: no load event within a minute", url)
	}
}

// Eval evaluates a JavaScript expression in the page (awaiting it if it is a
// promise) and decodes its JSON value into out.
func (p *Page) Eval(expr string, out any) error {
	var res struct {
		Result struct {
			Value json.RawMessage `json:"value"`
		} `json:"result"`
		ExceptionDetails *struct {
			Text      string `json:"text"`
			Exception struct {
				Description string `json:"description"`
			} `json:"exception"`
		} `json:"exceptionDetails"`
	}
	err := p.Call("Runtime.evaluate", map[string]any{"expression": expr, "returnByValue": true, "awaitPromise": true}, &res)
	if err != nil {
		return err
	}
	if d := res.ExceptionDetails; d != nil {
		return fmt.Errorf("evaluating: %s %s", d.Text, d.Exception.Description)
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(res.Result.Value, out); err != nil {
		return fmt.Errorf("evaluating: the value %s: %w", res.Result.Value, err)
	}
	return nil
}

// Screenshot returns a PNG of the viewport.
func (p *Page) Screenshot() ([]byte, error) {
	var res struct {
		Data string `json:"data"`
	}
	if err := p.Call("Page.captureScreenshot", map[string]any{"format": "png"}, &res); err != nil {
		return nil, err
	}
	png, err := base64.StdEncoding.DecodeString(res.Data)
	if err != nil {
		return nil, fmt.Errorf("screenshot: %w", err)
	}
	return png, nil
}

// Errors returns what the page reported as errors so far.
func (p *Page) Errors() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.errors...)
}

// Close ends the connection.
func (p *Page) Close() error { return p.conn.close() }

// tailBuffer keeps the last few KB written to it: Chromium's stderr, for
// error messages.
type tailBuffer struct {
	mu  sync.Mutex
	buf []byte
}

func (t *tailBuffer) Write(b []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.buf = append(t.buf, b...)
	if len(t.buf) > 4096 {
		t.buf = t.buf[len(t.buf)-4096:]
	}
	return len(b), nil
}

func (t *tailBuffer) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return string(t.buf)
}
