package engine

import cleaning "github.com/gobuildj/gobuildj/clean"

// removeStale removes, before the build starts, the stale outputs of the
// builder's graph: the files recorded for targets that left it (their rule
// no longer matches, they were deleted from the Buildfile) and those a
// target recorded but no longer declares, with their depfiles, records and
// whole-output logs (see clean.NewStalePlan). The whole graph counts, not
// only the targets wanted: a target absent from it is stale whatever the
// build asks for. What it removed goes in the summary; a file it must not
// remove (outside the folder, through a link too, or in .gobuildj/) makes
// it remove nothing and warn, and the build goes on. Not with
// Options.KeepStale, remove_stale = false, or a dry run.
func (b *builder) removeStale() {
	if b.opts.KeepStale || b.g.KeepStale || b.opts.DryRun {
		return
	}
	p, err := cleaning.NewStalePlan(b.g, b.store)
	switch {
	case err != nil: // a *clean.RefusedError says what it refused
		b.ls.Message("gobuildj: warning: stale outputs: " + err.Error())
		return
	case len(p.Targets) == 0:
		return
	}
	res, err := p.Run(b.store)
	if res != nil {
		b.sum.Stale = append(b.sum.Stale, res.Removed...)
	}
	if err != nil {
		b.ls.Message("gobuildj: warning: stale outputs: " + err.Error())
	}
}
