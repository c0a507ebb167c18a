package sched

import (
	"fmt"
	"net"
	"sync"
)

// Ports hands out free TCP ports, each to one holder at a time: a scheduler
// takes ports for a task when it starts (in OnStart, or to answer its
// Request) and releases them when it ends, so that tasks running at once
// never get the same port. A port is free when the kernel gives it to a
// listener on every address; it is closed again before it is handed out,
// for the task to bind. The zero value is ready to use; it is safe for
// concurrent use.
type Ports struct {
	mu   sync.Mutex
	held map[int]struct{}
}

// Take returns n distinct free ports that no other holder has, and holds
// them until Release.
func (p *Ports) Take(n int) ([]int, error) {
	if n <= 0 {
		return nil, nil
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.held == nil {
		p.held = map[int]struct{}{}
	}
	// Keep every listener open until n ports are found, so the kernel
	// does not give the same port twice, and skip held ports (their
	// holders may not have bound them yet).
	var open []net.Listener
	defer func() {
		for _, l := range open {
			l.Close()
		}
	}()
	ports := make([]int, 0, n)
	for tries := 0; len(ports) < n; tries++ {
		if tries > 100*n {
			return nil, fmt.Errorf("sched: no free TCP port found after %d tries (%d held)", tries, len(p.held))
		}
		l, err := net.Listen("tcp", ":0")
		if err != nil {
			return nil, fmt.Errorf("sched: find a free TCP port: %w", err)
		}
		open = append(open, l)
		port := l.Addr().(*net.TCPAddr).Port
		if _, taken := p.held[port]; taken {
			continue
		}
		ports = append(ports, port)
	}
	for _, port := range ports {
		p.held[port] = struct{}{}
	}
	return ports, nil
}

// Release gives ports back for other holders.
func (p *Ports) Release(ports []int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, port := range ports {
		delete(p.held, port)
	}
}

// Held returns how many ports are held now.
func (p *Ports) Held() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.held)
}
