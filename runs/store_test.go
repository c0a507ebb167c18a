package runs

import (
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gobuildj/gobuildj/internal/statedir"
)

func record(start time.Time, targets ...Target) *Record {
	return &Record{Format: Format, Start: start, Complete: true, Targets: targets, Counts: Counts{Run: len(targets)}}
}

func ids(t *testing.T, dir statedir.Dir) []string {
	t.Helper()
	entries, err := List(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		out = append(out, e.ID)
	}
	return out
}

func TestSaveGivesSortableIDsWithACounter(t *testing.T) {
	dir := statedir.Of(t.TempDir())
	start := time.Date(2026, 12, 6, 22, 30, 15, 0, time.UTC)
	for i := 0; i < 11; i++ {
		if err := Save(dir, record(start)); err != nil {
			t.Fatal(err)
		}
	}
	if err := Save(dir, record(start.Add(time.Second))); err != nil {
		t.Fatal(err)
	}
	got := ids(t, dir)
	want := []string{"20261206-223015"}
	for i := 2; i <= 11; i++ {
		want = append(want, "20261206-223015-"+strconv.Itoa(i))
	}
	want = append(want, "20261206-223016")
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Fatalf("IDs:\n got %v\nwant %v", got, want)
	}
	rec, err := Load(dir, "20261206-223015-10")
	if err != nil || rec.ID != "20261206-223015-10" {
		t.Fatalf("Load: %v, %+v", err, rec)
	}
	entries, _ := List(dir)
	for name, want := range map[string]string{
		"last": "20261206-223016", "last~1": "20261206-223015-11", "last~11": "20261206-223015",
		"20261206-223016": "20261206-223016", "20261206-223015-2": "20261206-223015-2",
	} {
		if got, err := Resolve(entries, name); err != nil || got != want {
			t.Errorf("Resolve(%q) = %q, %v; want %q", name, got, err, want)
		}
	}
	for _, bad := range []string{"last~12", "last~x", "lastly", "2026", "nope"} {
		if got, err := Resolve(entries, bad); err == nil {
			t.Errorf("Resolve(%q) = %q, want an error", bad, got)
		}
	}
}

func TestSaveLeavesNoTemporaryFile(t *testing.T) {
	dir := statedir.Of(t.TempDir())
	if err := Save(dir, record(time.Now())); err != nil {
		t.Fatal(err)
	}
	files, _ := os.ReadDir(dir.Runs())
	if len(files) != 1 || !strings.HasSuffix(files[0].Name(), ".json") {
		t.Fatalf("runs folder holds %v, want one record", files)
	}
}

func TestPruneKeepsTheCountCap(t *testing.T) {
	dir := statedir.Of(t.TempDir())
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := 0; i < MaxRecords+10; i++ {
		if err := Save(dir, record(start.Add(time.Duration(i)*time.Minute))); err != nil {
			t.Fatal(err)
		}
	}
	got := ids(t, dir)
	if len(got) != MaxRecords {
		t.Fatalf("%d records kept, want %d", len(got), MaxRecords)
	}
	if first := start.Add(10 * time.Minute).Format(idLayout); got[0] != first {
		t.Fatalf("oldest kept is %s, want %s (the 10 oldest removed)", got[0], first)
	}
}

func TestPruneKeepsTheSizeCapAndTheNewest(t *testing.T) {
	dir := statedir.Of(t.TempDir())
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	big := Target{Name: strings.Repeat("x", 1000), Outcome: Ran}
	for i := 0; i < 10; i++ {
		if err := Save(dir, record(start.Add(time.Duration(i)*time.Minute), big)); err != nil {
			t.Fatal(err)
		}
	}
	entries, _ := List(dir)
	size := entries[0].Size
	if err := Prune(dir, 100, 3*size+size/2); err != nil {
		t.Fatal(err)
	}
	got := ids(t, dir)
	if len(got) != 3 || got[2] != start.Add(9*time.Minute).Format(idLayout) {
		t.Fatalf("kept %v, want the 3 newest", got)
	}
	if err := Prune(dir, 100, 1); err != nil {
		t.Fatal(err)
	}
	if got := ids(t, dir); len(got) != 1 || got[0] != start.Add(9*time.Minute).Format(idLayout) {
		t.Fatalf("kept %v, want the newest even over the size cap", got)
	}
}

func TestRunsFolderLinkRefused(t *testing.T) {
	root := t.TempDir()
	elsewhere := t.TempDir()
	dir := statedir.Of(root)
	if err := os.MkdirAll(dir.Path(), 0o777); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(elsewhere, dir.Runs()); err != nil {
		t.Fatal(err)
	}
	if err := Save(dir, record(time.Now())); err == nil || !strings.Contains(err.Error(), "symbolic link") {
		t.Fatalf("Save through a linked runs folder: %v, want a refusal", err)
	}
	if files, _ := os.ReadDir(elsewhere); len(files) != 0 {
		t.Fatalf("the link's target got %v", files)
	}
	if _, err := List(dir); err == nil {
		t.Fatal("List through a linked runs folder: no error")
	}
}
