// Command gen writes a synthetic build graph in the formats of gobuildj,
// ninja and make, so the tools can be timed side by side on equal work.
//
// Shape "wide": N independent leaves `cp src/I.txt out/I.o`, one aggregate
// per 100 leaves, and `all` over the aggregates.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"os"
	"path/filepath"
)

func main() {
	n := flag.Int("n", 1000, "number of leaf targets")
	dir := flag.String("o", "graph", "output folder")
	flag.Parse()
	if err := generate(*dir, *n); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

func generate(dir string, n int) error {
	if err := os.MkdirAll(filepath.Join(dir, "src"), 0o755); err != nil {
		return err
	}
	for i := 0; i < n; i++ {
		if err := os.WriteFile(filepath.Join(dir, "src", fmt.Sprintf("%d.txt", i)), []byte(fmt.Sprintf("source %d\n", i)), 0o644); err != nil {
			return err
		}
	}
	groups := (n + 99) / 100
	writers := []struct {
		name  string
		write func(w *bufio.Writer)
	}{
		{"Buildfile.toml", func(w *bufio.Writer) {
			fmt.Fprintf(w, "[targets.all]\ndeps = [")
			for g := 0; g < groups; g++ {
				fmt.Fprintf(w, "\"g%d\",", g)
			}
			fmt.Fprintf(w, "]\n")
			for g := 0; g < groups; g++ {
				fmt.Fprintf(w, "[targets.g%d]\ndeps = [", g)
				for i := g * 100; i < n && i < (g+1)*100; i++ {
					fmt.Fprintf(w, "\"t%d\",", i)
				}
				fmt.Fprintf(w, "]\n")
			}
			for i := 0; i < n; i++ {
				fmt.Fprintf(w, "[targets.t%d]\ninputs = [\"src/%d.txt\"]\noutputs = [\"out/%d.o\"]\ncmd = \"cp ${in} ${out}\"\n", i, i, i)
			}
		}},
		{"build.ninja", func(w *bufio.Writer) {
			fmt.Fprintf(w, "rule cp\n  command = cp $in $out\n")
			for i := 0; i < n; i++ {
				fmt.Fprintf(w, "build out/%d.o: cp src/%d.txt\n", i, i)
			}
			for g := 0; g < groups; g++ {
				fmt.Fprintf(w, "build g%d: phony", g)
				for i := g * 100; i < n && i < (g+1)*100; i++ {
					fmt.Fprintf(w, " out/%d.o", i)
				}
				fmt.Fprintf(w, "\n")
			}
			fmt.Fprintf(w, "build all: phony")
			for g := 0; g < groups; g++ {
				fmt.Fprintf(w, " g%d", g)
			}
			fmt.Fprintf(w, "\ndefault all\n")
		}},
		{"Makefile", func(w *bufio.Writer) {
			fmt.Fprintf(w, "all:")
			for g := 0; g < groups; g++ {
				fmt.Fprintf(w, " g%d", g)
			}
			fmt.Fprintf(w, "\n.PHONY: all")
			for g := 0; g < groups; g++ {
				fmt.Fprintf(w, " g%d", g)
			}
			fmt.Fprintf(w, "\n")
			for g := 0; g < groups; g++ {
				fmt.Fprintf(w, "g%d:", g)
				for i := g * 100; i < n && i < (g+1)*100; i++ {
					fmt.Fprintf(w, " out/%d.o", i)
				}
				fmt.Fprintf(w, "\n")
			}
			fmt.Fprintf(w, "out/%%.o: src/%%.txt | out\n\tcp $< $@\nout:\n\tmkdir -p out\n")
		}},
	}
	for _, wr := range writers {
		f, err := os.Create(filepath.Join(dir, wr.name))
		if err != nil {
			return err
		}
		w := bufio.NewWriter(f)
		wr.write(w)
		if err := w.Flush(); err != nil {
			f.Close()
			return err
		}
		if err := f.Close(); err != nil {
			return err
		}
	}
	return nil
}
