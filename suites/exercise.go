package suites

import "context"

// Exercise runs one check of the plan outside a Ginkgo tree and returns
// what it found: lint's trial of a fault a spec names against the
// reference server, which needs no report.
func (e *Env) Exercise(ctx context.Context, c *Check) Result {
	return execute(ctx, e, c, &Record{ID: c.ID()})
}
