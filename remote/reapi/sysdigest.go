package reapi

import (
	"os"
	"path/filepath"
	"time"

	"github.com/gobuildj/gobuildj/internal/fileid"
)

// systemDigests keeps, for the life of a worker process, the digests of
// the files under systemDir that manifests list, by path with the stat
// fingerprint they were taken at: a traced compilation's manifest lists
// the compiler's own programs and libraries (tens of megabytes), which
// every lookup would hash again otherwise. Not safe for concurrent use
// (the task runs one job at a time).
type systemDigests struct {
	m map[string]systemDigest
}

type systemDigest struct {
	fp fileid.Fingerprint
	in Input
}

// known returns the digests it has of the absolute paths of paths whose
// files have not changed since, merged into known (which it may modify;
// nil for none).
func (s *systemDigests) known(paths []string, known map[string]Input) map[string]Input {
	if s == nil {
		return known
	}
	for _, p := range paths {
		if !filepath.IsAbs(p) {
			continue
		}
		d, ok := s.m[p]
		if !ok {
			continue
		}
		if fp, err := fileid.Stat(p); err != nil || fp != d.fp {
			delete(s.m, p)
			continue
		}
		if known == nil {
			known = map[string]Input{}
		}
		if _, has := known[p]; !has {
			known[p] = d.in
		}
	}
	return known
}

// remember keeps the digests of the absolute paths of files, hashed after
// start: a file stamped since is not kept, as its fingerprint may not
// tell a later change.
func (s *systemDigests) remember(files []Input, start time.Time) {
	if s == nil {
		return
	}
	for _, in := range files {
		if !filepath.IsAbs(in.Path) {
			continue
		}
		fi, err := os.Stat(in.Path)
		if err != nil {
			continue
		}
		fp, ok := fileid.FromFileInfo(fi)
		if !ok || fp.Racy(start) {
			continue
		}
		if s.m == nil {
			s.m = map[string]systemDigest{}
		}
		s.m[in.Path] = systemDigest{fp: fp, in: in}
	}
}
