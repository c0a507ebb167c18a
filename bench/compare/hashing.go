package main

import (
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/zeebo/xxh3"

	"github.com/gobuildj/gobuildj/cache"
)

// hashResult compares gobuildj's hashing of a large file with xxh3 itself
// on the same bytes in memory (one core, nothing read).
type hashResult struct {
	size         int64
	file, memory time.Duration // medians
}

// measureHashing writes a file of size bytes in dir and hashes it rounds
// times as gobuildj does (cache.HashFile: mapped, one shot), and the same
// bytes in memory with xxh3.
func measureHashing(dir string, size int64, rounds int) (hashResult, error) {
	r := hashResult{size: size}
	data := make([]byte, size)
	for i := range data {
		data[i] = byte(i*7 + i>>12)
	}
	path := filepath.Join(dir, "big.bin")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		return r, err
	}
	defer os.Remove(path)
	want := cache.HashBytes(data)
	var file, mem []time.Duration
	for range rounds {
		start := time.Now()
		h, err := cache.HashFile(path)
		file = append(file, time.Since(start))
		if err != nil {
			return r, err
		}
		if h != want {
			return r, fmt.Errorf("HashFile of %s differs from the hash of its bytes", path)
		}
		start = time.Now()
		xxh3.Hash128(data)
		mem = append(mem, time.Since(start))
	}
	r.file, r.memory = median(file), median(mem)
	return r, nil
}

func (r hashResult) String() string {
	gbps := func(d time.Duration) float64 { return float64(r.size) / d.Seconds() / 1e9 }
	return fmt.Sprintf("Hashing a %d MiB file (page cache): %.1f GB/s, %.0f%% of xxh3-128 on the same bytes in memory (%.1f GB/s, one core).",
		r.size>>20, gbps(r.file), 100*r.memory.Seconds()/r.file.Seconds(), gbps(r.memory))
}
