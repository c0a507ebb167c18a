package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// A command that prints more than a GiB and exits 0 is a success: the
// build shows the beginning and the end of its output around a line saying
// where the rest is, the state folder's log holds its first GiB, and
// neither the worker nor gobuildj holds more than a few MiB of it.
func TestHugeOutputIsBoundedInMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("prints 1.2 GB")
	}
	const (
		size   = 1_200_000_000
		logMax = 1 << 30
		// maxRSS bounds the peak memory of the worker and of gobuildj
		// (race-enabled binaries take more), far under the output.
		maxRSS = 300 << 20
	)
	// The command's shell is a child of its worker ($PPID), whose peak
	// memory it reads once the output is written.
	bf := fmt.Sprintf(`
[targets.all]
cmd = "echo first line; yes | head -c %d; echo last line; grep VmHWM /proc/$PPID/status > worker.hwm"
`, size)
	dir := project(t, map[string]string{"Buildfile.toml": bf})
	settle()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, binary)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "CI=true", "NO_COLOR=1", "GITHUB_ACTIONS=")
	var buf bytes.Buffer
	cmd.Stdout, cmd.Stderr = &buf, &buf
	err := cmd.Run()
	out := buf.String()
	if err != nil {
		t.Fatalf("gobuildj: %v (want success); output of %d bytes, its end:\n%s", err, len(out), out[max(0, len(out)-2000):])
	}
	if len(out) > 2<<20 {
		t.Errorf("gobuildj printed %d bytes, want the head and tail of the output (about a MiB)", len(out))
	}

	log := filepath.Join(dir, ".gobuildj", "log", "output", "all.log")
	wholeLen := len("first line\n") + size + len("last line\n")
	notice := fmt.Sprintf(" bytes of output not shown; the whole output is too long to keep: its first %d bytes are in %s\n", logMax, log)
	i := strings.Index(out, "first line\ny\ny\n")
	j := strings.Index(out, notice)
	k := strings.LastIndex(out, "y\ny\nlast line\n")
	if i < 0 || j < i || k < j {
		middle := out[max(0, strings.Index(out, " not shown")-300):]
		t.Fatalf("want the head, the notice %q and the tail in order (at %d, %d, %d); output of %d bytes, around the middle:\n%s",
			notice, i, j, k, len(out), middle[:min(len(middle), 600)])
	}
	// The count of bytes not shown and what is shown make up the whole.
	start := strings.LastIndex(out[:j], "gobuildj: ")
	hidden, err := strconv.Atoi(out[start+len("gobuildj: ") : j])
	if err != nil {
		t.Fatalf("notice %q: %v", out[start:j+len(notice)], err)
	}
	shown := (start - i) + (k + len("y\ny\nlast line\n") - (j + len(notice)))
	if shown+hidden != wholeLen {
		t.Errorf("%d bytes shown and %d not shown, want %d in all", shown, hidden, wholeLen)
	}

	// The log has the first GiB and says that the rest is missing.
	f, err := os.Open(log)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		t.Fatal(err)
	}
	note := fmt.Sprintf("\ngobuildj: the output went on for %d more bytes, not written here: a log holds at most %d bytes\n", wholeLen-logMax, logMax)
	// It is cut at 1 GiB, mid-line: "y" at an even distance from the
	// first one, which is at an odd offset.
	if fi.Size() != int64(logMax+len(note)) {
		t.Errorf("the log has %d bytes, want %d and the note %q", fi.Size(), logMax, note)
	}
	head := make([]byte, 64)
	tail := make([]byte, len(note)+4)
	if _, err := f.ReadAt(head, 0); err != nil {
		t.Fatal(err)
	}
	if _, err := f.ReadAt(tail, fi.Size()-int64(len(tail))); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(head), "first line\ny\ny\n") || string(tail) != "\ny\ny"+note {
		t.Errorf("the log starts with %q and ends with %q", head, tail)
	}

	// Memory: the worker's peak, read by the command, and the largest of
	// gobuildj and its reaped workers.
	hwm := read(t, filepath.Join(dir, "worker.hwm"))
	fields := strings.Fields(hwm)
	if len(fields) != 3 || fields[2] != "kB" {
		t.Fatalf("worker.hwm: %q", hwm)
	}
	kb, err := strconv.Atoi(fields[1])
	if err != nil {
		t.Fatalf("worker.hwm: %q", hwm)
	}
	if kb<<10 > maxRSS {
		t.Errorf("the worker's peak memory was %d MiB, want under %d MiB", kb>>10, maxRSS>>20)
	}
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok && ru.Maxrss<<10 > maxRSS {
		t.Errorf("gobuildj's peak memory was %d MiB, want under %d MiB", ru.Maxrss>>10, maxRSS>>20)
	}
	t.Logf("worker peak %d MiB; the build took %s", kb>>10, cmd.ProcessState.UserTime()+cmd.ProcessState.SystemTime())
}
