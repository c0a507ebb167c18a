package watch

import (
	"errors"
	"fmt"
	"strings"
	"syscall"
	"testing"
)

func TestProblemsNameTheLimit(t *testing.T) {
	var p problems
	for i := range 3 {
		p.add(fmt.Sprintf("/p/dir%d", i), fmt.Errorf("add: %w", syscall.ENOSPC))
	}
	p.add("/p/secret", syscall.EACCES)
	err := p.err()
	if err == nil {
		t.Fatal("no error")
	}
	msg := err.Error()
	for _, want := range []string{
		"cannot watch 3 folder(s) (first: /p/dir0)",
		"fs.inotify.max_user_watches = ",
		"sudo sysctl fs.inotify.max_user_watches=524288",
		"cannot watch /p/secret: permission denied",
	} {
		if !strings.Contains(msg, want) {
			t.Errorf("%q lacks %q", msg, want)
		}
	}
	if limitHint(errors.New("other")) != "" {
		t.Error("a hint for an error that is not about a limit")
	}
	var none problems
	if none.err() != nil {
		t.Error("an error without problems")
	}
}
