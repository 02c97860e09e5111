package store

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/loket-id/loket/internal/boltcheck"
	"github.com/loket-id/loket/queue"

	bolt "go.etcd.io/bbolt"
)

// TestCheckFindsPersonalAndIndexDamage: the streaming check names an index
// entry gone, one too many, a personal part gone and a personal record of
// an event that sets none, two index entries whose values were swapped
// (the same keys and values, paired otherwise); and in the journal of
// search keys (journal.go) a key gone, a stray key, a key both in the
// journal and in its place, an entry of no request and an entry that does
// not decode; reading the file through a map and with reads
// (boltcheck.MapMax).
func TestCheckFindsPersonalAndIndexDamage(t *testing.T) {
	// rewrite changes the terms of request id's journal entry.
	rewrite := func(tx *bolt.Tx, id string, fn func([]term) []term) error {
		var ts []term
		if err := decodeTerms(tx.Bucket(bJournal).Get(journalKey(id)), func(kind byte, text []byte) bool {
			ts = append(ts, term{kind, string(text)})
			return true
		}); err != nil {
			return err
		}
		return tx.Bucket(bJournal).Put(journalKey(id), encodeTerms(fn(ts)))
	}
	tests := []struct {
		name, want string
		merged     bool // the search keys merged into their places before the damage
		damage     func(tx *bolt.Tx, seq uint64, nikKey []byte, id string) error
	}{
		{"NIK entry gone", "index entry n for request", true, func(tx *bolt.Tx, _ uint64, k []byte, _ string) error { return tx.Bucket(bIdx).Delete(k) }},
		{"stray entry", `stray index entry "n3201014107900001/01`, true, func(tx *bolt.Tx, _ uint64, k []byte, _ string) error {
			return tx.Bucket(bIdx).Put(append(k[:len(k)-3:len(k)-3], "ZZZ"...), nil)
		}},
		{"journal: NIK key gone", "index entry n for request", false, func(tx *bolt.Tx, _ uint64, _ []byte, id string) error {
			return rewrite(tx, id, func(ts []term) []term {
				return slices.DeleteFunc(ts, func(t term) bool { return t.kind == pNIK })
			})
		}},
		{"journal: stray key", `stray index entry "n3201014107900099/01`, false, func(tx *bolt.Tx, _ uint64, _ []byte, id string) error {
			return rewrite(tx, id, func(ts []term) []term { return append(ts, term{pNIK, "3201014107900099"}) })
		}},
		{"journal: key also in its place", `search key "n3201014107900001/01`, false, func(tx *bolt.Tx, _ uint64, k []byte, _ string) error {
			return tx.Bucket(bIdx).Put(k, nil)
		}},
		{"journal: entry of no request", "journal entry of request 01KB0000000000000000000000, which is not in the journal", false, func(tx *bolt.Tx, _ uint64, _ []byte, id string) error {
			return tx.Bucket(bJournal).Put(journalKey("01KB0000000000000000000000"), tx.Bucket(bJournal).Get(journalKey(id)))
		}},
		{"journal: a ticket twice", "a ticket handed out twice", false, func(tx *bolt.Tx, _ uint64, _ []byte, id string) error {
			return tx.Bucket(bJournal).Put(journalKey("01KB0000000000000000000000"), tx.Bucket(bJournal).Get(journalKey(id)))
		}},
		{"journal: request without its entry", "is in the journal without its journal entry", false, func(tx *bolt.Tx, _ uint64, _ []byte, id string) error {
			return tx.Bucket(bJournal).Put([]byte("01KB0000000000000000000000"), tx.Bucket(bJournal).Get([]byte(id)))
		}},
		{"journal: request in requests too", "is both in the journal and in requests", false, func(tx *bolt.Tx, _ uint64, _ []byte, id string) error {
			return tx.Bucket(bRequests).Put([]byte(id), tx.Bucket(bJournal).Get([]byte(id)))
		}},
		{"journal: a key of no form", "of no known form", false, func(tx *bolt.Tx, _ uint64, _ []byte, id string) error {
			return tx.Bucket(bJournal).Put([]byte(id+"x"), []byte{1})
		}},
		{"journal: an event key of no form", "of no known form", false, func(tx *bolt.Tx, _ uint64, _ []byte, _ string) error {
			return tx.Bucket(bJournal).Put([]byte("e\x00\x01"), []byte{1})
		}},
		{"journal: an event before the events bucket's last", "event log jumps", false, func(tx *bolt.Tx, seq uint64, _ []byte, _ string) error {
			last, _ := tx.Bucket(bJournal).Cursor().Last()
			return tx.Bucket(bEvents).Put(u64(getU64(last[1:9])+1), tx.Bucket(bJournal).Get(last[:9]))
		}},
		{"journal: ticket also in its place", `search key "t2026-11-27/A\x00\x00\x00\x00\x01" is both`, false, func(tx *bolt.Tx, _ uint64, _ []byte, id string) error {
			return tx.Bucket(bIdx).Put(ticketKey("2026-11-27", "A", 1), []byte(id))
		}},
		{"journal: entry does not decode", "journal entry does not decode", false, func(tx *bolt.Tx, _ uint64, _ []byte, id string) error {
			return tx.Bucket(bJournal).Put(journalKey(id), []byte{3, 'n', 40, '1'})
		}},
		{"personal part gone", "has none", false, func(tx *bolt.Tx, seq uint64, _ []byte, _ string) error {
			b, k, _ := personalHome(tx, seq, 0)
			return b.Delete(k)
		}},
		{"personal record of a call", "a request.called", false, func(tx *bolt.Tx, seq uint64, _ []byte, _ string) error {
			b, k, next := personalHome(tx, seq, 1)
			return b.Put(next, b.Get(k))
		}},
		{"personal part gone, merged", "has none", true, func(tx *bolt.Tx, seq uint64, _ []byte, _ string) error {
			b, k, _ := personalHome(tx, seq, 0)
			return b.Delete(k)
		}},
		{"two tickets' requests swapped", `stray index entry "t`, true, func(tx *bolt.Tx, _ uint64, _ []byte, _ string) error {
			// the same keys and the same values as before, paired otherwise
			c := tx.Bucket(bIdx).Cursor()
			k1, v1 := c.Seek([]byte{pTicket})
			k2, v2 := c.Next()
			k1, v1, k2, v2 = bytes.Clone(k1), bytes.Clone(v1), bytes.Clone(k2), bytes.Clone(v2)
			if k2 == nil || k2[0] != pTicket || bytes.Equal(v1, v2) {
				return fmt.Errorf("no two ticket entries: %q %q", k1, k2)
			}
			if err := tx.Bucket(bIdx).Put(k1, v2); err != nil {
				return err
			}
			return tx.Bucket(bIdx).Put(k2, v1)
		}},
	}
	for _, tt := range tests {
		for _, mapMax := range []int64{boltcheck.MapMax, 0} { // the file read through a map, and with reads
			t.Run(fmt.Sprintf("%s/map up to %d bytes", tt.name, mapMax), func(t *testing.T) {
				defer func(m int64) { boltcheck.MapMax = m }(boltcheck.MapMax)
				boltcheck.MapMax = mapMax
				checkFindsDamage(t, tt.want, tt.merged, tt.damage)
			})
		}
	}
}

