package cache

import (
	"encoding/hex"
	"testing"
)

// The state log, the SHA-256 table and the action keys are read by later
// builds: their bytes must not change by accident (a change of encoding
// needs a new logVersion, or a new key tag). These tests pin them.

func checkGolden(t *testing.T, what string, got []byte, want string) {
	t.Helper()
	if h := hex.EncodeToString(got); h != want {
		t.Errorf("%s encodes as\n%s\nwant\n%s", what, h, want)
	}
}

func TestStateLogGoldenBytes(t *testing.T) {
	rec := sampleRecord("app")
	b := appendHeader(nil)
	b, start := beginRecord(b)
	b = endRecord(appendTargetBody(b, &rec), start)
	b, start = beginRecord(b)
	b = endRecord(appendTargetBody(b, &TargetRecord{Name: "alias"}), start)
	b, start = beginRecord(b)
	b = endRecord(appendTombstoneBody(b, "gone"), start)
	b, start = beginRecord(b)
	b = endRecord(appendFileBody(b, "src/a.c", &FileState{Size: 300, MtimeNs: -1, CtimeNs: 1700000000987654321, Inode: 1 << 40, Hash: HashBytes([]byte("a")), Racy: true}), start)
	checkGolden(t, "the state log", b, goldenStateLog)
}

func TestSHA256TableGoldenBytes(t *testing.T) {
	e := digestEntry{
		state: FileState{Size: 5, MtimeNs: 1700000000123456789, CtimeNs: 1700000000123456789, Inode: 99, Hash: HashBytes([]byte("ignored")), Racy: true},
		exec:  true,
		sum:   [32]byte{1, 2, 3, 31: 0xff},
	}
	b := appendDigestRecord(appendHeader(nil), "bin/tool", e)
	b = appendDigestRecord(b, "/abs/file", digestEntry{})
	checkGolden(t, "the SHA-256 table", b, goldenSHA256Table)
}

func TestActionKeyGolden(t *testing.T) {
	a := Action{
		Cmds:       []string{"cc -c a.c", "echo ü"},
		Env:        []string{"A=1", "B="},
		Dir:        "sub",
		Inputs:     []PathHash{{Path: "b.c", Hash: HashBytes([]byte("b"))}, {Path: "a.c", Hash: HashBytes([]byte("a"))}},
		DepOutputs: []PathHash{{Path: "gen/v.h", Hash: HashBytes([]byte("v"))}},
		Tools:      []Tool{{Name: "cc", Path: "/usr/bin/cc", Hash: HashBytes([]byte("cc"))}, {Name: "gone"}},
		EnvInputs:  []PathHash{{Path: "CC", Hash: EnvHash("", false)}, {Path: "CFLAGS", Hash: EnvHash("-O2", true)}},
	}
	key, cmd, deps := a.Key(), a.CmdHash(), a.DepsHash()
	checkGolden(t, "the action key", key[:], goldenActionKey)
	checkGolden(t, "the command hash", cmd[:], goldenCmdHash)
	checkGolden(t, "the deps hash", deps[:], goldenDepsHash)
}

const (
	goldenStateLog = "" +
		"474f4255494c444a010000002c0100007bc5c7da9e555ba901036170703afbd9bebdee719af166fbc67a547a81e450a6" +
		"c71ad510ecd7c861e535655c6bc6d90ab6c864462629b42a14725db7a702077372632f612e63a96faf705af16834e6c6" +
		"32b61e964e1f142f7573722f696e636c7564652f737464696f2e68bd9a1e8c77d207480df678e707774649010767656e" +
		"2f762e68beae59b601a6a437f7042be43fb80714020b6275696c642f6170702e6fa41315cd853dfe9c9717b1680871fe" +
		"9c9717808080808020977f2bc6e5a768a0f445b65c72ed012b01096275696c642f6f6c6400fbffffffffffffff000000" +
		"000000000007000000000000000000000000000000000080bcc1960b2acac471fe9c971702142f7573722f696e636c75" +
		"64652f737464696f2e680b696e636c7564652f612e680d6275696c642f6170702e6f2e64430000002f73cd59742b673a" +
		"0105616c6961730000000000000000000000000000000000000000000000000000000000000000000000000000000000" +
		"000000000000000000000000000000000000000600000056e5fd622a9184ba0204676f6e6532000000629614b251936d" +
		"9f03077372632f612e63d804ffffffffffffffffb1680871fe9c9717808080808020a96faf705af16834e6c632b61e96" +
		"4e1f01"
	goldenSHA256Table = "" +
		"474f4255494c444a010000004e0000006ae1c730b4554658040862696e2f746f6f6c0a15cd853dfe9c971715cd853dfe" +
		"9c9717630000000000000000000000000000000001010102030000000000000000000000000000000000000000000000" +
		"0000000000ff4f000000c370cd1dcae69e4304092f6162732f66696c6500000000000000000000000000000000000000" +
		"000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000" +
		"00"
	goldenActionKey = "0bc74a882a49c9e0dc2841d5503c562e"
	goldenCmdHash   = "66486ed219876c5830311ad8ac15fcf7"
	goldenDepsHash  = "99c0bb54da97ef0a90c61106bdd57f0d"
)
