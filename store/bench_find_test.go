package store

import (
	"fmt"
	"testing"
	"time"

	"github.com/loket-id/loket/queue"
)

// BenchmarkFind searches a file of 20,000 requests of history (all of one
// NIK, "History <n>") and 20 older requests of NIKs of their own, with
// 1,100 requests registered today (9,900 keys: with schema 4,
// a journal near its bound, journal.go), beside a bare bbolt read
// transaction (the anchor).
func BenchmarkFind(b *testing.B) {
	s, clk := openTest(b)
	fillHistory(b, s, clk, 20_000)
	var old []queue.Request
	for i := range 20 {
		in := walkIn("B", fmt.Sprintf("Lama Orang%d", i))
		in.NIK = fmt.Sprintf("35010141079%05d", i+1)
		in.At = clk.Now().AddDate(0, 0, -100+i)
		old = append(old, mustRegister(b, s, in))
	}
	var today []queue.Request
	if err := s.Update(ctx, func(tx *Tx) error {
		for i := range 1_100 {
			in := walkIn("A", fmt.Sprintf("Hari Ini%d Siti", i))
			in.NIK = fmt.Sprintf("32010141078%05d", i+1)
			in.At = clk.Now().Add(time.Duration(i) * time.Second)
			r, err := tx.Register(in, clerk)
			if err != nil {
				return err
			}
			today = append(today, r)
		}
		return nil
	}); err != nil {
		b.Fatal(err)
	}
	for _, c := range []struct {
		name, query string
		want        int
	}{
		{"nik-old", old[5].NIK, 1},
		{"nik-last4-old", old[5].NIK[12:], 1},
		{"nik-today", today[700].NIK, 1},
		{"name-rare-old", "orang7", 1},
		{"name-common", "history", 50},
		{"name-today", "ini700", 1},
		{"tracking-last-group-old", old[3].TrackingCode[10:], 1},
		{"tracking-second-group-today", today[900].TrackingCode[5:9], 1},
	} {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				got, err := s.Find(ctx, c.query, 50)
				if err != nil || len(got) < c.want {
					b.Fatalf("Find(%q) = %d, %v; want %d", c.query, len(got), err, c.want)
				}
			}
		})
	}
	b.Run("bare-view", func(b *testing.B) {
		for b.Loop() {
			_ = s.View(ctx, func(tx *Tx) error { return nil })
		}
	})
}
