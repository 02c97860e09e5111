package store

import (
	"encoding/json"
	"flag"
	"fmt"
	"math/rand"
	"path/filepath"
	"testing"
	"time"

	"github.com/oklog/ulid/v2"
	bolt "go.etcd.io/bbolt"

	"github.com/loket-id/loket/queue"
)

// BenchmarkRegister measures one registration (its own transaction, fsync
// included) beside a bare bbolt put+commit of a value of the same size in
// another file of the same directory.
func BenchmarkRegister(b *testing.B) {
	asInProduction(b)
	b.Run("store", func(b *testing.B) {
		s, _ := openTest(b)
		in := walkIn("A", "Siti Aminah")
		b.ResetTimer()
		start := s.db.Stats().TxStats
		for b.Loop() {
			if _, err := s.Register(ctx, in, clerk); err != nil {
				b.Fatal(err)
			}
		}
		reportPages(b, s, start)
	})
	// With a year's worth of other applicants in the file, random index
	// keys (tracking code, NIK, name words) land on leaf pages of their own.
	b.Run("store-history=20000", func(b *testing.B) {
		s, clk := openTest(b)
		fillHistory(b, s, clk, 20_000)
		rng := rand.New(rand.NewSource(1))
		b.ResetTimer()
		start := s.db.Stats().TxStats
		for b.Loop() {
			in := walkIn("A", "Siti Aminah")
			in.NIK = fmt.Sprintf("3201014107%02d%04d", rng.Intn(100), 1+rng.Intn(9999))
			if _, err := s.Register(ctx, in, clerk); err != nil {
				b.Fatal(err)
			}
		}
		reportPages(b, s, start)
	})
	b.Run("store-keyed", func(b *testing.B) { // `loket add`: under an idempotency key
		s, _ := openTest(b)
		in := walkIn("A", "Siti Aminah")
		b.ResetTimer()
		for b.Loop() {
			if _, _, err := s.RegisterOnce(ctx, ulid.Make().String(), in, clerk); err != nil {
				b.Fatal(err)
			}
		}
	})
	// The same registration (request, personal part, name words, event,
	// the same indexes) in SQLite, WAL mode, synchronous=FULL.
	b.Run("sqlite", func(b *testing.B) {
		s, _ := openTest(b)
		benchSQLite(b, s, mustRegister(b, s, walkIn("A", "Siti Aminah")))
	})
	b.Run("bare-bbolt", func(b *testing.B) {
		s, _ := openTest(b)
		r := mustRegister(b, s, walkIn("A", "Siti Aminah"))
		value, _ := json.Marshal(r)
		db, err := bolt.Open(filepath.Join(b.TempDir(), "bare.db"), 0o600, nil)
		if err != nil {
			b.Fatal(err)
		}
		defer db.Close()
		_ = db.Update(func(tx *bolt.Tx) error { _, err := tx.CreateBucket([]byte("b")); return err })
		var i uint64
		b.SetBytes(int64(len(value)))
		b.ResetTimer()
		for b.Loop() {
			i++
			if err := db.Update(func(tx *bolt.Tx) error { return tx.Bucket([]byte("b")).Put(u64(i), value) }); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// asInProduction turns off, for one benchmark, the test binary's check for
// a transaction opened inside another (shared.go): it reads the goroutine's
// stack at every transaction, which the loket binary never does.
func asInProduction(b *testing.B) {
	nestedCheck = false
	b.Cleanup(func() { nestedCheck = testing.Testing() })
}

// reportPages reports the pages written per operation since start
// (bbolt's write statistics: one write per page, meta and freelist included).
func reportPages(b *testing.B, s *Store, start bolt.TxStats) {
	b.Helper()
	now := s.db.Stats().TxStats
	b.ReportMetric(float64(now.GetWrite()-start.GetWrite())/float64(b.N), "pages/op")
}

// fillHistory writes n requests spread over the days before the clock's day,
// in transactions of one day each.
func fillHistory(b testing.TB, s *Store, clk *fakeClock, n int) {
	b.Helper()
	const perDay = 300
	today := clk.Now()
	for day := 1; n > 0; day++ {
		at := today.AddDate(0, 0, -day)
		err := s.Update(ctx, func(tx *Tx) error {
			for i := 0; i < perDay && n > 0; i++ {
				in := walkIn([]string{"A", "B", "C", "F"}[i%4], fmt.Sprintf("History %d", n))
				in.At = at.Add(time.Duration(i) * time.Minute)
				r, err := tx.Register(in, clerk)
				if err != nil {
					return err
				}
				if i%5 != 0 {
					if r, err = tx.Act(r, queue.ActCall, "", clerk, in.At.Add(time.Minute)); err == nil {
						r, err = tx.Act(r, queue.ActServe, "", clerk, in.At.Add(2*time.Minute))
					}
					if err == nil {
						_, err = tx.Act(r, queue.ActDone, "", clerk, in.At.Add(9*time.Minute))
					}
					if err != nil {
						return err
					}
				}
				n--
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkOpenToday loads today's queue of 100 requests with 100,000
// requests of history in the database, beside the same with no history.
func BenchmarkOpenToday(b *testing.B) {
	for _, history := range []int{0, 100_000} {
		b.Run(fmt.Sprintf("history=%d", history), func(b *testing.B) {
			s, clk := openTest(b)
			fillHistory(b, s, clk, history)
			for i := range 100 {
				mustRegister(b, s, walkIn("A", fmt.Sprintf("Today %d", i)))
			}
			b.ResetTimer()
			for b.Loop() {
				var rs []queue.Request
				if err := s.View(ctx, func(tx *Tx) error {
					var err error
					rs, err = tx.Day(s.Today())
					return err
				}); err != nil {
					b.Fatal(err)
				}
				if len(rs) != 100 {
					b.Fatalf("today has %d requests, want 100", len(rs))
				}
			}
		})
	}
}

// BenchmarkCallNext calls the next request with a long waiting line.
func BenchmarkCallNext(b *testing.B) {
	s, _ := openTest(b)
	if err := s.Update(ctx, func(tx *Tx) error {
		for i := range 20_000 {
			if _, err := tx.Register(walkIn("A", fmt.Sprintf("W %d", i)), clerk); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		if _, err := s.CallNext(ctx, []string{"B", "A"}, clerk); err != nil {
			b.Fatal(err)
		}
	}
}

var checkRequests = flag.Int("check.requests", 20_000, "BenchmarkCheck: requests of history")
