package engine

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

func TestToolchainGrantsAToolsInstallation(t *testing.T) {
	dir := t.TempDir()
	root := filepath.Join(dir, "project")
	gobin := filepath.Join(dir, "go", "bin")
	for _, d := range []string{root, gobin, filepath.Join(dir, "other")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(gobin, "go"), nil, 0o755); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "other", "go")
	if err := os.Symlink(filepath.Join(gobin, "go"), link); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		path string
		want []string
	}{
		// A tool of the project: itself only.
		{filepath.Join(root, "tools/gen.sh"), []string{filepath.Join(root, "tools/gen.sh")}},
		// A bin folder: and the installation above it.
		{filepath.Join(gobin, "go"), []string{gobin, filepath.Join(dir, "go")}},
		// Through a link: the folder of both ends.
		{link, []string{filepath.Join(dir, "other"), gobin, filepath.Join(dir, "go")}},
		// Never the folder holding the project.
		{filepath.Join(dir, "bin", "cc"), []string{filepath.Join(dir, "bin")}},
	} {
		if got := toolchain(root, c.path); !reflect.DeepEqual(got, c.want) {
			t.Errorf("toolchain(%s) = %q, want %q", c.path, got, c.want)
		}
	}
}
