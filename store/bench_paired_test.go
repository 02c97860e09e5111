package store

import (
	"encoding/json"
	"flag"
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/oklog/ulid/v2"
	bolt "go.etcd.io/bbolt"

	"github.com/loket-id/loket/queue"
)

// BenchmarkRegisterPaired is BenchmarkRegister's store, bare-bbolt and
// sqlite interleaved: each round does one registration in the store, one
// bare bbolt put+commit of a same-size value and one registration in
// SQLite (WAL, synchronous=FULL), each timed, so that the load of a shared
// machine falls on all three alike. It reports the median of each, the
// ratios of the medians (x-bare, x-sqlite), the ratios of the means
// (mean-x-bare, mean-x-sqlite: the store's mean includes the registrations
// that merged the journal, journal.go) and the store's pages per
// registration.
func BenchmarkRegisterPaired(b *testing.B) {
	for _, history := range []int{0, 20_000} {
		b.Run(fmt.Sprintf("history=%d", history), func(b *testing.B) {
			s, clk := openTest(b)
			fillHistory(b, s, clk, history)
			registerPaired(b, s)
		})
	}
	if *registerFile != "" {
		b.Run("file", func(b *testing.B) {
			registerPaired(b, openCopy(b, *registerFile))
		})
	}
}

var registerCompact = flag.Bool("register.compact", false, "BenchmarkRegisterPaired: compact the copy of -register.file first (as a purge's compaction leaves a file)")

var registerFile = flag.String("register.file", "", "BenchmarkRegisterPaired: also register into a copy of this loket.db (e.g. a year of `loket demo --days 365`)")

// openCopy opens a copy of the database at path (converted to this
// schema if it is older), on the real clock.
func openCopy(b *testing.B, path string) *Store {
	b.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		b.Fatal(err)
	}
	cp := filepath.Join(b.TempDir(), FileName)
	if err := os.WriteFile(cp, data, 0o600); err != nil {
		b.Fatal(err)
	}
	s, err := Open(cp, Options{Location: jakarta})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	if *registerCompact {
		if err := s.Compact(ctx); err != nil {
			b.Fatal(err)
		}
	}
	return s
}

// registerPaired is the rounds of BenchmarkRegisterPaired on s.
func registerPaired(b *testing.B, s *Store) {
	tmpl := mustRegister(b, s, walkIn("A", "Siti Aminah"))
	// bare bbolt
	value, _ := json.Marshal(tmpl)
	db, err := bolt.Open(filepath.Join(b.TempDir(), "bare.db"), 0o600, nil)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	_ = db.Update(func(tx *bolt.Tx) error { _, err := tx.CreateBucket([]byte("b")); return err })
	// sqlite
	sq := openSQLite(b)
	ev, p, tag := sqliteTemplate(b, s, tmpl)

	rng := rand.New(rand.NewSource(1))
	var tStore, tBare, tSQL []time.Duration
	var i uint64
	start := s.db.Stats().TxStats
	b.ResetTimer()
	for b.Loop() {
		in := walkIn("A", "Siti Aminah")
		in.NIK = fmt.Sprintf("3201014107%02d%04d", rng.Intn(100), 1+rng.Intn(9999))
		t0 := time.Now()
		if _, err := s.Register(ctx, in, clerk); err != nil {
			b.Fatal(err)
		}
		t1 := time.Now()
		i++
		if err := db.Update(func(tx *bolt.Tx) error { return tx.Bucket([]byte("b")).Put(u64(i), value) }); err != nil {
			b.Fatal(err)
		}
		t2 := time.Now()
		r := tmpl
		r.ID = ulid.Make().String()
		r.TrackingCode = queue.NewTrackingCode(tag, s.randomBytes(8))
		ev.RequestID, ev.ID, ev.At = r.ID, ulid.Make().String(), t2.In(s.loc)
		if err := sq.register(r, p, ev, s.Identity()); err != nil {
			b.Fatal(err)
		}
		t3 := time.Now()
		tStore, tBare, tSQL = append(tStore, t1.Sub(t0)), append(tBare, t2.Sub(t1)), append(tSQL, t3.Sub(t2))
	}
	b.StopTimer()
	reportPages(b, s, start)
	med := func(ds []time.Duration) float64 {
		slices.Sort(ds)
		return float64(ds[len(ds)/2].Microseconds())
	}
	mean := func(ds []time.Duration) float64 {
		var sum time.Duration
		for _, d := range ds {
			sum += d
		}
		return float64(sum.Microseconds()) / float64(len(ds))
	}
	b.ReportMetric(mean(tStore)/mean(tBare), "mean-x-bare")
	b.ReportMetric(mean(tStore)/mean(tSQL), "mean-x-sqlite")
	ms, mb, mq := med(tStore), med(tBare), med(tSQL)
	b.ReportMetric(ms, "store-µs")
	b.ReportMetric(mb, "bare-µs")
	b.ReportMetric(mq, "sqlite-µs")
	b.ReportMetric(ms/mb, "x-bare")
	b.ReportMetric(ms/mq, "x-sqlite")
}
