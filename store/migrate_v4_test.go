package store

import (
	"bytes"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/loket-id/loket/queue"
)

// TestMigrateV3ToV4: a file as schema 3 wrote it (every search key in its
// place, the waiting line under q, the personal records in a bucket of
// their own) opens as schema 4 with its waiting line under w, in the same
// order, its personal records beside their events, every lookup finding
// what it found, Check clean, and the next registration's keys in the
// journal.
func TestMigrateV3ToV4(t *testing.T) {
	s, clk := openTest(t)
	path := s.Path()
	in := walkIn("B", "Dewi Lestari")
	in.At = clk.Now().Add(-24 * time.Hour)
	old := mustRegister(t, s, in) // yesterday's, still waiting
	var today []queue.Request
	for i, name := range []string{"Siti Aminah", "Budi Santoso", "Ayu Lestari"} {
		r := walkIn("A", name)
		r.NIK = "320101410790000" + string(rune('1'+i))
		if i == 2 {
			r.Priority = queue.PriorityElderly
		}
		today = append(today, mustRegister(t, s, r))
		clk.Add(time.Minute)
	}
	if _, err := s.Act(ctx, today[0].ID, queue.ActCall, "", clerk); err != nil {
		t.Fatal(err)
	}
	// Back to schema 3: the journal merged, the waiting line under q.
	if _, err := s.MergeJournal(ctx); err != nil {
		t.Fatal(err)
	}
	waiting := 0
	if err := s.db.Update(func(tx *bolt.Tx) error {
		idx := tx.Bucket(bIdx)
		var keys, values [][]byte
		c := idx.Cursor()
		for k, v := c.Seek([]byte{pWaiting}); k != nil && k[0] == pWaiting; k, v = c.Next() {
			keys, values = append(keys, bytes.Clone(k)), append(values, bytes.Clone(v))
		}
		for i, k := range keys {
			if err := idx.Delete(k); err != nil {
				return err
			}
			if err := idx.Put(append([]byte{'q'}, k[1:]...), values[i]); err != nil {
				return err
			}
		}
		waiting = len(keys)
		events := tx.Bucket(bEvents)
		personal, err := tx.CreateBucket(bPersonal)
		if err != nil {
			return err
		}
		keys = keys[:0]
		_ = events.ForEach(func(k, v []byte) error {
			if len(k) == 9 {
				keys = append(keys, bytes.Clone(k))
				return personal.Put(bytes.Clone(k[:8]), bytes.Clone(v))
			}
			return nil
		})
		for _, k := range keys {
			if err := events.Delete(k); err != nil {
				return err
			}
		}
		if len(keys) != 4 {
			t.Errorf("%d personal records, want 4", len(keys))
		}
		return tx.Bucket(bMeta).Put(kSchemaVersion, u64(3))
	}); err != nil {
		t.Fatal(err)
	}
	if waiting != 3 {
		t.Fatalf("%d waiting keys, want 3", waiting)
	}
	s.Close()

	s, err := Open(path, Options{Clock: clk.Now, Location: jakarta})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	_ = s.View(ctx, func(tx *Tx) error {
		if v := getU64(tx.tx.Bucket(bMeta).Get(kSchemaVersion)); v != SchemaVersion() || v != 5 { // schema 4, then 5 in place
			t.Errorf("schema version %d after the migration", v)
		}
		n := 0
		c := tx.tx.Bucket(bIdx).Cursor()
		for k, _ := c.Seek([]byte{'q'}); k != nil && k[0] == 'q'; k, _ = c.Next() {
			t.Errorf("a waiting key left under q: %q", k)
		}
		for k, _ := c.Seek([]byte{pWaiting}); k != nil && k[0] == pWaiting; k, _ = c.Next() {
			n++
		}
		if n != 3 {
			t.Errorf("%d waiting keys under w, want 3", n)
		}
		if tx.tx.Bucket(bPersonal) != nil {
			t.Error("the personal bucket is still there")
		}
		return nil
	})
	mustCheck(t, s)
	for _, c := range []struct {
		query string
		want  string
	}{{"0002", today[1].ID}, {"santoso", today[1].ID}, {today[2].TrackingCode[10:], today[2].ID}, {"dewi", old.ID}} {
		got, err := s.Find(ctx, c.query, 10)
		if err != nil || len(got) != 1 || got[0].ID != c.want || got[0].NIK == "" || got[0].Phone == "" {
			t.Errorf("Find(%q) after the migration = %v, %v; want %s", c.query, ids(got), err, c.want)
		}
	}
	// Today's line: the elderly first, then by arrival; yesterday's is not today's.
	for _, want := range []string{today[2].Ticket, today[1].Ticket} {
		r, err := s.CallNext(ctx, nil, clerk)
		if err != nil || r.Ticket != want {
			t.Fatalf("call next after the migration = %s, %v; want %s", r.Ticket, err, want)
		}
	}
	if _, err := s.CallNext(ctx, nil, clerk); err == nil {
		t.Fatal("call next found a third request waiting today")
	}
	r := mustRegister(t, s, walkIn("C", "Rina Wati"))
	if got := where(t, s, r.ID, r.TrackingCode); got != "journal" {
		t.Errorf("a registration after the migration has its keys in %s", got)
	}
	mustCheck(t, s)
}
