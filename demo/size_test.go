package demo

import (
	"context"
	"flag"
	"path/filepath"
	"testing"
	"time"

	"github.com/loket-id/loket/store"
)

var sizeDays = flag.Int("size.days", 0, "TestFileSize: days of demo history to measure (0: skip)")

// TestFileSize is a measurement run on demand (go test ./demo -run
// TestFileSize -size.days 365 -v): the file's bytes per request after
// `loket demo --days N`, and each bucket's share.
func TestFileSize(t *testing.T) {
	if *sizeDays == 0 {
		t.Skip("measurement: -size.days N")
	}
	st, err := store.Open(filepath.Join(t.TempDir(), store.FileName), store.Options{
		Clock: func() time.Time { return time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC) }, Location: time.UTC})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	start := time.Now()
	sum, err := Generate(context.Background(), st, Options{Days: *sizeDays, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	took := time.Since(start)
	u, err := st.Usage(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d days, %d requests in %v: file %d bytes, %.0f bytes per request, %d free pages of %d bytes",
		*sizeDays, sum.Requests, took.Round(time.Millisecond), u.FileBytes, float64(u.FileBytes)/float64(sum.Requests), u.FreePages, u.PageSize)
	for _, b := range u.Buckets {
		t.Logf("  %-18s %8d keys %11d page bytes (%6.0f per request) %11d used", b.Name, b.Keys, b.PageBytes,
			float64(b.PageBytes)/float64(sum.Requests), b.UsedBytes)
	}
	// As a migration or an erasure leaves it: compacted.
	start = time.Now()
	if err := st.Compact(context.Background()); err != nil {
		t.Fatal(err)
	}
	took = time.Since(start)
	if u, err = st.Usage(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Logf("compacted in %v: file %d bytes, %.0f bytes per request", took.Round(time.Millisecond), u.FileBytes, float64(u.FileBytes)/float64(sum.Requests))
}
