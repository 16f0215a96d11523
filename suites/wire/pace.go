package wire

import (
	"context"
	"math"
	"sync"
	"time"
)

// NewPacer returns a Pace function that lets at most rps requests start
// per second, evenly spaced (no bursts: an endpoint under test should see a
// steady, modest load). It returns nil, no pacing, for rps 0 or +Inf.
func NewPacer(rps float64) func(context.Context) error {
	if rps <= 0 || math.IsInf(rps, 1) || math.IsNaN(rps) {
		return nil
	}
	interval := time.Duration(float64(time.Second) / rps)
	var (
		mu   sync.Mutex
		next time.Time
	)
	return func(ctx context.Context) error {
		mu.Lock()
		now := time.Now()
		at := next
		if at.Before(now) {
			at = now
		}
		next = at.Add(interval)
		mu.Unlock()
		if !sleep(ctx, time.Until(at)) {
			return ctx.Err()
		}
		return nil
	}
}
