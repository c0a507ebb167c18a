package statedir

import (
	"errors"
	"fmt"
	"io/fs"
	"os"

	"golang.org/x/sys/unix"
)

// OpenFile opens a file of the state folder as os.OpenFile does, but not
// through a symbolic link: the state folder is gobuildj's own, and a link
// planted there (a checkout can hold one) must not make gobuildj truncate
// or write a file elsewhere.
func OpenFile(path string, flag int, perm fs.FileMode) (*os.File, error) {
	f, err := os.OpenFile(path, flag|unix.O_NOFOLLOW, perm)
	if errors.Is(err, unix.ELOOP) {
		return nil, fmt.Errorf("%s is a symbolic link (expected a file of gobuildj's own; remove the link)", path)
	}
	return f, err
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
