package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gobuildj/gobuildj/internal/cdp"
)

// doctorBuildfile is a wide graph for a -j1 build, which the doctor finds
// limited by -j, a test that fails once and passes when retried (flaky),
// and one that fails in its first build and passes in the next (flaky
// across builds): counter files outside their outputs say which run this
// is.
func doctorBuildfile() string {
	var b strings.Builder
	b.WriteString("default = [\"app\", \"test-net\", \"test-db\"]\n")
	var objs []string
	for _, name := range []string{"main", "greet", "util", "parse", "render", "net"} {
		obj := "build/" + name + ".o"
		objs = append(objs, fmt.Sprintf("%q", obj))
		fmt.Fprintf(&b, "\n[targets.%s_o]\ndescription = \"CC ${out}\"\noutputs = [%q]\ncmd = \"echo %s_o >> ran.log; sleep 0.15; echo %s > ${out}\"\n", name, obj, name, name)
	}
	fmt.Fprintf(&b, "\n[targets.app]\ndescription = \"LINK ${out}\"\ndeps = [%s]\noutputs = [\"build/app\"]\ncmd = \"echo app >> ran.log; sleep 0.05; cat ${deps} > ${out}\"\n", strings.Join(objs, ", "))
	b.WriteString(`
[targets.test-net]
description = "TEST net"
deps = ["app"]
outputs = ["build/test-net.out"]
retries = 1
cmd = "echo test-net >> ran.log; n=$(cat count 2>/dev/null || echo 0); echo $((n+1)) > count; if [ $n -eq 0 ]; then echo 'dial tcp 127.0.0.1:8080: connection refused'; exit 1; fi; echo ok > ${out}"

[targets.test-db]
description = "TEST db"
outputs = ["build/test-db.out"]
cmd = "echo test-db >> ran.log; n=$(cat count-db 2>/dev/null || echo 0); echo $((n+1)) > count-db; if [ $n -eq 0 ]; then echo 'deadlock detected'; exit 1; fi; echo ok > ${out}"
`)
	return b.String()
}

// doctorRender is what the page shows of the doctor and of flakiness.
const doctorRender = `(() => ({
  Doctor: [...document.querySelectorAll("#doctor li")].map(li => li.innerText),
  Flaky: [...document.querySelectorAll("#doctor li.flaky")].map(li => li.innerText),
  Marked: [...document.querySelectorAll("tr span.flaky")].map(s => s.closest("tr").firstChild.innerText),
  DoctorBottom: document.getElementById("doctor").getBoundingClientRect().bottom,
  Height: window.innerHeight,
}))()`

// TestHTMLReportDoctorAndFlakyInChromium opens the --report page of a -j1
// build of a wide graph with two flaky tests (one retried, one that failed
// in the build before) in headless Chromium: the Doctor section says the
// build was limited by -j and names the flaky targets, which their rows
// mark too, within the first screen. With GOBUILDJ_SCREENSHOTS set,
// its screenshot is report.png (the README's docs/report.png).
func TestHTMLReportDoctorAndFlakyInChromium(t *testing.T) {
	if _, err := os.Stat(cdp.DefaultPath); err != nil {
		t.Skipf("%s is absent: install Debian's chromium (apt-get install chromium, as .ci/run does) to run the browser test", cdp.DefaultPath)
	}
	dir := project(t, map[string]string{"Buildfile.toml": doctorBuildfile()})
	settle()
	if r := gobuildj(t, dir, "test-db"); r.code != 1 {
		t.Fatalf("test-db: exit code %d, want 1:\n%s", r.code, r.out)
	}
	assertRan(t, dir, "test-db")
	settle()
	r := mustBuild(t, dir, "-j1", "--report", "report.html")
	assertRan(t, dir, "main_o", "greet_o", "util_o", "parse_o", "render_o", "net_o", "app", "test-net", "test-net", "test-db")
	for _, want := range []string{
		"doctor: limited by -j",
		"gobuildj: flaky: test-net failed 1 time, then passed",
		"gobuildj: flaky: test-db failed with the same inputs in an earlier build, passed now",
		"2 flaky",
	} {
		if !strings.Contains(r.out, want) {
			t.Errorf("the build does not say %q:\n%s", want, r.out)
		}
	}

	browser, err := cdp.Launch(cdp.DefaultPath, 1280, 1185)
	if err != nil {
		t.Fatal(err)
	}
	defer browser.Close()
	page, err := browser.NewPage()
	if err != nil {
		t.Fatal(err)
	}
	defer page.Close()
	if err := page.Navigate("file://" + filepath.Join(dir, "report.html")); err != nil {
		t.Fatal(err)
	}
	var got struct {
		Doctor, Flaky, Marked []string
		DoctorBottom, Height  float64
	}
	if err := page.Eval(doctorRender, &got); err != nil {
		t.Fatal(err)
	}
	limited := false
	for _, l := range got.Doctor {
		limited = limited || strings.HasPrefix(l, "limited by -j")
	}
	if !limited {
		t.Errorf("the Doctor section does not say the build was limited by -j: %q", got.Doctor)
	}
	flaky := strings.Join(got.Flaky, "\n")
	if len(got.Flaky) != 2 || !strings.Contains(flaky, "test-net: flaky: failed 1 time, then passed") ||
		!strings.Contains(flaky, "test-db: flaky: failed with the same inputs in an earlier build (") {
		t.Errorf("the Doctor section's flaky targets: %q", got.Flaky)
	}
	marked := strings.Join(got.Marked, "\n")
	if !strings.Contains(marked, "test-net (flaky: failed 1 time, then passed)") || !strings.Contains(marked, "test-db (flaky: failed with the same inputs") {
		t.Errorf("rows marked flaky: %q", got.Marked)
	}
	if got.DoctorBottom > got.Height {
		t.Errorf("the Doctor section ends at %.0fpx, below the screenshot's %.0fpx", got.DoctorBottom, got.Height)
	}
	if errs := page.Errors(); len(errs) > 0 {
		t.Errorf("the browser reported errors:\n%s", strings.Join(errs, "\n"))
	}
	if out := os.Getenv("GOBUILDJ_SCREENSHOTS"); out != "" {
		shot, err := page.Screenshot()
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(out, "report.png"), shot, 0o644); err != nil {
			t.Fatal(err)
		}
	}

	settle()
	mustBuild(t, dir)
	assertRan(t, dir)
}
