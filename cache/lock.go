package cache

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"strconv"

	"golang.org/x/sys/unix"

	"github.com/gobuildj/gobuildj/internal/statedir"
)

// ErrLocked is wrapped by the error of Open when another process (or another
// Store of this one) holds the state of that folder.
var ErrLocked = errors.New("another gobuildj is running")

// lockState takes the exclusive flock on the lock file at path, so that two
// gobuildj processes never use one state at once. The kernel releases the
// lock when the holder exits, however it dies, so a stale lock cannot exist.
// The holder writes its pid into the file, only to name it to the loser.
// dir is the Buildfile folder, for the message.
func lockState(path, dir string) (*os.File, error) {
	f, err := statedir.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o666)
	if err != nil {
		return nil, fmt.Errorf("open lock file: %w", err)
	}
	if err := unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB); err != nil {
		holder := lockHolder(f)
		f.Close()
		if errors.Is(err, unix.EWOULDBLOCK) {
			return nil, fmt.Errorf("%w in %s (%s holds %s); wait for it to finish or stop it", ErrLocked, dir, holder, path)
		}
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	// Best effort: the pid only improves the message above.
	if err := f.Truncate(0); err == nil {
		_, _ = f.WriteAt(strconv.AppendInt(nil, int64(os.Getpid()), 10), 0)
	}
	return f, nil
}

// lockHolder names the process holding the lock, from the pid it wrote.
func lockHolder(f *os.File) string {
	buf := make([]byte, 32)
	n, _ := f.ReadAt(buf, 0)
	if pid, err := strconv.Atoi(string(bytes.TrimSpace(buf[:n]))); err == nil && pid > 0 {
		return "pid " + strconv.Itoa(pid)
	}
	return "another process"
}

// unlockState releases and closes the lock taken by lockState.
func unlockState(f *os.File) error {
	// Closing the only descriptor releases the flock; no explicit LOCK_UN,
	// which could release it while a duplicate descriptor still exists.
	if err := f.Close(); err != nil {
		return fmt.Errorf("close lock %s: %w", f.Name(), err)
	}
	return nil
}
