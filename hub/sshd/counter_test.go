package sshd

import (
	"errors"
	"testing"

	"github.com/loket-id/loket/office"
	"github.com/loket-id/loket/queue"
	"github.com/loket-id/loket/receipts"
	"github.com/loket-id/loket/store"
	"github.com/loket-id/loket/tui"
)

var (
	_ office.Queue = Counter{}
	_ tui.Backend  = Counter{}
)

// TestCounterActsAsItself: whatever counter the caller names, the change
// is the counter's; a call naming no lines takes its registered lines as
// they are at that moment; once it is revoked, nothing it asks is written.
func TestCounterActsAsItself(t *testing.T) {
	h := newHub(t)
	h.addCounter("L1", "B")
	a := h.register("A", "Siti Aminah")
	b := h.register("B", "Agus Salim")
	c := Counter{St: h.st, Code: "L1"}
	liar := queue.Actor{Counter: "L9", Clerk: "Sari"}

	r, err := c.CallNext(bg, nil, liar)
	if err != nil || r.Ticket != b.Ticket || r.Counter != "L1" || r.Clerk != "Sari" {
		t.Fatalf("call with no lines: %s by %q/%q, %v; want %s by L1/Sari", r.Ticket, r.Counter, r.Clerk, err, b.Ticket)
	}
	if _, err := h.st.SetCounterServices(bg, "L1", []string{"A"}); err != nil {
		t.Fatal(err)
	}
	if r, _, err = c.CallNextOnce(bg, "01JB0000000000000000000001", nil, liar); err != nil || r.Ticket != a.Ticket || r.Counter != "L1" {
		t.Fatalf("after the lines changed: %s by %q, %v; want %s by L1", r.Ticket, r.Counter, err, a.Ticket)
	}
	if r, err = c.Act(bg, a.Ticket, queue.ActServe, "", liar); err != nil || r.Counter != "L1" {
		t.Fatalf("serve: %+v %v", r, err)
	}
	if r, err = c.Register(bg, queue.NewRequest{Service: "A", Name: "Dewi Lestari", NIK: "3201014107900001"}, liar); err != nil {
		t.Fatal(err)
	}
	_, evs, err := h.st.Detail(bg, r.ID)
	if err != nil || evs[0].Counter != "L1" {
		t.Fatalf("registered by %+v, %v", evs, err)
	}
	w, _, _, err := h.st.RegisterWalkIn(bg, "", "A", queue.PriorityNone, queue.Actor{Counter: "KIOSK"})
	if err != nil {
		t.Fatal(err)
	}
	if r, _, err = c.Identify(bg, "01JB0000000000000000000003", w.Ticket, queue.Identity{Name: "Wayan", NIK: "3201014107900001"}, liar); err != nil || r.Name != "Wayan" {
		t.Fatalf("identify: %+v %v", r, err)
	}
	if _, evs, err = h.st.Detail(bg, w.ID); err != nil || evs[len(evs)-1].Type != queue.EventIdentified || evs[len(evs)-1].Counter != "L1" {
		t.Fatalf("identified by %+v, %v", evs, err)
	}

	if _, err := h.st.RevokeCounter(bg, "L1"); err != nil {
		t.Fatal(err)
	}
	var last uint64
	seq := func() uint64 {
		var n uint64
		h.st.View(bg, func(tx *store.Tx) error { n = tx.LastSeq(); return nil })
		return n
	}
	last = seq()
	for name, do := range map[string]func() error{
		"register": func() error {
			_, err := c.Register(bg, queue.NewRequest{Service: "A", Name: "Budi Santoso", NIK: "3201014107900001"}, liar)
			return err
		},
		"call": func() error { _, err := c.CallNext(bg, nil, liar); return err },
		"act":  func() error { _, err := c.Act(bg, a.Ticket, queue.ActDone, "", liar); return err },
		"identify": func() error {
			_, _, err := c.Identify(bg, "01JB0000000000000000000004", a.Ticket, queue.Identity{Name: "Budi", NIK: "3201014107900001"}, liar)
			return err
		},
		"act once": func() error {
			_, _, err := c.ActOnce(bg, "01JB0000000000000000000002", a.Ticket, queue.ActDone, "", liar)
			return err
		},
	} {
		if err := do(); !errors.Is(err, store.ErrRevoked) {
			t.Errorf("%s after revocation: %v, want ErrRevoked", name, err)
		}
	}
	if seq() != last {
		t.Fatalf("a revoked counter wrote events: %d -> %d", last, seq())
	}
	if _, err := c.DayQueue(bg, ""); err != nil {
		t.Fatalf("reads still answer: %v", err)
	}
}

// TestReceiptsOnCounterPrinter: a counter's receipts go to its printer, and
// a counter without one prints nowhere (not on the office's default).
func TestReceiptsOnCounterPrinter(t *testing.T) {
	office := receipts.Maker{PrinterQueue: "hub-desk", PrintCommand: "lpr -P {printer} {file}", CounterName: "Hub"}
	m := Receipts(office, store.Counter{Code: "L1", Name: "Loket 1", Printer: "lp-l1"}).(counterReceipts).m
	if m.PrinterQueue != "lp-l1" || m.PrintCommand != office.PrintCommand || m.CounterName != "Loket 1" {
		t.Fatalf("counter with a printer: %+v", m)
	}
	m = Receipts(office, store.Counter{Code: "L2"}).(counterReceipts).m
	if m.CanPrint() {
		t.Fatalf("counter without a printer prints: %+v", m)
	}
	if office.PrinterQueue != "hub-desk" {
		t.Fatal("the office's maker was changed")
	}
}
