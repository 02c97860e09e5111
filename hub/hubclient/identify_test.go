package hubclient_test

import (
	"errors"
	"testing"

	"github.com/loket-id/loket/hub"
	"github.com/loket-id/loket/hub/hubtest"
	"github.com/loket-id/loket/queue"
	"github.com/loket-id/loket/store"
)

// TestIdentifyThroughTheHub: a kiosk's walk-in (no identity) is identified
// at a counter behind the hub; bad identity comes back as the hub's
// *queue.FieldError and writes nothing; the same key again is a replay;
// the identified walk-in can then be done.
func TestIdentifyThroughTheHub(t *testing.T) {
	h := hubtest.Start(t, hub.Options{})
	c := newClient(t, h.URL, h.AddCounter(t, "L1"))
	by := queue.Actor{Clerk: "Sari"}
	w, _, _, err := h.Store.RegisterWalkIn(bg, "", "A", "", queue.Actor{Counter: "kiosk"})
	if err != nil {
		t.Fatal(err)
	}
	before := lastSeq(t, h.Store)
	tests := []struct {
		name  string
		id    queue.Identity
		field string
	}{
		{"bad NIK", queue.Identity{Name: "Siti", NIK: "12345"}, "nik"},
		{"no name", queue.Identity{NIK: niks[0]}, "name"},
		{"bad phone", queue.Identity{Name: "Siti", NIK: niks[0], Phone: "12"}, "phone"},
	}
	for _, tc := range tests {
		_, _, err := c.Identify(bg, "", w.Ticket, tc.id, by)
		var fe *queue.FieldError
		if !errors.As(err, &fe) || fe.Field != tc.field || !errors.Is(err, queue.ErrInvalid) {
			t.Errorf("%s: %#v", tc.name, err)
		}
	}
	if _, _, err := c.Identify(bg, "", "A-099", queue.Identity{Name: "Siti", NIK: niks[0]}, by); !errors.Is(err, queue.ErrNotFound) {
		t.Errorf("unknown ticket: %v", err)
	}
	if n := lastSeq(t, h.Store); n != before {
		t.Fatalf("refused calls wrote %d events", n-before)
	}
	key := "01KB0000000000000000000001"
	id := queue.Identity{Name: "Siti Aminah", NIK: niks[0], Phone: "081234567890"}
	r, again, err := c.Identify(bg, key, w.Ticket, id, by)
	if err != nil || again || r.Name != "Siti Aminah" || r.NIK != niks[0] {
		t.Fatalf("identify: %+v %v %v", r, again, err)
	}
	r2, again, err := c.Identify(bg, key, w.Ticket, id, by)
	if err != nil || !again || r2.ID != r.ID || r2.Name != r.Name {
		t.Fatalf("identify again with the same key: %+v %v %v", r2, again, err)
	}
	if _, _, err := c.Identify(bg, key, w.Ticket, queue.Identity{Name: "Budi", NIK: niks[1]}, by); !errors.Is(err, store.ErrKeyReused) {
		t.Fatalf("same key, another identity: %v", err)
	}
	if n := lastSeq(t, h.Store); n != before+1 {
		t.Fatalf("%d events, want 1", n-before)
	}
	got, err := h.Store.Get(bg, w.Ticket)
	if err != nil || got.NIK != niks[0] || got.Name != "Siti Aminah" {
		t.Fatalf("in the hub's store: %+v %v", got, err)
	}
	for _, act := range []queue.Action{queue.ActCall, queue.ActServe, queue.ActDone} {
		if _, err := c.Act(bg, w.Ticket, act, "", by); err != nil {
			t.Fatalf("%s after identify: %v", act, err)
		}
	}
	mustCheck(t, h.Store)
}

// TestCloseDayThroughTheHub: a dry run changes nothing; the close closes
// the waiting and called, leaves the one being served, and a second close
// closes nothing more; a bad status is the hub's *queue.FieldError.
func TestCloseDayThroughTheHub(t *testing.T) {
	h := hubtest.Start(t, hub.Options{})
	c := newClient(t, h.URL, h.AddCounter(t, "L1"))
	by := queue.Actor{Clerk: "Sari"}
	for i := 0; i < 3; i++ {
		if _, err := c.Register(bg, queue.NewRequest{Service: "A", Name: "Siti", NIK: niks[i]}, by); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := c.Act(bg, "A-001", queue.ActCall, "", by); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Act(bg, "A-001", queue.ActServe, "", by); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Act(bg, "A-002", queue.ActCall, "", by); err != nil {
		t.Fatal(err)
	}
	today := h.Store.Today()
	before := lastSeq(t, h.Store)
	_, err := c.CloseDay(bg, today, queue.StatusDone, by)
	var fe *queue.FieldError
	if !errors.As(err, &fe) || fe.Field != "as" {
		t.Fatalf("as done: %#v", err)
	}
	dry, err := c.CloseDayDryRun(bg, today, queue.StatusNoShow)
	if err != nil || dry.Day != today || dry.As != queue.StatusNoShow || len(dry.Closed) != 2 || len(dry.Serving) != 1 {
		t.Fatalf("dry run: %+v %v", dry, err)
	}
	if n := lastSeq(t, h.Store); n != before {
		t.Fatalf("refused call and dry run wrote %d events", n-before)
	}
	dc, err := c.CloseDay(bg, today, queue.StatusNoShow, by)
	if err != nil || len(dc.Closed) != 2 || len(dc.Serving) != 1 || dc.Serving[0].Ticket != "A-001" {
		t.Fatalf("close: %+v %v", dc, err)
	}
	for _, r := range dc.Closed {
		if r.Status != queue.StatusNoShow || r.Counter != "L1" && r.Counter != "" {
			t.Errorf("closed %s: %s at %q", r.Ticket, r.Status, r.Counter)
		}
	}
	again, err := c.CloseDay(bg, today, queue.StatusNoShow, by)
	if err != nil || len(again.Closed) != 0 || len(again.Serving) != 1 {
		t.Fatalf("close again: %+v %v", again, err)
	}
	if n := lastSeq(t, h.Store); n != before+2 {
		t.Fatalf("%d events, want 2", n-before)
	}
	mustCheck(t, h.Store)
}
