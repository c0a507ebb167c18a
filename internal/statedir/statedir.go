// Package statedir is the one owner of the layout of the folder, beside the
// Buildfile, where gobuildj keeps its state:
//
//	.gobuildj/
//	    .gitignore          "*": the state stays out of version control
//	    lock                the flock that keeps two gobuildj off one state
//	    state.log           the record log (cache.Store)
//	    state.log.bad       a log this gobuildj cannot read, moved aside
//	    state.log.tmp*      a compaction's new log before its rename
//	    sha256.log          the SHA-256 table (cache.Digests)
//	    graph.snap          the graph snapshot (graph.LoadCached)
//	    graph.snap.tmp*     a snapshot before its rename
//	    @NAME.state.log ... the same four files (and their .bad and .tmp*)
//	                        of a Buildfile NAME other than Buildfile.toml
//	                        in the same folder (For)
//	    log/last.log        the story of the last build
//	    log/output/*.log    the whole output of a target's commands when it
//	                        was too long to keep in memory (OutputLog)
//	    runs/ID.json        the record of a build (RunRecord; package runs)
//	    runs/.run.tmp*      a record before its link into place
//	    server.sock         the build server's unix socket (gobuildj server)
//	    server.lock         the flock the build server holds while it runs
//	    server.log          what a detached build server prints
//	    .statcache-cookie-* a build server's inotify cookies (watch.StatCache),
//	                        each removed as soon as it was seen
//
// and of the folder a remote fetch fills before renaming outputs into place,
// .gobuildj-fetch-*, beside the state folder (at the Buildfile's folder, on
// the outputs' file system). Every other package asks this one for the
// names.
package statedir

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// Name is the state folder's name.
const Name = ".gobuildj"

// The files of the state folder.
const (
	gitIgnore     = ".gitignore"
	lockName      = "lock"
	stateLogName  = "state.log"
	badSuffix     = ".bad"
	tempSuffix    = ".tmp*"
	sha256Name    = "sha256.log"
	snapshotName  = "graph.snap"
	logFolderName = "log"
	lastLogName   = "last.log"
	outputFolder  = "output"
	outputSuffix  = ".log"
	fetchPrefix   = Name + "-fetch-*"
	runsFolder    = "runs"
	runSuffix     = ".json"
	runTemp       = ".run" + tempSuffix
	serverSocket  = "server.sock"
	serverLog     = "server.log"
	serverLock    = "server.lock"
)

// Dir is the state folder of one Buildfile's folder. The zero Dir is the
// state folder of the current folder, relative.
type Dir struct {
	project string // the Buildfile's folder, as given to Of
	// prefix starts the names of the files that belong to one Buildfile
	// (the state log, the SHA-256 table, the snapshot) when it is not
	// the folder's Buildfile.toml: "@" and its escaped name and ".".
	prefix string
}

// DefaultBuildfile is the Buildfile whose state files have the plain
// names; any other Buildfile of the folder gets its own.
const DefaultBuildfile = "Buildfile.toml"

// Of returns the state folder of the Buildfile folder project, with the
// files of its Buildfile.toml.
func Of(project string) Dir { return Dir{project: project} }

// For returns the state folder of the Buildfile folder project, with the
// files of the Buildfile buildfile: two Buildfiles of one folder keep
// their own records (-f A.toml then -f B.toml runs nothing again), while
// the lock, the logs of the last build and of long outputs are the
// folder's. For the folder's Buildfile.toml (or "") it is Of(project).
func For(project, buildfile string) Dir {
	if buildfile == "" || filepath.Clean(buildfile) == filepath.Join(project, DefaultBuildfile) ||
		(!filepath.IsAbs(buildfile) && filepath.Clean(buildfile) == DefaultBuildfile) {
		return Of(project)
	}
	return Dir{project: project, prefix: "@" + escapeName(filepath.Base(buildfile)) + "."}
}

// Abs returns d with its Buildfile's folder made absolute.
func (d Dir) Abs() (Dir, error) {
	abs, err := filepath.Abs(d.project)
	if err != nil {
		return d, fmt.Errorf("state folder %s: %w", d.project, err)
	}
	d.project = abs
	return d, nil
}

