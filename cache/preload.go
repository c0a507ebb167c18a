package cache

import (
	"os"

	"golang.org/x/sys/unix"

	"github.com/gobuildj/gobuildj/internal/statedir"
)

// Preloaded is a state log read and decoded ahead of Open, while the
// build does other work (it stats its files): loading a log of 10,000
// targets is a tenth of a no-op build. Open uses it only if the log is
// still the very file it read, unchanged (the same inode and size: the log
// is only ever appended to, cut, or replaced by a rename), and reads the
// log itself otherwise.
type Preloaded struct {
	dev, ino uint64
	size     int64
	data     []byte
	targets  map[string]string
	states   map[string]FileState
	failures map[string]Failure
	records  int
	good     int
	damage   string
}

// Preload reads and decodes the state log of the Buildfile folder dir. It
// creates, locks and repairs nothing; it returns nil when there is no log
// or it is unreadable or damaged at its start (Open then deals with it).
func Preload(dir string) *Preloaded {
	state, err := stateFolderOf(dir)
	if err != nil {
		return nil
	}
	return PreloadState(state)
}

// PreloadState is Preload of the state of one Buildfile (statedir.For).
func PreloadState(state statedir.Dir) *Preloaded {
	state, err := state.Abs()
	if err != nil {
		return nil
	}
	s := newStore(state, true)
	f, err := statedir.Open(s.logPath)
	if err != nil {
		return nil
	}
	defer f.Close()
	var st unix.Stat_t
	if err := unix.Fstat(int(f.Fd()), &st); err != nil {
		return nil
	}
	data, err := readAll(f)
	if err != nil || int64(len(data)) != st.Size {
		return nil
	}
	if problem, torn := headerProblem(data); problem != "" || torn {
		return nil
	}
	good, damage := s.load(data)
	return &Preloaded{dev: st.Dev, ino: st.Ino, size: st.Size, data: data,
		targets: s.targets, states: s.files.states, failures: s.failures, records: s.records, good: good, damage: damage}
}

// OpenPreloaded is Open, using p (Preload of the same folder, or nil) if
// the log did not change since p read it.
func OpenPreloaded(dir string, p *Preloaded) (*Store, error) {
	state, err := stateFolderOf(dir)
	if err != nil {
		return nil, err
	}
	return open(state, p)
}

// OpenPreloadedState is OpenPreloaded of the state of one Buildfile
// (statedir.For).
func OpenPreloadedState(state statedir.Dir, p *Preloaded) (*Store, error) {
	return open(state, p)
}

// adopt takes p's decoded log if f is still the file p read.
func (s *Store) adopt(f *os.File, p *Preloaded) ([]byte, bool) {
	if p == nil {
		return nil, false
	}
	var st unix.Stat_t
	if err := unix.Fstat(int(f.Fd()), &st); err != nil || st.Dev != p.dev || st.Ino != p.ino || st.Size != p.size {
		return nil, false
	}
	s.targets, s.files.states, s.records = p.targets, p.states, p.records
	s.failures = p.failures
	return p.data, true
}
