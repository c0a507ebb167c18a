package event

// Tee returns a Listener that hands every event to each of statuses in turn,
// in the order given: the console first, then the recorders behind the CI
// files. Nil entries are left out; with a single status it is returned
// as is.
func Tee(statuses ...Listener) Listener {
	var fan tee
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

// tee is the Listener that Tee returns. It holds no state of its own, so
// it needs no lock: each Listener locks for itself.
type tee []Listener

func (f tee) Planned(total int) {
	for _, s := range f {
		s.Planned(total)
	}
}

func (f tee) Explain(target string, reason Reason) {
	for _, s := range f {
		s.Explain(target, reason)
	}
}

func (f tee) Started(ev Start) {
	for _, s := range f {
		s.Started(ev)
	}
}

func (f tee) Finished(ev Finish) {
	for _, s := range f {
		s.Finished(ev)
	}
}

func (f tee) Skipped(ev Skip) {
	for _, s := range f {
		s.Skipped(ev)
	}
}

func (f tee) Message(text string) {
	for _, s := range f {
		s.Message(text)
	}
}

func (f tee) Done(sum Summary) {
	for _, s := range f {
		s.Done(sum)
	}
}
