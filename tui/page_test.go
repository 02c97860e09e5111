package tui

import (
	"context"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/loket-id/loket/queue"
	"github.com/loket-id/loket/stats"
	"github.com/loket-id/loket/store"
)

// TestPagesAnswerWithIntents: a page asks the root for what it wants (go to
// a screen, show a message) and does not write into it: given a key, each
// page answers with intents, and the root is as it was until it applies
// them.
func TestPagesAnswerWithIntents(t *testing.T) {
	fs := &fakeSync{}
	tests := []struct {
		name  string
		page  func(m *Model) page
		setup func(m *Model)
		key   string
		want  []tea.Msg
	}{
		{"form esc keeps the draft and goes back", func(m *Model) page { return m.form }, nil, "esc", goTo(screenQueue)},
		{"form submit with nothing typed", func(m *Model) page { return m.form }, nil, "ctrl+s", warn("Check the marked fields")},
		{"detail esc", func(m *Model) page { return m.detail }, nil, "esc", goTo(screenQueue)},
		{"search esc", func(m *Model) page { return m.search }, nil, "esc", goTo(screenQueue)},
		{"help esc", func(m *Model) page { return m.pages[screenHelp] }, nil, "esc", goTo(screenQueue)},
		{"stats esc", func(m *Model) page { return m.stats }, nil, "esc", goTo(screenQueue)},
		{"stats central without a server", func(m *Model) page { return m.stats }, nil, "c",
			warn("No central server is set up: local figures only")},
		{"sync esc", func(m *Model) page { return m.sync }, nil, "esc", goTo(screenQueue)},
		{"sync now", func(m *Model) page { return m.sync }, func(m *Model) { m.opt.Sync = fs }, "s", say("Sync started…")},
		{"queue action with nobody at the counter", func(m *Model) page { return m.queue }, nil, "s",
			warn("Nobody is at this counter: c calls; another request: enter (details)")},
		{"queue open without a selection", func(m *Model) page { return m.queue }, nil, "enter", warn("Select a request first")},
		{"queue move asks nothing", func(m *Model) page { return m.queue }, nil, "down", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := loaded(t, newModel(t, openStore(t), "en"), 80, 24)
			if tt.setup != nil {
				tt.setup(m)
			}
			_, got := tt.page(m).update(press(tt.key))
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("intents %#v, want %#v", got, tt.want)
			}
			if m.screen != screenQueue || m.msg != "" {
				t.Errorf("the page wrote into the root: screen %d, message %q", m.screen, m.msg)
			}
		})
	}
}

// countingBackend counts the loads of the queue.
type countingBackend struct {
	*store.Store
	loads atomic.Int32
}

func (b *countingBackend) DayQueue(ctx context.Context, day string) ([]queue.Request, error) {
	b.loads.Add(1)
	return b.Store.DayQueue(ctx, day)
}

// TestActionReloadsTheQueueOnce: after an action the queue reloads once, on
// the change notification the action caused, and still shows its result.
func TestActionReloadsTheQueueOnce(t *testing.T) {
	for _, keys := range [][]string{{"c"}, {"s"}, {"t", "G", "enter"}} {
		st := openStore(t)
		seed(t, st)
		b := &countingBackend{Store: st}
		m := New(bg, Options{Backend: b, Lang: "en", Counter: "L1", Now: func() time.Time { return fixedNow }, Location: wib})
		t.Cleanup(m.Close)
		loaded(t, m, 80, 24)
		if keys[0] == "s" || keys[0] == "t" {
			step(t, m, press("c")) // serve or move the called one
		}
		b.loads.Store(0)
		for _, k := range keys {
			step(t, m, press(k))
		}
		if n := b.loads.Load(); n != 1 {
			t.Errorf("%v: the queue loaded %d times, want 1", keys, n)
		}
		if sel, _ := m.queue.selected(); keys[0] == "c" && (sel.Ticket != "B-001" || sel.Status != queue.StatusCalled) {
			t.Errorf("after a call the selection is %s (%s)", sel.Ticket, sel.Status)
		}
	}
}

// emptyBackend answers call-next with an error that is ErrQueueEmpty by
// errors.Is but says so in its own words, as a wrapped or translated error
// may.
type emptyBackend struct{ *store.Store }