// checkFindsDamage damages a store of a few hundred requests (buckets of
// pages of their own, not inline) and one of today (its keys in the
// journal, or merged into their places) and checks that Check names it.
func checkFindsDamage(t *testing.T, want string, merged bool, damage func(tx *bolt.Tx, seq uint64, nikKey []byte, id string) error) {
	s, clk := openTest(t)
	fillHistory(t, s, clk, 300)
	r := mustRegister(t, s, walkIn("A", "Siti Aminah"))
	if _, err := s.Act(ctx, r.ID, "call", "", clerk); err != nil {
		t.Fatal(err)
	}
	if merged {
		if _, err := s.MergeJournal(ctx); err != nil {
			t.Fatal(err)
		}
	}
	mustCheck(t, s)
	if err := s.db.Update(func(tx *bolt.Tx) error { return damage(tx, r.EventSeqs[0], nikKey(r.NIK, r.ID), r.ID) }); err != nil {
		t.Fatal(err)
	}
	rep, _ := s.Check(context.Background())
	if rep.OK() || !strings.Contains(strings.Join(rep.Problems, "\n"), want) {
		t.Fatalf("check found %q, want %q", rep.Problems, want)
	}
}

// TestNameWords: Check's reading of the name words without allocating
// gives what the index is written from (nameTokens), for ASCII names and
// the others, which it leaves to nameTokens.
func TestNameWords(t *testing.T) {
	for _, name := range []string{
		"", "Siti Aminah", "  siti  SITI aminah ", "I Gusti Ngurah Rai", "Andi-Baso.Daeng,Andi", "O'Neil 2nd",
		"Dr. H. Muhammad Yusuf, S.H., M.H.", "Ni Luh Putu Ayu Ketut Sri Dewi Anak Agung Gede Ngurah Made Wayan Nyoman Komang Kadek Gusti Bagus Ida",
		"Zoë Émilie", "Nguyễn Thị Minh Khai", "\tTab\x00Nul", strings.Repeat("panjang ", 20), strings.Repeat("a b ", 40) + "Z",
	} {
		var got []string
		nameWords([]byte(name), func(w []byte) { got = append(got, string(w)) })
		if want := nameTokens(name); strings.Join(got, "|") != strings.Join(want, "|") {
			t.Errorf("nameWords(%q) = %q, want %q", name, got, want)
		}
	}
}