// Project is the Buildfile's folder the state belongs to.
func (d Dir) Project() string { return d.project }

// Path is the state folder itself.
func (d Dir) Path() string { return filepath.Join(d.project, Name) }

// GitIgnore is the file, made with the folder, that keeps the state out of
// version control.
func (d Dir) GitIgnore() string { return d.file(gitIgnore) }

// GitIgnoreContent is what GitIgnore holds: ignore everything.
const GitIgnoreContent = "*\n"

// Lock is the file whose flock a build holds while it uses the state.
func (d Dir) Lock() string { return d.file(lockName) }

// ServerSocket is the unix socket of the folder's build server (gobuildj
// server): one per Buildfile's folder.
func (d Dir) ServerSocket() string { return d.file(serverSocket) }

// ServerLog is where a detached build server writes what it prints.
func (d Dir) ServerLog() string { return d.file(serverLog) }

// ServerLock is the file whose flock the folder's build server holds while
// it runs: a second one started at once finds it taken.
func (d Dir) ServerLock() string { return d.file(serverLock) }

// Mkdir makes the state folder if it is missing, with the .gitignore that
// keeps it out of version control; it refuses a link or a file there.
func (d Dir) Mkdir() error {
	if err := CheckFolder(d.Path()); err != nil {
		return err
	}
	if err := os.Mkdir(d.Path(), 0o777); err == nil {
		_ = os.WriteFile(d.GitIgnore(), []byte(GitIgnoreContent), 0o666)
	} else if !errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("create state folder: %w", err)
	}
	return nil
}

// StateLog is the log of target and file records.
func (d Dir) StateLog() string { return d.own(stateLogName) }

// BadStateLog is where a state log that cannot be read is moved aside.
func (d Dir) BadStateLog() string { return d.own(stateLogName + badSuffix) }

// CreateStateLogTemp creates a new temporary file for the state log's
// compaction, to be renamed over StateLog.
func (d Dir) CreateStateLogTemp() (*os.File, error) {
	if err := CheckFolder(d.Path()); err != nil {
		return nil, err
	}
	return os.CreateTemp(d.Path(), d.prefix+stateLogName+tempSuffix)
}

// StateLogTemps lists the temporary files CreateStateLogTemp made that are
// still there (left by a compaction that was interrupted).
func (d Dir) StateLogTemps() ([]string, error) {
	return filepath.Glob(d.own(stateLogName + tempSuffix))
}

// SnapshotTemps lists the temporary files CreateSnapshotTemp made that are
// still there: left by a process killed while it wrote a snapshot, or being
// written by another one right now.
func (d Dir) SnapshotTemps() ([]string, error) {
	return filepath.Glob(d.own(snapshotName + tempSuffix))
}

// SHA256Table is the table of the files' SHA-256 digests.
func (d Dir) SHA256Table() string { return d.own(sha256Name) }

// Snapshot is the graph snapshot.
func (d Dir) Snapshot() string { return d.own(snapshotName) }

// CreateSnapshotTemp creates a new temporary file for a snapshot, to be
// renamed over Snapshot.
func (d Dir) CreateSnapshotTemp() (*os.File, error) {
	if err := CheckFolder(d.Path()); err != nil {
		return nil, err
	}
	return os.CreateTemp(d.Path(), d.prefix+snapshotName+tempSuffix)
}

// LastLog is the log of the last build that ran a command.
func (d Dir) LastLog() string { return filepath.Join(d.Path(), logFolderName, lastLogName) }

// OutputLog is the file that holds the whole output of target's commands
// when it was too long to keep in memory: log/output/ and the target's
// name, with every byte other than a letter, a digit, '.', '_' and '-'
// written %XX (so that "a/b" and "a%2Fb" differ and no name leaves the
// folder), and ".log". A name whose escaped form is too long for a file
// name is cut and ends with a hash of the whole name. Each run of the
// target that needs it replaces it.
func (d Dir) OutputLog(target string) string {
	return filepath.Join(d.Path(), logFolderName, outputFolder, escapeName(target)+outputSuffix)
}

