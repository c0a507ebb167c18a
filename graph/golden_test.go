package graph

import (
	"encoding/hex"
	"os"
	"testing"
	"time"

	"github.com/zeebo/xxh3"

	"github.com/gobuildj/gobuildj/internal/fileid"
	"github.com/gobuildj/gobuildj/internal/statedir"
)

// TestSnapshotGoldenBytes pins the bytes of a snapshot: its header, its key
// and its graph. A change of encoding needs a new snapVersion.
func TestSnapshotGoldenBytes(t *testing.T) {
	gen := &Target{ID: 0, Name: "gen", Outputs: []string{"gen/v.h", "gen/w.h"}, Cmds: []string{"mkdir -p gen", "echo 1 > gen/v.h"},
		Dir: ".", Always: true, Ports: 2, LocalOnly: true, File: "Buildfile.toml"}
	app := &Target{ID: 1, Name: "app", Description: "LINK build/app", Deps: []*Target{gen}, Consumes: [][]int{{0}},
		Inputs: []string{"src/a.c", "gen/v.h"}, Globs: []string{"src/*.c"}, Outputs: []string{"build/app"},
		Cmds: []string{"cc -o build/app src/a.c"}, Dir: "sub", Env: []string{"B=2", "LC_ALL=C"},
		Timeout: 5 * time.Minute, KillTimeout: -time.Second, Pool: "link", Depfile: "build/app.d", Dyndep: "build/app.dd",
		Tools: []string{"gcc-12", "./tools/cc"}, EnvInputs: []string{"CC", "CFLAGS"}, Sandbox: true, Trace: true, Rule: "obj", Match: "src/a.c", File: "Buildfile.toml"}
	g := &Graph{
		File:    "/project/Buildfile.toml",
		Default: []string{"app"}, KeepStale: true,
		Files:    []string{},
		Warnings: []string{"Buildfile.toml:3:11: target \"app\": inputs: glob \"tests/*.bash\" matches no file"},
		Targets:  []*Target{gen, app},
		Pools:    map[string]int{"link": 1, "console": 1},
		Rules:    []*Rule{{Name: "obj", Foreach: []string{"src/a.c"}, Target: nil, Instances: []*Target{app}}},
		Remote: Remote{Cache: "grpc://localhost:1", Instance: "main", Upload: true, Jobs: 3, Timeout: 7 * time.Second,
			Headers: []string{"A=1"}, Set: map[string]bool{"upload": true, "jobs": false}},
		Check: Check{Allow: []string{"/srv/shared"}},
	}
	key := &snapKey{
		exe: fileid.Fingerprint{Size: 1 << 20, MtimeNs: 1700000000123456789, CtimeNs: -1, Inode: 1 << 40},
		files: []buildfileKey{{path: "/project/Buildfile.toml", st: fileid.Fingerprint{Size: 300, MtimeNs: 5, CtimeNs: 6, Inode: 7},
			racy: true, hash: xxh3.Uint128{Hi: 0x0102030405060708, Lo: 0x1112131415161718}}},
		paths: []pathState{{name: "src", listed: true, kind: pathDir, mtime: 8, ctime: 9, inode: 10}, {name: "src/x", kind: pathMissing}},
		env:   []envKey{{name: "CC", set: true, hash: xxh3.Uint128{Hi: 1, Lo: 2}}, {name: "CFLAGS"}},
		vars:  []Override{{Name: "CC", Value: "clang"}},
		cmds:  []cmdKey{{dir: "/project", command: "uname -m", hash: xxh3.Uint128{Hi: 3, Lo: 4}}},
	}
	state := statedir.Of(t.TempDir())
	if err := os.Mkdir(state.Path(), 0o777); err != nil {
		t.Fatal(err)
	}
	if err := writeSnapshot(state, g, key); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(state.Snapshot())
	if err != nil {
		t.Fatal(err)
	}
	if h := hex.EncodeToString(b); h != goldenSnapshot {
		t.Errorf("the snapshot encodes as\n%s\nwant\n%s", h, goldenSnapshot)
	}
}

const goldenSnapshot = "" +
	"47424a47524150480e00000080808001aab4aed8c7bfce972f01808080808020172f70726f6a6563742f4275696c6466" +
	"696c652e746f6d6c01172f70726f6a6563742f4275696c6466696c652e746f6d6cd8040a0c0701080706050403020118" +
	"171615141312110203737263010210120a057372632f7800000000000202434301010000000000000002000000000000" +
	"000643464c41475300000000000000000000000000000000000102434305636c616e6701082f70726f6a65637408756e" +
	"616d65202d6d0300000000000000040000000000000021034e1200040304060b07040307070c10010e0e070709170303" +
	"080b0c060a0206036170704275696c6466696c652e746f6d6c3a333a31313a207461726765742022617070223a20696e" +
	"707574733a20676c6f62202274657374732f2a2e6261736822206d617463686573206e6f2066696c65677270633a2f2f" +
	"6c6f63616c686f73743a316d61696e413d316a6f627375706c6f61642f7372762f736861726564636f6e736f6c656c69" +
	"6e6b67656e67656e2f762e6867656e2f772e686d6b646972202d702067656e6563686f2031203e2067656e2f762e682e" +
	"4275696c6466696c652e746f6d6c4c494e4b206275696c642f6170707372632f612e637372632f2a2e636275696c642f" +
	"6170706363202d6f206275696c642f617070207372632f612e63737562423d324c435f414c4c3d436275696c642f6170" +
	"702e646275696c642f6170702e64646763632d31322e2f746f6f6c732f6363434343464c4147536f626a02010f020001" +
	"01020102030403030303030100068098dc933400020500030600070102080309020a020b03000000030c0d030e0f1000" +
	"0000010400010303030000000000000303110012010001020003130c0214021502161703181980e0a596bb11ffa7d6b9" +
	"07000000000a1a1b031c1d031e1f00000101201311012002130001027fb0d1202f89ef9f"
