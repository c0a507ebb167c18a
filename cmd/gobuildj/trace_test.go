package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestTraceSubcommandPrintsWhatACommandTouched(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "in"), []byte("b\na\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	report := filepath.Join(t.TempDir(), "report")
	r := gobuildj(t, dir, "trace", "-o", report, "--", "sh", "-c", "sort in > out; rm -f in; cat nothere; exit 4")
	if r.code != 4 {
		t.Fatalf("exit code %d, want the command's 4; output:\n%s", r.code, r.out)
	}
	if !strings.Contains(r.out, "nothere") {
		t.Errorf("output %q: the command's own output is missing", r.out)
	}
	b, err := os.ReadFile(report)
	if err != nil {
		t.Fatal(err)
	}
	var mine []string
	for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		if kind, path, ok := strings.Cut(line, " "); ok && strings.HasPrefix(path, dir+"/") {
			mine = append(mine, kind+" "+strings.TrimPrefix(path, dir+"/"))
		}
	}
	want := []string{"read in", "written out", "deleted in", "probed nothere"}
	if strings.Join(mine, "\n") != strings.Join(want, "\n") {
		t.Errorf("report lines in the project:\n%s\nwant:\n%s\nfull report:\n%s", strings.Join(mine, "\n"), strings.Join(want, "\n"), b)
	}

	// The report goes to standard output without -o.
	r = gobuildj(t, dir, "trace", "cat", "out")
	if r.code != 0 || !strings.Contains(r.out, "a\nb\n") || !strings.Contains(r.out, "read "+filepath.Join(dir, "out")+"\n") {
		t.Errorf("exit code %d, output:\n%s\nwant the file and then a read line for it", r.code, r.out)
	}
}
