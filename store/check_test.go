package store

import (
	"context"
	"strings"
	"testing"

	bolt "go.etcd.io/bbolt"
)

// TestCheckFindsPersonalAndIndexDamage: the streaming check names an index
// entry gone, one too many, a personal part gone and a personal record of
// an event that sets none.
func TestCheckFindsPersonalAndIndexDamage(t *testing.T) {
	tests := []struct {
		name, want string
		damage     func(tx *bolt.Tx, seq uint64, nikKey []byte) error
	}{
		{"NIK entry gone", "index entry n for request", func(tx *bolt.Tx, _ uint64, k []byte) error { return tx.Bucket(bIdx).Delete(k) }},
		{"stray entry", `stray index entry "n3201014107900001/01`, func(tx *bolt.Tx, _ uint64, k []byte) error {
			return tx.Bucket(bIdx).Put(append(k[:len(k)-3:len(k)-3], "ZZZ"...), nil)
		}},
		{"personal part gone", "has none", func(tx *bolt.Tx, seq uint64, _ []byte) error { return tx.Bucket(bPersonal).Delete(u64(seq)) }},
		{"personal record of a call", "a request.called", func(tx *bolt.Tx, seq uint64, _ []byte) error {
			return tx.Bucket(bPersonal).Put(u64(seq+1), tx.Bucket(bPersonal).Get(u64(seq)))
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, _ := openTest(t)
			r := mustRegister(t, s, walkIn("A", "Siti Aminah"))
			if _, err := s.Act(ctx, r.ID, "call", "", clerk); err != nil {
				t.Fatal(err)
			}
			mustCheck(t, s)
			if err := s.db.Update(func(tx *bolt.Tx) error { return tt.damage(tx, r.EventSeqs[0], nikKey(r.NIK, r.ID)) }); err != nil {
				t.Fatal(err)
			}
			rep, _ := s.Check(context.Background())
			if rep.OK() || !strings.Contains(strings.Join(rep.Problems, "\n"), tt.want) {
				t.Fatalf("check found %q, want %q", rep.Problems, tt.want)
			}
		})
	}
}

// BenchmarkCheck is loket check's invariants (Store.Check: structure walk,
// bbolt's check, the store's invariants) beside bbolt's own check of the
// same file, on -check.requests requests of history.
func BenchmarkCheck(b *testing.B) {
	s, clk := openTest(b)
	fillHistory(b, s, clk, *checkRequests)
	b.Run("bbolt", func(b *testing.B) {
		for b.Loop() {
			if err := s.db.View(func(tx *bolt.Tx) error {
				for err := range tx.Check() {
					return err
				}
				return nil
			}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("invariants", func(b *testing.B) {
		for b.Loop() {
			var rep CheckReport
			_ = s.db.View(func(btx *bolt.Tx) error { (&Tx{s: s, tx: btx}).checkInvariants(&rep); return nil })
			if !rep.OK() {
				b.Fatal(rep.Problems)
			}
		}
	})
	b.Run("store", func(b *testing.B) {
		for b.Loop() {
			if rep, err := s.Check(ctx); err != nil || !rep.OK() {
				b.Fatal(err, rep.Problems)
			}
		}
	})
}
