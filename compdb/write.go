package compdb

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"github.com/gobuildj/gobuildj/graph"
)

// FileName is the name clang's tools look for.
const FileName = "compile_commands.json"

// DefaultPath is where a database of g goes unless told otherwise: beside
// its Buildfile.
func DefaultPath(g *graph.Graph) string {
	return filepath.Join(g.Root, FileName)
}

// Encode returns entries as the JSON array of a database, indented, with a
// final newline.
func Encode(entries []Entry) ([]byte, error) {
	if entries == nil {
		entries = []Entry{}
	}
	data, err := json.MarshalIndent(entries, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("compdb: %w", err)
	}
	return append(data, '\n'), nil
}

// WriteFile replaces the file path with the database of entries, through a
// temporary file in the same folder, so that a tool reading it never sees
// half a file.
func WriteFile(path string, entries []Entry) error {
	data, err := Encode(entries)
	if err != nil {
		return err
	}
	if err := writeAtomic(path, data); err != nil {
		return fmt.Errorf("compdb: %w", err)
	}
	return nil
}

// writeAtomic replaces path with data through a temporary file in the same
// folder, readable by all (0644) like a file the user wrote.
func writeAtomic(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return err
	}
	_, err = tmp.Write(data)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(tmp.Name(), 0o644)
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		os.Remove(tmp.Name())
	}
	return err
}
