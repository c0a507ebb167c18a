package graph

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// writeFiles creates each file (slash path -> content) under dir.
func writeFiles(t testing.TB, dir string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// loadText writes text as Buildfile.toml into a new folder beside files,
// makes that folder the current one (so messages say "Buildfile.toml") and
// loads it.
func loadText(t *testing.T, text string, files map[string]string) (*Graph, string, error) {
	t.Helper()
	dir := t.TempDir()
	writeFiles(t, dir, files)
	writeFiles(t, dir, map[string]string{"Buildfile.toml": text})
	t.Chdir(dir)
	g, err := Load("Buildfile.toml")
	return g, dir, err
}

// mustLoad is loadText for Buildfiles that must be valid.
func mustLoad(t *testing.T, text string, files map[string]string) *Graph {
	t.Helper()
	g, _, err := loadText(t, text, files)
	if err != nil {
		t.Fatalf("Load: %v\nBuildfile:\n%s", err, text)
	}
	return g
}

// errorCase is a Buildfile and the exact message Load must return for it.
type errorCase struct {
	name  string
	text  string
	files map[string]string
	want  string
}

// runErrorCases checks that each case fails with exactly its message, as a
// *Error whose fields agree with the message.
func runErrorCases(t *testing.T, cases []errorCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			g, _, err := loadText(t, c.text, c.files)
			if err == nil {
				t.Fatalf("Load succeeded with %d targets; want error %q", len(g.Targets), c.want)
			}
			if got := err.Error(); got != c.want {
				t.Errorf("wrong message\n got: %s\nwant: %s", got, c.want)
			}
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("error is %T, want *Error", err)
			}
			if file, _, _ := strings.Cut(c.want, ":"); e.File != file {
				t.Errorf("File = %q, want %s", e.File, file)
			}
		})
	}
}

// names returns the names of ts.
func names(ts []*Target) []string {
	out := make([]string, len(ts))
	for i, t := range ts {
		out[i] = t.Name
	}
	return out
}
