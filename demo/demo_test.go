package demo

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/loket-id/loket/store"
)

// BenchmarkDemoYear is `loket demo --days 365`: about 100,000 requests.
func BenchmarkDemoYear(b *testing.B) {
	for b.Loop() {
		b.StopTimer()
		st, err := store.Open(filepath.Join(b.TempDir(), store.FileName), store.Options{
			Clock: func() time.Time { return time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC) }, Location: time.UTC})
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		sum, err := Generate(context.Background(), st, Options{Days: 365, Seed: 1})
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(sum.Requests), "requests")
		st.Close()
	}
}

func TestGenerateIsDeterministicAndValid(t *testing.T) {
	now := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	var sums []Summary
	for range 2 {
		st, err := store.Open(filepath.Join(t.TempDir(), store.FileName), store.Options{Clock: func() time.Time { return now }, Location: time.UTC})
		if err != nil {
			t.Fatal(err)
		}
		sum, err := Generate(context.Background(), st, Options{Days: 3, Seed: 42})
		if err != nil {
			t.Fatal(err)
		}
		if rep, err := st.Check(context.Background()); err != nil || !rep.OK() {
			t.Fatalf("check: %v %v", err, rep.Problems)
		}
		st.Close()
		sums = append(sums, sum)
	}
	if sums[0] != sums[1] {
		t.Fatalf("same seed, different histories: %+v vs %+v", sums[0], sums[1])
	}
	if sums[0].Days != 3 || sums[0].Requests < 600 || sums[0].Open == 0 {
		t.Fatalf("3 days ending Friday noon: %+v", sums[0])
	}
}
