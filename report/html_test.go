package report

import (
	"bytes"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/gobuildj/gobuildj/event"
)

func TestHTML(t *testing.T) {
	var out bytes.Buffer
	if err := WriteHTML(&out, recordBuild(), testMeta); err != nil {
		t.Fatal(err)
	}
	html := out.String()
	bars := regexp.MustCompile(`<a class="(bar[^"]*)" href="#(?:fail-)?cmd-\d+" style="left:[0-9.]+%;width:[0-9.]+%" title="[^"]*" data-target="([^"]+)">`).FindAllStringSubmatch(html, -1)
	classes := map[string]string{}
	for _, b := range bars {
		classes[b[2]] = b[1]
	}
	want := map[string]string{"lib.o": "bar critical", "main.o": "bar", "util.o": "bar failed", "lib.a": "bar critical"}
	if len(bars) != len(want) {
		t.Errorf("%d bars, want one per command (%d): %v", len(bars), len(want), classes)
	}
	for target, class := range want {
		if classes[target] != class {
			t.Errorf("bar of %s has class %q, want %q", target, classes[target], class)
		}
	}
	for _, want := range []string{
		`<title>gobuildj examples/c: 1 failed</title>`,
		`3 run, 2 up to date, 1 failed, 1 not run in 430ms with -j 2`,
		`worker 1 · pid 101`, `worker 2 · pid 102`,
		`<h3>util.o: exit code 1</h3>`,
		`<span class="cmd">$ cc -c util.c -o util.o</span>` + "\nutil.c:3:1: error: expected &#39;;&#39;",
		`<tr><td>app</td><td>blocked</td><td>dep util.o failed</td></tr>`,
		`<tr><td>version</td><td>early cutoff</td><td>its deps were rebuilt with identical outputs</td></tr>`,
		`<summary>1 target was up to date: its inputs`,
		`Critical path: 2 targets, 415ms of the 430ms wall time`,
	} {
		if !strings.Contains(html, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
	for _, banned := range []string{"<script", "http://", "https://", "<link", "<img", "@import"} {
		if strings.Contains(html, banned) {
			t.Errorf("the page is not self-contained: it has %q", banned)
		}
	}
}

func TestHTMLDepCheck(t *testing.T) {
	b := recordBuild()
	b.Summary.DepCheck = &event.DepCheck{Traced: 3, Findings: []event.DepFinding{{
		Target: "app", Kind: "undeclared read", Path: "extra.h", Why: "read extra.h, which is not among its inputs",
		Fix: `add "extra.h" to inputs of app`, TOML: "[targets.app]\ninputs = [..., \"extra.h\"]",
	}}}
	var out bytes.Buffer
	if err := WriteHTML(&out, b, testMeta); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		`<h2>Checked against the Buildfile: 1 finding(s) in 3 traced target(s)</h2>`,
		`<tr><td>app</td><td>undeclared read</td><td class="mono">extra.h</td><td>read extra.h, which is not among its inputs</td><td>add &#34;extra.h&#34; to inputs of app<pre>[targets.app]` + "\n" + `inputs = [..., &#34;extra.h&#34;]</pre></td></tr>`,
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("the page lacks %q", want)
		}
	}
	var plain bytes.Buffer
	if err := WriteHTML(&plain, recordBuild(), testMeta); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(plain.String(), `id="check"`) {
		t.Error("a build without --check-deps has a check section")
	}
}

func TestTicks(t *testing.T) {
	cases := []struct {
		span time.Duration
		want string
	}{
		{430 * time.Millisecond, "[0s 100ms 200ms 300ms 400ms]"},
		{time.Second, "[0s 200ms 400ms 600ms 800ms 1s]"},
		{75 * time.Second, "[0s 10s 20s 30s 40s 50s 1m0s 1m10s]"},
		{3 * time.Millisecond, "[0s 500µs 1ms 1.5ms 2ms 2.5ms 3ms]"},
	}
	for _, c := range cases {
		if got := fmtDurations(ticks(c.span)); got != c.want {
			t.Errorf("ticks(%s) = %s, want %s", c.span, got, c.want)
		}
	}
}

func fmtDurations(ds []time.Duration) string {
	var s []string
	for _, d := range ds {
		s = append(s, d.String())
	}
	return "[" + strings.Join(s, " ") + "]"
}

func TestLoadLine(t *testing.T) {
	// a 1000 ms build: one unit of the line per millisecond
	b := &Build{Summary: event.Summary{Start: at(0), Wall: time.Second}, Load: []Sample{
		{Time: at(100), Running: 1},
		{Time: at(100), Running: 2},
		{Time: at(500), Running: 1},          // a command ends...
		{Time: at(500).Add(100), Running: 2}, // ...and the next starts 100ns later: no dip
		{Time: at(700), Running: 1},          // one ends, and nothing starts for 200ms
		{Time: at(900), Running: 0},
	}}
	pct := func(t time.Time) float64 { return 100 * float64(t.Sub(at(0))) / float64(time.Second) }
	got := loadLine(b, pct, "running", "#000", func(s Sample) int { return s.Running }).Points
	// each unit shows its peak: the drops show one unit after the samples
	want := "0,100 100,100.0 100,10.0 701,10.0 701,55.0 901,55.0 901,100.0 1000,100.0"
	if got != want {
		t.Errorf("load line\n got %s\nwant %s", got, want)
	}
}
