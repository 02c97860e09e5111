package tui

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"math/rand"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/exp/teatest"
	"github.com/muesli/termenv"

	"github.com/loket-id/loket/queue"
	"github.com/loket-id/loket/skm"
	"github.com/loket-id/loket/stats"
	"github.com/loket-id/loket/store"
)

// updating reports -update (the flag is defined by teatest's golden package).
func updating() bool {
	f := flag.Lookup("update")
	return f != nil && f.Value.String() == "true"
}

func init() { lipgloss.SetColorProfile(termenv.Ascii) }

var (
	wib      = time.FixedZone("WIB", 7*3600)
	fixedNow = time.Date(2026, 11, 27, 9, 30, 0, 0, wib)
	bg       = context.Background()
)

func openStore(t *testing.T) *store.Store {
	t.Helper()
	st, err := store.Open(filepath.Join(t.TempDir(), store.FileName), store.Options{Clock: func() time.Time { return fixedNow }, Location: wib,
		Random: rand.New(rand.NewSource(1))})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func newModel(t *testing.T, st *store.Store, lang string) *Model {
	m := New(bg, Options{Backend: st, Lang: lang, Office: "DPMPTSP Kota Bandung", Counter: "L1", CounterName: "Loket 1",
		Clerk: "Sari", Now: func() time.Time { return fixedNow }, Location: wib})
	t.Cleanup(m.Close)
	return m
}

func seed(t *testing.T, st *store.Store) {
	t.Helper()
	for _, w := range []struct {
		svc, name string
		p         queue.Priority
	}{{"A", "Siti Aminah", ""}, {"A", "Budi Santoso", ""}, {"B", "Agus Salim", queue.PriorityElderly}, {"C", "Dewi Lestari", ""}} {
		if _, err := st.Register(bg, queue.NewRequest{Service: w.svc, Name: w.name, NIK: "3201014107900001", Priority: w.p}, queue.Actor{Counter: "L2", Clerk: "Budi"}); err != nil {
			t.Fatal(err)
		}
	}
}

// golden compares got with testdata/name.golden; a missing file fails
// (unless -update), so a test can never pass by having nothing to compare.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if updating() {
		os.MkdirAll("testdata", 0o755)
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("golden file %s: %v (run go test ./tui -update to create it)", path, err)
	}
	if string(want) != got {
		t.Errorf("%s differs from the golden file:\n--- got\n%s\n--- want\n%s", name, got, want)
	}
}

// program drives the whole UI at 80x24 with teatest.
type program struct {
	t  *testing.T
	tm *teatest.TestModel
}

func start(t *testing.T, m *Model) *program {
	tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(80, 24))
	return &program{t: t, tm: tm}
}

func (p *program) keys(ks ...string) {
	for _, k := range ks {
		p.tm.Send(press(k))
	}
}

// waitFor waits until the screen has shown s.
func (p *program) waitFor(s string) {
	p.t.Helper()
	teatest.WaitFor(p.t, p.tm.Output(), func(b []byte) bool { return bytes.Contains(b, []byte(s)) },
		teatest.WithDuration(5*time.Second), teatest.WithCheckInterval(10*time.Millisecond))
}

// final quits and returns the last screen.
func (p *program) final() string {
	p.tm.Send(tea.KeyMsg{Type: tea.KeyCtrlC})
	return p.tm.FinalModel(p.t, teatest.WithFinalTimeout(5*time.Second)).View()
}

func TestRegisterCallServeDone(t *testing.T) {
	st := openStore(t)
	p := start(t, newModel(t, st, "en"))
	p.waitFor("No requests today yet")
	p.keys("n")
	p.waitFor("New walk-in")
	p.keys("c", "tab", "Rina Wati", "tab", "3201014107900002", "tab", "0812 3456 7890", "tab", "first visit", "tab", "right", "ctrl+s")
	p.waitFor("C-001 registered")
	p.keys("enter")
	p.waitFor("Nobody called")
	p.keys("c")
	p.waitFor("C-001 called to Loket 1")
	p.keys("s")
	p.waitFor("now serving C-001")
	p.keys("d")
	p.waitFor("C-001 done")
	golden(t, "register_call_serve_done", p.final())
	r, err := st.Get(bg, "C-001")
	if err != nil || r.Status != queue.StatusDone || r.Priority != queue.PriorityElderly || r.Phone != "+6281234567890" || r.Counter != "L1" || r.Clerk != "Sari" {
		t.Fatalf("stored request = %+v, %v", r, err)
	}
}

