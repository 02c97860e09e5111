package store

import (
	"fmt"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/loket-id/loket/internal/boltcheck"
)

// BenchmarkOpenVerified measures what verifying the file's structure adds
// to opening it, on a database with 100,000 requests of history (about a
// year of a busy counter): a bare bbolt open and close (the anchor), the
// store's Open and Close (structure walk, bbolt open, identity read),
// boltcheck's quick, walking and deep (Check's) walks alone, and the full
// Check that `loket check` runs, for scale.
func BenchmarkOpenVerified(b *testing.B) {
	for _, history := range []int{10_000, 100_000} {
		s, clk := openTest(b)
		fillHistory(b, s, clk, history)
		path := s.Path()
		s.Close()
		info, err := boltcheck.Verify(path, boltcheck.Quick, time.Second)
		if err != nil {
			b.Fatal(err)
		}
		b.Logf("history=%d: %d pages of %d bytes", history, info.Meta.HighPage, info.Meta.PageSize)
		b.Run(fmt.Sprintf("history=%d/bbolt-open", history), func(b *testing.B) {
			for b.Loop() {
				db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: time.Second})
				if err != nil {
					b.Fatal(err)
				}
				db.Close()
			}
		})
		b.Run(fmt.Sprintf("history=%d/store-open", history), func(b *testing.B) {
			for b.Loop() {
				s, err := Open(path, Options{Clock: clk.Now, Location: jakarta})
				if err != nil {
					b.Fatal(err)
				}
				s.Close()
			}
		})
		for _, m := range []struct {
			name string
			mode boltcheck.Mode
		}{{"verify-quick", boltcheck.Quick}, {"verify-walk", boltcheck.Walk}, {"verify-deep", boltcheck.Deep}} {
			b.Run(fmt.Sprintf("history=%d/%s", history, m.name), func(b *testing.B) {
				for b.Loop() {
					if _, err := boltcheck.Verify(path, m.mode, time.Second); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
		b.Run(fmt.Sprintf("history=%d/check", history), func(b *testing.B) {
			s, err := Open(path, Options{Clock: clk.Now, Location: jakarta})
			if err != nil {
				b.Fatal(err)
			}
			defer s.Close()
			for b.Loop() {
				if rep, err := s.Check(ctx); err != nil || !rep.OK() {
					b.Fatal(rep, err)
				}
			}
		})
	}
}
