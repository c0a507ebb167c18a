package launch

import (
	"reflect"
	"testing"

	"github.com/gobuildj/gobuildj/sandbox"
)

func TestSpecRoundTripsThroughAnArgument(t *testing.T) {
	for _, spec := range []Spec{
		{Path: "/bin/sh", Argv: []string{"sh", "-c", "echo \x01 ü"}},
		{Path: "/usr/bin/cc", Argv: []string{"cc"}, Sandbox: &sandbox.Policy{Read: []string{"/usr"}, Write: []string{"/tmp/x"}, List: []string{"/home"}}, Trace: true},
	} {
		argv := Argv("/proc/self/exe", &spec)
		if argv[1] != marker {
			t.Fatalf("Argv = %q", argv)
		}
		got, err := decode(argv[2], argv[3:])
		if err != nil || !reflect.DeepEqual(got, spec) {
			t.Errorf("decode(Argv(%+v)) = %+v, %v", spec, got, err)
		}
		if _, err := decode(argv[2][:len(argv[2])-2], argv[3:]); err == nil {
			t.Errorf("a truncated spec decoded")
		}
	}
}