// TestCheckSeesEveryKindOfRequest: Check adds up the index entries a
// request makes from its record without decoding it; on a store of every
// status, a priority, a request put back, a transfer, an identification,
// a correction, non-ASCII names and an erasure it finds nothing, and it
// finds one entry of each kind taken away.
func TestCheckSeesEveryKindOfRequest(t *testing.T) {
	s, clk := openTest(t)
	var rs []queue.Request
	for i, name := range []string{"Siti Aminah", "Nguyễn Thị Minh", "", "Budi", "I Gusti Ngurah Rai Gusti", "Zoë"} {
		in := walkIn([]string{"A", "B"}[i%2], name)
		if name == "" {
			in = queue.NewRequest{Service: "A", Anonymous: true}
		}
		if i == 3 {
			in.Priority = queue.PriorityElderly
		}
		rs = append(rs, mustRegister(t, s, in))
		clk.Add(time.Minute)
	}
	steps := []struct {
		ref     string
		act     queue.Action
		service string
	}{{rs[0].ID, queue.ActCall, ""}, {rs[0].ID, queue.ActRequeue, ""}, {rs[1].ID, queue.ActCall, ""}, {rs[1].ID, queue.ActDone, ""},
		{rs[4].ID, queue.ActTransfer, "B"}, {rs[5].ID, queue.ActCancel, ""}}
	for _, st := range steps {
		if _, err := s.Act(ctx, st.ref, st.act, st.service, clerk); err != nil {
			t.Fatal(st, err)
		}
		clk.Add(time.Minute)
	}
	if _, _, err := s.Identify(ctx, "", rs[2].ID, queue.Identity{Name: "Ayu Lestari", NIK: "3201014107900077"}, clerk); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.Identify(ctx, "", rs[3].ID, queue.Identity{Name: "Budi Santoso", NIK: "3201014107900078"}, clerk); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Forget(ctx, rs[4].NIK, "permintaan", clerk); err != nil {
		t.Fatal(err)
	}
	mustCheck(t, s)
	// Today's index keys are all in the journal (beside the requests: the
	// index is empty), then in their places.
	takeEachKind(t, s, 0)
	if _, err := s.MergeJournal(ctx); err != nil {
		t.Fatal(err)
	}
	mustCheck(t, s)
	takeEachKind(t, s, 7)
}

// takeEachKind takes one index entry of each kind away in turn (and puts
// it back): Check finds it missing every time.
func takeEachKind(t *testing.T, s *Store, kinds int) {
	t.Helper()
	var keys [][2][]byte
	_ = s.View(ctx, func(tx *Tx) error {
		seen := map[byte]bool{}
		return tx.tx.Bucket(bIdx).ForEach(func(k, v []byte) error {
			if !seen[k[0]] {
				seen[k[0]] = true
				keys = append(keys, [2][]byte{bytes.Clone(k), bytes.Clone(v)})
			}
			return nil
		})
	})
	if len(keys) != kinds {
		t.Fatalf("the index has entries of %d kinds, want %d", len(keys), kinds)
	}
	for _, kv := range keys {
		k := kv[0]
		if err := s.db.Update(func(tx *bolt.Tx) error { return tx.Bucket(bIdx).Delete(k) }); err != nil {
			t.Fatal(err)
		}
		rep, err := s.Check(ctx)
		if err != nil || rep.OK() || !strings.Contains(strings.Join(rep.Problems, "\n"), "missing") {
			t.Fatalf("entry %q taken away: check found %q, %v", k, rep.Problems, err)
		}
		if err := s.db.Update(func(tx *bolt.Tx) error { return tx.Bucket(bIdx).Put(k, kv[1]) }); err != nil {
			t.Fatal(err)
		}
	}
	mustCheck(t, s)
}

