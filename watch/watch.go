// Package watch tells which files change under a set of folders, with
// fsnotify. Linux's inotify is not recursive, so every folder is watched on
// its own: a tree gains the folders created in it (and reports the files
// already in them), a folder that does not exist yet is waited for from its
// nearest existing parent, and a folder renamed or removed is watched again
// when it comes back. Bursts of events (an editor's save is several) are
// debounced into batches of paths.
package watch

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/fsnotify/fsnotify"

	"github.com/gobuildj/gobuildj/internal/statedir"
)

// DefaultDebounce is how long a burst of events must be quiet before it is
// delivered, unless Options.Debounce says otherwise.
const DefaultDebounce = 50 * time.Millisecond

// Spec is what to watch: folders by absolute path.
type Spec struct {
	// Dirs are folders whose direct entries matter (the folders of input
	// files, of Buildfiles).
	Dirs []string
	// Trees are folders whose every descendant matters (the bases of
	// globs such as "src/**/*.c"). Hidden folders (".git") and .gobuildj
	// inside them are left out, as globs leave them out.
	Trees []string
}

// Batch is what changed during a burst of events.
type Batch struct {
	// Paths are the absolute paths created, written, removed, renamed or
	// whose attributes changed, sorted and without duplicates. A folder
	// that appeared inside a tree comes with every file in it.
	Paths []string
	// Overflow says the kernel dropped events: anything may have changed.
	Overflow bool
	// Problems are the folders that could not be watched since the last
	// batch (a limit reached), in words.
	Problems []string
	// First is when the first event of the batch arrived.
	First time.Time
}

// Options configure a Watcher.
type Options struct {
	// Debounce is how long events must stop for before a batch is
	// delivered (default DefaultDebounce). A stream that never stops is
	// delivered every 10 Debounces anyway.
	Debounce time.Duration
}

// Watcher watches the folders of a Spec and delivers batches of changed
// paths on Batches. Set may be called again at any time, from any
// goroutine, to change what is watched.
type Watcher struct {
	fw       *fsnotify.Watcher
	debounce time.Duration
	batches  chan Batch
	done     chan struct{}
	closed   sync.Once
	loopDone chan struct{}

	mu       sync.Mutex
	dirs     map[string]bool // Spec.Dirs
	trees    []string        // Spec.Trees, sorted
	watched  map[string]bool // folders added to fw
	missing  []string        // wanted folders that do not exist: their nearest parent is watched
	waiting  map[string]bool // watched only to see a missing folder appear
	problems []string        // not yet delivered

	// missed, if set, is called when a wanted folder is found missing,
	// before its parent is watched: tests create the folder there to
	// reproduce a folder that appears at that instant.
	missed func(dir string)
}

// New starts a Watcher that watches nothing until Set is called.
func New(opts Options) (*Watcher, error) {
	fw, err := fsnotify.NewBufferedWatcher(4096)
	if err != nil {
		return nil, fmt.Errorf("watch: %w%s", err, limitHint(err))
	}
	d := opts.Debounce
	if d <= 0 {
		d = DefaultDebounce
	}
	w := &Watcher{
		fw: fw, debounce: d,
		batches:  make(chan Batch),
		done:     make(chan struct{}),
		loopDone: make(chan struct{}),
		dirs:     map[string]bool{},
		watched:  map[string]bool{},
		waiting:  map[string]bool{},
	}
	go w.loop()
	return w, nil
}

// Batches delivers what changed, one batch per burst of events. It is
// closed by Close.
func (w *Watcher) Batches() <-chan Batch { return w.batches }

// Close stops watching and closes Batches.
func (w *Watcher) Close() error {
	var err error
	w.closed.Do(func() {
		close(w.done)
		err = w.fw.Close()
		<-w.loopDone
	})
	return err
}

// Watched returns how many folders are watched now.
func (w *Watcher) Watched() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return len(w.watched)
}

// Set makes the Watcher watch spec instead of what it watched before. A
// tree already watched is not walked again. It returns an error saying
// which folders cannot be watched and why (most often the limit of inotify
// watches, with the sysctl that raises it); the others are watched anyway.
func (w *Watcher) Set(spec Spec) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	var probs problems
	dirs := map[string]bool{}
	for _, d := range spec.Dirs {
		dirs[filepath.Clean(d)] = true
	}
	trees := make([]string, 0, len(spec.Trees))
	for _, t := range spec.Trees {
		trees = append(trees, filepath.Clean(t))
	}
	slices.Sort(trees)
	trees = slices.Compact(trees)
	oldTrees := w.trees
	w.dirs, w.trees = dirs, trees
	w.missing = nil
	for _, t := range trees {
		if _, found := slices.BinarySearch(oldTrees, t); found && w.watched[t] {
			continue
		}
		w.addTreeLocked(t, nil, &probs)
	}
	for d := range dirs {
		if !w.watched[d] {
			w.addDirLocked(d, &probs)
		}
	}
	w.waitForMissingLocked(nil, &probs)
	// Forget what is no longer wanted.
	for d := range w.watched {
		if !w.wantedLocked(d) && !w.waiting[d] {
			_ = w.fw.Remove(d)
			delete(w.watched, d)
		}
	}
	return probs.err()
}

