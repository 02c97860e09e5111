package store

import (
	"errors"
	"testing"

	"github.com/loket-id/loket/queue"
)

// TestWalkInIdentify: a kiosk's walk-in has no identity and is called like
// any other; done is refused until it is identified (the service requires
// it, the default); identify indexes the NIK and name; the store's check
// holds at every step.
func TestWalkInIdentify(t *testing.T) {
	s, _ := openTest(t)
	kiosk := queue.Actor{Counter: "K1", Clerk: "kiosk"}
	mustRegister(t, s, walkIn("A", "Budi"))
	r, ahead, again, err := s.RegisterWalkIn(ctx, "01KB0000000000000000000001", "A", queue.PriorityNone, kiosk)
	if err != nil || again || ahead != 1 || r.Identified() || !r.Anonymous() || r.Ticket != "A-002" {
		t.Fatalf("walk-in: %+v ahead %d again %v err %v", r, ahead, again, err)
	}
	// The same key gives the same ticket.
	if r2, _, again, err := s.RegisterWalkIn(ctx, "01KB0000000000000000000001", "A", queue.PriorityNone, kiosk); err != nil || !again || r2.ID != r.ID {
		t.Fatalf("retried walk-in: %+v again %v err %v", r2, again, err)
	}
	p, ahead, _, err := s.RegisterWalkIn(ctx, "", "A", queue.PriorityElderly, kiosk)
	if err != nil || ahead != 0 {
		t.Fatalf("priority walk-in: ahead %d, %v (priority goes first)", ahead, err)
	}
	mustCheck(t, s)
	for _, act := range []queue.Action{queue.ActCall, queue.ActServe} {
		if _, err := s.Act(ctx, r.Ticket, act, "", clerk); err != nil {
			t.Fatal(err)
		}
	}
	_, err = s.Act(ctx, r.Ticket, queue.ActDone, "", clerk)
	var fe *queue.FieldError
	if !errors.Is(err, queue.ErrInvalid) || !errors.As(err, &fe) || fe.Code != "identity.required" {
		t.Fatalf("done without identity = %v, want identity.required", err)
	}
	if _, _, err := s.Identify(ctx, "", r.Ticket, queue.Identity{Name: "Siti", NIK: "12"}, clerk); !errors.Is(err, queue.ErrInvalid) {
		t.Fatalf("identify with a bad NIK = %v", err)
	}
	got, _, err := s.Identify(ctx, "", r.Ticket, queue.Identity{Name: "Siti Aminah", NIK: "3201 0141 0790 0002", Phone: "0812-1111-2222"}, clerk)
	if err != nil || got.NIK != "3201014107900002" || got.Phone != "+6281211112222" || got.Status != queue.StatusServing {
		t.Fatalf("identify: %+v, %v", got, err)
	}
	mustCheck(t, s)
	for _, q := range []string{"3201014107900002", "aminah"} {
		found, err := s.Find(ctx, q, 10)
		if err != nil || len(found) != 1 || found[0].ID != r.ID {
			t.Fatalf("find %q after identify: %+v, %v", q, found, err)
		}
	}
	if _, err := s.Act(ctx, r.Ticket, queue.ActDone, "", clerk); err != nil {
		t.Fatalf("done after identify: %v", err)
	}
	if _, _, err := s.Identify(ctx, "", r.Ticket, queue.Identity{Name: "Siti", NIK: "3201014107900002"}, clerk); !errors.Is(err, queue.ErrInvalid) {
		t.Fatalf("identify a done request = %v", err)
	}
	// A correction moves the index entries.
	if _, _, err := s.Identify(ctx, "", p.Ticket, queue.Identity{Name: "Ani", NIK: "3201014107900003"}, clerk); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.Identify(ctx, "", p.Ticket, queue.Identity{Name: "Ana", NIK: "3201014107900004"}, clerk); err != nil {
		t.Fatal(err)
	}
	if found, _ := s.Find(ctx, "ani", 10); len(found) != 0 {
		t.Fatalf("the corrected name is still indexed: %+v", found)
	}
	mustCheck(t, s)
}

// TestDoneWithoutIdentityAllowed: a service with identity_required = false
// finishes a walk-in that never gave a name.
func TestDoneWithoutIdentityAllowed(t *testing.T) {
	s, _ := openTest(t)
	no := false
	cat := queue.DefaultCatalog()
	cat[6].IdentityRequired = &no // G, consultation
	if err := s.Update(ctx, func(tx *Tx) error { _, err := tx.ReplaceCatalog(cat, clerk, s.Now()); return err }); err != nil {
		t.Fatal(err)
	}
	r, _, _, err := s.RegisterWalkIn(ctx, "", "G", queue.PriorityNone, clerk)
	if err != nil {
		t.Fatal(err)
	}
	for _, act := range []queue.Action{queue.ActCall, queue.ActServe, queue.ActDone} {
		if _, err := s.Act(ctx, r.Ticket, act, "", clerk); err != nil {
			t.Fatalf("%s: %v", act, err)
		}
	}
	mustCheck(t, s)
}

func TestWaitingCountsAndRecentEvents(t *testing.T) {
	s, _ := openTest(t)
	for _, svc := range []string{"A", "A", "B"} {
		if _, _, _, err := s.RegisterWalkIn(ctx, "", svc, queue.PriorityNone, clerk); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.CallNext(ctx, nil, clerk); err != nil {
		t.Fatal(err)
	}
	var counts map[string]int
	var types []string
	err := s.View(ctx, func(tx *Tx) error {
		counts = tx.WaitingCounts(s.Today())
		return tx.EventsBackward(0, func(e queue.Event) (bool, error) {
			types = append(types, e.Type)
			return len(types) < 2, nil
		})
	})
	if err != nil || counts["A"] != 1 || counts["B"] != 1 || len(counts) != 2 {
		t.Fatalf("counts %v, %v", counts, err)
	}
	if len(types) != 2 || types[0] != queue.EventCalled || types[1] != queue.EventCreated {
		t.Fatalf("newest events: %v", types)
	}
}
