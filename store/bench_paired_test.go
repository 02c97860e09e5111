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
//
// The anchors start empty. When the store holds a history, each round
// also times the two anchors in files that hold the same history
// (x-bare-history, x-sqlite-history): a bare file of as many same-size
// values as the store has requests, and SQLite with as many requests
// (their personal parts, name words and indexes) and events.
func BenchmarkRegisterPaired(b *testing.B) {
	asInProduction(b)
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

// countHistory counts the requests and the events in s.
func countHistory(b *testing.B, s *Store) (requests, events int) {
	b.Helper()
	if err := s.View(ctx, func(tx *Tx) error {
		c := tx.tx.Bucket(bRequests).Cursor()
		for k, _ := c.First(); k != nil; k, _ = c.Next() {
			if len(k) == 26 { // not a journal entry (<id>j)
				requests++
			}
		}
		c = tx.tx.Bucket(bEvents).Cursor()
		for k, _ := c.First(); k != nil; k, _ = c.Next() {
			if len(k) == 8 { // not a personal record (<seq>p)
				events++
			}
		}
		return nil
	}); err != nil {
		b.Fatal(err)
	}
	return requests, events
}

// anchor is a bare bbolt file and a SQLite database that registrations
// are timed beside.
type anchor struct {
	bare  *bolt.DB
	i     uint64
	value []byte
	sq    *sqliteRegister
}

// newAnchor opens the two anchors in files of their own, with requests
// and events of history (see BenchmarkRegisterPaired) written first.
func newAnchor(b *testing.B, s *Store, tmpl queue.Request, requests, events int) *anchor {
	b.Helper()
	a := &anchor{sq: openSQLite(b)}
	a.value, _ = json.Marshal(tmpl)
	db, err := bolt.Open(filepath.Join(b.TempDir(), "bare.db"), 0o600, nil)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	a.bare = db
	if err := db.Update(func(tx *bolt.Tx) error {
		bk, err := tx.CreateBucket([]byte("b"))
		if err != nil {
			return err
		}
		for range requests {
			a.i++
			if err := bk.Put(u64(a.i), a.value); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		b.Fatal(err)
	}
	if requests > 0 {
		ev, p, tag := sqliteTemplate(b, s, tmpl)
		a.sq.fill(b, requests, events, tmpl, p, ev, s.Identity(), tag, rand.New(rand.NewSource(2)))
	}
	return a
}

// round is one bare put+commit and one SQLite registration of a copy of
// tmpl; it returns how long each took.
func (a *anchor) round(b *testing.B, s *Store, tmpl queue.Request, ev queue.Event, p queue.Personal, tag string) (bare, sqlite time.Duration) {
	t0 := time.Now()
	a.i++
	if err := a.bare.Update(func(tx *bolt.Tx) error { return tx.Bucket([]byte("b")).Put(u64(a.i), a.value) }); err != nil {
		b.Fatal(err)
	}
	t1 := time.Now()
	r := tmpl
	r.ID = ulid.Make().String()
	r.TrackingCode = queue.NewTrackingCode(tag, s.randomBytes(8))
	ev.RequestID, ev.ID, ev.At = r.ID, ulid.Make().String(), t1.In(s.loc)
	if err := a.sq.register(r, p, ev, s.Identity()); err != nil {
		b.Fatal(err)
	}
	return t1.Sub(t0), time.Since(t1)
}

// registerPaired is the rounds of BenchmarkRegisterPaired on s.
func registerPaired(b *testing.B, s *Store) {
	requests, events := countHistory(b, s)
	tmpl := mustRegister(b, s, walkIn("A", "Siti Aminah"))
	ev, p, tag := sqliteTemplate(b, s, tmpl)
	empty := newAnchor(b, s, tmpl, 0, 0)
	var full *anchor
	if requests > 0 {
		full = newAnchor(b, s, tmpl, requests, events)
	}

	rng := rand.New(rand.NewSource(1))
	var tStore, tBare, tSQL, tBareH, tSQLH []time.Duration
	start := s.db.Stats().TxStats
	b.ResetTimer()
	for b.Loop() {
		in := walkIn("A", "Siti Aminah")
		in.NIK = fmt.Sprintf("3201014107%02d%04d", rng.Intn(100), 1+rng.Intn(9999))
		t0 := time.Now()
		if _, err := s.Register(ctx, in, clerk); err != nil {
			b.Fatal(err)
		}
		tStore = append(tStore, time.Since(t0))
		bare, sq := empty.round(b, s, tmpl, ev, p, tag)
		tBare, tSQL = append(tBare, bare), append(tSQL, sq)
		if full != nil {
			bare, sq := full.round(b, s, tmpl, ev, p, tag)
			tBareH, tSQLH = append(tBareH, bare), append(tSQLH, sq)
		}
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
	if full != nil {
		mbh, mqh := med(tBareH), med(tSQLH)
		b.ReportMetric(mbh, "bare-history-µs")
		b.ReportMetric(mqh, "sqlite-history-µs")
		b.ReportMetric(ms/mbh, "x-bare-history")
		b.ReportMetric(ms/mqh, "x-sqlite-history")
		b.ReportMetric(mean(tStore)/mean(tSQLH), "mean-x-sqlite-history")
	}
}

// BenchmarkRegisterNoSync is a registration's CPU: registrations into a
// copy of -register.file, and bare puts of a same-size value into an empty
// file, both with bbolt's fsync off, and the journal's bound lifted (no
// merge among them).
func BenchmarkRegisterNoSync(b *testing.B) {
	if *registerFile == "" {
		b.Skip("needs -register.file")
	}
	asInProduction(b)
	defer func(n int) { journalBound = n }(journalBound)
	journalBound = 1 << 30
	b.Run("store", func(b *testing.B) {
		s := openCopy(b, *registerFile)
		s.db.NoSync = true
		rng := rand.New(rand.NewSource(1))
		b.ResetTimer()
		for b.Loop() {
			in := walkIn("A", "Siti Aminah")
			in.NIK = fmt.Sprintf("3201014107%02d%04d", rng.Intn(100), 1+rng.Intn(9999))
			if _, err := s.Register(ctx, in, clerk); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("bare", func(b *testing.B) {
		s, _ := openTest(b)
		a := newAnchor(b, s, mustRegister(b, s, walkIn("A", "Siti Aminah")), 0, 0)
		a.bare.NoSync = true
		b.ResetTimer()
		for b.Loop() {
			a.i++
			if err := a.bare.Update(func(tx *bolt.Tx) error { return tx.Bucket([]byte("b")).Put(u64(a.i), a.value) }); err != nil {
				b.Fatal(err)
			}
		}
	})
}