// maxEscapedName bounds the escaped target name in OutputLog, well under
// the 255 bytes of a file name.
const maxEscapedName = 200

func escapeName(name string) string {
	var b strings.Builder
	for i := 0; i < len(name); i++ {
		c := name[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', c == '.', c == '_', c == '-':
			b.WriteByte(c)
		default:
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	s := b.String()
	if len(s) > maxEscapedName {
		sum := sha256.Sum256([]byte(name))
		s = s[:maxEscapedName-33] + "-" + hex.EncodeToString(sum[:16])
	}
	return s
}

// CreateOutputLog creates (or truncates) the OutputLog of target for
// writing, with its folders, refusing symbolic links on the way: a link
// planted in the state folder must not take the write elsewhere.
func (d Dir) CreateOutputLog(target string) (*os.File, error) {
	path := d.OutputLog(target)
	logDir := filepath.Dir(path)
	for _, folder := range []string{d.Path(), filepath.Dir(logDir), logDir} {
		if err := CheckFolder(folder); err != nil {
			return nil, err
		}
	}
	if err := os.MkdirAll(logDir, 0o777); err != nil {
		return nil, err
	}
	return OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o666)
}

// RemoveOutputLog removes target's OutputLog, if there is one, without
// following a symbolic link on the way (a link planted in the state folder
// must not take the removal elsewhere).
func (d Dir) RemoveOutputLog(target string) error {
	path := d.OutputLog(target)
	logDir := filepath.Dir(path)
	for _, folder := range []string{d.Path(), filepath.Dir(logDir), logDir} {
		if err := CheckFolder(folder); err != nil {
			return err
		}
	}
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return nil
}

// Runs is the folder of the run records: one file per recorded build,
// the folder's (whichever Buildfile the build read).
func (d Dir) Runs() string { return d.file(runsFolder) }

// RunSuffix ends the file name of every run record.
const RunSuffix = runSuffix

// RunRecord is the file of the run record id.
func (d Dir) RunRecord(id string) string { return filepath.Join(d.Runs(), id+runSuffix) }

// CreateRunTemp creates the runs folder if needed, refusing a symbolic
// link at the state folder or at it, and a new temporary file there for a
// record, to be linked to its RunRecord name once written.
func (d Dir) CreateRunTemp() (*os.File, error) {
	for _, folder := range []string{d.Path(), d.Runs()} {
		if err := CheckFolder(folder); err != nil {
			return nil, err
		}
	}
	if err := os.MkdirAll(d.Runs(), 0o777); err != nil {
		return nil, err
	}
	if err := CheckFolder(d.Runs()); err != nil { // made meanwhile
		return nil, err
	}
	return os.CreateTemp(d.Runs(), runTemp)
}

// MkdirFetchTemp creates a new temporary folder for a remote fetch, beside
// the state folder (in the Buildfile's folder, so on the file system of the
// outputs, where renames are atomic), and returns its path.
func (d Dir) MkdirFetchTemp() (string, error) {
	return os.MkdirTemp(d.project, fetchPrefix)
}

// FetchTemps lists the folders MkdirFetchTemp made that are still there.
func (d Dir) FetchTemps() ([]string, error) {
	return filepath.Glob(filepath.Join(d.project, fetchPrefix))
}

func (d Dir) file(name string) string { return filepath.Join(d.project, Name, name) }

// own is the file name of the Buildfile's own state (see For).
func (d Dir) own(name string) string { return d.file(d.prefix + name) }

// Holds reports whether rel, a clean path relative to the Buildfile's
// folder (slash- or OS-separated), is the state folder or inside it.
func Holds(rel string) bool {
	return rel == Name || strings.HasPrefix(rel, Name+"/") ||
		strings.HasPrefix(rel, Name+string(filepath.Separator))
}

// OnPath reports whether path, absolute or relative, is a state folder or
// inside one: whether one of its elements is Name. A file watcher ignores
// such paths whichever Buildfile's they are.
func OnPath(path string) bool {
	sep := string(filepath.Separator)
	return filepath.Base(path) == Name || Holds(path) || strings.Contains(path, sep+Name+sep)
}