func TestNoShowAfterCalls(t *testing.T) {
	st := openStore(t)
	seed(t, st)
	p := start(t, newModel(t, st, "en"))
	p.waitFor("Siti Aminah")
	p.keys("c")
	p.waitFor("B-001 called") // priority first
	p.keys("r")
	p.waitFor("called again (call 2)")
	p.keys("r")
	p.waitFor("press x if nobody comes")
	p.keys("x")
	p.waitFor("Mark B-001 as no-show? (y=yes / n=no)")
	p.keys("y")
	p.waitFor("B-001 marked no-show")
	golden(t, "no_show", p.final())
	if r, _ := st.Get(bg, "B-001"); r.Status != queue.StatusNoShow || r.Calls != 3 {
		t.Fatalf("B-001 = %s after %d calls", r.Status, r.Calls)
	}
}

func TestTransfer(t *testing.T) {
	st := openStore(t)
	seed(t, st)
	p := start(t, newModel(t, st, "en"))
	p.waitFor("Siti Aminah")
	p.keys("t") // nobody at the counter: t moves no one
	p.waitFor("Nobody is at this counter")
	p.keys("enter") // a waiting person is moved from the details
	p.waitFor("Request detail")
	p.keys("t")
	p.waitFor("Move A-001 to service:")
	p.keys("G", "enter")
	p.waitFor("A-001 moved to service G")
	golden(t, "transfer", p.final())
	if r, _ := st.Get(bg, "A-001"); r.Service != "G" || r.Ticket != "A-001" || r.Status != queue.StatusWaiting {
		t.Fatalf("A-001 after transfer = %+v", r)
	}
}

func TestFormRejectsBadNIK(t *testing.T) {
	st := openStore(t)
	p := start(t, newModel(t, st, "id"))
	p.waitFor("Belum ada permohonan")
	p.keys("n", "a", "tab", "Budi", "tab", "3201019907900001", "ctrl+s")
	p.waitFor("Periksa isian yang ditandai")
	golden(t, "form_bad_nik", p.final())
	if rs, _ := st.DayQueue(bg, ""); len(rs) != 0 {
		t.Fatalf("a rejected form saved %d requests", len(rs))
	}
}

func TestSearch(t *testing.T) {
	st := openStore(t)
	seed(t, st)
	p := start(t, newModel(t, st, "en"))
	p.waitFor("Siti Aminah")
	p.keys("/", "dew")
	p.waitFor("C-001")
	golden(t, "search", p.final())
}

func TestHelpScreen(t *testing.T) {
	st := openStore(t)
	p := start(t, newModel(t, st, "en"))
	p.waitFor("No requests today yet")
	p.keys("?")
	p.waitFor("back in line")
	golden(t, "help", p.final())
}

func TestQueueScreenLanguages(t *testing.T) {
	for _, lang := range []string{"id", "en"} {
		t.Run(lang, func(t *testing.T) {
			st := openStore(t)
			seed(t, st)
			p := start(t, newModel(t, st, lang))
			p.waitFor("Dewi Lestari")
			golden(t, "queue_"+lang, p.final())
		})
	}
}

// TestPicksUpOutsideChanges: a registration that does not come from the
// screen (another process's `loket add`, which the owner socket runs against
// this same store) shows without a key press.
func TestPicksUpOutsideChanges(t *testing.T) {
	st := openStore(t)
	p := start(t, newModel(t, st, "en"))
	p.waitFor("No requests today yet")
	if _, err := st.Register(bg, queue.NewRequest{Service: "F", Name: "Kiosk Walk In", NIK: "3201014107900001"}, queue.Actor{Counter: "KIOSK"}); err != nil {
		t.Fatal(err)
	}
	p.waitFor("Kiosk Walk In")
	p.final()
}

