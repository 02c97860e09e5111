package store

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/loket-id/loket/queue"
)

// where tells where request id's random search keys are: "journal",
// "places" (its tracking code's key in its place) or "nowhere".
func where(t *testing.T, s *Store, id, code string) string {
	t.Helper()
	var out string
	_ = s.View(ctx, func(tx *Tx) error {
		j, p := tx.tx.Bucket(bJournal).Get(journalKey(id)) != nil, tx.tx.Bucket(bIdx).Get(trackingKey(code)) != nil
		switch {
		case j && p:
			out = "both"
		case j:
			out = "journal"
		case p:
			out = "places"
		default:
			out = "nowhere"
		}
		return nil
	})
	return out
}

// homeOf is the bucket request id is stored in: the journal's (a request
// of today) or requests.
func homeOf(tx *bolt.Tx, id string) *bolt.Bucket {
	if j := tx.Bucket(bJournal); j.Get([]byte(id)) != nil {
		return j
	}
	return tx.Bucket(bRequests)
}

// personalHome is the bucket and key of event seq's personal record, and
// the key event seq+n's would have there.
func personalHome(tx *bolt.Tx, seq, n uint64) (b *bolt.Bucket, k, next []byte) {
	if j := tx.Bucket(bJournal); j.Get(journalPersonalKey(seq)) != nil {
		return j, journalPersonalKey(seq), journalPersonalKey(seq + n)
	}
	return tx.Bucket(bEvents), personalKey(seq), personalKey(seq + n)
}

func ids(rs []queue.Request) []string {
	var out []string
	for _, r := range rs {
		out = append(out, r.ID)
	}
	return out
}

