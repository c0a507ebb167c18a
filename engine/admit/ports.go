package admit

import "fmt"

// PortSource hands out free TCP ports, each to one holder at a time
// (ports.Pool).
type PortSource interface {
	Take(n int) ([]int, error)
	Release(ports []int)
}

// Ports reserves the TCP ports of a job (Job.Ports) while it runs, so that
// no two jobs running at once get the same port: a job's ports are taken
// when it is admitted and given back on Release. A job that asks for none
// passes; one whose ports cannot be found fails with the reason.
type Ports struct {
	src PortSource
}

// NewPorts returns the limit that reserves ports from src.
func NewPorts(src PortSource) *Ports { return &Ports{src: src} }

// Take implements Limiter.
func (p *Ports) Take(j *Job) (uint64, bool, error) {
	if j.Ports <= 0 {
		return 0, true, nil
	}
	ports, err := p.src.Take(j.Ports)
	if err != nil {
		return 0, false, fmt.Errorf("cannot reserve %d TCP ports: %w", j.Ports, err)
	}
	j.PortList = ports
	return 1, true, nil
}

// Give implements Limiter.
func (p *Ports) Give(j *Job, hold uint64) {
	if hold == 1 {
		p.src.Release(j.PortList)
	}
}

// Name implements Namer.
func (p *Ports) Name() string { return "ports" }
