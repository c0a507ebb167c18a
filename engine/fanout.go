package engine

// Tee returns a Status that hands every event to each of statuses in turn,
// in the order given: the console first, then the recorders behind the CI
// files. Nil entries are left out; with a single status it is returned
// as is.
func Tee(statuses ...Status) Status {
	var fan fanout
	for _, s := range statuses {
		if s != nil {
			fan = append(fan, s)
		}
	}
	if len(fan) == 1 {
		return fan[0]
	}
	return fan
}

// fanout is the Status that Tee returns. It holds no state of its own, so
// it needs no lock: each Status locks for itself.
type fanout []Status

func (f fanout) Planned(total int) {
	for _, s := range f {
		s.Planned(total)
	}
}

func (f fanout) Explain(target, reason string) {
	for _, s := range f {
		s.Explain(target, reason)
	}
}

func (f fanout) Started(ev StartEvent) {
	for _, s := range f {
		s.Started(ev)
	}
}

func (f fanout) Finished(ev FinishEvent) {
	for _, s := range f {
		s.Finished(ev)
	}
}

func (f fanout) Skipped(ev SkipEvent) {
	for _, s := range f {
		s.Skipped(ev)
	}
}

func (f fanout) Message(text string) {
	for _, s := range f {
		s.Message(text)
	}
}

func (f fanout) Done(sum Summary) {
	for _, s := range f {
		s.Done(sum)
	}
}
