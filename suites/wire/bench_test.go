package wire

import (
	"runtime"
	"runtime/metrics"
	"sync"
	"testing"
	"time"

	"github.com/tokencert/tokencert/redact"
)

// allocated returns the bytes the process allocated while f ran.
func allocated(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// peakHeap runs f and returns the largest live heap seen while it ran,
// above the heap before, sampled every millisecond.
func peakHeap(f func()) uint64 {
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	read := func() uint64 {
		metrics.Read(sample)
		return sample[0].Value.Uint64()
	}
	runtime.GC()
	base := read()
	var (
		peak uint64
		wg   sync.WaitGroup
		done = make(chan struct{})
	)
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(time.Millisecond)
		defer t.Stop()
		for {
			if v := read(); v > peak {
				peak = v
			}
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	}()
	f()
	close(done)
	wg.Wait()
	if peak < base {
		return 0
	}
	return peak - base
}

// BenchmarkHugeBody reads a 50 MiB response body through the 1 MiB cap and
// reports what it cost in memory: bytes allocated per read and the peak
// live heap above the baseline. Both stay near the cap whatever the body's
// size (compare -bench HugeBody/1MiB with /50MiB).
func BenchmarkHugeBody(b *testing.B) {
	for _, size := range []struct {
		name string
		n    int
	}{{"1MiB", 1 << 20}, {"50MiB", 50 << 20}} {
		b.Run(size.name, func(b *testing.B) {
			s := serve(b, hugeBody(size.n)).URL
			c := New(redact.New(), Options{Timeout: time.Minute})
			c.TokenMembers = []string{"access_token"}
			var alloc, peak uint64
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				alloc += allocated(func() {
					p := peakHeap(func() {
						if ex := c.Do(b.Context(), Request{Method: "POST", URL: s}); ex.Status() != 200 {
							b.Fatal(ex.Summary())
						}
					})
					peak = max(peak, p)
				})
			}
			b.ReportMetric(float64(alloc)/float64(b.N), "alloc-bytes/op")
			b.ReportMetric(float64(peak), "peak-heap-bytes")
			b.ReportMetric(float64(size.n), "body-bytes")
		})
	}
}
