package tui

import (
	"context"
	"errors"
	"fmt"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/loket-id/loket/queue"
	"github.com/loket-id/loket/stats"
	"github.com/loket-id/loket/store"
)

// TestActOnThePersonAtTheCounter: s, d, x, r, b, k act on the person this
// counter called or serves, whatever row is highlighted; x, k and o ask
// first, naming the ticket; y is yes, anything else no.
func TestActOnThePersonAtTheCounter(t *testing.T) {
	tests := []struct {
		name   string
		keys   []string
		msgHas string
		want   map[string]queue.Status // the stored statuses after
		check  func(t *testing.T, m *Model)
	}{
		{"waiting filter: call, the called drops out, s serves them", []string{"f", "f", "c", "s"}, "now serving B-001",
			map[string]queue.Status{"B-001": queue.StatusServing, "A-001": queue.StatusWaiting}, func(t *testing.T, m *Model) {
				if sel, _ := m.queue.selected(); sel.Status != queue.StatusWaiting {
					t.Errorf("the highlight is on %s (%s)", sel.Ticket, sel.Status)
				}
			}},
		{"waiting filter: x asks about the called person, not the highlighted one", []string{"f", "f", "c", "x"}, "Mark B-001 as no-show? (y=yes / n=no)",
			map[string]queue.Status{"B-001": queue.StatusCalled, "A-001": queue.StatusWaiting}, nil},
		{"y marks them; a second x finds nobody", []string{"f", "f", "c", "x", "y", "x"}, "Nobody is at this counter",
			map[string]queue.Status{"B-001": queue.StatusNoShow, "A-001": queue.StatusWaiting, "A-002": queue.StatusWaiting}, nil},
		{"n drops the question", []string{"c", "x", "n"}, "Not done: nothing changed", map[string]queue.Status{"B-001": queue.StatusCalled}, func(t *testing.T, m *Model) {
			if m.pending != nil {
				t.Error("the question is still pending")
			}
		}},
		{"t (tidak) drops it too", []string{"c", "x", "t"}, "Not done", map[string]queue.Status{"B-001": queue.StatusCalled}, nil},
		{"highlight elsewhere: s serves the called one", []string{"c", "down", "down", "s"}, "now serving B-001",
			map[string]queue.Status{"B-001": queue.StatusServing, "A-001": queue.StatusWaiting, "A-002": queue.StatusWaiting}, nil},
		{"d on a called request finishes it", []string{"c", "d"}, "B-001 done", map[string]queue.Status{"B-001": queue.StatusDone}, nil},
		{"k asks, then cancels", []string{"c", "k", "y"}, "B-001 cancelled", map[string]queue.Status{"B-001": queue.StatusCancelled}, nil},
		{"r recalls", []string{"c", "r"}, "B-001 called again (call 2)", map[string]queue.Status{"B-001": queue.StatusCalled}, nil},
		{"b puts back", []string{"c", "b"}, "B-001 put back in line", map[string]queue.Status{"B-001": queue.StatusWaiting}, nil},
		{"o on the no-show asks, y reopens", []string{"c", "x", "y", "o", "y"}, "B-001 reopened: waiting again",
			map[string]queue.Status{"B-001": queue.StatusWaiting}, nil},
		{"o asks naming the ticket", []string{"c", "x", "y", "o"}, "Reopen B-001 so that it waits again? (y=yes / n=no)",
			map[string]queue.Status{"B-001": queue.StatusNoShow}, nil},
		{"o on a waiting request", []string{"o"}, "Select a no-show or cancelled request to reopen", map[string]queue.Status{"A-001": queue.StatusWaiting}, nil},
		{"another request: from its details, asked", []string{"down", "enter", "x", "y"}, "A-002 marked no-show",
			map[string]queue.Status{"A-002": queue.StatusNoShow, "A-001": queue.StatusWaiting}, nil},
		{"details: c calls that one", []string{"down", "enter", "c"}, "A-002 called to L1", map[string]queue.Status{"A-002": queue.StatusCalled, "B-001": queue.StatusWaiting}, nil},
		{"details: s on a waiting one says why, in words", []string{"enter", "s"}, "Cannot serve A-001: it is waiting", map[string]queue.Status{"A-001": queue.StatusWaiting}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := openStore(t)
			seed(t, st)
			m := loaded(t, New(bg, Options{Backend: st, Lang: "en", Counter: "L1", Clerk: "Sari", Now: func() time.Time { return fixedNow }, Location: wib}), 80, 24)
			t.Cleanup(m.Close)
			for _, k := range tt.keys {
				step(t, m, press(k))
			}
			if !strings.Contains(m.msg, tt.msgHas) {
				t.Errorf("message %q, want %q", m.msg, tt.msgHas)
			}
			for ticket, want := range tt.want {
				if r, err := st.Get(bg, ticket); err != nil || r.Status != want {
					t.Errorf("%s is %s (%v), want %s", ticket, r.Status, err, want)
				}
			}
			if tt.check != nil {
				tt.check(t, m)
			}
		})
	}
}

