package main

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
)

// printTables writes the results as Markdown: times with ratios, then peak
// RSS.
func printTables(w io.Writer, c *config, tools []tool, rows []*row, took time.Duration) {
	fmt.Fprintf(w, "\n## gobuildj bench\n\n")
	fmt.Fprintf(w, "Machine: %s.\n", machine())
	var versions []string
	for _, t := range tools {
		versions = append(versions, fmt.Sprintf("%s (%s)", t.name, t.version))
	}
	fmt.Fprintf(w, "Tools: %s.\n", strings.Join(versions, ", "))
	fmt.Fprintf(w, "Trivial `cp` targets at -j%d; medians of interleaved rounds (in brackets: rounds); "+
		"× best peer = gobuildj's median over the fastest peer's (× before: over -baseline's); the floors are in-process lower bounds. "+
		"The whole run took %s.\n\n", c.jobs, took.Round(time.Second))

	fmt.Fprintf(w, "| shape | N | scenario | gobuildj |")
	for _, t := range tools[1:] {
		fmt.Fprintf(w, " %s |", t.name)
	}
	baseline := slices.ContainsFunc(tools, func(t tool) bool { return t.name == baselineName })
	if baseline {
		fmt.Fprintf(w, " × before |")
	}
	fmt.Fprintf(w, " × best peer | floor | × floor |\n|---|---:|---|---:|")
	for range tools[1:] {
		fmt.Fprintf(w, "---:|")
	}
	if baseline {
		fmt.Fprintf(w, "---:|")
	}
	fmt.Fprintf(w, "---:|---:|---:|\n")
	for _, r := range rows {
		gb := median(r.times["gobuildj"])
		fmt.Fprintf(w, "| %s | %d | %s | %s |", r.shape, r.n, r.scenario, cell(r.times["gobuildj"]))
		var best time.Duration
		for _, t := range tools[1:] {
			ts := r.times[t.name]
			if len(ts) == 0 {
				why := r.skipped[t.name]
				if why == "" {
					why = "—"
				}
				fmt.Fprintf(w, " %s |", why)
				continue
			}
			if m := median(ts); !isGobuildj(t.name) && (best == 0 || m < best) {
				best = m
			}
			fmt.Fprintf(w, " %s |", cell(ts))
		}
		if baseline {
			fmt.Fprintf(w, " %s |", ratio(gb, median(r.times[baselineName])))
		}
		fmt.Fprintf(w, " %s | %s %s | %s |\n", ratio(gb, best), r.floorIs, cell(r.floor), ratio(gb, median(r.floor)))
	}

	fmt.Fprintf(w, "\nPeak RSS (MiB; the largest of a scenario's runs, counting the biggest of a tool's processes; "+
		"a MiB or two of it may be the small process that starts the tool):\n\n")
	fmt.Fprintf(w, "| shape | N | scenario |")
	for _, t := range tools {
		fmt.Fprintf(w, " %s |", t.name)
	}
	fmt.Fprintf(w, "\n|---|---:|---|")
	for range tools {
		fmt.Fprintf(w, "---:|")
	}
	fmt.Fprintln(w)
	for _, r := range rows {
		fmt.Fprintf(w, "| %s | %d | %s |", r.shape, r.n, r.scenario)
		for _, t := range tools {
			if len(r.times[t.name]) == 0 {
				fmt.Fprintf(w, " — |")
				continue
			}
			fmt.Fprintf(w, " %.1f |", float64(r.rss[t.name])/(1<<20))
		}
		fmt.Fprintln(w)
	}
}

// cell is a median with its number of rounds.
func cell(ds []time.Duration) string {
	if len(ds) == 0 {
		return "—"
	}
	return fmt.Sprintf("%s [%d]", human(median(ds)), len(ds))
}

func human(d time.Duration) string {
	ms := float64(d) / float64(time.Millisecond)
	switch {
	case ms >= 1000:
		return fmt.Sprintf("%.2f s", ms/1000)
	case ms >= 100:
		return fmt.Sprintf("%.0f ms", ms)
	case ms >= 10:
		return fmt.Sprintf("%.1f ms", ms)
	}
	return fmt.Sprintf("%.2f ms", ms)
}

func ratio(a, b time.Duration) string {
	if a == 0 || b == 0 {
		return "—"
	}
	return fmt.Sprintf("%.2f", float64(a)/float64(b))
}
