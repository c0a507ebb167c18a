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

// stateLock is what a Store holds to keep other gobuildj processes off its
// project: the flock of the project folder itself, and that of the lock
// file in the state folder.
type stateLock struct {
	project *os.File // the Buildfile's folder, flocked
	file    *os.File // statedir's lock file, flocked, naming the holder
}

// lockState takes the exclusive flocks that keep two gobuildj processes
// off one project at once: first that of the project folder dir (the
// Buildfile's), then that of the lock file at path in its state folder.
// The folder's lock holds even when the state folder is removed during a
// build (rm -rf .gobuildj): a second gobuildj started then is refused
// rather than run the same commands at once. The lock file's flock keeps
// an older gobuildj, which knows only that one, off too. The kernel
// releases both when the holder exits, however it dies, so a stale lock
// cannot exist. The holder writes its pid into the lock file, only to name
// it to the loser.
func lockState(path, dir string) (*stateLock, error) {
	project, err := os.OpenFile(dir, os.O_RDONLY|unix.O_DIRECTORY, 0)
	if err != nil {
		return nil, fmt.Errorf("open project folder to lock it: %w", err)
	}
	if err := unix.Flock(int(project.Fd()), unix.LOCK_EX|unix.LOCK_NB); err != nil {
		project.Close()
		if errors.Is(err, unix.EWOULDBLOCK) {
			holder := "another process"
			if f, err := statedir.OpenFile(path, os.O_RDONLY, 0); err == nil {
				holder = lockHolder(f)
				f.Close()
			}
			return nil, lockedError(dir, holder, dir)
		}
		return nil, fmt.Errorf("lock %s: %w", dir, err)
	}
	f, err := statedir.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o666)
	if err != nil {
		project.Close()
		return nil, fmt.Errorf("open lock file: %w", err)
	}
	if err := unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB); err != nil {
		holder := lockHolder(f)
		f.Close()
		project.Close()
		if errors.Is(err, unix.EWOULDBLOCK) {
			return nil, lockedError(dir, holder, path)
		}
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	// Best effort: the pid only improves the message above.
	if err := f.Truncate(0); err == nil {
		_, _ = f.WriteAt(strconv.AppendInt(nil, int64(os.Getpid()), 10), 0)
	}
	return &stateLock{project: project, file: f}, nil
}

// lockedError is the error of a lock that holder holds on what.
func lockedError(dir, holder, what string) error {
	return fmt.Errorf("%w in %s (%s holds %s); wait for it to finish or stop it", ErrLocked, dir, holder, what)
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

// unlockState releases and closes the locks taken by lockState.
func unlockState(l *stateLock) error {
	// Closing the only descriptor releases a flock; no explicit LOCK_UN,
	// which could release it while a duplicate descriptor still exists.
	var errs []error
	if err := l.file.Close(); err != nil {
		errs = append(errs, fmt.Errorf("close lock %s: %w", l.file.Name(), err))
	}
	if err := l.project.Close(); err != nil {
		errs = append(errs, fmt.Errorf("close lock of %s: %w", l.project.Name(), err))
	}
	return errors.Join(errs...)
}