// BenchmarkCheck is loket check's invariants (Store.Check: structure walk,
// bbolt's check, the store's invariants) beside bbolt's own check of the
// same file, on -check.requests requests of history.
func BenchmarkCheck(b *testing.B) {
	s, clk := openTest(b)
	fillHistory(b, s, clk, *checkRequests)
	b.Run("bbolt", func(b *testing.B) {
		for b.Loop() {
			bboltCheckRound(b, s)
		}
	})
	b.Run("walk", func(b *testing.B) {
		for b.Loop() {
			walkRound(b, s.path)
		}
	})
	b.Run("invariants-mapped", func(b *testing.B) {
		for b.Loop() {
			invariantsRound(b, s, nil)
		}
	})
	b.Run("invariants", func(b *testing.B) {
		pages := checkPages(b, s)
		for b.Loop() {
			invariantsRound(b, s, pages)
		}
	})
	b.Run("store", func(b *testing.B) {
		for b.Loop() {
			storeCheckRound(b, s)
		}
	})
}

var checkFile = flag.String("check.file", "", "BenchmarkCheckFile: a loket.db to check (e.g. made by loket demo --days 1825), opened read-only")

// BenchmarkCheckFile is BenchmarkCheck on an existing file (-check.file;
// skipped without one): by hand, for five years of history, not in CI.
// It reports the process's peak resident memory (VmHWM) after each part.
func BenchmarkCheckFile(b *testing.B) {
	if *checkFile == "" {
		b.Skip("no -check.file")
	}
	s, err := Open(*checkFile, Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	b.Logf("after open: %s", residentMemory())
	part := func(name, after string, round func(b *testing.B)) {
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				b.StopTimer() // a collection and a drop of the map: not the part's own time
				resetPeak(s)
				b.StartTimer()
				round(b)
			}
			b.Logf("after %s: %s", after, residentMemory())
		})
	}
	part("bbolt", "bbolt's check", func(b *testing.B) { bboltCheckRound(b, s) })
	part("walk", "the structure walk", func(b *testing.B) { walkRound(b, *checkFile) })
	pages := checkPages(b, s)
	part("invariants", "the invariants", func(b *testing.B) { invariantsRound(b, s, pages) })
	part("store", "Store.Check", func(b *testing.B) { storeCheckRound(b, s) })
}

// The parts of a check, one round each (BenchmarkCheck, BenchmarkCheckFile):
// bbolt's own check (the anchor), the structure walk, the invariants (read
// through pages, or bbolt's map when pages is nil), and the whole Store.Check.

func bboltCheckRound(b *testing.B, s *Store) {
	if err := s.db.View(func(tx *bolt.Tx) error {
		for err := range tx.Check() {
			return err
		}
		return nil
	}); err != nil {
		b.Fatal(err)
	}
}

func walkRound(b *testing.B, path string) {
	if _, err := boltcheck.VerifyHeld(path, boltcheck.Deep); err != nil {
		b.Fatal(err)
	}
}

func invariantsRound(b *testing.B, s *Store, pages *boltcheck.Reader) {
	var rep CheckReport
	_ = s.db.View(func(btx *bolt.Tx) error {
		(&Tx{s: s, tx: btx}).checkInvariants(&rep, pages, func() bool { return true })
		return nil
	})
	if !rep.OK() {
		b.Fatal(rep.Problems)
	}
}

func storeCheckRound(b *testing.B, s *Store) {
	if rep, err := s.Check(ctx); err != nil || !rep.OK() {
		b.Fatal(err, rep.Problems)
	}
}

// checkPages is the reader Check reads the buckets with, closed at the end.
func checkPages(tb testing.TB, s *Store) *boltcheck.Reader {
	pages, err := boltcheck.OpenReader(s.path, s.db.Info().PageSize)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { pages.Close() })
	return pages
}