// TestJournalLookups: every lookup finds a request whose search keys are
// in the journal as it finds one whose keys are in their places, before
// and after a merge and with some in each; an identification and a
// correction of a request in the journal move its keys in its entry; Check
// finds nothing throughout.
func TestJournalLookups(t *testing.T) {
	for _, state := range []struct {
		name         string
		mergeAfter   int    // merge after this many registrations (0: never, 3: all)
		wantA, wantB string // where a's and b's keys are then
	}{
		{"all in the journal", 0, "journal", "journal"},
		{"all merged", 3, "places", "places"},
		{"one merged, one in the journal", 1, "places", "journal"},
	} {
		t.Run(state.name, func(t *testing.T) {
			s, clk := openTest(t)
			merge := func() {
				t.Helper()
				if _, err := s.MergeJournal(ctx); err != nil {
					t.Fatal(err)
				}
			}
			a := mustRegister(t, s, queue.NewRequest{Service: "A", Name: "Siti Aminah", NIK: "3201014107900001"})
			if state.mergeAfter == 1 {
				merge()
			}
			clk.Add(time.Minute)
			b := mustRegister(t, s, queue.NewRequest{Service: "B", Name: "Budi Santoso", NIK: "3201014107900002"})
			clk.Add(time.Minute)
			w, _, _, err := s.RegisterWalkIn(ctx, "", "A", queue.PriorityNone, clerk) // a kiosk: no identity
			if err != nil {
				t.Fatal(err)
			}
			if state.mergeAfter == 3 {
				merge()
			}
			if a.Ticket != "A-001" || b.Ticket != "B-001" || w.Ticket != "A-002" {
				t.Fatalf("tickets %s %s %s, want A-001 B-001 A-002", a.Ticket, b.Ticket, w.Ticket)
			}
			if got := where(t, s, a.ID, a.TrackingCode); got != state.wantA {
				t.Fatalf("a's keys are in %s, want %s", got, state.wantA)
			}
			if got := where(t, s, b.ID, b.TrackingCode); got != state.wantB {
				t.Fatalf("b's keys are in %s, want %s", got, state.wantB)
			}
			mustCheck(t, s)
			find := func(query string, want ...queue.Request) {
				t.Helper()
				got, err := s.Find(ctx, query, 10)
				if err != nil {
					t.Fatal(err)
				}
				if !slices.Equal(ids(got), ids(want)) {
					t.Errorf("Find(%q) = %v, want %v", query, ids(got), ids(want))
				}
			}
			for _, c := range []struct {
				query string
				want  []queue.Request
			}{
				{"3201014107900001", []queue.Request{a}},
				{"0001", []queue.Request{a}},
				{"************0002", []queue.Request{b}},
				{"320101410790", []queue.Request{b, a}},
				{"siti", []queue.Request{a}},
				{"Santoso", []queue.Request{b}},
				{"siti ami", []queue.Request{a}},
				{"budi siti", nil},
				{a.TrackingCode, []queue.Request{a}},
				{b.TrackingCode[10:], []queue.Request{b}}, // the last group
				{w.TrackingCode[5:9], []queue.Request{w}}, // the second group
				{w.TrackingCode[5:12], []queue.Request{w}},
			} {
				find(c.query, c.want...)
			}
			for _, r := range []queue.Request{a, b, w} {
				for _, ref := range []string{r.TrackingCode, r.Ticket, r.Day + "/" + r.Ticket} {
					got, err := s.Get(ctx, ref)
					if err != nil || got.ID != r.ID {
						t.Errorf("Get(%s) = %s, %v; want %s", ref, got.ID, err, r.ID)
					}
				}
			}
			if r := mustRegister(t, s, queue.NewRequest{Service: "B", Name: "Rina Wati", NIK: "3201014107900009"}); r.Ticket != "B-002" {
				t.Errorf("the next ticket of B is %s, want B-002", r.Ticket)
			}
			same, err := s.SameDaySameService(ctx, b.NIK, "B", "")
			if err != nil || !slices.Equal(ids(same), []string{b.ID}) {
				t.Errorf("SameDaySameService(b) = %v, %v", ids(same), err)
			}

			// The kiosk walk-in identified, b corrected.
			if _, _, err := s.Identify(ctx, "", w.TrackingCode, queue.Identity{Name: "Ayu Lestari", NIK: "3201014107900003"}, clerk); err != nil {
				t.Fatal(err)
			}
			if _, _, err := s.Identify(ctx, "", b.ID, queue.Identity{Name: "Budi Hartono", NIK: "3201014107900004"}, clerk); err != nil {
				t.Fatal(err)
			}
			if got, want := where(t, s, b.ID, b.TrackingCode), state.wantB; got != want {
				t.Errorf("after its correction, b's keys are in %s, want %s", got, want)
			}
			find("lestari", w)
			find("0003", w)
			find("santoso")
			find("0002")
			find("hartono", b)
			find("3201014107900004", b)
			mustCheck(t, s)

			// a's applicant asks to be forgotten: found by NIK wherever it is.
			er, err := s.Forget(ctx, a.NIK, "permintaan", clerk)
			if err != nil || len(er.Requests) != 1 || er.Requests[0].ID != a.ID {
				t.Fatalf("Forget(a) = %+v, %v", er, err)
			}
			find("siti")
			find("0001")
			find(a.TrackingCode, a)
			mustCheck(t, s)

			merge()
			find("hartono", b)
			find("lestari", w)
			find(b.TrackingCode[10:], b)
			mustCheck(t, s)
		})
	}
}

