package hubclient_test

import (
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/loket-id/loket/hub"
	"github.com/loket-id/loket/hub/hubtest"
	"github.com/loket-id/loket/queue"
)

// fakeClock is a settable clock for the hub's store.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *fakeClock) Add(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// TestPurgeAndForgetThroughTheHub: a dry run lists the requests closed
// before the day and writes nothing; the purge erases their personal part
// at the hub (name and NIK gone, not found by NIK, facts kept) and leaves
// the open one; forget erases every request of one NIK whatever its
// status; bad input comes back as the hub's *queue.FieldError and writes
// nothing; and no answer holds a name or NIK.
func TestPurgeAndForgetThroughTheHub(t *testing.T) {
	clock := &fakeClock{now: time.Date(2026, 3, 2, 9, 0, 0, 0, hubtest.WIB)}
	h := hubtest.StartClock(t, hub.Options{}, clock.Now)
	c := newClient(t, h.URL, h.AddCounter(t, "L1"))
	by := queue.Actor{Clerk: "Sari"}
	for i, nik := range []string{niks[0], niks[1], niks[2], niks[0]} {
		if _, err := c.Register(bg, queue.NewRequest{Service: "A", Name: []string{"Siti", "Budi", "Wayan", "Siti"}[i], NIK: nik}, by); err != nil {
			t.Fatal(err)
		}
	}
	for _, step := range []struct {
		ref string
		act queue.Action
	}{{"A-001", queue.ActCall}, {"A-001", queue.ActDone}, {"A-002", queue.ActCancel}} {
		if _, err := c.Act(bg, step.ref, step.act, "", by); err != nil {
			t.Fatal(err)
		}
	}
	clock.Add(48 * time.Hour) // 2026-03-04
	before := lastSeq(t, h.Store)

	dry, err := c.Purge(bg, "2026-03-03", true, by)
	if err != nil || !dry.DryRun || len(dry.Requests) != 2 || dry.Requests[0].Ticket == dry.Requests[1].Ticket ||
		dry.Requests[0].Ticket > "A-002" || dry.Requests[1].Ticket > "A-002" {
		t.Fatalf("dry run: %+v %v", dry, err)
	}
	if _, err := c.Purge(bg, "03-03-2026", false, by); !errors.Is(err, queue.ErrInvalid) {
		t.Fatalf("bad date: %v", err)
	}
	if _, err := c.Forget(bg, "12345", "permintaan pemohon", by); !errors.Is(err, queue.ErrInvalid) {
		t.Fatalf("bad NIK: %v", err)
	}
	if n := lastSeq(t, h.Store); n != before {
		t.Fatalf("dry run and refused calls wrote %d events", n-before)
	}

	got, err := c.Purge(bg, "2026-03-03", false, by)
	if err != nil || got.DryRun || len(got.Requests) != 2 {
		t.Fatalf("purge: %+v %v", got, err)
	}
	for _, e := range got.Requests {
		r, err := h.Store.Get(bg, e.ID)
		if err != nil || !r.Erased || r.Name != "" || r.NIK != "" || r.Ticket != e.Ticket || r.Day != "2026-03-02" || r.TrackingCode != e.TrackingCode {
			t.Errorf("%s after purge: %+v %v", e.Ticket, r, err)
		}
	}
	if r, _ := h.Store.Get(bg, "2026-03-02/A-003"); r.Erased || r.Name != "Wayan" {
		t.Errorf("open request purged: %+v", r)
	}
	again, err := c.Purge(bg, "2026-03-03", false, by)
	if err != nil || len(again.Requests) != 0 {
		t.Fatalf("purge again: %+v %v", again, err)
	}

	f, err := c.Forget(bg, niks[0], "permintaan pemohon", by)
	if err != nil || len(f.Requests) != 1 || f.Requests[0].Ticket != "A-004" {
		t.Fatalf("forget: %+v %v", f, err)
	}
	if rs, err := c.Find(bg, niks[0], 10); err != nil || len(rs) != 0 {
		t.Fatalf("the forgotten NIK is still found: %+v %v", rs, err)
	}
	if r, _ := h.Store.Get(bg, "2026-03-02/A-004"); !r.Erased || r.NIK != "" || r.Status != queue.StatusWaiting {
		t.Errorf("A-004 after forget: %+v", r)
	}
	mustCheck(t, h.Store)
}
