package store

import (
	"errors"
	"testing"

	"github.com/oklog/ulid/v2"

	"github.com/loket-id/loket/queue"
)

// TestKeyReusedWithAnotherPayload: a key applied once and sent again with
// another payload (another applicant, another action, another counter) is
// refused with ErrKeyReused, which matches queue.ErrConflict, and writes
// nothing; the same payload still gets the first answer.
func TestKeyReusedWithAnotherPayload(t *testing.T) {
	s, _ := openTest(t)
	lastSeq := func() (n uint64) {
		s.View(ctx, func(tx *Tx) error { n = tx.LastSeq(); return nil })
		return n
	}
	other := queue.Actor{Counter: "L2", Clerk: "Sari"}
	kAdd, kCall, kAct, kCat := ulid.Make().String(), ulid.Make().String(), ulid.Make().String(), ulid.Make().String()
	first, _, err := s.RegisterOnce(ctx, kAdd, walkIn("A", "Siti Aminah"), clerk)
	if err != nil {
		t.Fatal(err)
	}
	mustRegister(t, s, walkIn("B", "Budi Santoso"))
	if _, _, err := s.CallNextOnce(ctx, kCall, []string{"A"}, clerk); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.ActOnce(ctx, kAct, "A-001", queue.ActServe, "", clerk); err != nil {
		t.Fatal(err)
	}
	svcs, _ := s.Services(ctx)
	if _, _, err := s.ReplaceCatalogOnce(ctx, kCat, svcs, clerk); err != nil {
		t.Fatal(err)
	}
	before := lastSeq()
	cases := []struct {
		name string
		do   func() error
	}{
		{"register another name", func() error { _, _, err := s.RegisterOnce(ctx, kAdd, walkIn("A", "Budi"), clerk); return err }},
		{"register at another counter", func() error { _, _, err := s.RegisterOnce(ctx, kAdd, walkIn("A", "Siti Aminah"), other); return err }},
		{"register with an action's key", func() error { _, _, err := s.RegisterOnce(ctx, kAct, walkIn("A", "Siti Aminah"), clerk); return err }},
		{"call other services", func() error { _, _, err := s.CallNextOnce(ctx, kCall, []string{"B"}, clerk); return err }},
		{"call with a register's key", func() error { _, _, err := s.CallNextOnce(ctx, kAdd, []string{"A"}, clerk); return err }},
		{"act another action", func() error { _, _, err := s.ActOnce(ctx, kAct, "A-001", queue.ActDone, "", clerk); return err }},
		{"act on another request", func() error { _, _, err := s.ActOnce(ctx, kAct, "B-001", queue.ActServe, "", clerk); return err }},
		{"act as another counter", func() error { _, _, err := s.ActOnce(ctx, kAct, "A-001", queue.ActServe, "", other); return err }},
		{"catalog another", func() error { _, _, err := s.ReplaceCatalogOnce(ctx, kCat, svcs[:2], clerk); return err }},
	}
	for _, c := range cases {
		err := c.do()
		if !errors.Is(err, ErrKeyReused) || !errors.Is(err, queue.ErrConflict) {
			t.Errorf("%s: %v, want ErrKeyReused matching queue.ErrConflict", c.name, err)
		}
	}
	if n := lastSeq(); n != before {
		t.Fatalf("refused reuses wrote %d events", n-before)
	}
	// The same payloads still answer as the first time (services in
	// another order and case are the same payload).
	again, was, err := s.RegisterOnce(ctx, kAdd, walkIn("A", "Siti Aminah"), clerk)
	if err != nil || !was || again.ID != first.ID {
		t.Fatalf("same key, same payload: %v again=%v", err, was)
	}
	if _, was, err := s.CallNextOnce(ctx, kCall, []string{" a"}, clerk); err != nil || !was {
		t.Fatalf("same call: %v again=%v", err, was)
	}
	if _, was, err := s.ActOnce(ctx, kAct, "A-001", queue.ActServe, "", clerk); err != nil || !was {
		t.Fatalf("same act: %v again=%v", err, was)
	}
	if _, was, err := s.ReplaceCatalogOnce(ctx, kCat, svcs, clerk); err != nil || !was {
		t.Fatalf("same catalog: %v again=%v", err, was)
	}
	mustCheck(t, s)
}

// TestKeyRecordedWithoutPayload: a key recorded before payloads were bound
// (an 8-byte record) still returns its first answer.
func TestKeyRecordedWithoutPayload(t *testing.T) {
	s, _ := openTest(t)
	key := ulid.Make().String()
	var first queue.Request
	if err := s.Update(ctx, func(tx *Tx) error {
		_, _, err := tx.Once(key, func() error {
			var err error
			first, err = tx.Register(walkIn("A", "Siti"), clerk)
			return err
		})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	s.View(ctx, func(tx *Tx) error {
		if v := tx.tx.Bucket(bKeys).Get([]byte(key)); len(v) != 8 {
			t.Fatalf("record of %d bytes", len(v))
		}
		return nil
	})
	r, again, err := s.RegisterOnce(ctx, key, walkIn("A", "Siti"), clerk)
	if err != nil || !again || r.ID != first.ID {
		t.Fatalf("%v again=%v", err, again)
	}
}

// TestChosenCallRecorded: a call of a named request records that it was
// called out of order; call-next does not.
func TestChosenCallRecorded(t *testing.T) {
	s, _ := openTest(t)
	mustRegister(t, s, walkIn("A", "Siti"))
	mustRegister(t, s, walkIn("A", "Budi"))
	mustRegister(t, s, walkIn("A", "Wati"))
	chosen, err := s.Act(ctx, "A-002", queue.ActCall, "", clerk)
	if err != nil || chosen.Status != queue.StatusCalled {
		t.Fatal(err)
	}
	keyed, _, err := s.ActOnce(ctx, ulid.Make().String(), "A-003", queue.ActCall, "", clerk)
	if err != nil {
		t.Fatal(err)
	}
	next, err := s.CallNext(ctx, nil, clerk)
	if err != nil || next.Ticket != "A-001" {
		t.Fatalf("call-next after two chosen calls: %s %v", next.Ticket, err)
	}
	for _, c := range []struct {
		ref    string
		chosen bool
	}{{chosen.ID, true}, {keyed.ID, true}, {next.ID, false}} {
		_, hist, err := s.Detail(ctx, c.ref)
		if err != nil {
			t.Fatal(err)
		}
		if got := queue.IsChosenCall(hist[len(hist)-1]); got != c.chosen {
			t.Errorf("%s: chosen %v, want %v", c.ref, got, c.chosen)
		}
	}
	mustCheck(t, s)
}
