// Package trace observes which files a command really reads, writes,
// deletes and probes for: it runs the command under ptrace with a seccomp
// filter that stops only on file system calls, follows its forks, threads
// and execs, and resolves each path against the calling thread's working
// directory and descriptors. It needs no privileges and sees static and Go
// binaries as well as dynamically linked ones.
package trace

// Report is what a traced command did to files. Paths are absolute and
// clean, sorted and unique within each list; a path appears in several
// lists when it was, say, written and then read.
type Report struct {
	// Read lists the files the command opened for reading, executed or
	// read a link of, and that existed then.
	Read []string
	// Written lists the files it opened for writing, created, truncated,
	// renamed or linked onto, or made as a folder or a link.
	Written []string
	// Deleted lists the files it unlinked, removed as folders, or renamed
	// away.
	Deleted []string
	// Probed lists the paths it looked up (stat, access, open) that did not
	// exist then: a file created there later would change what it does.
	Probed []string
}
