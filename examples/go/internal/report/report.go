// Package report writes the statistics of a text.
package report

import (
	"fmt"
	"io"

	"example.com/wordstat/internal/stats"
	"example.com/wordstat/internal/tokenize"
)

// Write prints the statistics of text, named name, with its top most
// frequent words.
func Write(w io.Writer, name, text string, top int) error {
	words := tokenize.Words(text)
	counts := stats.Frequencies(words)
	if _, err := fmt.Fprintf(w, "%s: %d words, %d distinct, %d sentences, %.2f letters per word\n",
		name, len(words), len(counts), tokenize.Sentences(text), stats.MeanLength(words)); err != nil {
		return err
	}
	for i, c := range counts {
		if i == top {
			break
		}
		if _, err := fmt.Fprintf(w, "%6d %s\n", c.N, c.Word); err != nil {
			return err
		}
	}
	return nil
}
