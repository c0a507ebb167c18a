// Package sandbox restricts what a command may do to files with Landlock:
// read only what its target declared (and the system), write only its
// declared outputs' folders and a private temp folder.
package sandbox

// Policy is the file access a sandboxed command keeps. Paths are absolute;
// a folder grants access to everything under it.
type Policy struct {
	// Read lists the files and folders it may read and execute.
	Read []string
	// Write lists the files and folders it may read, write, create and
	// remove files in.
	Write []string
	// List lists the folders whose entries, and those of the folders
	// under them, it may list, but not read: `go vet ./...` and `find`
	// walk the project; reading what they find still needs Read.
	List []string
}
