package cache

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/zeebo/xxh3"
	"golang.org/x/sys/unix"
)

func TestHashString(t *testing.T) {
	h := HashBytes([]byte("hello"))
	s := h.String()
	if len(s) != 32 || strings.Trim(s, "0123456789abcdef") != "" {
		t.Fatalf("String() = %q, want 32 lowercase hex digits", s)
	}
	if h.IsZero() || !(Hash{}).IsZero() {
		t.Fatal("IsZero is wrong")
	}
}

// TestHashFileSizes covers every read strategy: empty, small (one read),
// just below and at the mmap threshold, and a big mapped file. The result
// must always equal xxh3-128 of the content.
func TestHashFileSizes(t *testing.T) {
	dir := t.TempDir()
	for _, size := range []int{0, 1, 100, mmapThreshold - 1, mmapThreshold, mmapThreshold + 1, 3 << 20} {
		data := bytes.Repeat([]byte("gobuildj"), size/8+1)[:size]
		if size > 0 {
			data[size-1] = byte(size)
		}
		path := filepath.Join(dir, "f")
		writeFile(t, path, data)
		got, err := HashFile(path)
		if err != nil {
			t.Fatalf("size %d: %v", size, err)
		}
		if want := Hash(xxh3.Hash128(data).Bytes()); got != want {
			t.Errorf("size %d: HashFile = %s, want %s", size, got, want)
		}
	}
}

func TestHashFileErrors(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "missing")
	_, err := HashFile(missing)
	if !errors.Is(err, os.ErrNotExist) || !strings.Contains(err.Error(), missing) {
		t.Errorf("missing file: err = %v, want ErrNotExist naming the file", err)
	}
	if _, err := HashFile(dir); err == nil || !strings.Contains(err.Error(), dir) {
		t.Errorf("directory: err = %v, want an error naming it", err)
	}
}

// TestHashMappedTruncated proves that a mapped file truncated under the
// hasher gives an error instead of crashing the process with SIGBUS.
func TestHashMappedTruncated(t *testing.T) {
	path := filepath.Join(t.TempDir(), "big")
	writeFile(t, path, make([]byte, 1<<20))
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	data, err := unix.Mmap(int(f.Fd()), 0, 1<<20, unix.PROT_READ, unix.MAP_SHARED)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Munmap(data)
	if err := os.Truncate(path, 0); err != nil {
		t.Fatal(err)
	}
	if _, err := hashMapped(data); !errors.Is(err, errShrank) {
		t.Fatalf("hashMapped of a truncated mapping: err = %v, want errShrank", err)
	}
}

func BenchmarkHashFile(b *testing.B) {
	for _, bc := range []struct {
		name string
		size int
	}{{"1MiB", 1 << 20}, {"64MiB", 64 << 20}} {
		b.Run(bc.name, func(b *testing.B) {
			path := filepath.Join(b.TempDir(), "f")
			writeFile(b, path, bytes.Repeat([]byte{1, 2, 3, 4, 5, 6, 7}, bc.size/7+1)[:bc.size])
			b.SetBytes(int64(bc.size))
			for b.Loop() {
				if _, err := HashFile(path); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkHashFileSmall(b *testing.B) {
	path := filepath.Join(b.TempDir(), "f")
	writeFile(b, path, bytes.Repeat([]byte("x"), 4096))
	b.SetBytes(4096)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := HashFile(path); err != nil {
			b.Fatal(err)
		}
	}
}

// writeFile writes data to path, creating parent folders.
func writeFile(tb testing.TB, path string, data []byte) {
	tb.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o777); err != nil {
		tb.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o666); err != nil {
		tb.Fatal(err)
	}
}
