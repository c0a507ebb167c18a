package main

import (
	"bytes"
	"fmt"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/gobuildj/gobuildj/internal/cdp"
)

// renderCheck is what the page's own layout says about the report, read in
// the browser after it rendered.
const renderCheck = `(() => {
  const tl = document.getElementById("timeline");
  const box = tl.getBoundingClientRect();
  const bars = [...tl.querySelectorAll(".bar")].map(b => {
    const r = b.getBoundingClientRect();
    return {Target: b.dataset.target, Class: b.className,
      X: r.left, Y: r.top, W: r.width, H: r.height,
      Inside: r.width > 0 && r.height > 0 && r.left >= box.left - 1 && r.right <= box.right + 1 && r.top >= box.top && r.bottom <= box.bottom,
      Color: getComputedStyle(b).backgroundColor};
  });
  return {
    Commands: Number(tl.dataset.commands),
    Bars: bars,
    Lanes: tl.querySelectorAll(".lane").length,
    Failures: [...document.querySelectorAll("#failures .failure")].map(f => f.innerText),
    Skipped: [...document.querySelectorAll("#skipped tr")].slice(1).map(r => r.innerText),
    Critical: [...document.querySelectorAll("#critical-path tr.critical td:first-child")].map(td => td.innerText),
    Verdict: document.getElementById("verdict").innerText,
  };
})()`

type renderedBar struct {
	Target, Class string
	X, Y, W, H    float64
	Inside        bool
	Color         string
}

type rendered struct {
	Commands          int
	Bars              []renderedBar
	Lanes             int
	Failures, Skipped []string
	Critical          []string
	Verdict           string
}