// TestJournalMerges: the journal is merged by the first registration of a
// new day, by the nightly purge and when it would pass its bound; a
// request of another day is indexed in its places at once.
func TestJournalMerges(t *testing.T) {
	t.Run("a new day", func(t *testing.T) {
		s, clk := openTest(t)
		a := mustRegister(t, s, walkIn("A", "Siti Aminah"))
		clk.Add(24 * time.Hour)
		b := mustRegister(t, s, walkIn("A", "Budi Santoso"))
		if got := where(t, s, a.ID, a.TrackingCode); got != "places" {
			t.Errorf("yesterday's request's keys are in %s", got)
		}
		if got := where(t, s, b.ID, b.TrackingCode); got != "journal" {
			t.Errorf("today's request's keys are in %s", got)
		}
		mustCheck(t, s)
	})
	t.Run("the nightly purge", func(t *testing.T) {
		s, clk := openTest(t)
		a := mustRegister(t, s, walkIn("A", "Siti Aminah"))
		clk.Add(20 * time.Hour) // 04:00 the next morning
		if _, err := s.Purge(ctx, "2026-01-01", false, clerk); err != nil {
			t.Fatal(err)
		}
		if got := where(t, s, a.ID, a.TrackingCode); got != "places" {
			t.Errorf("after the purge, yesterday's keys are in %s", got)
		}
		mustCheck(t, s)
	})
	t.Run("a purge keeps today's", func(t *testing.T) {
		s, _ := openTest(t)
		a := mustRegister(t, s, walkIn("A", "Siti Aminah"))
		if _, err := s.Purge(ctx, "2026-01-01", false, clerk); err != nil {
			t.Fatal(err)
		}
		if got := where(t, s, a.ID, a.TrackingCode); got != "journal" {
			t.Errorf("after the purge, today's keys are in %s", got)
		}
	})
	t.Run("the bound", func(t *testing.T) {
		defer func(n int) { journalBound = n }(journalBound)
		journalBound = 24 // walkIn makes 8 keys (its ticket and its place in the waiting line too): three fit, the fourth merges
		s, _ := openTest(t)
		var rs []queue.Request
		for i := range 4 {
			rs = append(rs, mustRegister(t, s, walkIn("A", fmt.Sprintf("Siti %c", 'A'+i))))
		}
		for i, want := range []string{"places", "places", "places", "journal"} {
			if got := where(t, s, rs[i].ID, rs[i].TrackingCode); got != want {
				t.Errorf("request %d's keys are in %s, want %s", i, got, want)
			}
		}
		mustCheck(t, s)
	})
	t.Run("another day's request", func(t *testing.T) {
		s, _ := openTest(t)
		in := walkIn("A", "Siti Aminah")
		in.At = time.Date(2026, 11, 20, 9, 0, 0, 0, jakarta)
		a := mustRegister(t, s, in)
		if got := where(t, s, a.ID, a.TrackingCode); got != "places" {
			t.Errorf("a request of an earlier day has its keys in %s", got)
		}
		mustCheck(t, s)
	})
}

// TestJournalTrackingCodesUnique: a tracking code in the journal is taken,
// whether the store's cache of the journal describes the file or not (a
// write outside Store.Update leaves it describing an older transaction).
func TestJournalTrackingCodesUnique(t *testing.T) {
	for _, outside := range []bool{false, true} {
		t.Run(fmt.Sprintf("written outside=%v", outside), func(t *testing.T) {
			s, _ := openTest(t)
			a := mustRegister(t, s, walkIn("A", "Siti Aminah"))
			if outside {
				if err := s.db.Update(func(tx *bolt.Tx) error { return tx.Bucket(bMeta).Put([]byte("x"), nil) }); err != nil {
					t.Fatal(err)
				}
			}
			if err := s.Update(ctx, func(tx *Tx) error {
				taken, err := tx.trackingTaken(a.TrackingCode)
				if err != nil || !taken {
					t.Errorf("a's code in the journal: taken=%v, %v", taken, err)
				}
				taken, err = tx.trackingTaken("ZZZZ-ZZZZ-ZZZZ")
				if err != nil || taken {
					t.Errorf("a code no one has: taken=%v, %v", taken, err)
				}
				return nil
			}); err != nil {
				t.Fatal(err)
			}
		})
	}
	// A transaction that rolls back leaves no code taken.
	s, _ := openTest(t)
	var code string
	_ = s.Update(ctx, func(tx *Tx) error {
		r, err := tx.Register(walkIn("A", "Siti Aminah"), clerk)
		code = r.TrackingCode
		if err == nil {
			err = errors.New("rollback")
		}
		return err
	})
	_ = s.Update(ctx, func(tx *Tx) error {
		if taken, err := tx.trackingTaken(code); taken || err != nil {
			t.Errorf("the code of a registration rolled back: taken=%v, %v", taken, err)
		}
		return nil
	})
}

