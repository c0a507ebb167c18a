package main

import (
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/spf13/cobra"

	"github.com/gobuildj/gobuildj/engine"
	"github.com/gobuildj/gobuildj/graph"
	"github.com/gobuildj/gobuildj/remote"
	"github.com/gobuildj/gobuildj/sched"
	"github.com/gobuildj/gobuildj/why"
)

// whyRemote is `gobuildj why --remote TARGET`: it computes the manifest this
// machine would send with t (engine.RemoteManifest), fetches the one of
// the remote cache's latest entry of t, and prints their differences.
//
// The fetch needs the gRPC client, which only gobuildj-remote links: it
// runs as a task (remote.WhyTaskName) in one gobuildj-remote worker
// process, started by the same scheduler that runs a build's remote jobs,
// so that no second way of starting the helper or of passing it the
// server's configuration exists.
func whyRemote(cmd *cobra.Command, rf *remoteFlags, g *graph.Graph, t *graph.Target, asJSON bool, stdout io.Writer) error {
	opts, err := rf.options(cmd.Flags(), g)
	if err != nil {
		return err
	}
	if opts == nil {
		return usageError{errors.New("why --remote: no remote cache (expected --remote-cache URL, --remote-exec URL or a [remote] table with cache or exec)")}
	}
	local, notShared, err := engine.RemoteManifest(g, t, engine.Options{Remote: opts})
	if err != nil {
		return err
	}
	e := why.RemoteExplanation{Target: t.Name, NotShared: notShared, Changes: []why.Change{}}
	if local != nil {
		cached, err := fetchWhyManifest(opts, local)
		if err != nil {
			return err
		}
		e = why.ExplainRemote(local, cached)
	}
	if asJSON {
		return writeJSON(stdout, e)
	}
	_, err = io.WriteString(stdout, e.String(time.Now()))
	return err
}

// fetchWhyManifest runs remote.WhyTaskName in a gobuildj-remote worker: the
// manifest stored with the latest remote entry of local's target, nil if
// none.
func fetchWhyManifest(opts *engine.RemoteOptions, local *remote.WhyManifest) (*remote.WhyManifest, error) {
	lookup := remote.WhyLookup{Config: opts.Config, Salt: local.Salt, Buildfile: local.Buildfile, Target: local.Target}
	s := sched.New(sched.Options{Jobs: 1, Executable: opts.Helper})
	var res sched.Result
	s.AddTask(&sched.Task{Func: remote.WhyTaskName, Payload: lookup.Encode(), OnEnd: func(r sched.Result) { res = r }})
	if err := s.Run(); err != nil {
		return nil, fmt.Errorf("why --remote: %w", err)
	}
	if res.Err != nil {
		return nil, fmt.Errorf("why --remote: %w", res.Err)
	}
	if len(res.Value) == 0 {
		return nil, nil
	}
	m, err := remote.DecodeWhy(res.Value)
	if err != nil {
		return nil, fmt.Errorf("why --remote: the remote cache's manifest of %s: %w", local.Target, err)
	}
	return m, nil
}
