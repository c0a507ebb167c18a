// Package stats counts words.
package stats

import "sort"

// Count is a word and how often it occurs.
type Count struct {
	Word string
	N    int
}

// Frequencies returns the words with their counts, most frequent first
// (ties in alphabetical order).
func Frequencies(words []string) []Count {
	m := make(map[string]int)
	for _, w := range words {
		m[w]++
	}
	counts := make([]Count, 0, len(m))
	for w, n := range m {
		counts = append(counts, Count{w, n})
	}
	sort.Slice(counts, func(i, j int) bool {
		if counts[i].N != counts[j].N {
			return counts[i].N > counts[j].N
		}
		return counts[i].Word < counts[j].Word
	})
	return counts
}

// MeanLength is the mean number of letters of the words (0 for none).
func MeanLength(words []string) float64 {
	if len(words) == 0 {
		return 0
	}
	total := 0
	for _, w := range words {
		total += len([]rune(w))
	}
	return float64(total) / float64(len(words))
}
