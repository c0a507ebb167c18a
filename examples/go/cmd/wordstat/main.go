// Command wordstat prints word statistics of text files: counts, sentences,
// and the most frequent words.
package main

import (
	"flag"
	"fmt"
	"io"
	"os"

	"example.com/wordstat/internal/report"
)

func main() {
	top := flag.Int("top", 5, "print the `N` most frequent words")
	flag.Usage = func() {
		fmt.Fprintln(os.Stderr, "usage: wordstat [-top N] [FILE...]  (standard input without FILE)")
		flag.PrintDefaults()
	}
	flag.Parse()
	files := flag.Args()
	if len(files) == 0 {
		text, err := io.ReadAll(os.Stdin)
		if err != nil {
			fmt.Fprintln(os.Stderr, "wordstat:", err)
			os.Exit(1)
		}
		if err := report.Write(os.Stdout, "stdin", string(text), *top); err != nil {
			fmt.Fprintln(os.Stderr, "wordstat:", err)
			os.Exit(1)
		}
		return
	}
	status := 0
	for _, f := range files {
		text, err := os.ReadFile(f)
		if err == nil {
			err = report.Write(os.Stdout, f, string(text), *top)
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "wordstat:", err)
			status = 1
		}
	}
	os.Exit(status)
}
