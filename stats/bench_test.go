package stats

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/loket-id/loket/demo"
	"github.com/loket-id/loket/store"
)

// BenchmarkRange30Days: the figures of 30 days over a database holding a
// year of demo history (about 100,000 requests).
func BenchmarkRange30Days(b *testing.B) {
	now := time.Date(2026, 11, 27, 16, 0, 0, 0, wib)
	st, err := store.Open(filepath.Join(b.TempDir(), store.FileName), store.Options{Clock: func() time.Time { return now }, Location: wib})
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	sum, err := demo.Generate(ctx, st, demo.Options{Days: 365, Seed: 1})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(sum.Requests), "history")
	b.ResetTimer()
	for b.Loop() {
		f, err := ForStation(ctx, st, "2026-10-29", "2026-11-27", "")
		if err != nil || f.Arrivals == 0 {
			b.Fatal(f.Arrivals, err)
		}
	}
}
