package trace

import (
	"encoding/binary"
	"testing"

	"golang.org/x/net/bpf"
	"golang.org/x/sys/unix"
)

// TestFilterProgram runs the filter in x/net/bpf's interpreter on
// seccomp_data records. The interpreter loads words big-endian, as from a
// network packet, where seccomp loads them in the host's order: each
// 32-bit word the filter loads is written big-endian at its offset, so
// that the interpreter sees the value the kernel would.
func TestFilterProgram(t *testing.T) {
	raw, err := filterProgram()
	if err != nil {
		t.Fatal(err)
	}
	prog := make([]bpf.Instruction, len(raw))
	for i, r := range raw {
		prog[i] = r.Disassemble()
	}
	vm, err := bpf.NewVM(prog)
	if err != nil {
		t.Fatal(err)
	}
	data := func(arch uint32, nr uint64, args ...uint64) []byte {
		b := make([]byte, 64)
		binary.BigEndian.PutUint32(b[offNr:], uint32(nr))
		binary.BigEndian.PutUint32(b[offArch:], arch)
		for i, a := range args {
			// The low half, where a little-endian host keeps it.
			binary.BigEndian.PutUint32(b[offArgs+8*i:], uint32(a))
		}
		return b
	}
	const trace, allow = unix.SECCOMP_RET_TRACE, unix.SECCOMP_RET_ALLOW
	var fstatat, flagArg uint64
	for nr, c := range calls {
		if c.emptyPathFlag() != noArg {
			fstatat, flagArg = nr, uint64(c.emptyPathFlag())
		}
	}
	withFlags := func(flags uint64) []uint64 {
		args := make([]uint64, 6)
		args[flagArg] = flags
		return args
	}
	cases := []struct {
		what string
		in   []byte
		want int
	}{
		{"getpid", data(auditArch, unix.SYS_GETPID), allow},
		{"read", data(auditArch, unix.SYS_READ), allow},
		{"a call of another ABI", data(auditArch^1, unix.SYS_OPENAT), allow},
		{"a stat call with a path", data(auditArch, fstatat, withFlags(unix.AT_SYMLINK_NOFOLLOW)...), trace},
		{"a stat call with AT_EMPTY_PATH", data(auditArch, fstatat, withFlags(unix.AT_EMPTY_PATH)...), allow},
	}
	for nr, c := range readlinkCalls {
		cases = append(cases, struct {
			what string
			in   []byte
			want int
		}{c.name + " (left out)", data(auditArch, nr), allow})
	}
	for nr, c := range calls {
		if c.emptyPathFlag() == noArg {
			cases = append(cases, struct {
				what string
				in   []byte
				want int
			}{c.name, data(auditArch, nr), trace})
		}
	}
	for _, c := range cases {
		got, err := vm.Run(c.in)
		if err != nil || got != c.want {
			t.Errorf("%s: filter returns %#x, %v; want %#x", c.what, got, err, c.want)
		}
	}
}
