package runs

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gobuildj/gobuildj/internal/statedir"
)

// The caps on the records kept: after each record is written, the oldest
// are removed until at most MaxRecords are left, together at most
// MaxBytes large (the newest is kept whatever its size).
const (
	MaxRecords = 50
	MaxBytes   = 20 << 20
)

// idLayout is the time part of an ID: the build's start, UTC, to the
// second. A second build started in the same second gets "-2", and so on.
const idLayout = "20060102-150405"

// Entry is a record file of the runs folder.
type Entry struct {
	ID   string
	Size int64
}

// Save writes rec into the runs folder of dir under a new ID (set in
// rec), atomically: written to a temporary file, then linked to its name
// (which never replaces another record), then pruned to the caps.
func Save(dir statedir.Dir, rec *Record) error {
	entries, err := List(dir)
	if err != nil {
		return err
	}
	taken := make(map[string]bool, len(entries))
	for _, e := range entries {
		taken[e.ID] = true
	}
	stamp := rec.Start.UTC().Format(idLayout)
	for n := 1; ; n++ {
		id := stamp
		if n > 1 {
			id = fmt.Sprintf("%s-%d", stamp, n)
		}
		if taken[id] {
			continue
		}
		rec.ID = id
		err := write(dir, rec)
		if errors.Is(err, fs.ErrExist) && n < 1000 {
			continue // written meanwhile by another gobuildj
		}
		if err != nil {
			return fmt.Errorf("run record: %w", err)
		}
		break
	}
	if err := Prune(dir, MaxRecords, MaxBytes); err != nil {
		return fmt.Errorf("run records: %w", err)
	}
	return nil
}

// write puts rec at its ID's file, failing with fs.ErrExist if there is
// one. The JSON is compact: a build of 10,000 targets records them all,
// and indenting them would double the file and its writing time
// (`runs show --json` prints it indented).
func write(dir statedir.Dir, rec *Record) error {
	data, err := json.Marshal(rec)
	if err != nil {
		return err
	}
	data = append(data, '\n')
	tmp, err := dir.CreateRunTemp()
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	_, err = tmp.Write(append(data, '\n'))
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(tmp.Name(), 0o644)
	}
	if err == nil {
		err = os.Link(tmp.Name(), dir.RunRecord(rec.ID))
	}
	return err
}

// List returns the records of dir's runs folder, oldest first (none if
// there is no folder).
func List(dir statedir.Dir) ([]Entry, error) {
	for _, folder := range []string{dir.Path(), dir.Runs()} {
		if err := statedir.CheckFolder(folder); err != nil {
			return nil, err
		}
	}
	files, err := os.ReadDir(dir.Runs())
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var entries []Entry
	for _, f := range files {
		id, ok := strings.CutSuffix(f.Name(), statedir.RunSuffix)
		if !ok || !f.Type().IsRegular() || !validID(id) {
			continue
		}
		info, err := f.Info()
		if err != nil {
			continue // removed meanwhile
		}
		entries = append(entries, Entry{ID: id, Size: info.Size()})
	}
	slices.SortFunc(entries, func(a, b Entry) int { return compareIDs(a.ID, b.ID) })
	return entries, nil
}

// validID reports whether id is a record's ID: a time stamp, maybe with a
// counter.
func validID(id string) bool {
	stamp, n, _ := splitID(id)
	_, err := time.Parse(idLayout, stamp)
	return err == nil && n > 0
}

// splitID cuts an ID into its time stamp and counter (1 without one).
func splitID(id string) (stamp string, n int, ok bool) {
	if len(id) <= len(idLayout) {
		return id, 1, true
	}
	if id[len(idLayout)] != '-' {
		return id, 0, false
	}
	n, err := strconv.Atoi(id[len(idLayout)+1:])
	if err != nil || n < 2 {
		return id, 0, false
	}
	return id[:len(idLayout)], n, true
}

// compareIDs orders IDs by time, then by counter.
func compareIDs(a, b string) int {
	sa, na, _ := splitID(a)
	sb, nb, _ := splitID(b)
	if c := strings.Compare(sa, sb); c != 0 {
		return c
	}
	return na - nb
}

// Prune removes the oldest records of dir until at most maxCount are
// left, together at most maxBytes large; the newest is always kept. It
// also removes the temporary files of writes that were killed (older
// than an hour).
func Prune(dir statedir.Dir, maxCount int, maxBytes int64) error {
	entries, err := List(dir)
	if err != nil {
		return err
	}
	var total int64
	for _, e := range entries {
		total += e.Size
	}
	var errs []error
	for len(entries) > 1 && (len(entries) > maxCount || total > maxBytes) {
		if err := os.Remove(dir.RunRecord(entries[0].ID)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			errs = append(errs, err)
		}
		total -= entries[0].Size
		entries = entries[1:]
	}
	temps, _ := filepath.Glob(filepath.Join(dir.Runs(), ".run.tmp*"))
	for _, t := range temps {
		if fi, err := os.Lstat(t); err == nil && time.Since(fi.ModTime()) > time.Hour {
			os.Remove(t)
		}
	}
	return errors.Join(errs...)
}

// Load reads the record id of dir.
func Load(dir statedir.Dir, id string) (*Record, error) {
	data, err := statedir.ReadFile(dir.RunRecord(id))
	if err != nil {
		return nil, fmt.Errorf("run %s: %w", id, err)
	}
	var rec Record
	if err := json.Unmarshal(data, &rec); err != nil {
		return nil, fmt.Errorf("run %s: %s: %w", id, dir.RunRecord(id), err)
	}
	if rec.ID == "" {
		rec.ID = id
	}
	return &rec, nil
}

// Resolve finds the record that name designates among entries (oldest
// first): "last" the newest, "last~N" the one N before it, else an ID or
// the start of only one.
func Resolve(entries []Entry, name string) (string, error) {
	if len(entries) == 0 {
		return "", errors.New("no run recorded yet (a build that runs, fetches or fails a target records one)")
	}
	if rest, ok := strings.CutPrefix(name, "last"); ok {
		back := 0
		if rest != "" {
			n, err := strconv.Atoi(strings.TrimPrefix(rest, "~"))
			if !strings.HasPrefix(rest, "~") || err != nil || n < 0 {
				return "", fmt.Errorf("run %q: expected last, last~N or an ID", name)
			}
			back = n
		}
		if back >= len(entries) {
			return "", fmt.Errorf("run %s: only %d runs are recorded", name, len(entries))
		}
		return entries[len(entries)-1-back].ID, nil
	}
	var found []string
	for _, e := range entries {
		if e.ID == name {
			return e.ID, nil
		}
		if strings.HasPrefix(e.ID, name) {
			found = append(found, e.ID)
		}
	}
	switch len(found) {
	case 0:
		return "", fmt.Errorf("run %q: no such run (gobuildj runs lists them)", name)
	case 1:
		return found[0], nil
	}
	return "", fmt.Errorf("run %q: ambiguous, it starts %d IDs (%s, ...)", name, len(found), found[0])
}
