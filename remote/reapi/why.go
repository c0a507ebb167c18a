package reapi

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	repb "github.com/bazelbuild/remote-apis/build/bazel/remote/execution/v2"

	"github.com/gobuildj/gobuildj/remote"
	"github.com/gobuildj/gobuildj/sched"
)

// Why manifests: beside a result it shares, a machine stores what went
// into the action's key (remote.WhyManifest), so that `gobuildj why
// --remote` on another machine can say why its own key differs. That
// machine does not know the key that was stored (it is the one that
// missed), so the manifest is found as the depfile manifests are, through
// an ActionCache entry of a synthetic action whose one output file is the
// blob, but here an action named by the salt, the Buildfile and the
// target's name only: "the latest manifest of target T", overwritten by
// each machine that shares T.

const (
	// whyMarker starts the salt of the synthetic action.
	whyMarker = "gobuildj why 1"
	// whyPath is the name of the manifest in its result.
	whyPath = "gobuildj-why"
	// maxWhySize bounds a why manifest read from the server.
	maxWhySize = 16 << 20
)

func init() {
	sched.Register(remote.WhyTaskName, runWhy)
}

// whyAction is the synthetic action under which the latest why manifest of
// a target is stored.
func whyAction(salt, buildfile, target string) (*Action, error) {
	return Build(remote.Spec{
		Cmds:    []string{"# why manifest"},
		Dir:     ".",
		Outputs: []string{whyPath},
		Salt:    whyMarker + "\x00" + salt + "\x00" + buildfile + "\x00" + target,
	})
}

// storeWhy stores m as the latest why manifest of its target, stamped with
// this machine's name and the time.
func (c *Client) storeWhy(ctx context.Context, m *remote.WhyManifest) error {
	a, err := whyAction(m.Salt, m.Buildfile, m.Target)
	if err != nil {
		return err
	}
	stamped := *m
	stamped.Host, _ = os.Hostname()
	stamped.Time = time.Now().UTC().Truncate(time.Second)
	blob := remote.EncodeWhy(&stamped)
	d := remote.DigestOf(blob)
	if err := c.Upload(ctx, []Blob{{Digest: d, Data: blob}}); err != nil {
		return err
	}
	return c.UpdateActionResult(ctx, a.Digest, &repb.ActionResult{
		OutputFiles:       []*repb.OutputFile{{Path: whyPath, Digest: ToProto(d)}},
		ExecutionMetadata: &repb.ExecutedActionMetadata{Worker: "gobuildj (why manifest)"},
	})
}

// readWhy returns the blob of the latest why manifest of l's target, nil if
// there is none (or it was evicted).
func (c *Client) readWhy(ctx context.Context, l *remote.WhyLookup) ([]byte, error) {
	a, err := whyAction(l.Salt, l.Buildfile, l.Target)
	if err != nil {
		return nil, err
	}
	ar, found, err := c.GetActionResult(ctx, a.Digest)
	if err != nil || !found {
		return nil, err
	}
	for _, f := range ar.OutputFiles {
		if f.Path != whyPath {
			continue
		}
		d, err := FromProto(f.Digest)
		if err != nil || d.Size > maxWhySize {
			return nil, nil
		}
		b, err := c.Read(ctx, d)
		if isNotFound(err) || errors.As(err, new(*CorruptError)) {
			return nil, nil
		}
		return b, err
	}
	return nil, nil
}

// runWhy is remote.WhyTaskName: it answers the blob of the latest why
// manifest of the target a remote.WhyLookup names, empty if none.
func runWhy(wctx *sched.WorkerContext, payload []byte) ([]byte, error) {
	l, err := remote.DecodeWhyLookup(payload)
	if err != nil {
		return nil, err
	}
	cl, err := Dial(l.Config)
	if err != nil {
		return nil, fmt.Errorf("remote %s: %w", l.Config.Endpoint, err)
	}
	defer cl.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		select {
		case <-wctx.Done():
			cancel()
		case <-ctx.Done():
		}
	}()
	b, err := cl.readWhy(ctx, l)
	if err != nil {
		return nil, fmt.Errorf("remote %s: %w", l.Config.Endpoint, err)
	}
	return b, nil
}
