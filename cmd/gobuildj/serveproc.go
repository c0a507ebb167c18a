package main

import (
	"bufio"
	"os"
	"strconv"
	"strings"
)

// What the build server knows of processes: its own memory and mappings,
// and whether a client is one of its build's commands.

// Each build maps the graph snapshot and the state log, and strings of the
// graph and the records point into the mappings, so they are never undone
// (a standalone build ends its process). A log that was compacted, or a
// snapshot replaced, stays on disk while mapped: past these limits the
// server hands over to a fresh process.
const (
	maxDeletedMapped = 256 << 20
	maxMappings      = 1024
)

// holdsTooMuch says whether this process maps too many files of the state
// folder, or too many bytes of files deleted since.
func holdsTooMuch(state string) bool {
	b, err := os.ReadFile("/proc/self/maps")
	if err != nil {
		return false
	}
	var count int
	var deleted int64
	prefix := state + string(os.PathSeparator)
	for _, line := range strings.Split(string(b), "\n") {
		fields := strings.Fields(line)
		if len(fields) < 6 || !strings.HasPrefix(fields[5], prefix) {
			continue
		}
		count++
		if strings.HasSuffix(line, " (deleted)") {
			lo, hi, _ := strings.Cut(fields[0], "-")
			from, _ := strconv.ParseUint(lo, 16, 64)
			to, _ := strconv.ParseUint(hi, 16, 64)
			deleted += int64(to - from)
		}
	}
	return count > maxMappings || deleted > maxDeletedMapped
}

// descendsFrom says whether the process pid is a descendant of ancestor.
func descendsFrom(pid, ancestor int) bool {
	for i := 0; pid > 1 && i < 64; i++ {
		b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
		if err != nil {
			return false
		}
		s := string(b)
		rest := s[strings.LastIndexByte(s, ')')+1:] // " S PPID ..."
		fields := strings.Fields(rest)
		if len(fields) < 2 {
			return false
		}
		if pid, err = strconv.Atoi(fields[1]); err != nil {
			return false
		}
		if pid == ancestor {
			return true
		}
	}
	return false
}

// selfRSS is this process's resident memory in bytes, and the part of it
// that is not file-backed (0 if unknown). The rest is the page cache's
// pages of the files it maps (the graph snapshot, the state log).
func selfRSS() (rss, anon int64) {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0, 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	kb := func(rest string) int64 {
		n, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
		return n << 10
	}
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			rss = kb(rest)
		} else if rest, ok := strings.CutPrefix(sc.Text(), "RssAnon:"); ok {
			anon = kb(rest)
		}
	}
	return rss, anon
}