// TestJournalEncoding: terms go through a journal entry unchanged, and a
// broken entry is refused.
func TestJournalEncoding(t *testing.T) {
	ts := []term{{pTracking, "QSHX-NZDT-Q7WE"}, {pTrackEnd, "Q7WE"}, {pNIK, "3201014107900001"}, {pNIKLast, "0001"}, {pName, "nguyễn"}}
	var got []term
	if err := decodeTerms(encodeTerms(ts), func(kind byte, text []byte) bool {
		got = append(got, term{kind, string(text)})
		return true
	}); err != nil || !slices.Equal(got, ts) {
		t.Fatalf("decoded %v, %v; want %v", got, err, ts)
	}
	good := encodeTerms(ts)
	for _, bad := range [][]byte{nil, {}, {1}, {1, 'n'}, {1, 'n', 5, '1'}, {1, 'x', 1, '1'}, {1, 'n', 0}, append(bytes.Clone(good), 'z'), good[:len(good)-1]} {
		if err := decodeTerms(bad, func(byte, []byte) bool { return true }); err == nil {
			t.Errorf("decodeTerms(%q) took it", bad)
		}
	}
	k, v := appendTermKey(nil, pName, []byte("siti"), []byte("01ID"))
	if string(k) != "msiti\x0001ID" || v != nil {
		t.Errorf("name key %q %q", k, v)
	}
	k, v = appendTermKey(nil, pTracking, []byte("QSHX-NZDT-Q7WE"), []byte("01ID"))
	if string(k) != "cQSHX-NZDT-Q7WE" || string(v) != "01ID" {
		t.Errorf("tracking key %q %q", k, v)
	}
	id := "01KB0000000000000000000000"
	if k := journalKey(id); !isJournalKey(k) || !strings.HasPrefix(string(k), id) || string(k) >= "01KB0000000000000000000001" {
		t.Errorf("journal key %q", k)
	}
}

// TestJournalWaitingLine: the waiting line is one line whether a request's
// place in it is in the journal or in its place: call-next takes priority
// first then by queue position across both, the counts and the number
// ahead count both, and a request put back goes behind.
func TestJournalWaitingLine(t *testing.T) {
	s, clk := openTest(t)
	reg := func(service string, prio queue.Priority, nik string) queue.Request {
		t.Helper()
		clk.Add(time.Minute)
		return mustRegister(t, s, queue.NewRequest{Service: service, Name: "Antre " + nik, NIK: "32010141079" + nik, Priority: prio})
	}
	r1 := reg("A", queue.PriorityNone, "00001")
	if _, err := s.MergeJournal(ctx); err != nil { // r1's place in the line in its place
		t.Fatal(err)
	}
	r2 := reg("A", queue.PriorityElderly, "00002")
	r3 := reg("B", queue.PriorityNone, "00003")
	for _, c := range []struct {
		r    queue.Request
		want string
	}{{r1, "places"}, {r2, "journal"}, {r3, "journal"}} {
		if got := where(t, s, c.r.ID, c.r.TrackingCode); got != c.want {
			t.Fatalf("%s's keys are in %s, want %s", c.r.Ticket, got, c.want)
		}
	}
	var r4 queue.Request
	var ahead int
	var err error
	clk.Add(time.Minute)
	r4, ahead, _, err = s.RegisterWalkIn(ctx, "", "A", queue.PriorityNone, clerk)
	if err != nil || ahead != 2 {
		t.Fatalf("a walk-in of A has %d ahead (%v), want 2 (the elderly in the journal, the first in its place)", ahead, err)
	}
	_ = s.View(ctx, func(tx *Tx) error {
		if got := tx.WaitingCounts(s.Today()); got["A"] != 3 || got["B"] != 1 || len(got) != 2 {
			t.Errorf("waiting counts %v, want A:3 B:1", got)
		}
		return nil
	})
	mustCheck(t, s)
	call := func(want queue.Request, services ...string) {
		t.Helper()
		clk.Add(time.Minute)
		got, err := s.CallNext(ctx, services, clerk)
		if err != nil || got.ID != want.ID {
			t.Fatalf("call next %v = %s, %v; want %s", services, got.Ticket, err, want.Ticket)
		}
	}
	call(r2)      // priority, in the journal
	call(r1)      // in its place, before the journal's regular ones
	call(r3, "B") // the only B
	clk.Add(time.Minute)
	if _, err := s.Act(ctx, r1.ID, queue.ActRequeue, "", clerk); err != nil { // put back: behind r4
		t.Fatal(err)
	}
	call(r4)
	call(r1)
	if _, err := s.CallNext(ctx, nil, clerk); !errors.Is(err, queue.ErrQueueEmpty) {
		t.Fatalf("call next on an empty line: %v", err)
	}
	mustCheck(t, s)
}
