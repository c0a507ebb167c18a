package worker

import (
	"encoding/hex"
	"testing"
	"time"

	"github.com/gobuildj/gobuildj/cache"
)

// TestEncodingGoldenBytes pins the bytes of the Job and Result frames, so
// that a change to how they are written shows.
func TestEncodingGoldenBytes(t *testing.T) {
	job := Job{Target: "app", Cmds: []string{"cc -c a.c", "echo ü"}, Dir: "/src", Env: []string{"A=1", "B="},
		Outputs: []string{"/src/a.o"}, Shell: "/bin/bash", Depfile: "/src/a.d", Files: []int{5, 6, -1}, Remote: []byte("request\x00"),
		Project: "/src"}
	results := []Result{
		{ExitCode: -1, Signal: "SIGTERM", FailedCmd: 2, Output: []byte("out\x00put"),
			Outputs: []cache.FileState{{Size: 3, MtimeNs: 1e18, CtimeNs: -5, Inode: 1 << 60, Hash: cache.HashBytes([]byte("x")), Racy: true}, {}},
			Missing: []string{"/a", "/b"}, Duration: 1500 * time.Millisecond},
		{FailedCmd: -1, Cached: true, Remote: true, SHA256: [][32]byte{{1, 2}, {}}, RemoteErr: "down", RemoteNote: "refused", NotShared: "local", StartErr: "E2BIG"},
	}
	cases := []struct {
		what string
		got  []byte
		want string
	}{
		{"the empty job", (&Job{}).Encode(), goldenEmptyJob},
		{"the job", job.Encode(), goldenJob},
		{"the failed result", results[0].Encode(), goldenFailedResult},
		{"the remote result", results[1].Encode(), goldenRemoteResult},
	}
	for _, c := range cases {
		if h := hex.EncodeToString(c.got); h != c.want {
			t.Errorf("%s encodes as\n%s\nwant\n%s", c.what, h, c.want)
		}
	}
}

const (
	goldenEmptyJob = "000000000000000000000000"
	goldenJob      = "" +
		"0361707002096363202d6320612e63076563686f20c3bc042f7372630203413d3102423d01082f7372632f612e6f092f" +
		"62696e2f62617368082f7372632f612e64030a0c01087265717565737400042f7372630000"
	goldenFailedResult = "" +
		"01075349475445524d04076f75740070757402068080a0f6f4acdbe01b098080808080808080105c7401c0ec22eeeeea" +
		"f06c6480b2cd110100000000000000000000000000000000000000000002022f61022f6280bcc1960b00000000000000"
	goldenRemoteResult = "" +
		"000001000000000302010200000000000000000000000000000000000000000000000000000000000000000000000000" +
		"0000000000000000000000000000000000000000000000000004646f776e0772656675736564056c6f63616c" +
		"05453242494700"
)
