package wire

import (
	"context"
	"errors"
	"testing"
	"time"
)

// A wait that would outlast the context's deadline is that deadline: the
// transport describes it like any other timeout.
func TestPacerDeadline(t *testing.T) {
	t.Parallel()
	pace := NewPacer(1)
	if err := pace(context.Background()); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if err := pace(ctx); !errors.Is(err, context.DeadlineExceeded) || !isTimeout(err) {
		t.Errorf("err %v, want a deadline", err)
	}
}
