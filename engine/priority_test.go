package engine

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
)

// skewed is a Buildfile of short independent targets declared before a
// chain of long ones: first come, first served starts the shorts first
// and leaves the chain to run alone at the end.
func skewed(shorts int, short string, chain int, long string) string {
	var b strings.Builder
	var all []string
	for i := range shorts {
		fmt.Fprintf(&b, "[targets.s%d]\ncmd = \"sleep %s\"\n", i, short)
		all = append(all, fmt.Sprintf("%q", fmt.Sprintf("s%d", i)))
	}
	for i := range chain {
		fmt.Fprintf(&b, "[targets.c%d]\ncmd = \"sleep %s\"\n", i, long)
		if i > 0 {
			fmt.Fprintf(&b, "deps = [\"c%d\"]\n", i-1)
		}
	}
	all = append(all, fmt.Sprintf("\"c%d\"", chain-1))
	fmt.Fprintf(&b, "[targets.all]\ndeps = [%s]\n", strings.Join(all, ", "))
	return b.String()
}

// TestCriticalPathFirst checks the order targets start in with one job: the
// head of the long chain first, then (equal chains) the file order; and
// the file order with FIFO. The chain is longest by count before any run,
// and by recorded durations after one.
func TestCriticalPathFirst(t *testing.T) {
	g := loadBuildfile(t, skewed(3, "0", 3, "0.05"))
	// Before any run every command counts alike: c0 heads 3, c1 2, and
	// c2 ties with the shorts, which were ready before it.
	first := []string{"c0", "c1", "s0", "s1", "s2", "c2"}
	if got := buildAll(t, g, Options{Jobs: 1}); !slices.Equal(got, first) {
		t.Errorf("first build started %v, want %v", got, first)
	}
	// Then the chain of 3 x 50 ms goes first; the shorts, whose recorded
	// times differ only by noise, keep their order.
	want := []string{"c0", "c1", "c2", "s0", "s1", "s2"}
	if got := buildAll(t, g, Options{Jobs: 1, Force: true}); !slices.Equal(got, want) {
		t.Errorf("second build (recorded durations) started %v, want %v", got, want)
	}
	fifo := []string{"s0", "s1", "s2", "c0", "c1", "c2"}
	if got := buildAll(t, g, Options{Jobs: 1, Force: true, FIFO: true}); !slices.Equal(got, fifo) {
		t.Errorf("FIFO build started %v, want %v", got, fifo)
	}
}

// TestRecordedDurationsDecide checks that recorded durations, not the
// number of targets, make the critical path: a single slow target beats a
// chain of two fast ones once both ran.
func TestRecordedDurationsDecide(t *testing.T) {
	g := loadBuildfile(t, `
[targets.f0]
cmd = "true"
[targets.f1]
cmd = "true"
deps = ["f0"]
[targets.slow]
cmd = "sleep 0.3"
[targets.all]
deps = ["f1", "slow"]
`)
	buildAll(t, g, Options{Jobs: 1})
	want := []string{"slow", "f0", "f1"}
	if got := buildAll(t, g, Options{Jobs: 1, Force: true}); !slices.Equal(got, want) {
		t.Errorf("started %v, want %v (slow's recorded run is the longest chain)", got, want)
	}
}

// BenchmarkSkewed builds, at -j2, 6 targets of 0.1 s declared before a
// chain of 3 targets of 0.2 s, first come first served and critical path
// first. The chain alone takes 0.6 s: critical-path order ends then, with
// the short ones run beside it; first come, first served runs the short
// ones first (0.3 s) and then the chain alone, 0.9 s.
func BenchmarkSkewed(b *testing.B) {
	for _, mode := range []struct {
		name string
		fifo bool
	}{{"fifo", true}, {"critical-path", false}} {
		b.Run(mode.name, func(b *testing.B) {
			g := loadBuildfile(b, skewed(6, "0.1", 3, "0.2"))
			buildAll(b, g, Options{Jobs: 2, FIFO: mode.fifo}) // records durations
			start := time.Now()
			for b.Loop() {
				buildAll(b, g, Options{Jobs: 2, Force: true, FIFO: mode.fifo})
			}
			b.ReportMetric(float64(time.Since(start).Milliseconds())/float64(b.N), "wall-ms/build")
		})
	}
}
