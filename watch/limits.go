package watch

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"syscall"
)

// problems collects the folders that could not be watched.
type problems struct {
	limit   []string // ENOSPC: fs.inotify.max_user_watches reached
	other   []string
	example error
}

func (p *problems) add(dir string, err error) {
	if errors.Is(err, syscall.ENOSPC) {
		p.limit = append(p.limit, dir)
		return
	}
	p.other = append(p.other, fmt.Sprintf("%s: %v", dir, err))
}

// list says in words what went wrong, one line per kind of problem.
func (p *problems) list() []string {
	var out []string
	if n := len(p.limit); n > 0 {
		out = append(out, fmt.Sprintf("cannot watch %d folder(s) (first: %s): the limit of inotify watches is reached%s; changes there are not seen",
			n, p.limit[0], limitHint(syscall.ENOSPC)))
	}
	for _, o := range p.other {
		out = append(out, "cannot watch "+o)
	}
	return out
}

func (p *problems) err() error {
	if l := p.list(); len(l) > 0 {
		return errors.New(strings.Join(l, "\n"))
	}
	return nil
}

// limitHint names the kernel setting behind err, with its value and how to
// raise it, or "" when err is not about a limit.
func limitHint(err error) string {
	var setting string
	switch {
	case errors.Is(err, syscall.ENOSPC):
		setting = "max_user_watches"
	case errors.Is(err, syscall.EMFILE):
		setting = "max_user_instances"
	default:
		return ""
	}
	value := "?"
	if b, err := os.ReadFile("/proc/sys/fs/inotify/" + setting); err == nil {
		value = strings.TrimSpace(string(b))
	}
	return fmt.Sprintf(" (fs.inotify.%s = %s; raise it with: sudo sysctl fs.inotify.%s=524288)", setting, value, setting)
}
