package store

import (
	"bytes"
	"fmt"
	"reflect"
	"slices"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/loket-id/loket/queue"
)

// logView is everything the event log answers, read through the store's
// ways of reading it.
type logView struct {
	Last      uint64
	All       []queue.Event
	After     map[uint64][]uint64 // Events(after, 2)
	Backward  map[uint64][]uint64 // EventsBackward(before), every seq
	Histories map[string][]queue.Event
	Personal  map[uint64]string // the NIK of every personal record
}

func readLog(t *testing.T, s *Store) logView {
	t.Helper()
	v := logView{After: map[uint64][]uint64{}, Backward: map[uint64][]uint64{}, Histories: map[string][]queue.Event{}, Personal: map[uint64]string{}}
	if err := s.View(ctx, func(tx *Tx) error {
		v.Last = tx.LastSeq()
		var err error
		if v.All, err = tx.Events(0, 0); err != nil {
			return err
		}
		for after := uint64(0); after <= v.Last+1; after++ {
			es, err := tx.Events(after, 2)
			if err != nil {
				return err
			}
			for _, e := range es {
				v.After[after] = append(v.After[after], e.Seq)
			}
		}
		for before := uint64(0); before <= v.Last+1; before++ {
			if err := tx.EventsBackward(before, func(e queue.Event) (bool, error) {
				v.Backward[before] = append(v.Backward[before], e.Seq)
				return true, nil
			}); err != nil {
				return err
			}
		}
		for _, e := range v.All {
			if e.RequestID != "" && v.Histories[e.RequestID] == nil {
				if v.Histories[e.RequestID], err = tx.History(e.RequestID); err != nil {
					return err
				}
			}
		}
		pc := tx.personalLog()
		for k, val := pc.First(); k != nil; k, val = pc.Next() {
			p, err := decodePersonal(val)
			if err != nil {
				return err
			}
			v.Personal[getU64(k)] = p.NIK
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return v
}

// inJournal counts the events in the journal's bucket.
func inJournal(t *testing.T, s *Store) (events int) {
	t.Helper()
	_ = s.View(ctx, func(tx *Tx) error {
		c := tx.tx.Bucket(bJournal).Cursor()
		for k, _ := c.Seek([]byte{ePrefix}); k != nil; k, _ = c.Next() {
			if len(k) == 9 {
				events++
			}
		}
		return nil
	})
	return events
}

// TestEventLogAcrossTheJournal: the event log read forward from every
// point, backward from every point, by request and its personal records,
// is one contiguous log whether its events are in the events bucket, in
// the journal's (since the merge) or both; a merge changes none of it.
func TestEventLogAcrossTheJournal(t *testing.T) {
	s, clk := openTest(t)
	act := func(ref string, a queue.Action) {
		t.Helper()
		clk.Add(time.Minute)
		if _, err := s.Act(ctx, ref, a, "", clerk); err != nil {
			t.Fatal(err)
		}
	}
	var yesterday []queue.Request
	for i := range 3 {
		in := walkIn("A", fmt.Sprintf("Kemarin %d", i))
		in.NIK = fmt.Sprintf("32010141079000%02d", i+10)
		yesterday = append(yesterday, mustRegister(t, s, in))
	}
	act(yesterday[0].ID, queue.ActCall)
	if _, err := s.MergeJournal(ctx); err != nil {
		t.Fatal(err)
	}
	if n := inJournal(t, s); n != 0 {
		t.Fatalf("%d events in the journal after the merge", n)
	}
	// Since the merge: registrations, actions on requests in the journal
	// and on one merged.
	for i := range 2 {
		in := walkIn("B", fmt.Sprintf("Hari ini %d", i))
		in.NIK = fmt.Sprintf("32010141079000%02d", i+20)
		r := mustRegister(t, s, in)
		act(r.ID, queue.ActCall)
	}
	act(yesterday[0].ID, queue.ActServe)
	before := readLog(t, s)
	if n := inJournal(t, s); n != 5 {
		t.Fatalf("%d events in the journal, want 5", n)
	}
	if before.Last != 9 || len(before.All) != 9 {
		t.Fatalf("last event %d, %d events; want 9", before.Last, len(before.All))
	}
	for i, e := range before.All {
		if e.Seq != uint64(i+1) {
			t.Fatalf("event %d is seq %d", i+1, e.Seq)
		}
	}
	for after, got := range before.After {
		var want []uint64
		for seq := after + 1; seq <= 9 && len(want) < 2; seq++ {
			want = append(want, seq)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("events after %d: %v, want %v", after, got, want)
		}
	}
	for b, got := range before.Backward {
		top := uint64(9) // before 0: every event
		if b != 0 {
			top = min(b-1, 9)
		}
		var want []uint64
		for seq := top; seq >= 1; seq-- {
			want = append(want, seq)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("events before %d: %v, want %v", b, got, want)
		}
	}
	if len(before.Personal) != 5 || before.Personal[before.Histories[yesterday[2].ID][0].Seq] != "3201014107900012" {
		t.Errorf("personal records %v", before.Personal)
	}
	mustCheck(t, s)
	if _, err := s.MergeJournal(ctx); err != nil {
		t.Fatal(err)
	}
	if n := inJournal(t, s); n != 0 {
		t.Fatalf("%d events in the journal after the merge", n)
	}
	if after := readLog(t, s); !reflect.DeepEqual(before, after) {
		t.Errorf("the log read otherwise after the merge:\n%+v\n%+v", before, after)
	}
	mustCheck(t, s)
}

// TestMigrateV4ToV5: a file of schema 4 (today's requests and their
// journal entries in requests, meta journal_from, every event in events)
// opens as schema 5 with the same requests, events and searches, its
// requests of today in the journal's bucket, and Check finds nothing.
func TestMigrateV4ToV5(t *testing.T) {
	s, clk := openTest(t)
	fillHistory(t, s, clk, 50)
	var today []queue.Request
	for i := range 4 {
		in := walkIn("C", fmt.Sprintf("Pemohon %d", i))
		r := mustRegister(t, s, in)
		if i%2 == 0 {
			if _, err := s.Act(ctx, r.ID, queue.ActCall, "", clerk); err != nil {
				t.Fatal(err)
			}
		}
		today = append(today, r)
	}
	wantLog := readLog(t, s)
	var wantQueue []queue.Request
	wantQueue, err := s.DayQueue(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	// Back to schema 4's layout.
	if err := s.db.Update(func(tx *bolt.Tx) error {
		j, requests, events := tx.Bucket(bJournal), tx.Bucket(bRequests), tx.Bucket(bEvents)
		var first []byte
		c := j.Cursor()
		for k, v := c.First(); k != nil; k, v = c.Next() {
			var err error
			if k[0] == ePrefix {
				err = events.Put(bytes.Clone(k[1:]), bytes.Clone(v))
			} else {
				if first == nil {
					first = bytes.Clone(k[:26])
				}
				err = requests.Put(bytes.Clone(k), bytes.Clone(v))
			}
			if err != nil {
				return err
			}
		}
		if err := tx.DeleteBucket(bJournal); err != nil {
			return err
		}
		if err := tx.Bucket(bMeta).Put(kJournalFrom, first); err != nil {
			return err
		}
		return tx.Bucket(bMeta).Put(kSchemaVersion, u64(4))
	}); err != nil {
		t.Fatal(err)
	}
	path := s.Path()
	s.Close()
	s, err = Open(path, Options{Clock: clk.Now, Location: jakarta})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	_ = s.View(ctx, func(tx *Tx) error {
		if v := getU64(tx.tx.Bucket(bMeta).Get(kSchemaVersion)); v != 5 {
			t.Errorf("schema version %d after the migration", v)
		}
		if tx.tx.Bucket(bMeta).Get(kJournalFrom) != nil {
			t.Error("journal_from kept")
		}
		for _, r := range today {
			if tx.tx.Bucket(bJournal).Get([]byte(r.ID)) == nil || tx.tx.Bucket(bRequests).Get([]byte(r.ID)) != nil {
				t.Errorf("request %s of today is not in the journal's bucket alone", r.Ticket)
			}
		}
		return nil
	})
	if got := readLog(t, s); !reflect.DeepEqual(got, wantLog) {
		t.Errorf("the event log after the migration:\n%+v\nwant\n%+v", got, wantLog)
	}
	gotQueue, err := s.DayQueue(ctx, "")
	if err != nil || !reflect.DeepEqual(gotQueue, wantQueue) {
		t.Errorf("today's queue after the migration: %v %v", err, gotQueue)
	}
	if rs, err := s.Find(ctx, "pemohon", 10); err != nil || len(rs) != 4 {
		t.Errorf("find after the migration: %d, %v", len(rs), err)
	}
	mustCheck(t, s)
	r := mustRegister(t, s, walkIn("C", "Sesudah"))
	if r.Ticket != "C-005" {
		t.Errorf("the next ticket is %s, want C-005", r.Ticket)
	}
	mustCheck(t, s)
}

// TestRequestsAcrossTheJournal: the requests read by ID range (Between)
// are those of requests and of the journal's bucket in ID order, when the
// journal's (today's) sit between older and newer ones in requests (a
// request written for another day goes to its place at once).
func TestRequestsAcrossTheJournal(t *testing.T) {
	s, clk := openTest(t)
	var want []string
	reg := func(at time.Time, name string) {
		in := walkIn("A", name)
		in.At = at
		want = append(want, mustRegister(t, s, in).ID)
	}
	now := clk.Now()
	reg(now.AddDate(0, 0, -1), "Kemarin")
	reg(now, "Pagi")
	reg(now.Add(time.Minute), "Siang")
	reg(now.AddDate(0, 0, 1), "Besok")
	reg(now.Add(2*time.Minute), "Sore")
	slices.Sort(want)
	var got []string
	if err := s.Between(ctx, "", "", func(r queue.Request) error { got = append(got, r.ID); return nil }); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("between: %v, want %v", got, want)
	}
	var inJournal int
	_ = s.View(ctx, func(tx *Tx) error {
		for _, id := range want {
			if tx.tx.Bucket(bJournal).Get([]byte(id)) != nil {
				inJournal++
			}
		}
		return nil
	})
	if inJournal != 3 {
		t.Errorf("%d requests in the journal, want today's 3", inJournal)
	}
	got = nil
	if err := s.Between(ctx, s.Today(), s.Today(), func(r queue.Request) error { got = append(got, r.ID); return nil }); err != nil || len(got) != 3 {
		t.Errorf("between today and today: %d, %v; want 3", len(got), err)
	}
	mustCheck(t, s)
}

// TestJournalEventBound: a day of actions past the journal's bound in
// events (journalBound) merges it at the next registration, events and
// all, and the log reads the same.
func TestJournalEventBound(t *testing.T) {
	defer func(n int) { journalBound = n }(journalBound)
	journalBound = 30
	s, clk := openTest(t)
	r := mustRegister(t, s, walkIn("A", "Siti Aminah"))
	for i := 0; inJournal(t, s) < 30; i++ {
		clk.Add(time.Minute)
		if _, err := s.Act(ctx, r.ID, []queue.Action{queue.ActCall, queue.ActRequeue}[i%2], "", clerk); err != nil {
			t.Fatal(err)
		}
	}
	before := readLog(t, s)
	mustRegister(t, s, walkIn("A", "Budi Santoso"))
	if n := inJournal(t, s); n != 0 { // the registration's event merged with the others
		t.Errorf("%d events in the journal after a registration past its bound, want none", n)
	}
	after := readLog(t, s)
	if after.Last != before.Last+1 || !reflect.DeepEqual(after.All[:len(before.All)], before.All) {
		t.Errorf("the log changed under the merge")
	}
	mustCheck(t, s)
}
