package ports_test

import (
	"fmt"
	"net"
	"sync"
	"testing"

	"github.com/gobuildj/gobuildj/ports"
)

func TestTakeDistinctAndBindable(t *testing.T) {
	// Eight holders at once each take two ports and bind them while the
	// others hold theirs.
	const holders = 8
	var pool ports.Pool
	var mu sync.Mutex
	seen := map[int]bool{}
	var wg sync.WaitGroup
	for range holders {
		wg.Add(1)
		go func() {
			defer wg.Done()
			got, err := pool.Take(2)
			if err != nil {
				t.Error(err)
				return
			}
			mu.Lock()
			for _, p := range got {
				if seen[p] {
					t.Errorf("port %d handed out twice", p)
				}
				seen[p] = true
			}
			mu.Unlock()
			for _, p := range got {
				l, err := net.Listen("tcp", fmt.Sprintf(":%d", p))
				if err != nil {
					t.Errorf("bind port %d: %v", p, err)
					continue
				}
				l.Close()
			}
		}()
	}
	wg.Wait()
	if len(seen) != 2*holders {
		t.Errorf("%d ports handed out, want %d", len(seen), 2*holders)
	}
	if got := pool.Held(); got != 2*holders {
		t.Errorf("Held() = %d, want %d", got, 2*holders)
	}
}

func TestReleaseGivesBack(t *testing.T) {
	var pool ports.Pool
	if got, err := pool.Take(0); err != nil || got != nil {
		t.Fatalf("Take(0) = %v, %v; want nothing", got, err)
	}
	got, err := pool.Take(3)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 || pool.Held() != 3 {
		t.Fatalf("Take(3) = %v with %d held", got, pool.Held())
	}
	pool.Release(got[:1])
	if pool.Held() != 2 {
		t.Errorf("after releasing one, %d held, want 2", pool.Held())
	}
	pool.Release(got)
	if pool.Held() != 0 {
		t.Errorf("after releasing all, %d held", pool.Held())
	}
}
