package tokenize

import (
	"slices"
	"testing"
)

func TestWords(t *testing.T) {
	for _, c := range []struct {
		in   string
		want []string
	}{
		{"", nil},
		{"Hello, world!", []string{"hello", "world"}},
		{"Don't stop -- 42 times'", []string{"don't", "stop", "42", "times"}},
		{"Éclair au café", []string{"éclair", "au", "café"}},
	} {
		if got := Words(c.in); !slices.Equal(got, c.want) {
			t.Errorf("Words(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestSentences(t *testing.T) {
	for in, want := range map[string]int{"": 0, "One. Two!": 2, "Wait... what?": 2, "no end": 1, "?!": 0} {
		if got := Sentences(in); got != want {
			t.Errorf("Sentences(%q) = %d, want %d", in, got, want)
		}
	}
}
