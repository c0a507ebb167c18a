package worker

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// testOutputBuf returns an outputBuf whose log is a file of a temporary
// folder, and the path of that file.
func testOutputBuf(t *testing.T) (*outputBuf, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "whole.log")
	b := &outputBuf{logMax: outputLogMax, logName: path}
	b.open = func() (*os.File, error) { return os.Create(path) }
	return b, path
}

// writeAll writes data to b in pieces of random sizes, some larger than
// the ring.
func writeAll(b *outputBuf, data []byte, rng *rand.Rand) {
	for len(data) > 0 {
		n := 1 + rng.IntN(4096)
		switch rng.IntN(10) {
		case 0:
			n = 1 + rng.IntN(3*outputTail)
		case 1:
			n = 0
		}
		n = min(n, len(data))
		b.Write(data[:n])
		data = data[n:]
	}
}

// lines returns about n bytes of numbered lines of various lengths.
func lines(n int, rng *rand.Rand) []byte {
	var b bytes.Buffer
	for i := 0; b.Len() < n; i++ {
		fmt.Fprintf(&b, "line %d %s\n", i, strings.Repeat("x", rng.IntN(200)))
	}
	return b.Bytes()[:n]
}

var noticeRE = regexp.MustCompile(`(?m)^gobuildj: (\d+) bytes of output not shown; (.*)\n`)

// splitShown returns the head and tail around the notice of shown, and
// the notice's count and where.
func splitShown(t *testing.T, shown []byte) (head, tail []byte, hidden int, where string) {
	t.Helper()
	loc := noticeRE.FindSubmatchIndex(shown)
	if loc == nil {
		t.Fatalf("no notice in %d bytes of output", len(shown))
	}
	hidden, _ = strconv.Atoi(string(shown[loc[2]:loc[3]]))
	return shown[:loc[0]], shown[loc[1]:], hidden, string(shown[loc[4]:loc[5]])
}

func TestOutputBufKeepsWhatFits(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	b, path := testOutputBuf(t)
	data := lines(outputKeep, rng)
	writeAll(b, data, rng)
	if got := b.finish(); !bytes.Equal(got, data) {
		t.Errorf("an output of exactly %d bytes came back as %d bytes", outputKeep, len(got))
	}
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("an output that fits made a log: %v", err)
	}
}

func TestOutputBufKeepsHeadAndTail(t *testing.T) {
	for _, size := range []int{outputKeep + 1, outputKeep + 100, 2*outputKeep + 12345, 5 << 20} {
		for _, withLines := range []bool{true, false} {
			t.Run(fmt.Sprintf("%d lines=%v", size, withLines), func(t *testing.T) {
				rng := rand.New(rand.NewPCG(uint64(size), 3))
				data := lines(size, rng)
				if !withLines {
					data = bytes.ReplaceAll(data, []byte("\n"), []byte("-"))
				}
				b, path := testOutputBuf(t)
				writeAll(b, data, rng)
				shown := b.finish()
				head, tail, hidden, where := splitShown(t, shown)
				if !withLines {
					// No line to end at: the head ends where it must,
					// followed by a line break.
					if len(head) != outputHead+1 || head[outputHead] != '\n' {
						t.Fatalf("head of %d bytes, want %d and a line break", len(head), outputHead)
					}
					head = head[:outputHead]
				}
				if !bytes.HasPrefix(data, head) || !bytes.HasSuffix(data, tail) {
					t.Errorf("head (%d bytes) or tail (%d bytes) are not the output's", len(head), len(tail))
				}
				if len(head)+hidden+len(tail) != len(data) {
					t.Errorf("head %d + not shown %d + tail %d bytes, want %d in all", len(head), hidden, len(tail), len(data))
				}
				if len(head) > outputHead || len(tail) > outputTail || len(head) < outputHead*3/4 || len(tail) < outputTail*3/4 {
					t.Errorf("head %d and tail %d bytes, want close to %d and %d", len(head), len(tail), outputHead, outputTail)
				}
				if withLines && (head[len(head)-1] != '\n' || !bytes.HasPrefix(tail, []byte("line "))) {
					t.Errorf("head ends with %q and tail starts with %q: want whole lines", head[len(head)-10:], tail[:10])
				}
				if where != "the whole output is in "+path {
					t.Errorf("notice says %q", where)
				}
				if whole, err := os.ReadFile(path); err != nil || !bytes.Equal(whole, data) {
					t.Errorf("the log has %d bytes (%v), want the %d of the output", len(whole), err, len(data))
				}
			})
		}
	}
}

func TestOutputBufLogIsBounded(t *testing.T) {
	rng := rand.New(rand.NewPCG(4, 5))
	b, path := testOutputBuf(t)
	b.logMax = 2 << 20
	data := lines(3<<20, rng)
	writeAll(b, data, rng)
	_, _, _, where := splitShown(t, b.finish())
	if want := fmt.Sprintf("the whole output is too long to keep: its first %d bytes are in %s", 2<<20, path); where != want {
		t.Errorf("notice says %q, want %q", where, want)
	}
	whole, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	note := fmt.Sprintf("\ngobuildj: the output went on for %d more bytes, not written here: a log holds at most %d bytes\n", 1<<20, 2<<20)
	if !bytes.Equal(whole[:2<<20], data[:2<<20]) || string(whole[2<<20:]) != note {
		t.Errorf("the log has %d bytes ending with %q, want the first %d of the output and %q", len(whole), whole[2<<20:], 2<<20, note)
	}
}

func TestOutputBufWithoutLog(t *testing.T) {
	rng := rand.New(rand.NewPCG(6, 7))
	data := lines(outputKeep+5000, rng)

	b := &outputBuf{logMax: outputLogMax}
	writeAll(b, data, rng)
	if _, _, _, where := splitShown(t, b.finish()); where != "the whole output was not saved" {
		t.Errorf("without a project, the notice says %q", where)
	}

	b, _ = testOutputBuf(t)
	b.open = func() (*os.File, error) { return nil, errors.New("no room") }
	writeAll(b, data, rng)
	if _, _, _, where := splitShown(t, b.finish()); where != "the whole output could not be saved: no room" {
		t.Errorf("with a log that cannot be created, the notice says %q", where)
	}
}

// A job's log is the target's in the state folder of its project, and a
// runner's buffer, reused, starts empty and stays within outputKeep.
func TestOutputBufReset(t *testing.T) {
	rng := rand.New(rand.NewPCG(8, 9))
	project := t.TempDir()
	var b outputBuf
	b.reset(&Job{Target: "gen/big", Project: project})
	data := lines(3*outputKeep, rng)
	writeAll(&b, data, rng)
	_, _, _, where := splitShown(t, b.finish())
	log := filepath.Join(project, ".gobuildj/log/output/gen%2Fbig.log")
	if where != "the whole output is in "+log {
		t.Errorf("notice says %q, want the target's log %s", where, log)
	}
	if whole, err := os.ReadFile(log); err != nil || !bytes.Equal(whole, data) {
		t.Errorf("the log has %d bytes (%v), want %d", len(whole), err, len(data))
	}
	b.reset(&Job{Target: "small"})
	b.Write([]byte("small\n"))
	if got := b.finish(); string(got) != "small\n" || cap(b.buf) > outputKeep {
		t.Errorf("after reset: %q with a buffer of %d bytes", got, cap(b.buf))
	}
}
