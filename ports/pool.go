// Package ports leases free TCP ports, each to one holder at a time, so that
// programs run at once (tests that start servers, build steps that listen)
// never get the same port.
package ports

import (
	"fmt"
	"net"
	"sync"
)

// Pool hands out free TCP ports, each to one holder at a time: a caller
// takes ports for a piece of work when it starts and releases them when it
// ends, so that work running at once never gets the same port. A port is
// free when the kernel gives it to a listener on every address; it is
// closed again before it is handed out, for the holder to bind. The zero
// value is ready to use; it is safe for concurrent use.
type Pool struct {
	mu   sync.Mutex
	held map[int]struct{}
}

// Take returns n distinct free ports that no other holder has, and holds
// them until Release.
func (p *Pool) Take(n int) ([]int, error) {
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
			return nil, fmt.Errorf("ports: no free TCP port found after %d tries (%d held)", tries, len(p.held))
		}
		l, err := net.Listen("tcp", ":0")
		if err != nil {
			return nil, fmt.Errorf("ports: find a free TCP port: %w", err)
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
func (p *Pool) Release(ports []int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, port := range ports {
		delete(p.held, port)
	}
}

// Held returns how many ports are held now.
func (p *Pool) Held() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.held)
}