// wantedLocked reports whether folder d is in the spec: one of its Dirs,
// or inside one of its Trees.
func (w *Watcher) wantedLocked(d string) bool {
	return w.dirs[d] || w.inTreeLocked(d)
}

// inTreeLocked reports whether folder d is a tree or a folder a tree
// covers (not hidden, not .gobuildj, below the tree's root).
func (w *Watcher) inTreeLocked(d string) bool {
	for _, t := range w.trees {
		if d == t {
			return true
		}
		if rel, ok := strings.CutPrefix(d, t+string(filepath.Separator)); ok && t != "" {
			if !hiddenPath(rel) {
				return true
			}
		} else if t == string(filepath.Separator) && !hiddenPath(d[1:]) {
			return true
		}
	}
	return false
}

// hiddenPath reports whether a relative path has a hidden component, or
// .gobuildj.
func hiddenPath(rel string) bool {
	for _, c := range strings.Split(rel, string(filepath.Separator)) {
		if strings.HasPrefix(c, ".") {
			return true
		}
	}
	return false
}

// addDirLocked watches folder d, or waits for it if it does not exist.
func (w *Watcher) addDirLocked(d string, probs *problems) bool {
	err := w.fw.Add(d)
	switch {
	case err == nil:
		w.watched[d] = true
		delete(w.waiting, d)
		return true
	case errors.Is(err, fs.ErrNotExist) || errors.Is(err, fs.ErrInvalid) || isNotDir(err):
		w.missing = append(w.missing, d)
		if w.missed != nil {
			w.missed(d)
		}
	default:
		probs.add(d, err)
	}
	return false
}

func isNotDir(err error) bool { return errors.Is(err, syscall.ENOTDIR) }

// addTreeLocked watches folder root and every folder below it (hidden ones
// and symbolic links left out). If found is not nil, it gets the files met
// on the way: they may have been written before their folder was watched.
func (w *Watcher) addTreeLocked(root string, found *[]string, probs *problems) {
	if !w.addDirLocked(root, probs) {
		return
	}
	entries, err := os.ReadDir(root)
	if err != nil {
		return // gone meanwhile: its removal is an event of its parent
	}
	for _, e := range entries {
		p := filepath.Join(root, e.Name())
		switch {
		case e.IsDir() && !strings.HasPrefix(e.Name(), "."):
			w.addTreeLocked(p, found, probs)
		case e.IsDir():
		case found != nil:
			*found = append(*found, p)
		}
	}
}

// waitForMissingLocked watches the missing folders that exist now (adding
// their files to found, if not nil: they may have been written before the
// watch) and the nearest existing parent of the others, to see them
// appear. A folder that appears between a failed watch and its parent's
// watch sends no event to anyone, so after the parents are watched the
// missing folders are tried again until none appeared meanwhile.
func (w *Watcher) waitForMissingLocked(found *[]string, probs *problems) {
	for {
		missing := w.missing
		w.missing = nil
		for _, m := range missing {
			if !w.watched[m] && w.addDirLocked(m, probs) && found != nil {
				*found = append(*found, filesIn(m)...)
			}
		}
		w.waiting = map[string]bool{}
		again := false
		for _, m := range w.missing {
			if w.waitForLocked(m, probs) {
				again = true
			}
		}
		if !again {
			return
		}
	}
}

// waitForLocked watches the nearest existing parent of the missing folder
// d, to see it appear. It reports whether the next folder on the way to d
// exists once that watch is in place: it appeared meanwhile, unseen.
func (w *Watcher) waitForLocked(d string, probs *problems) (appeared bool) {
	for p := filepath.Dir(d); ; p = filepath.Dir(p) {
		if fi, err := os.Stat(p); err == nil && fi.IsDir() {
			if !w.watched[p] {
				if err := w.fw.Add(p); err != nil {
					probs.add(p, err)
					return false
				}
				w.watched[p] = true
			}
			w.waiting[p] = true
			next := d
			for filepath.Dir(next) != p {
				next = filepath.Dir(next)
			}
			fi, err := os.Stat(next)
			return err == nil && fi.IsDir()
		}
		if p == filepath.Dir(p) {
			return false
		}
	}
}