// step runs m.Update and, to the end, the commands it returns, as the
// program would; then it delivers the change notification those commands
// caused, as the program's change watch would. The model is manual: it
// starts no command that waits (the clock, the change watch), so every
// command answers at once, and one that has not answered after a generous
// bound fails the test rather than being dropped.
func step(t *testing.T, m *Model, msg tea.Msg) {
	t.Helper()
	queue := []tea.Msg{msg}
	for len(queue) > 0 {
		msg := queue[0]
		queue = queue[1:]
		_, cmd := m.Update(msg)
		queue = append(queue, runCmd(t, cmd)...)
		if len(queue) == 0 {
			select {
			case <-m.changes:
				queue = append(queue, changedMsg{})
			default:
			}
		}
	}
}

// loaded makes m manual, sizes it and runs its first loads, as the
// program's start would.
func loaded(t *testing.T, m *Model, w, h int) *Model {
	t.Helper()
	m.manual = true
	step(t, m, tea.WindowSizeMsg{Width: w, Height: h})
	for _, c := range []tea.Cmd{m.c.loadQueue(), m.c.loadServices()} {
		for _, msg := range runCmd(t, c) {
			step(t, m, msg)
		}
	}
	return m
}

// cmdBound is how long a command may take before the test fails: far more
// than any of them needs, even on a loaded machine.
const cmdBound = 30 * time.Second

// runCmd runs cmd to the end and returns its messages, a batch's flattened.
func runCmd(t *testing.T, cmd tea.Cmd) []tea.Msg {
	t.Helper()
	if cmd == nil {
		return nil
	}
	done := make(chan tea.Msg, 1)
	go func() { done <- cmd() }()
	var msg tea.Msg
	select {
	case msg = <-done:
	case <-time.After(cmdBound):
		t.Fatalf("a command has not answered after %s: a waiting command in a manual model?", cmdBound)
	}
	if batch, ok := msg.(tea.BatchMsg); ok {
		var out []tea.Msg
		for _, c := range batch {
			out = append(out, runCmd(t, c)...)
		}
		return out
	}
	if msg == nil {
		return nil
	}
	return []tea.Msg{msg}
}

// press is the key message of a key name ("tab", "ctrl+s") or typed text.
func press(s string) tea.KeyMsg {
	switch s {
	case "tab":
		return tea.KeyMsg{Type: tea.KeyTab}
	case "enter":
		return tea.KeyMsg{Type: tea.KeyEnter}
	case "esc":
		return tea.KeyMsg{Type: tea.KeyEsc}
	case "ctrl+s":
		return tea.KeyMsg{Type: tea.KeyCtrlS}
	case "up":
		return tea.KeyMsg{Type: tea.KeyUp}
	case "down":
		return tea.KeyMsg{Type: tea.KeyDown}
	case "right":
		return tea.KeyMsg{Type: tea.KeyRight}
	case "left":
		return tea.KeyMsg{Type: tea.KeyLeft}
	case " ":
		return tea.KeyMsg{Type: tea.KeySpace, Runes: []rune{' '}}
	}
	return tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(s)} // typed text arrives as one message, as when pasted
}

func ctrlP() tea.KeyMsg { return tea.KeyMsg{Type: tea.KeyCtrlP} }