// TestDoneFromCalledWritesServeAndDone: the history of a request finished
// straight from called shows both steps, in the UI's language.
func TestDoneFromCalledWritesServeAndDone(t *testing.T) {
	st := openStore(t)
	seed(t, st)
	m := loaded(t, newModel(t, st, "id"), 80, 24)
	for _, k := range []string{"c", "d", "/", "B-001"} {
		step(t, m, press(k))
	}
	step(t, m, press("enter"))
	view := m.View()
	for _, want := range []string{"didaftarkan", "dipanggil", "mulai dilayani", "selesai"} {
		if !strings.Contains(view, want) {
			t.Errorf("history lacks %q:\n%s", want, view)
		}
	}
	if strings.Contains(view, " created ") || strings.Contains(view, " serving ") {
		t.Errorf("raw event names:\n%s", view)
	}
}

// TestEscFromDetailsGoesBack: details opened from the search go back to
// the results, kept; from the queue, to the queue.
func TestEscFromDetailsGoesBack(t *testing.T) {
	st := openStore(t)
	seed(t, st)
	m := loaded(t, newModel(t, st, "en"), 80, 24)
	for _, k := range []string{"/", "dew", "enter"} {
		step(t, m, press(k))
	}
	if m.screen != screenDetail || m.detail.req.Ticket != "C-001" {
		t.Fatalf("screen %d, detail %s", m.screen, m.detail.req.Ticket)
	}
	step(t, m, press("esc"))
	if m.screen != screenSearch || len(m.search.reqs) != 1 || !strings.Contains(m.View(), "Dewi Lestari") {
		t.Fatalf("after esc: screen %d, %d results\n%s", m.screen, len(m.search.reqs), m.View())
	}
	step(t, m, press("esc"))
	step(t, m, press("enter"))
	step(t, m, press("esc"))
	if m.screen != screenQueue {
		t.Fatalf("details from the queue went back to %d", m.screen)
	}
}

// TestReprintEverywhere: p prints again from the details, ctrl+p from the
// search results, also a request of an earlier day.
func TestReprintEverywhere(t *testing.T) {
	st := openStore(t)
	seed(t, st)
	if _, err := st.Register(bg, queue.NewRequest{Service: "D", Name: "Kemarin Saja", NIK: "3201014107900001", At: fixedNow.AddDate(0, 0, -1)}, queue.Actor{}); err != nil {
		t.Fatal(err)
	}
	rc := &fakeReceipts{ok: true, failed: map[string]string{}}
	m := newModel(t, st, "en")
	m.opt.Receipts = rc
	m = loaded(t, m, 80, 24)
	for _, k := range []string{"down", "enter", "p"} {
		step(t, m, press(k))
	}
	for _, k := range []string{"esc", "/", "kemarin"} {
		step(t, m, press(k))
	}
	step(t, m, ctrlP())
	if !slices.Equal(rc.printed, []string{"A-002/A", "D-001/D"}) || !strings.Contains(m.msg, "Receipt D-001 printed") {
		t.Fatalf("printed %v, message %q", rc.printed, m.msg)
	}
}

// TestUnprintedReasonInDetails: the message line says the kind and what
// to do; the details have the printer's whole reason.
func TestUnprintedReasonInDetails(t *testing.T) {
	st := openStore(t)
	rc := &fakeReceipts{failed: map[string]string{}}
	m := newModel(t, st, "id")
	m.opt.Receipts = rc
	m = loaded(t, m, 80, 24)
	for _, k := range []string{"n", "a", "tab", "Budi", "tab", "3201014107900001", "ctrl+s"} {
		step(t, m, press(k))
	}
	if !strings.HasPrefix(m.msg, "Tanda terima A-001 TIDAK tercetak (printer menolak) · p cetak ulang") {
		t.Fatalf("message %q", m.msg)
	}
	step(t, m, press("enter"))
	step(t, m, press("enter"))
	if !strings.Contains(m.View(), "out of paper") || !strings.Contains(m.View(), ".failed") {
		t.Fatalf("details without the reason:\n%s", m.View())
	}
}

