package statedir

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"

	"golang.org/x/sys/unix"

	"github.com/gobuildj/gobuildj/internal/fileid"
)

// OpenFile opens a file of the state folder as os.OpenFile does, but not
// through a symbolic link, and only if it is a regular file. The state
// folder is gobuildj's own: a link planted there (a checkout can hold one)
// must not make gobuildj truncate or write a file elsewhere, and a FIFO,
// a socket or a device there must not make it wait for ever (opening a FIFO
// waits for its other end; reading one waits for a writer). So the file is
// opened with O_NONBLOCK, checked on its descriptor, and put back in
// blocking mode once known to be a regular file.
func OpenFile(path string, flag int, perm fs.FileMode) (*os.File, error) {
	fd, err := unix.Open(path, flag|unix.O_NOFOLLOW|unix.O_NONBLOCK|unix.O_NOCTTY|unix.O_CLOEXEC, uint32(perm.Perm()))
	switch {
	case errors.Is(err, unix.ELOOP):
		return nil, fmt.Errorf("%s is a symbolic link (expected a file of gobuildj's own; remove the link)", path)
	case errors.Is(err, unix.ENXIO): // a socket, or a FIFO opened to write with no reader
		return nil, notRegular(path, describe(path))
	case err != nil:
		return nil, &os.PathError{Op: "open", Path: path, Err: err}
	}
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		unix.Close(fd)
		return nil, &os.PathError{Op: "fstat", Path: path, Err: err}
	}
	if st.Mode&unix.S_IFMT != unix.S_IFREG {
		unix.Close(fd)
		return nil, notRegular(path, fileid.KindOf(st.Mode))
	}
	if err := unix.SetNonblock(fd, false); err != nil {
		unix.Close(fd)
		return nil, &os.PathError{Op: "fcntl", Path: path, Err: err}
	}
	return os.NewFile(uintptr(fd), path), nil
}

// Open opens a file of the state folder for reading, as OpenFile does.
func Open(path string) (*os.File, error) { return OpenFile(path, os.O_RDONLY, 0) }

// ReadFile reads a whole file of the state folder, opened as OpenFile does.
func ReadFile(path string) ([]byte, error) {
	f, err := Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(f)
}

func notRegular(path, kind string) error {
	return fmt.Errorf("%s is %s, not a regular file (expected a file of gobuildj's own; remove it)", path, kind)
}

// describe names the type of the file at path, not following a link.
func describe(path string) string {
	var st unix.Stat_t
	if err := unix.Lstat(path, &st); err != nil {
		return "a special file"
	}
	return fileid.KindOf(st.Mode)
}

// CheckFolder returns an error if folder exists and is not a real folder:
// a symbolic link there would take gobuildj's writes out of the project.
// A folder that does not exist is no error.
func CheckFolder(folder string) error {
	fi, err := os.Lstat(folder)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil
	case err != nil:
		return err
	case fi.Mode()&fs.ModeSymlink != 0:
		return fmt.Errorf("%s is a symbolic link (expected the folder where gobuildj keeps its state; remove the link)", folder)
	case !fi.IsDir():
		return fmt.Errorf("%s is not a folder (expected the folder where gobuildj keeps its state; remove it)", folder)
	}
	return nil
}
