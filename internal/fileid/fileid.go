// Package fileid is the one owner of gobuildj's stat fingerprint of a file
// (size, mtime, ctime, inode: what changes when the file is written or
// replaced) and of the racy-timestamp rule that says when a fingerprint
// cannot be trusted to reveal a later change.
//
// The rule is git's "racy git" rule. File timestamps come from a coarse
// clock: a write in the same tick as the moment a file was hashed (or a
// folder listed) may change the content without changing the fingerprint.
// So a timestamp that is not clearly older than the moment it was recorded
// proves nothing, and whoever recorded it must look again next time.
package fileid

import (
	"io/fs"
	"os"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// Fingerprint is the stat fingerprint of a file. Two equal fingerprints of
// one path, neither of them racy, mean the file was not written between
// them.
type Fingerprint struct {
	Size    int64
	MtimeNs int64
	CtimeNs int64
	Inode   uint64
}

// RacySlack is how close to the moment it was recorded a timestamp may be
// before it is not trusted. Kernel file timestamps come from a coarse clock
// that lags the fine clock by up to a scheduler tick (4 ms at HZ=250, 10 ms
// at HZ=100), so the slack covers a few ticks.
const RacySlack = 50 * time.Millisecond

// FromStat returns the fingerprint in st.
func FromStat(st *unix.Stat_t) Fingerprint {
	return Fingerprint{Size: st.Size, MtimeNs: st.Mtim.Nano(), CtimeNs: st.Ctim.Nano(), Inode: st.Ino}
}

// FromFileInfo returns the fingerprint in fi, as os.Stat or os.Lstat
// returned it; false if fi carries no stat (a file of an fs.FS that is not
// the operating system's).
func FromFileInfo(fi fs.FileInfo) (Fingerprint, bool) {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return Fingerprint{}, false
	}
	return Fingerprint{Size: st.Size, MtimeNs: st.Mtim.Nano(), CtimeNs: st.Ctim.Nano(), Inode: st.Ino}, true
}

// Stat returns the fingerprint of the file at path, following symbolic
// links. A missing file gives an *os.PathError that wraps os.ErrNotExist.
func Stat(path string) (Fingerprint, error) {
	var st unix.Stat_t
	if err := unix.Stat(path, &st); err != nil {
		return Fingerprint{}, &os.PathError{Op: "stat", Path: path, Err: err}
	}
	return FromStat(&st), nil
}

// RacyTime reports whether a timestamp, in nanoseconds since the epoch,
// read at recordedAt cannot be trusted: it is within RacySlack of (or
// after) recordedAt, so a change in the same clock tick would not move it.
func RacyTime(ns int64, recordedAt time.Time) bool {
	return ns >= recordedAt.Add(-RacySlack).UnixNano()
}

// Racy reports whether f, taken at recordedAt, can hide a later write: its
// mtime or its ctime is racy (see RacyTime).
func (f Fingerprint) Racy(recordedAt time.Time) bool {
	limit := recordedAt.Add(-RacySlack).UnixNano()
	return f.MtimeNs >= limit || f.CtimeNs >= limit
}

// TickSlack is how far a file timestamp can lag the fine clock. Files are
// stamped with the kernel's coarse clock, updated once a scheduler tick
// (its resolution, as the kernel reports it; 10 ms if it does not), and the
// tick itself comes a little late at times: a write was seen stamped 4.09 ms
// before the moment it followed, with 4 ms ticks. Three ticks cover that.
func TickSlack() time.Duration {
	var res unix.Timespec
	tick := 10 * time.Millisecond
	if err := unix.ClockGetres(unix.CLOCK_REALTIME_COARSE, &res); err == nil && res.Nano() > 0 {
		tick = time.Duration(res.Nano())
	}
	return 3 * tick
}

// ChangedSince reports whether f may record a change made at or after t: a
// write at or after t is stamped no earlier than t minus TickSlack. A write
// within that tick before t is taken for one after it: the doubt goes to
// the side that reruns.
func (f Fingerprint) ChangedSince(t time.Time) bool {
	return f.StampedFrom(t.Add(-TickSlack()))
}

// StampedFrom reports whether f's mtime or ctime is at or after limit: it
// is ChangedSince for a caller that checks many files against one moment
// and subtracts TickSlack once.
func (f Fingerprint) StampedFrom(limit time.Time) bool {
	ns := limit.UnixNano()
	return f.MtimeNs >= ns || f.CtimeNs >= ns
}

// NotRegularError is the error of OpenRegular for a path that is not a
// regular file: a FIFO, a socket, a device or a folder. Reading one could
// block for ever (a FIFO without a writer) or never end (/dev/zero).
type NotRegularError struct {
	Path string
	Kind string // "a FIFO", "a socket", "a device", "a folder", ...
}

func (e *NotRegularError) Error() string {
	return e.Path + " is " + e.Kind + ", not a regular file"
}

// KindOf names the type of file in a stat mode (st_mode), with its
// article: "a FIFO", "a device", ...
func KindOf(mode uint32) string {
	switch mode & unix.S_IFMT {
	case unix.S_IFREG:
		return "a regular file"
	case unix.S_IFIFO:
		return "a FIFO"
	case unix.S_IFSOCK:
		return "a socket"
	case unix.S_IFCHR, unix.S_IFBLK:
		return "a device"
	case unix.S_IFDIR:
		return "a folder"
	case unix.S_IFLNK:
		return "a symbolic link"
	}
	return "a special file"
}

// OpenRegular opens the regular file at path for reading, following
// symbolic links, and returns it with its stat taken from the descriptor.
// Anything else is refused with a *NotRegularError and never read: the
// path is stated first, so that a device is not even opened (opening one
// can have effects), and opened with O_NONBLOCK and checked again on the
// descriptor, so that a FIFO swapped in between cannot make the open wait
// for a writer. O_NONBLOCK has no effect on the reads of a regular file.
func OpenRegular(path string) (*os.File, unix.Stat_t, error) {
	var st unix.Stat_t
	if err := unix.Stat(path, &st); err != nil {
		return nil, st, &os.PathError{Op: "stat", Path: path, Err: err}
	}
	if st.Mode&unix.S_IFMT != unix.S_IFREG {
		return nil, st, &NotRegularError{Path: path, Kind: KindOf(st.Mode)}
	}
	fd, err := unix.Open(path, unix.O_RDONLY|unix.O_NONBLOCK|unix.O_NOCTTY|unix.O_CLOEXEC, 0)
	if err == unix.ENXIO { // a socket swapped in
		return nil, st, &NotRegularError{Path: path, Kind: "a socket"}
	}
	if err != nil {
		return nil, st, &os.PathError{Op: "open", Path: path, Err: err}
	}
	if err := unix.Fstat(fd, &st); err != nil {
		unix.Close(fd)
		return nil, st, &os.PathError{Op: "fstat", Path: path, Err: err}
	}
	if st.Mode&unix.S_IFMT != unix.S_IFREG {
		unix.Close(fd)
		return nil, st, &NotRegularError{Path: path, Kind: KindOf(st.Mode)}
	}
	if err := unix.SetNonblock(fd, false); err != nil {
		unix.Close(fd)
		return nil, st, &os.PathError{Op: "fcntl", Path: path, Err: err}
	}
	return os.NewFile(uintptr(fd), path), st, nil
}
