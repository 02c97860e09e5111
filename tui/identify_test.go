package tui

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/charmbracelet/bubbles/key"
	"github.com/oklog/ulid/v2"

	"github.com/loket-id/loket/queue"
	"github.com/loket-id/loket/store"
)

// identCounting counts the Identify calls and the keys they carry.
type identCounting struct {
	*store.Store
	calls atomic.Int32
	keys  []string
}

func (b *identCounting) Identify(ctx context.Context, k, ref string, id queue.Identity, by queue.Actor) (queue.Request, bool, error) {
	b.calls.Add(1)
	b.keys = append(b.keys, k)
	return b.Store.Identify(ctx, k, ref, id, by)
}

// kioskWalkIn registers a walk-in without identity, as the kiosk does.
func kioskWalkIn(t *testing.T, st *store.Store) queue.Request {
	t.Helper()
	r, _, _, err := st.RegisterWalkIn(bg, ulid.Make().String(), "A", queue.PriorityNone, queue.Actor{Counter: "KIOSK"})
	if err != nil || !r.Anonymous() {
		t.Fatalf("kiosk walk-in: %+v %v", r, err)
	}
	return r
}

// TestIdentifyWalkIn: on the detail of a kiosk walk-in, i opens the
// identify form; a good identity is saved under an idempotency key, the
// receipt printed and the detail shown with the name; a bad NIK is marked
// on its field and calls nothing; esc goes back to the detail.
func TestIdentifyWalkIn(t *testing.T) {
	tests := []struct {
		name      string
		keys      []string
		calls     int32
		wantMsg   string
		wantView  []string
		formOpen  bool
		savedName string
	}{
		{"success", []string{"i", "Rina Wati", "tab", "3201014107900002", "tab", "0812 3456 7890", "ctrl+s"}, 1,
			"Receipt A-001 printed", []string{"Rina Wati", "History"}, false, "Rina Wati"},
		{"bad NIK", []string{"i", "Rina Wati", "tab", "3201019907900001", "ctrl+s"}, 0,
			"Check the marked fields", []string{"Identify the applicant of A-001", "✗ invalid birth day"}, true, ""},
		{"esc goes back", []string{"i", "Rina", "esc"}, 0, "", []string{"History"}, false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := openStore(t)
			r := kioskWalkIn(t, st)
			b := &identCounting{Store: st}
			rc := &fakeReceipts{ok: true, failed: map[string]string{}}
			m := newModel(t, st, "en")
			m.opt.Backend, m.opt.Receipts = b, rc
			m = loaded(t, m, 80, 24)
			step(t, m, m.c.openDetail(r.ID, screenQueue)())
			if !key.Matches(press("i"), m.detail.ShortHelp()...) {
				t.Fatalf("the help of a walk-in without identity lacks i: %v", m.detail.ShortHelp())
			}
			for _, k := range tt.keys {
				step(t, m, press(k))
			}
			view := m.View()
			if got := b.calls.Load(); got != tt.calls {
				t.Errorf("Identify called %d times, want %d", got, tt.calls)
			}
			if !strings.Contains(m.msg, tt.wantMsg) {
				t.Errorf("message %q, want %q", m.msg, tt.wantMsg)
			}
			for _, w := range tt.wantView {
				if !strings.Contains(view, w) {
					t.Errorf("screen lacks %q:\n%s", w, view)
				}
			}
			if m.screen != screenDetail || (m.detail.ident != nil) != tt.formOpen {
				t.Errorf("screen %d, form open %v; want the detail, form open %v", m.screen, m.detail.ident != nil, tt.formOpen)
			}
			got, err := st.Get(bg, r.ID)
			if err != nil || got.Name != tt.savedName {
				t.Errorf("stored name %q (%v), want %q", got.Name, err, tt.savedName)
			}
			if tt.savedName != "" {
				if len(b.keys) != 1 || b.keys[0] == "" || len(rc.printed) != 1 || rc.printed[0] != "A-001/A" {
					t.Errorf("keys %v, printed %v", b.keys, rc.printed)
				}
				if key.Matches(press("i"), m.detail.ShortHelp()...) {
					t.Errorf("the help of an identified request offers i")
				}
			}
		})
	}
}

// TestIdentifyUnavailable: a backend without Identify says so on i.
func TestIdentifyUnavailable(t *testing.T) {
	st := openStore(t)
	r := kioskWalkIn(t, st)
	m := newModel(t, st, "en")
	m.opt.Backend = struct{ Backend }{st}
	m = loaded(t, m, 80, 24)
	step(t, m, m.c.openDetail(r.ID, screenQueue)())
	step(t, m, press("i"))
	if m.msg != "Identify is not available at this counter" || m.detail.ident != nil {
		t.Fatalf("message %q, form open %v", m.msg, m.detail.ident != nil)
	}
}

// TestIdentifyFormGolden: the identify form in Indonesian at 80x24, with a
// bad NIK marked.
func TestIdentifyFormGolden(t *testing.T) {
	st := openStore(t)
	kioskWalkIn(t, st)
	p := start(t, newModel(t, st, "id"))
	p.waitFor("A-001")
	p.keys("enter")
	p.waitFor("Riwayat")
	p.keys("i")
	p.waitFor("Isi identitas pemohon A-001")
	p.keys("Rina Wati", "tab", "3201019907900001", "tab")
	p.waitFor("tanggal lahir tidak sah")
	golden(t, "identify_id", p.final())
}