// loop turns fsnotify's events into batches.
func (w *Watcher) loop() {
	defer close(w.loopDone)
	defer close(w.batches)
	var (
		pending  map[string]struct{}
		overflow bool
		first    time.Time
		ready    *Batch
		timer    = time.NewTimer(time.Hour)
		out      chan Batch
	)
	timer.Stop()
	flush := func() {
		w.mu.Lock()
		probs := w.problems
		w.problems = nil
		w.mu.Unlock()
		if len(pending) == 0 && !overflow && len(probs) == 0 {
			return
		}
		if ready == nil {
			ready = &Batch{First: first}
		}
		for p := range pending {
			ready.Paths = append(ready.Paths, p)
		}
		slices.Sort(ready.Paths)
		ready.Paths = slices.Compact(ready.Paths)
		ready.Overflow = ready.Overflow || overflow
		ready.Problems = append(ready.Problems, probs...)
		pending, overflow, first = nil, false, time.Time{}
		out = w.batches
	}
	note := func(paths []string) {
		if len(paths) == 0 {
			return
		}
		now := time.Now()
		if pending == nil {
			pending = map[string]struct{}{}
		}
		if first.IsZero() {
			first = now
		}
		for _, p := range paths {
			pending[p] = struct{}{}
		}
		wait := w.debounce
		if limit := first.Add(10 * w.debounce).Sub(now); limit < wait {
			wait = max(limit, 0)
		}
		timer.Reset(wait)
	}
	for {
		var send Batch
		if ready != nil {
			send = *ready
		}
		select {
		case <-w.done:
			timer.Stop()
			return
		case ev, ok := <-w.fw.Events:
			if !ok {
				return
			}
			note(w.handle(ev))
		case err, ok := <-w.fw.Errors:
			if !ok {
				return
			}
			if errors.Is(err, fsnotify.ErrEventOverflow) {
				overflow = true
				note([]string{})
				if first.IsZero() {
					first = time.Now()
				}
				timer.Reset(0)
			} else {
				w.mu.Lock()
				w.problems = append(w.problems, err.Error())
				w.mu.Unlock()
				timer.Reset(w.debounce)
			}
		case <-timer.C:
			flush()
		case out <- send:
			ready, out = nil, nil
		}
	}
}

// handle applies an event to the watches and returns the paths it reports.
func (w *Watcher) handle(ev fsnotify.Event) []string {
	name := filepath.Clean(ev.Name)
	if Ignored(name) {
		return nil
	}
	dir := filepath.Dir(name)
	w.mu.Lock()
	defer w.mu.Unlock()
	paths := []string{name}
	switch {
	case ev.Has(fsnotify.Create):
		fi, err := os.Lstat(name)
		if err == nil && fi.IsDir() {
			var probs problems
			if w.inTreeLocked(name) {
				w.addTreeLocked(name, &paths, &probs)
			}
			// A folder on the way to a missing one, or the missing one.
			if len(w.missing) > 0 {
				w.waitForMissingLocked(&paths, &probs)
			}
			w.problems = append(w.problems, probs.list()...)
		}
	case ev.Has(fsnotify.Remove) || ev.Has(fsnotify.Rename):
		// A watched folder renamed or removed: its watches (and its
		// folders') are dropped, to be added again under their new names.
		if w.watched[name] || w.hasWatchedBelowLocked(name) {
			prefix := name + string(filepath.Separator)
			for d := range w.watched {
				if d == name || strings.HasPrefix(d, prefix) {
					_ = w.fw.Remove(d)
					delete(w.watched, d)
				}
			}
			if w.dirs[name] || slices.Contains(w.trees, name) {
				w.missing = append(w.missing, name)
			}
			for d := range w.dirs { // wanted folders inside it wait too
				if strings.HasPrefix(d, prefix) && !w.watched[d] && !slices.Contains(w.missing, d) {
					w.missing = append(w.missing, d)
				}
			}
			var probs problems
			w.waitForMissingLocked(&paths, &probs)
			w.problems = append(w.problems, probs.list()...)
		}
	}
	if !w.wantedLocked(dir) && !w.wantedLocked(name) && len(paths) == 1 {
		// An event of a folder watched only to wait for another one.
		return nil
	}
	return paths
}

func (w *Watcher) hasWatchedBelowLocked(name string) bool {
	prefix := name + string(filepath.Separator)
	for d := range w.watched {
		if strings.HasPrefix(d, prefix) {
			return true
		}
	}
	return false
}

// filesIn lists the files directly in folder d.
func filesIn(d string) []string {
	entries, err := os.ReadDir(d)
	if err != nil {
		return nil
	}
	var out []string
	for _, e := range entries {
		if !e.IsDir() {
			out = append(out, filepath.Join(d, e.Name()))
		}
	}
	return out
}

// Ignored reports whether path is an editor's temporary file, which never
// matters to a build: vim's swap files (*.swp, *.swo, *.swx) and write
// probe (4913), backups (*~), Emacs' locks (.#*) and autosaves (#*#),
// JetBrains' safe-write files (*___jb_tmp___, *___jb_old___), or anything
// in gobuildj's .gobuildj folder.
func Ignored(path string) bool {
	base := filepath.Base(path)
	switch {
	case base == "4913", statedir.OnPath(path),
		strings.HasSuffix(base, "~"),
		strings.HasPrefix(base, ".#"),
		strings.HasPrefix(base, "#") && strings.HasSuffix(base, "#"),
		strings.HasSuffix(base, ".swp"), strings.HasSuffix(base, ".swo"), strings.HasSuffix(base, ".swx"),
		strings.HasSuffix(base, "___jb_tmp___"), strings.HasSuffix(base, "___jb_old___"):
		return true
	}
	return false
}