// yesterdayLeftOpen is a store where yesterday's day was not closed: one
// waiting, one called, one being served; and one waiting today.
func yesterdayLeftOpen(t *testing.T) *store.Store {
	st := openStore(t)
	y := fixedNow.AddDate(0, 0, -1)
	for i, name := range []string{"Ani Kemarin", "Bayu Kemarin", "Cici Kemarin"} {
		if _, err := st.Register(bg, queue.NewRequest{Service: "A", Name: name, NIK: "3201014107900001", At: y.Add(time.Duration(i) * time.Minute)}, queue.Actor{}); err != nil {
			t.Fatal(err)
		}
	}
	by := queue.Actor{Counter: "L1", Clerk: "Sari"}
	for _, a := range []struct {
		ref string
		act queue.Action
	}{{"2026-11-26/A-002", queue.ActCall}, {"2026-11-26/A-003", queue.ActCall}, {"2026-11-26/A-003", queue.ActServe}} {
		if _, err := st.Act(bg, a.ref, a.act, "", by); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := st.Register(bg, queue.NewRequest{Service: "B", Name: "Dodi Hari Ini", NIK: "3201014107900001"}, queue.Actor{}); err != nil {
		t.Fatal(err)
	}
	return st
}

// TestCloseDay: yesterday's open requests show on the queue, waiting now
// counts today's only; z lists what closing would do, z again asks, y
// closes (the one being served stays open).
func TestCloseDay(t *testing.T) {
	for _, lang := range []string{"id", "en"} {
		t.Run(lang, func(t *testing.T) {
			st := yesterdayLeftOpen(t)
			m := newModel(t, st, lang)
			m.opt.Closer = st
			m = loaded(t, m, 80, 24)
			step(t, m, m.c.loadEarlier()())
			view := m.View()
			wantNotice := map[string]string{"id": "3 permohonan hari sebelumnya belum ditutup (2026-11-26)", "en": "earlier days not closed: 3 open (2026-11-26)"}[lang]
			wantWaiting := map[string]string{"id": "Menunggu: 1", "en": "Waiting: 1"}[lang]
			if !strings.Contains(view, wantNotice) || !strings.Contains(view, wantWaiting) {
				t.Fatalf("queue:\n%s", view)
			}
			step(t, m, press("z"))
			golden(t, "closeday_"+lang, m.View())
			if m.close.plan == nil || len(m.close.plan.Closed) != 2 || len(m.close.plan.Serving) != 1 {
				t.Fatalf("plan %+v", m.close.plan)
			}
			step(t, m, press("z"))
			if m.pending == nil {
				t.Fatalf("z did not ask: %q", m.msg)
			}
			step(t, m, press("y"))
			for ref, want := range map[string]queue.Status{"2026-11-26/A-001": queue.StatusNoShow, "2026-11-26/A-002": queue.StatusNoShow,
				"2026-11-26/A-003": queue.StatusServing, "B-001": queue.StatusWaiting} {
				if r, err := st.Get(bg, ref); err != nil || r.Status != want {
					t.Errorf("%s: %s %v, want %s", ref, r.Status, err, want)
				}
			}
			// The one being served is finished from its details.
			step(t, m, press("down"))
			step(t, m, press("enter"))
			if m.screen != screenDetail || m.detail.req.Ticket != "A-003" {
				t.Fatalf("screen %d, %s", m.screen, m.detail.req.Ticket)
			}
			step(t, m, press("d"))
			if r, _ := st.Get(bg, "2026-11-26/A-003"); r.Status != queue.StatusDone {
				t.Fatalf("A-003 of yesterday: %s", r.Status)
			}
			step(t, m, press("esc"))
			if m.screen != screenClose {
				t.Fatalf("esc from the details went to %d", m.screen)
			}
			if len(m.queue.earlier) != 0 {
				t.Fatalf("still left open: %v", m.queue.earlier)
			}
		})
	}
}

// TestNewDayReloads: after midnight the queue is the new day's: waiting
// now counts today, yesterday's open requests show as left open.
func TestNewDayReloads(t *testing.T) {
	st := openStore(t)
	seed(t, st)
	now := fixedNow
	m := New(bg, Options{Backend: st, Lang: "en", Counter: "L1", Now: func() time.Time { return now }, Location: wib})
	t.Cleanup(m.Close)
	loaded(t, m, 80, 24)
	if !strings.Contains(m.View(), "Waiting: 4") {
		t.Fatalf("before midnight:\n%s", m.View())
	}
	now = fixedNow.AddDate(0, 0, 1)
	step(t, m, tickMsg(now))
	if view := m.View(); !strings.Contains(view, "Waiting: 0") || !strings.Contains(view, "earlier days not closed: 4 open (2026-11-27)") {
		t.Fatalf("after midnight:\n%s", view)
	}
}

// TestSameDaySameServiceWarns: the same NIK for the same service today is
// asked about, not refused.
func TestSameDaySameServiceWarns(t *testing.T) {
	st := openStore(t)
	seed(t, st) // Siti Aminah, A-001, NIK …0001
	m := loaded(t, newModel(t, st, "id"), 80, 24)
	for _, k := range []string{"n", "a", "tab", "Siti", "tab", "3201014107900001", "ctrl+s"} {
		step(t, m, press(k))
	}
	if !strings.Contains(m.msg, "NIK ini sudah terdaftar hari ini untuk layanan A: A-001 (menunggu), A-002 (menunggu). Tetap simpan? (y=ya / t=tidak)") {
		t.Fatalf("message %q", m.msg)
	}
	step(t, m, press("t"))
	if rs, _ := st.DayQueue(bg, ""); len(rs) != 4 {
		t.Fatalf("saved after no: %d requests", len(rs))
	}
	step(t, m, press("ctrl+s"))
	step(t, m, press("y"))
	if !strings.Contains(m.msg, "A-003 terdaftar") {
		t.Fatalf("after yes: %q", m.msg)
	}
}

// TestDocumentsReceived: the clerk ticks the documents received, from the
// service's list; they are stored with the request.
func TestDocumentsReceived(t *testing.T) {
	st := openStore(t)
	m := loaded(t, newModel(t, st, "id"), 80, 24)
	for _, k := range []string{"n", "a", "tab", "Budi", "tab", "3201014107900001", "tab", "tab", "tab", "tab", " ", "down", "down", " "} {
		step(t, m, press(k))
	}
	golden(t, "form_docs_id", m.View())
	step(t, m, press("ctrl+s"))
	r, err := st.Get(bg, "A-001")
	if err != nil || !slices.Equal(r.DocumentsReceived, []string{"KTP pemohon (asli dan fotokopi)", "Alamat email dan nomor HP aktif"}) {
		t.Fatalf("stored %v, %v", r.DocumentsReceived, err)
	}
}

// TestErrorTexts: what a clerk reads of each kind of error.
func TestErrorTexts(t *testing.T) {
	tests := []struct {
		lang string
		err  error
		want string
	}{
		{"id", &queue.TransitionError{Ticket: "A-004", Status: queue.StatusWaiting, Action: queue.ActServe}, "Tidak dapat melayani A-004: statusnya menunggu"},
		{"id", fmt.Errorf("act: %w", &queue.TransitionError{Ticket: "A-002", Status: queue.StatusDone, Action: queue.ActDone}), "Tidak dapat menyelesaikan A-002: statusnya selesai"},
		{"en", &queue.TransitionError{Ticket: "A-004", Status: queue.StatusNoShow, Action: queue.ActRecall}, "Cannot call again A-004: it is no-show"},
		{"id", &queue.FieldError{Field: "day", Code: "reopen.day", Reason: "x"}, "hanya bisa dibuka lagi pada harinya sendiri"},
		{"id", &queue.FieldError{Field: "ticket", Code: "ticket.form", Reason: `"Z" is not a ticket like A-007`}, `Data tidak sah (ticket): "Z" is not a ticket like A-007`},
		{"id", fmt.Errorf("resolve X-9: %w", queue.ErrNotFound), "Tidak ditemukan: resolve X-9: not found"},
		{"id", errors.New("disk on fire"), "Gagal: disk on fire"},
	}
	for _, tt := range tests {
		c := common{t: NewText(tt.lang)}
		if got := c.errText(tt.err); got != tt.want {
			t.Errorf("%s %v: %q, want %q", tt.lang, tt.err, got, tt.want)
		}
	}
	id := common{t: NewText("id")}
	for _, tc := range []struct{ in, want string }{
		{"09:29:00 server unreachable: dial tcp 127.0.0.1:9: connection refused", "09:29:00 Server tidak terjangkau · dial tcp 127.0.0.1:9: connection refused"},
		{"09:30:00 push: refused by the server: 401 bad token", "09:30:00 Ditolak server · push: : 401 bad token"},
		{"something else", "something else"},
	} {
		if got := id.syncErrText(tc.in); got != tc.want {
			t.Errorf("sync %q: %q, want %q", tc.in, got, tc.want)
		}
	}
	for _, tc := range []struct {
		err  error
		want string
	}{
		{fmt.Errorf("print x with lp: %w", exec.ErrNotFound), "program pencetak tidak ditemukan"},
		{fmt.Errorf("print: %w", context.DeadlineExceeded), "printer tidak menjawab"},
		{errors.New("lp: Error - The printer or class does not exist."), "printer menolak"},
	} {
		if got := id.printErrKind(tc.err); got != tc.want {
			t.Errorf("print %v: %q, want %q", tc.err, got, tc.want)
		}
	}
}

// TestScreensGolden: the screens this change touched, at 80x24, in both
// languages, without colour (the tests' profile): the focus and the cursor
// show as characters.
func TestScreensGolden(t *testing.T) {
	for _, lang := range []string{"id", "en"} {
		t.Run(lang, func(t *testing.T) {
			st := openStore(t)
			seed(t, st)
			m := loaded(t, newModel(t, st, lang), 80, 24)
			step(t, m, press("?"))
			golden(t, "help_"+lang, m.View())
			step(t, m, press("esc"))
			for _, k := range []string{"c", "down", "down"} {
				step(t, m, press(k))
			}
			step(t, m, press("x"))
			golden(t, "confirm_noshow_"+lang, m.View())
			step(t, m, press("y"))
			step(t, m, press("enter"))
			golden(t, "detail_"+lang, m.View())
			step(t, m, press("esc"))
			step(t, m, press("n"))
			for _, k := range []string{"tab", "Rina"} {
				step(t, m, press(k))
			}
			golden(t, "form_"+lang, m.View())
		})
	}
}

// TestStatsChartGolden: waiting time by hour beside arrivals by hour, at
// 80x24, with no data shown as such.
func TestStatsChartGolden(t *testing.T) {
	fig := stats.Figures{From: "2026-11-27", To: "2026-11-27", BusiestHour: 10,
		Counts: stats.Counts{Arrivals: 120, Served: 100, NoShow: 8, Waiting: 6, WaitSeconds: stats.Dist{Avg: 1100, P50: 840, P90: 3840, N: 108},
			ServiceSeconds: stats.Dist{Avg: 600, P50: 540, P90: 1200, N: 100}, WithinTargetRatio: 0.61}}
	for _, c := range []string{"L1", "L10", "L2"} {
		fig.ByCounter = append(fig.ByCounter, stats.Group{Key: c})
	}
	fig.ByService = []stats.Service{{Service: "A", Counts: fig.Counts}, {Service: "H", Counts: stats.Counts{Arrivals: 2}}}
	for h := 0; h < 24; h++ {
		hc := stats.HourCount{Hour: h}
		if h >= 8 && h <= 15 {
			hc.Arrivals = []int{10, 22, 30, 18, 12, 15, 9, 4}[h-8]
			med := []float64{300, 900, 1800, 1500, 600, 700, 400, 0}[h-8]
			if h < 15 {
				hc.WaitSeconds = stats.Dist{P50: med, P90: med * 2.2, N: hc.Arrivals}
			}
		}
		fig.ByHour = append(fig.ByHour, hc)
	}
	for _, lang := range []string{"id", "en"} {
		st := openStore(t)
		m := newModel(t, st, lang)
		m.opt.Stats = func(ctx context.Context, from, to, service string) (stats.Figures, error) { return fig, nil }
		m = loaded(t, m, 80, 24)
		step(t, m, press("2"))
		golden(t, "stats_chart_"+lang, m.View())
	}
}
