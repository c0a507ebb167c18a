// Package tokenize splits text into lower-case words.
package tokenize

import (
	"strings"
	"unicode"
)

// Words returns the words of text, lower-cased: runs of letters, digits and
// apostrophes inside a word ("don't").
func Words(text string) []string {
	var words []string
	start := -1
	for i, r := range text {
		inWord := unicode.IsLetter(r) || unicode.IsDigit(r) || (r == '\'' && start >= 0)
		switch {
		case inWord && start < 0:
			start = i
		case !inWord && start >= 0:
			words = append(words, strings.ToLower(strings.TrimRight(text[start:i], "'")))
			start = -1
		}
	}
	if start >= 0 {
		words = append(words, strings.ToLower(strings.TrimRight(text[start:], "'")))
	}
	return words
}

// Sentences counts the sentences of text: runs of text ended by '.', '!'
// or '?' (or by the end of the text, if it holds a word).
func Sentences(text string) int {
	n := 0
	pending := false
	for _, r := range text {
		switch {
		case r == '.' || r == '!' || r == '?':
			if pending {
				n++
				pending = false
			}
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			pending = true
		}
	}
	if pending {
		n++
	}
	return n
}