type queueEmptyErr struct{}

func (queueEmptyErr) Error() string        { return "antrean kosong" }
func (queueEmptyErr) Is(target error) bool { return target == queue.ErrQueueEmpty }

func (emptyBackend) CallNext(context.Context, []string, queue.Actor) (queue.Request, error) {
	return queue.Request{}, queueEmptyErr{}
}

// TestEmptyQueueMatchedByErrorsIs: nobody waiting is a message, not a
// failure, whatever the error's text.
func TestEmptyQueueMatchedByErrorsIs(t *testing.T) {
	m := New(bg, Options{Backend: emptyBackend{openStore(t)}, Lang: "en", Counter: "L1", Now: func() time.Time { return fixedNow }, Location: wib})
	t.Cleanup(m.Close)
	loaded(t, m, 80, 24)
	step(t, m, press("c"))
	if m.msg != "Nobody is waiting" || m.msgErr {
		t.Fatalf("message %q (error %v), want the empty-queue message", m.msg, m.msgErr)
	}
}

// TestStatsLiveOnlyWhileShown: the local figures reload on a change while
// the statistics screen is shown, and not after leaving it.
func TestStatsLiveOnlyWhileShown(t *testing.T) {
	st := openStore(t)
	var loads atomic.Int32
	m := newModel(t, st, "en")
	m.opt.Stats = func(ctx context.Context, from, to, service string) (stats.Figures, error) {
		loads.Add(1)
		return stats.Figures{From: from, To: to}, nil
	}
	loaded(t, m, 80, 24)
	register := func() {
		t.Helper()
		if _, err := st.Register(bg, queue.NewRequest{Service: "A", Name: "Live", NIK: "3201014107900001"}, queue.Actor{}); err != nil {
			t.Fatal(err)
		}
		step(t, m, nil) // the watch delivers the change
	}
	step(t, m, press("2"))
	register()
	if n := loads.Load(); n != 2 {
		t.Fatalf("shown, then a change: %d loads, want 2", n)
	}
	step(t, m, press("esc"))
	register()
	if n := loads.Load(); n != 2 {
		t.Fatalf("after leaving: %d loads, want still 2", n)
	}
}

// TestActionShowsItsResultAtOnce: the row changes in the same frame as the
// message, without waiting for the reload (which a screen test may quit
// before).
func TestActionShowsItsResultAtOnce(t *testing.T) {
	st := openStore(t)
	seed(t, st)
	m := loaded(t, newModel(t, st, "en"), 80, 24)
	_, cmd := m.Update(press("c"))
	for _, msg := range runCmd(t, cmd) { // the change notification is not delivered
		m.Update(msg)
	}
	view := m.View()
	if !strings.Contains(m.msg, "B-001 called") || !strings.Contains(view, "▶ B-001  B    Agus Salim") ||
		!strings.Contains(view, "CALLED   B-001") || !strings.Contains(view, "Waiting: 3") {
		t.Fatalf("after the call's answer, before the reload:\n%s", view)
	}
}

// TestApplyKeepsTheNewerCopy: an action's answer that arrives after a
// reload which already holds a later change does not bring the row back.
func TestApplyKeepsTheNewerCopy(t *testing.T) {
	q := newQueuePage(common{opt: &Options{Now: func() time.Time { return fixedNow }, Location: wib}, catalog: &[]queue.Service{}})
	newer := queue.Request{ID: "1", Status: queue.StatusServing, EventSeqs: []uint64{1, 2, 3}}
	q.setRequests([]queue.Request{newer}, nil)
	q.apply(queue.Request{ID: "1", Status: queue.StatusCalled, EventSeqs: []uint64{1, 2}})
	if q.all[0].Status != queue.StatusServing {
		t.Fatalf("an older copy replaced the row: %s", q.all[0].Status)
	}
	q.apply(queue.Request{ID: "1", Status: queue.StatusDone, EventSeqs: []uint64{1, 2, 3, 4}})
	if q.all[0].Status != queue.StatusDone {
		t.Fatalf("a newer copy was not applied: %s", q.all[0].Status)
	}
}
