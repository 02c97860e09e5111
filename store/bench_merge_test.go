package store

import (
	"fmt"
	"testing"
	"time"
)

// BenchmarkMergeJournal merges a day's journal of 1,000 registrations
// (9,000 keys: 1,000 tickets, 1,000 places in the waiting line and 7,000 search keys) into the places of an index of 20,000 requests, in
// one transaction (what the first registration of a day, or the nightly
// purge, pays once a day).
//
// With -register.file it also merges into a copy of that database (e.g. a
// year or five of `loket demo`), its own journal merged first.
func BenchmarkMergeJournal(b *testing.B) {
	b.Run("history=20000", func(b *testing.B) {
		s, clk := openTest(b)
		fillHistory(b, s, clk, 20_000)
		mergeJournal(b, s, clk.Now)
	})
	if *registerFile != "" {
		b.Run("file", func(b *testing.B) {
			s := openCopy(b, *registerFile)
			if _, err := s.MergeJournal(ctx); err != nil {
				b.Fatal(err)
			}
			mergeJournal(b, s, time.Now)
		})
	}
}

// mergeJournal is BenchmarkMergeJournal's rounds on s, registering on the
// day of now.
func mergeJournal(b *testing.B, s *Store, now func() time.Time) {
	var pages int64
	n := 0
	for b.Loop() {
		b.StopTimer()
		if err := s.Update(ctx, func(tx *Tx) error {
			for i := range 1_000 {
				in := walkIn("A", fmt.Sprintf("Hari Ini%d Siti", n))
				in.NIK = fmt.Sprintf("32010141078%01d%04d", (n/9999)%10, n%9999+1)
				in.At = now().Add(time.Duration(i) * time.Second)
				n++
				if _, err := tx.Register(in, clerk); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			b.Fatal(err)
		}
		start := s.db.Stats().TxStats
		b.StartTimer()
		keys, err := s.MergeJournal(ctx)
		if err != nil || keys != 9_000 {
			b.Fatalf("merged %d keys, %v; want 9,000", keys, err)
		}
		b.StopTimer()
		now := s.db.Stats().TxStats
		pages += now.GetWrite() - start.GetWrite()
		b.StartTimer()
	}
	b.ReportMetric(float64(pages)/float64(b.N), "pages/op")
}
