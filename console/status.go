package console

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// DefaultStatusFormat is the status prefix when GOBUILDJ_STATUS is unset:
// "[finished/total] ", as ninja's default NINJA_STATUS.
const DefaultStatusFormat = "[%f/%t] "

// statusCodes names the codes a status format may use, for its errors.
const statusCodes = "%f (finished), %t (total), %r (running), %u (remaining), %e (elapsed seconds), %p (percentage) or %%"

// progress is what a status prefix can show of a build at one moment.
type progress struct {
	finished, total, running, started int
	elapsed                           time.Duration
}

// checkStatusFormat reports the first code of spec that is not one of
// ninja's NINJA_STATUS codes gobuildj knows.
func checkStatusFormat(spec string) error {
	for i := 0; i < len(spec); i++ {
		if spec[i] != '%' {
			continue
		}
		if i+1 == len(spec) {
			return fmt.Errorf("a lone %% at its end; expected %s (%%%% for a %%)", statusCodes)
		}
		i++
		if !strings.ContainsRune("ftrupe%", rune(spec[i])) {
			return fmt.Errorf("unknown code %%%c at byte %d; expected %s", spec[i], i, statusCodes)
		}
	}
	return nil
}

// formatStatus expands the codes of spec (checked by checkStatusFormat)
// as ninja does: %e with three decimals, %p as a three-wide percentage.
func formatStatus(spec string, p progress) string {
	var b strings.Builder
	for i := 0; i < len(spec); i++ {
		if spec[i] != '%' || i+1 == len(spec) {
			b.WriteByte(spec[i])
			continue
		}
		i++
		switch spec[i] {
		case 'f':
			b.WriteString(strconv.Itoa(p.finished))
		case 't':
			b.WriteString(strconv.Itoa(p.total))
		case 'r':
			b.WriteString(strconv.Itoa(p.running))
		case 'u':
			b.WriteString(strconv.Itoa(max(p.total-p.started, 0)))
		case 'e':
			fmt.Fprintf(&b, "%.3f", p.elapsed.Seconds())
		case 'p':
			percent := 0
			if p.total > 0 {
				percent = 100 * p.finished / p.total
			}
			fmt.Fprintf(&b, "%3d%%", percent)
		case '%':
			b.WriteByte('%')
		default:
			b.WriteByte('%')
			b.WriteByte(spec[i])
		}
	}
	return b.String()
}
