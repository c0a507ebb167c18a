package console

import (
	"bytes"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/mattn/go-runewidth"

	"github.com/gobuildj/gobuildj/event"
)

// draws returns the live lines a terminal was given ("\r" line "\x1b[K").
func draws(out string) []string {
	var lines []string
	for _, m := range regexp.MustCompile("\r([^\r\n\x1b]+)\x1b\\[K").FindAllStringSubmatch(out, -1) {
		lines = append(lines, m[1])
	}
	return lines
}

func TestConsoleStatusLiveLabelsOutput(t *testing.T) {
	// Two targets that print a warning, as ninja shows them on a
	// terminal: each output under its `[n/N] description` line, and the
	// live line redrawn below; a target that prints nothing leaves no line.
	var out bytes.Buffer
	s := New(&out, true, false, 80)
	s.Planned(3)
	s.Started(event.Start{Target: "a", Description: "MAKE A"})
	s.Started(event.Start{Target: "b", Description: "MAKE B"})
	s.Started(event.Start{Target: "c", Description: "MAKE C"})
	s.Finished(event.Finish{Target: "b", Description: "MAKE B", OK: true, Output: []byte("warning-from-b\n")})
	s.Finished(event.Finish{Target: "c", Description: "MAKE C", OK: true})
	s.Finished(event.Finish{Target: "a", Description: "MAKE A", OK: true, Output: []byte("warning-from-a")})
	s.Done(event.Summary{Run: 3})
	got := out.String()
	for _, want := range []string{
		"\r\x1b[K[1/3] MAKE B\nwarning-from-b\n\r[1/3] MAKE A, MAKE C | 2 running\x1b[K",
		"\r\x1b[K[3/3] MAKE A\nwarning-from-a\n",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("live output lacks %q:\n%q", want, got)
		}
	}
	if strings.Contains(got, "MAKE C\n") {
		t.Errorf("a target that printed nothing got a line:\n%q", got)
	}
}

func TestConsoleStatusLiveCJKWidth(t *testing.T) {
	// A CJK character takes two cells: a line of runes that fits the width
	// would wrap.
	var out bytes.Buffer
	s := New(&out, true, false, 40)
	s.Planned(3)
	s.Started(event.Start{Target: "a", Description: "编译 主程序 模块 一号 文件"})
	time.Sleep(110 * time.Millisecond)
	s.Started(event.Start{Target: "b", Description: "链接 应用程序"})
	time.Sleep(110 * time.Millisecond)
	s.Started(event.Start{Target: "c", Description: "🚀 发布 版本 说明 文档 全部"})
	s.Done(event.Summary{Run: 3})
	lines := draws(out.String())
	if len(lines) != 3 {
		t.Fatalf("want three draws, got %q", lines)
	}
	for _, line := range lines {
		if w := runewidth.StringWidth(line); w > 39 {
			t.Errorf("%q takes %d cells of a 40-cell terminal", line, w)
		}
	}
	if lines[0] != "[0/3] 编译 主程序 模块 一号 文件" {
		t.Errorf("a line that fits was cut: %q", lines[0])
	}
}

func TestConsoleStatusLiveSetWidth(t *testing.T) {
	// A terminal made narrower while a command runs: the line is drawn
	// again at once, to the new width, and so is every later one.
	var out bytes.Buffer
	s := New(&out, true, false, 100)
	s.Planned(2)
	long := "GENERATE a rather long description of a command that runs"
	s.Started(event.Start{Target: "a", Description: long})
	s.Started(event.Start{Target: "b", Description: "B " + long})
	before := out.Len()
	s.SetWidth(30)
	after := draws(out.String()[before:])
	if len(after) == 0 {
		t.Fatalf("no redraw after the width changed:\n%q", out.String())
	}
	time.Sleep(110 * time.Millisecond)
	s.Finished(event.Finish{Target: "a", Description: long, OK: true})
	s.Done(event.Summary{Run: 2})
	for _, line := range draws(out.String()[before:]) {
		if w := runewidth.StringWidth(line); w > 29 {
			t.Errorf("%q takes %d cells of a 30-cell terminal", line, w)
		}
	}
}

func TestCutMiddle(t *testing.T) {
	for _, c := range []struct {
		line  string
		width int
		want  string
	}{
		{"short", 10, "short"},
		{"abcdefghijklmnop", 10, "abc...mnop"},
		{"一二三四五六七八九十", 11, "一二...九十"}, // 4 + 3 + 4 cells
		{"一二三四五六七八九十", 10, "一...九十"},  // no half a character
	} {
		got := cutMiddle(c.line, c.width)
		if got != c.want || runewidth.StringWidth(got) > c.width {
			t.Errorf("cutMiddle(%q, %d) = %q, want %q", c.line, c.width, got, c.want)
		}
	}
}
