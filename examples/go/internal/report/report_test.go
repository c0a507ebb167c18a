package report

import (
	"os"
	"strings"
	"testing"
)

func TestWrite(t *testing.T) {
	text, err := os.ReadFile("../../testdata/sample.txt")
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	if err := Write(&b, "sample.txt", string(text), 3); err != nil {
		t.Fatal(err)
	}
	want := "sample.txt: 21 words, 14 distinct, 4 sentences, 3.29 letters per word\n" +
		"     4 the\n" +
		"     2 a\n" +
		"     2 build\n"
	if b.String() != want {
		t.Errorf("report:\n%s\nwant:\n%s", b.String(), want)
	}
}
