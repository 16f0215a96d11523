package wire

import (
	"context"
	"errors"
	"math"

	"golang.org/x/time/rate"
)

// NewPacer returns a Pace function that lets at most rps requests start
// per second, evenly spaced (a limiter with burst 1: no bursts, since an
// endpoint under test should see a steady, modest load). It returns nil,
// no pacing, for rps 0 or +Inf.
func NewPacer(rps float64) func(context.Context) error {
	if rps <= 0 || math.IsInf(rps, 1) || math.IsNaN(rps) {
		return nil
	}
	lim := rate.NewLimiter(rate.Limit(rps), 1)
	return func(ctx context.Context) error {
		err := lim.Wait(ctx)
		if err != nil && ctx.Err() == nil {
			// The wait would outlast ctx's deadline: report it as the
			// deadline, now rather than after sleeping until it passes.
			return errors.Join(err, context.DeadlineExceeded)
		}
		return err
	}
}