// TestQueueKeys: key in, state out, on the queue screen.
func TestQueueKeys(t *testing.T) {
	tests := []struct {
		name   string
		keys   []string
		screen screen
		msgHas string
		check  func(t *testing.T, st *store.Store, m *Model)
	}{
		{"call takes priority first and selects it", []string{"c"}, screenQueue, "B-001 called", func(t *testing.T, st *store.Store, m *Model) {
			if sel, _ := m.queue.selected(); sel.Ticket != "B-001" {
				t.Errorf("selected %s", sel.Ticket)
			}
		}},
		{"serve with nobody at the counter", []string{"s"}, screenQueue, "Nobody is at this counter", nil},
		{"down then no-show takes nobody", []string{"down", "x"}, screenQueue, "Nobody is at this counter", nil},
		{"no-show from the details asks, names the ticket", []string{"down", "enter", "x"}, screenDetail, "Mark A-002 as no-show? (y=yes / n=no)", nil},
		{"and y marks it", []string{"down", "enter", "x", "y"}, screenDetail, "A-002 marked no-show", nil},
		{"requeue", []string{"c", "b"}, screenQueue, "B-001 put back in line", nil},
		{"filter cycles to open", []string{"f"}, screenQueue, "", func(t *testing.T, st *store.Store, m *Model) {
			if statusFilters[m.queue.status] != "open" {
				t.Errorf("filter %q", statusFilters[m.queue.status])
			}
		}},
		{"service filter", []string{"v", "v"}, screenQueue, "", func(t *testing.T, st *store.Store, m *Model) {
			if m.queue.service != "B" || len(m.queue.rows) != 1 {
				t.Errorf("service filter %q, %d rows", m.queue.service, len(m.queue.rows))
			}
		}},
		{"enter opens detail", []string{"enter"}, screenDetail, "", func(t *testing.T, st *store.Store, m *Model) {
			if m.detail.req.Ticket != "A-001" || len(m.detail.hist) != 1 {
				t.Errorf("detail of %s with %d events", m.detail.req.Ticket, len(m.detail.hist))
			}
		}},
		{"help and back", []string{"?", "esc"}, screenQueue, "", nil},
		{"stats and sync screens are reserved", []string{"2"}, screenStats, "", nil},
		{"sync screen", []string{"3"}, screenSync, "", nil},
		{"n opens the form", []string{"n"}, screenForm, "", nil},
		{"search", []string{"/"}, screenSearch, "", nil},
		{"draft kept, quit asks", []string{"n", "tab", "Budi", "esc", "q"}, screenQueue, "unsaved input", func(t *testing.T, st *store.Store, m *Model) {
			if m.pending == nil || m.form.inputs[fName].Value() != "Budi" {
				t.Errorf("confirm %v, draft %q", m.pending, m.form.inputs[fName].Value())
			}
		}},
		{"quit confirmation refused", []string{"n", "tab", "Budi", "esc", "q", "n"}, screenQueue, "", func(t *testing.T, st *store.Store, m *Model) {
			if m.pending != nil || !m.form.dirty() {
				t.Errorf("after refusing: confirm %v, draft kept %v", m.pending, m.form.dirty())
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := openStore(t)
			seed(t, st)
			m := loaded(t, newModel(t, st, "en"), 80, 24)
			for _, k := range tt.keys {
				step(t, m, press(k))
			}
			if m.screen != tt.screen {
				t.Errorf("screen %d, want %d", m.screen, tt.screen)
			}
			if !strings.Contains(m.msg, tt.msgHas) {
				t.Errorf("message %q, want %q", m.msg, tt.msgHas)
			}
			if tt.check != nil {
				tt.check(t, st, m)
			}
		})
	}
}

// TestFormValidation: each field is checked as typed with the store's rules.
func TestFormValidation(t *testing.T) {
	tests := []struct {
		field int
		value string
		errID string
	}{
		{fNIK, "123", "harus 16 angka"},
		{fNIK, "9901014107900001", "kode provinsi tidak dikenal"},
		{fNIK, "3201014107900000", "nomor urut 0000 tidak sah"},
		{fNIK, "3201014107900001", ""},
		{fPhone, "021555", "harus nomor HP Indonesia"},
		{fPhone, "08123", "harus 10-13 angka"},
		{fPhone, "", ""},
		{fName, strings.Repeat("a", 101), "terlalu panjang"},
		{fName, "Budi", ""},
	}
	st := openStore(t)
	for _, tt := range tests {
		m := loaded(t, newModel(t, st, "id"), 80, 24)
		step(t, m, press("n"))
		for range tt.field {
			step(t, m, press("tab"))
		}
		m.form.inputs[tt.field].SetValue(tt.value)
		m.form.touched[tt.field] = true
		m.form.validate()
		if got := m.form.errs[tt.field]; !strings.Contains(got, tt.errID) || (tt.errID == "" && got != "") {
			t.Errorf("field %d = %q: error %q, want %q", tt.field, tt.value, got, tt.errID)
		}
	}
}

func TestCleanShowsControlCharacters(t *testing.T) {
	if got := clean("A\x1b[2J\x07B\u009bC"); got != "A?[2J?B?C" {
		t.Fatalf("clean = %q", got)
	}
}

// TestLargeScreen: a 160x48 terminal gets the service names and more rows.
func TestLargeScreen(t *testing.T) {
	st := openStore(t)
	seed(t, st)
	m := loaded(t, newModel(t, st, "id"), 160, 48)
	golden(t, "queue_id_160x48", m.View())
}

// fakeReceipts fails to print until ok is set, like a printer out of paper.
type fakeReceipts struct {
	mu      sync.Mutex
	ok      bool
	printed []string
	failed  map[string]string
}

func (f *fakeReceipts) Print(ctx context.Context, r queue.Request, svc queue.Service) (ReceiptResult, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if !f.ok {
		f.failed[r.ID] = "out of paper"
		return ReceiptResult{Path: "/r/" + r.Ticket + ".pdf", PrintErr: errors.New("out of paper")}, nil
	}
	delete(f.failed, r.ID)
	f.printed = append(f.printed, r.Ticket+"/"+svc.Code)
	return ReceiptResult{Path: "/r/" + r.Ticket + ".pdf", Printed: true}, nil
}

func (f *fakeReceipts) Failed(day string) map[string]string {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := map[string]string{}
	for k, v := range f.failed {
		out[k] = v
	}
	return out
}

// TestReceiptPrinting: a registration prints its receipt in the background;
// a failed print marks the row until p prints it again.
func TestReceiptPrinting(t *testing.T) {
	st := openStore(t)
	rc := &fakeReceipts{failed: map[string]string{}}
	m := newModel(t, st, "en")
	m.opt.Receipts = rc
	m = loaded(t, m, 80, 24)
	for _, k := range []string{"n", "a", "tab", "Budi", "tab", "3201014107900001", "ctrl+s"} {
		step(t, m, press(k))
	}
	if !strings.Contains(m.msg, "Receipt A-001 NOT printed (the printer refused) · p prints again · full reason: enter (details) · out of paper") {
		t.Fatalf("message after a failed print: %q", m.msg)
	}
	step(t, m, press("enter"))
	if !strings.Contains(m.View(), "A-001  A    Budi") || !strings.Contains(m.View(), " ! ") {
		t.Fatalf("the unprinted receipt is not marked:\n%s", m.View())
	}
	rc.ok = true
	step(t, m, press("p"))
	if !strings.Contains(m.msg, "Receipt A-001 printed") || len(rc.printed) != 1 || rc.printed[0] != "A-001/A" {
		t.Fatalf("reprint: %q %v", m.msg, rc.printed)
	}
	if strings.Contains(m.View(), " ! ") {
		t.Fatalf("the mark stays after a good reprint:\n%s", m.View())
	}
	if r, err := st.Get(bg, "A-001"); err != nil || r.Status != queue.StatusWaiting {
		t.Fatalf("the request changed with its receipt: %+v %v", r, err)
	}
}

type fakeSync struct {
	st     SyncStatus
	kicked int
}

func (f *fakeSync) Status() SyncStatus { return f.st }
func (f *fakeSync) Kick()              { f.kicked++ }

// TestSyncScreen: the status bar and the sync screen show the syncer's
// state; s on the sync screen syncs now.
func TestSyncScreen(t *testing.T) {
	st := openStore(t)
	fs := &fakeSync{st: SyncStatus{Server: "https://pusat.example", Pending: 12,
		Errors: []string{"09:29:00 server unreachable: connection refused"}}}
	m := newModel(t, st, "en")
	m.opt.Sync = fs
	m = loaded(t, m, 80, 24)
	if !strings.Contains(m.View(), "○ offline · 0 pending") {
		t.Fatalf("status bar before any status:\n%s", m.View())
	}
	step(t, m, press("3"))
	view := m.View()
	for _, want := range []string{"https://pusat.example", "DPMPTSP Kota Bandung", "L1 · Loket 1", st.StationID()[:12], "12", "connection refused", "○ offline · 12 pending"} {
		if !strings.Contains(view, want) {
			t.Errorf("sync screen lacks %q:\n%s", want, view)
		}
	}
	step(t, m, press("s"))
	if fs.kicked != 1 || !strings.Contains(m.msg, "Sync started") {
		t.Fatalf("sync now: kicked %d, %q", fs.kicked, m.msg)
	}
	step(t, m, SyncStatusMsg(SyncStatus{Online: true, Pending: 0, LastSync: fixedNow}))
	if !strings.Contains(m.View(), "● online · 0 pending · 09:30") {
		t.Fatalf("status bar after a sync:\n%s", m.View())
	}
}

// TestSyncScreenGolden: the sync screen names the office and the counter
// (the database's IDs only on a muted line at the foot) and gives its
// times in the office's zone, named, like the title bar's clock, in both
// languages.
func TestSyncScreenGolden(t *testing.T) {
	for _, lang := range []string{"id", "en"} {
		t.Run(lang, func(t *testing.T) {
			st := openStore(t)
			m := newModel(t, st, lang)
			m.opt.Sync = &fakeSync{st: SyncStatus{Server: "https://pusat.example.go.id:8470", Online: false, Pending: 3,
				LastSync: fixedNow.Add(-time.Hour).UTC(), NextTry: fixedNow.Add(90 * time.Second).UTC(),
				Errors: []string{"09:29:00 server unreachable: dial tcp 127.0.0.1:8470: connection refused"}}}
			p := start(t, m)
			p.waitFor("Sari")
			p.keys("3")
			p.waitFor("https://pusat.example.go.id:8470")
			got := p.final()
			for _, want := range []string{"08:30:00 WIB", "09:31:30 WIB", "DPMPTSP Kota Bandung", "L1 · Loket 1"} {
				if !strings.Contains(got, want) {
					t.Errorf("sync screen lacks %q:\n%s", want, got)
				}
			}
			golden(t, "sync_"+lang, got)
		})
	}
}

// statsModelFor is a model with real statistics over a small history.
func statsModelFor(t *testing.T, lang string) (*Model, *store.Store) {
	st := openStore(t)
	seed(t, st)
	by := queue.Actor{Counter: "L1", Clerk: "Sari"}
	for _, ref := range []string{"B-001", "A-001"} {
		if _, err := st.Act(bg, ref, queue.ActCall, "", by); err != nil {
			t.Fatal(err)
		}
	}
	st.Act(bg, "B-001", queue.ActServe, "", by)
	st.Act(bg, "B-001", queue.ActDone, "", by)
	st.Act(bg, "A-001", queue.ActNoShow, "", by)
	// B-001's applicant answers the survey: 4 4 4 3 3 3 3 3 3, whose index
	// is 25 × 30 / 9 = 83.33 (B).
	b, err := st.Get(bg, "B-001")
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := st.AnswerSurvey(bg, "", b.TrackingCode, skm.Answer{Scores: [skm.NumElements]int{4, 4, 4, 3, 3, 3, 3, 3, 3}}, by); err != nil {
		t.Fatal(err)
	}
	m := newModel(t, st, lang)
	m.opt.Stats = func(ctx context.Context, from, to, service string) (stats.Figures, error) {
		return stats.ForStation(ctx, st, from, to, service)
	}
	m.opt.Survey = func(ctx context.Context, from, to, service string) (skm.Tally, error) {
		g, err := skm.NewAggregator(skm.Filter{From: from, To: to, Service: service})
		if err != nil {
			return skm.Tally{}, err
		}
		err = st.Surveys(ctx, skm.Filter{From: from, To: to, Service: service}, func(a skm.Answer) error { g.Add(a); return nil })
		return g.Summary().Total, err
	}
	return loaded(t, m, 80, 24), st
}

func TestStatsScreenGolden(t *testing.T) {
	for _, lang := range []string{"id", "en"} {
		t.Run(lang, func(t *testing.T) {
			m, _ := statsModelFor(t, lang)
			step(t, m, press("2"))
			golden(t, "stats_"+lang, m.View())
		})
	}
}

func TestStatsScreenKeys(t *testing.T) {
	m, st := statsModelFor(t, "en")
	step(t, m, press("2"))
	if m.stats.fig.Arrivals != 4 || m.stats.fig.Served != 1 || m.stats.fig.NoShow != 1 {
		t.Fatalf("today's figures: %+v", m.stats.fig.Counts)
	}
	if m.stats.skm == nil || m.stats.skm.Respondents != 1 || !strings.Contains(m.View(), "IKM 83.33 · B Good · Respondents: 1") {
		t.Fatalf("the survey's line: %+v\n%s", m.stats.skm, m.View())
	}
	tests := []struct {
		key        string
		from, to   string
		rng        int
		service    string
		msgHas     string
		centralSet bool
	}{
		{"w", "2026-11-21", "2026-11-27", range7, "", "", false},
		{"m", "2026-10-29", "2026-11-27", range30, "", "", false},
		{"[", "2026-10-01", "2026-10-31", rangeMonth, "", "", false},
		{"]", "2026-11-01", "2026-11-30", rangeMonth, "", "", false},
		{"t", "2026-11-27", "2026-11-27", rangeToday, "", "", false},
		{"v", "2026-11-27", "2026-11-27", rangeToday, "A", "", false}, // drilled: see below
		{"c", "2026-11-27", "2026-11-27", rangeToday, "A", "No central server", false},
	}
	for _, tt := range tests {
		step(t, m, press(tt.key))
		from, to := m.stats.period(fixedNow)
		if m.stats.rng != tt.rng || from != tt.from || to != tt.to || m.stats.service != tt.service || !strings.Contains(m.msg, tt.msgHas) {
			t.Fatalf("after %q: range %d %s..%s service %q msg %q", tt.key, m.stats.rng, from, to, m.stats.service, m.msg)
		}
		if m.stats.fig.From != from || m.stats.fig.To != to {
			t.Fatalf("after %q the figures are of %s..%s", tt.key, m.stats.fig.From, m.stats.fig.To)
		}
	}
	if m.stats.fig.Arrivals != 2 || len(m.stats.fig.ByService) != 1 {
		t.Fatalf("drilled into A: %d arrivals, %d services", m.stats.fig.Arrivals, len(m.stats.fig.ByService))
	}
	if !strings.Contains(m.View(), "no answers in this period") {
		t.Fatalf("service A has no survey answers:\n%s", m.View())
	}
	// With a central server, c shows its figures, and says so.
	m.opt.CentralStats = func(ctx context.Context, from, to, service string) (stats.Figures, error) {
		return stats.Figures{From: from, To: to, Counts: stats.Counts{Arrivals: 999}}, nil
	}
	step(t, m, press("c"))
	if !m.stats.central || m.stats.fig.Arrivals != 999 || !strings.Contains(m.View(), "the whole office") {
		t.Fatalf("central: %v %d\n%s", m.stats.central, m.stats.fig.Arrivals, m.View())
	}
	step(t, m, press("c"))
	for m.stats.service != "" { // back to all services
		step(t, m, press("v"))
	}
	// Live: a new arrival shows on the local figures without a key.
	st.Register(bg, queue.NewRequest{Service: "A", Name: "Live", NIK: "3201014107900001"}, queue.Actor{})
	step(t, m, changedMsg{})
	if m.stats.fig.Arrivals != 5 {
		t.Fatalf("live update: %d arrivals", m.stats.fig.Arrivals)
	}
}

func TestStatsScreenLarge(t *testing.T) {
	m, _ := statsModelFor(t, "id")
	step(t, m, tea.WindowSizeMsg{Width: 160, Height: 48})
	step(t, m, press("2"))
	golden(t, "stats_id_160x48", m.View())
}

// onlineBackend is a backend that reports whether its hub answers.
type onlineBackend struct {
	*store.Store
	online *atomic.Bool
}

func (b onlineBackend) Online() bool { return b.online.Load() }

// TestHubOnlineOnTheStatusBar: a backend that reports whether its hub
// answers (the hub client) has it on the status bar, in place of the sync
// state, and the bar follows it.
func TestHubOnlineOnTheStatusBar(t *testing.T) {
	st := openStore(t)
	var on atomic.Bool
	on.Store(true)
	m := New(bg, Options{Backend: onlineBackend{st, &on}, Lang: "en", Counter: "L2", Clerk: "Sari",
		Now: func() time.Time { return fixedNow }, Location: wib})
	t.Cleanup(m.Close)
	m.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
	if v := m.View(); !strings.Contains(v, "Hub: ● online") || strings.Contains(v, "Sync: -") {
		t.Fatalf("online hub:\n%s", v)
	}
	on.Store(false)
	if v := m.View(); !strings.Contains(v, "Hub: ○ offline") {
		t.Fatalf("offline hub:\n%s", v)
	}
	// A store has no hub: the sync state as before.
	if v := newModel(t, st, "en").View(); strings.Contains(v, "Hub:") {
		t.Fatalf("a store shows a hub:\n%s", v)
	}
}
