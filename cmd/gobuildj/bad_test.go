package main

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files of testdata/bad")

// TestBadBuildfiles runs gobuildj on every Buildfile of testdata/bad: each
// must stop with exit code 2 and the message of its .golden file (naming the
// file and line, or the target and key, and what was expected), run nothing
// and write nothing to .gobuildj/.
func TestBadBuildfiles(t *testing.T) {
	corpus := filepath.Join("..", "..", "testdata", "bad")
	files, err := filepath.Glob(filepath.Join(corpus, "*.toml"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 40 {
		t.Fatalf("testdata/bad holds %d Buildfiles, want at least 40", len(files))
	}
	for _, file := range files {
		name := strings.TrimSuffix(filepath.Base(file), ".toml")
		t.Run(name, func(t *testing.T) {
			content, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			dir := project(t, map[string]string{"Buildfile.toml": string(content)})
			r := gobuildj(t, dir)
			if r.code != 2 {
				t.Errorf("exit code %d, want 2:\n%s", r.code, r.out)
			}
			golden := filepath.Join(corpus, name+".golden")
			if *update {
				if err := os.WriteFile(golden, []byte(r.out), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run the test with -update to write it)", err)
			}
			if r.out != string(want) {
				t.Errorf("message:\n%s\nwant:\n%s", r.out, want)
			}
			entries, _ := os.ReadDir(dir)
			for _, e := range entries {
				if e.Name() != "Buildfile.toml" {
					t.Errorf("a bad Buildfile left %s behind (something ran or state was written)", e.Name())
				}
			}
		})
	}
}