// TestHTMLReportInChromium opens the --report page of a good build and of a
// build where one target fails in headless Chromium, and checks what a
// person would see: a timeline with one visible bar per command run, in the
// colour of its fate, the failure with its compiler output, the targets it
// blocked and why, and no error in the browser's console. Set
// GOBUILDJ_SCREENSHOTS to a folder to keep the screenshots (docs/report.png
// in the README is TestHTMLReportDoctorAndFlakyInChromium's).
func TestHTMLReportInChromium(t *testing.T) {
	if _, err := os.Stat(cdp.DefaultPath); err != nil {
		t.Skipf("%s is absent: install Debian's chromium (apt-get install chromium, as .ci/run does) to run the browser test", cdp.DefaultPath)
	}
	browser, err := cdp.Launch(cdp.DefaultPath, 1280, 860)
	if err != nil {
		t.Fatal(err)
	}
	defer browser.Close()
	page, err := browser.NewPage()
	if err != nil {
		t.Fatal(err)
	}
	defer page.Close()

	cases := []struct {
		name     string
		broken   bool
		code     int
		shot     string
		verdict  string
		ran      int
		failed   []string
		blocked  []string
		critical string
	}{
		{"good build", false, 0, "report-good.png", "built", 6, nil, nil, "(util_o lib|greet_o lib|main_o) app test"},
		{"one target fails", true, 1, "report-failed.png", "1 failed", 3, []string{"util_o"}, []string{"lib", "app", "test"}, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := cProject(t, c.broken)
			r := gobuildj(t, dir, "-k", "-j2", "--report", "report.html")
			if r.code != c.code {
				t.Fatalf("exit code %d, want %d:\n%s", r.code, c.code, r.out)
			}
			if n := len(regexp.MustCompile(`(?m)^\[\d+/\d+\] `).FindAllString(r.out, -1)); n != c.ran {
				t.Fatalf("%d commands ran, want %d:\n%s", n, c.ran, r.out)
			}
			if err := page.Navigate("file://" + filepath.Join(dir, "report.html")); err != nil {
				t.Fatal(err)
			}
			var got rendered
			if err := page.Eval(renderCheck, &got); err != nil {
				t.Fatal(err)
			}
			if got.Commands != c.ran || len(got.Bars) != c.ran {
				t.Errorf("the timeline has %d bars (page says %d commands), want one per command run (%d)", len(got.Bars), got.Commands, c.ran)
			}
			if got.Lanes < 1 || got.Lanes > 2 {
				t.Errorf("%d worker lanes for -j2", got.Lanes)
			}
			if got.Verdict != c.verdict {
				t.Errorf("verdict %q, want %q", got.Verdict, c.verdict)
			}
			failed := map[string]bool{}
			for _, f := range c.failed {
				failed[f] = true
			}
			for _, b := range got.Bars {
				if !b.Inside {
					t.Errorf("bar %s is not drawn inside the timeline: %+v", b.Target, b)
				}
				if isFailed := strings.Contains(b.Class, "failed"); isFailed != failed[b.Target] {
					t.Errorf("bar %s has class %q", b.Target, b.Class)
				}
			}
			if c.critical != "" && !regexp.MustCompile("^("+c.critical+")$").MatchString(strings.Join(got.Critical, " ")) {
				t.Errorf("critical path %v, want %s", got.Critical, c.critical)
			}
			if len(got.Failures) != len(c.failed) {
				t.Errorf("failures shown: %q", got.Failures)
			}
			for _, f := range got.Failures {
				if !strings.Contains(f, "util_o: exit code 1") || !regexp.MustCompile(`src/util\.c:\d+:\d+: error: `).MatchString(f) {
					t.Errorf("the failure lacks its reason or the compiler's output:\n%s", f)
				}
			}
			var blocked []string
			for _, row := range got.Skipped {
				if strings.Contains(row, "blocked") && strings.Contains(row, "util_o failed") {
					blocked = append(blocked, strings.Fields(row)[0])
				}
			}
			if fmt.Sprint(blocked) != fmt.Sprint(c.blocked) {
				t.Errorf("skipped targets shown as blocked by util_o: %v, want %v (rows %q)", blocked, c.blocked, got.Skipped)
			}

			shot, err := page.Screenshot()
			if err != nil {
				t.Fatal(err)
			}
			img, err := png.Decode(bytes.NewReader(shot))
			if err != nil {
				t.Fatal(err)
			}
			// The pixels of each bar are its CSS colour: the page really
			// painted the timeline, not just laid it out. The pixel is
			// inside the ring a failed critical bar has, below its label.
			for _, b := range got.Bars {
				if b.W < 7 || b.Y+b.H > float64(img.Bounds().Dy()) {
					continue // too thin to sample, or below the fold
				}
				want := parseRGB(t, b.Color)
				x, y := int(b.X+3.5), int(b.Y+b.H-3.5)
				if at := img.At(x, y); !near(at, want) {
					t.Errorf("bar %s: pixel %v at (%d,%d), want its colour %v", b.Target, at, x, y, want)
				}
			}
			if errs := page.Errors(); len(errs) > 0 {
				t.Errorf("the browser reported errors:\n%s", strings.Join(errs, "\n"))
			}
			if out := os.Getenv("GOBUILDJ_SCREENSHOTS"); out != "" {
				if err := os.WriteFile(filepath.Join(out, c.shot), shot, 0o644); err != nil {
					t.Fatal(err)
				}
			}
		})
	}
}

func parseRGB(t *testing.T, css string) color.RGBA {
	t.Helper()
	var c color.RGBA
	if _, err := fmt.Sscanf(css, "rgb(%d, %d, %d)", &c.R, &c.G, &c.B); err != nil {
		t.Fatalf("colour %q: %v", css, err)
	}
	c.A = 255
	return c
}

func near(got color.Color, want color.RGBA) bool {
	r, g, b, _ := got.RGBA()
	d := func(x uint32, y uint8) int { return int(x>>8) - int(y) }
	abs := func(v int) int { return max(v, -v) }
	return abs(d(r, want.R)) <= 8 && abs(d(g, want.G)) <= 8 && abs(d(b, want.B)) <= 8
}
