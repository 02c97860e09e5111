// Package tui is the counter's terminal UI (Bubble Tea v1): the queue, the
// new walk-in form, request detail, search and help, in Indonesian and
// English.
//
// The root Model owns the window size, the theme, the key map and the text
// catalog, and routes messages to the active screen. Every side effect (the
// database, later printing and sync) runs in a tea.Cmd that returns a typed
// message; Update never waits on disk or network, and View only renders.
//
// The screens know nothing of bbolt: they talk to a Backend, which
// *store.Store satisfies.
//
// Choices made where the issue was silent:
//   - Actions (s, d, x, r, b, t, enter) act on the selected row; after c the
//     selection jumps to the request just called, so c s d serves a person
//     with three keys.
//   - esc in the new walk-in form goes back to the queue and keeps the draft
//     (the clerk may have to call someone in between); n brings it back, and
//     q asks before quitting while a draft has input.
//   - The default filter shows every request of today; f cycles through the
//     statuses ("open" = waiting, called or serving), v through the services.
//   - Screens: 1 queue, 2 statistics (statsview.go), 3 sync (sync.go).
package tui

import (
	"context"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"

	"github.com/loket-id/loket/receipts"
	"github.com/loket-id/loket/store"
	"github.com/loket-id/loket/sync/client"
)

// Backend is what the screens need from the counter's database.
type Backend interface {
	DayQueue(ctx context.Context, day string) ([]store.Request, error)
	Register(ctx context.Context, in store.NewRequest, by store.Actor) (store.Request, error)
	CallNext(ctx context.Context, services []string, by store.Actor) (store.Request, error)
	Act(ctx context.Context, ref string, act store.Action, service string, by store.Actor) (store.Request, error)
	Find(ctx context.Context, text string, limit int) ([]store.Request, error)
	Detail(ctx context.Context, ref string) (store.Request, []store.Event, error)
	Services(ctx context.Context) ([]store.Service, error)
	Subscribe() (<-chan struct{}, func())
	Identity() store.Identity
}

// Receipts makes and prints receipts; *receipts.Maker is one.
type Receipts interface {
	Produce(ctx context.Context, r store.Request, svc store.Service, print bool) (receipts.Result, error)
	Failed(day string) map[string]string
	CanPrint() bool
}

// Sync is the background syncer; *client.Syncer is one.
type Sync interface {
	Status() client.Status
	Kick()
}

// SyncStatusMsg tells the UI the syncer's new status (sent by the program).
type SyncStatusMsg client.Status

// Options configure the UI.
type Options struct {
	Backend      Backend
	Sync         Sync        // nil: no central server configured
	Stats        StatsSource // this counter's figures
	CentralStats StatsSource // the office's, from the central server; nil without one
	Receipts     Receipts    // nil: no receipts
	Lang         string
	Office       string
	Counter      string // counter (station) code, e.g. L1
	CounterName  string
	Clerk        string
	Services     []string // the lines call-next takes from; empty means all
	MaxCalls     int
	Now          func() time.Time
	Location     *time.Location
}

type screen int

const (
	screenQueue screen = iota
	screenForm
	screenDetail
	screenSearch
	screenHelp
	screenStats
	screenSync
)

// Messages from commands.
type (
	queueLoadedMsg struct {
		reqs     []store.Request
		unprintd map[string]string // request ID -> why its receipt did not print
		err      error
	}
	receiptMsg struct {
		req store.Request
		res receipts.Result
		err error
	}
	servicesLoadedMsg struct {
		svcs []store.Service
		err  error
	}
	actionDoneMsg struct {
		req store.Request
		act store.Action
		err error
	}
	registeredMsg struct {
		req store.Request
		err error
	}
	searchResultMsg struct {
		seq  int
		reqs []store.Request
		err  error
	}
	detailLoadedMsg struct {
		req  store.Request
		hist []store.Event
		err  error
	}
	changedMsg struct{}
	tickMsg    time.Time
)

// Model is the root model.
type Model struct {
	opt   Options
	ctx   context.Context
	t     Text
	keys  KeyMap
	th    Theme
	help  help.Model
	width int
	hgt   int

	screen   screen
	queue    queueModel
	form     formModel
	detail   detailModel
	search   searchModel
	transfer *transferPicker
	services []store.Service

	msg         string
	msgErr      bool
	confirmQuit bool
	sync        client.Status
	statsM      statsModel

	changes     <-chan struct{}
	unsubscribe func()
}

// New builds the UI. ctx bounds every command it runs.
func New(ctx context.Context, opt Options) *Model {
	if opt.Now == nil {
		opt.Now = time.Now
	}
	if opt.Location == nil {
		opt.Location = time.Local
	}
	if opt.MaxCalls == 0 {
		opt.MaxCalls = 3
	}
	t := NewText(opt.Lang)
	m := &Model{opt: opt, ctx: ctx, t: t, keys: NewKeyMap(t), th: NewTheme(), help: help.New(), width: 80, hgt: 24}
	m.help.Styles.ShortKey = m.th.Label
	m.queue = newQueueModel()
	m.form = newFormModel(t)
	m.search = newSearchModel(t)
	m.changes, m.unsubscribe = opt.Backend.Subscribe()
	if opt.Sync != nil {
		m.sync = opt.Sync.Status()
	}
	return m
}

// Close releases the change subscription.
func (m *Model) Close() {
	if m.unsubscribe != nil {
		m.unsubscribe()
	}
}

// Init loads the queue and the catalog and starts the clock and the watch.
func (m *Model) Init() tea.Cmd {
	return tea.Batch(m.loadQueue(), m.loadServices(), m.waitChange(), tick())
}

func tick() tea.Cmd {
	return tea.Tick(time.Second, func(t time.Time) tea.Msg { return tickMsg(t) })
}

func (m *Model) actor() store.Actor { return store.Actor{Counter: m.opt.Counter, Clerk: m.opt.Clerk} }

func (m *Model) loadQueue() tea.Cmd {
	b, ctx, rc := m.opt.Backend, m.ctx, m.opt.Receipts
	return func() tea.Msg {
		reqs, err := b.DayQueue(ctx, "")
		var failed map[string]string
		if rc != nil && len(reqs) > 0 {
			failed = rc.Failed(reqs[0].Day)
		}
		return queueLoadedMsg{reqs, failed, err}
	}
}

// produceReceipt makes (and prints) the receipt of r in the background.
func (m *Model) produceReceipt(r store.Request) tea.Cmd {
	rc, ctx := m.opt.Receipts, m.ctx
	if rc == nil {
		return nil
	}
	svc := store.Service{Code: r.Service, NameID: r.Service, NameEN: r.Service}
	for _, s := range m.services {
		if s.Code == r.Service {
			svc = s
		}
	}
	return func() tea.Msg {
		res, err := rc.Produce(ctx, r, svc, true)
		return receiptMsg{r, res, err}
	}
}

func (m *Model) loadServices() tea.Cmd {
	b, ctx := m.opt.Backend, m.ctx
	return func() tea.Msg {
		svcs, err := b.Services(ctx)
		return servicesLoadedMsg{svcs, err}
	}
}

// waitChange delivers one changedMsg after the database changes (any
// process's change through the owner socket included); it is re-armed after
// each one.
func (m *Model) waitChange() tea.Cmd {
	ch, ctx := m.changes, m.ctx
	return func() tea.Msg {
		select {
		case <-ch:
			return changedMsg{}
		case <-ctx.Done():
			return nil
		}
	}
}

func (m *Model) act(ref string, act store.Action, service string) tea.Cmd {
	b, ctx, by := m.opt.Backend, m.ctx, m.actor()
	return func() tea.Msg {
		r, err := b.Act(ctx, ref, act, service, by)
		return actionDoneMsg{r, act, err}
	}
}

func (m *Model) callNext() tea.Cmd {
	b, ctx, by, svcs := m.opt.Backend, m.ctx, m.actor(), m.opt.Services
	return func() tea.Msg {
		r, err := b.CallNext(ctx, svcs, by)
		return actionDoneMsg{r, store.ActCall, err}
	}
}

func (m *Model) openDetail(id string) tea.Cmd {
	b, ctx := m.opt.Backend, m.ctx
	return func() tea.Msg {
		r, hist, err := b.Detail(ctx, id)
		return detailLoadedMsg{r, hist, err}
	}
}

func (m *Model) setMsg(s string, isErr bool) { m.msg, m.msgErr = s, isErr }

// Update routes a message.
func (m *Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.width, m.hgt = msg.Width, msg.Height
		m.help.Width = msg.Width
		return m, nil
	case tickMsg:
		return m, tick()
	case SyncStatusMsg:
		m.sync = client.Status(msg)
		return m, nil
	case changedMsg:
		cmds := []tea.Cmd{m.loadQueue(), m.waitChange()}
		if m.screen == screenStats && !m.statsM.central {
			cmds = append(cmds, m.loadStats()) // live, as requests change
		}
		return m, tea.Batch(cmds...)
	case statsLoadedMsg:
		m.statsLoaded(msg)
		return m, nil
	case queueLoadedMsg:
		if msg.err != nil {
			m.setMsg(m.t.S("msg.error", msg.err), true)
			return m, nil
		}
		m.queue.setRequests(msg.reqs, msg.unprintd)
		return m, nil
	case receiptMsg:
		m.receiptDone(msg)
		return m, nil
	case servicesLoadedMsg:
		if msg.err != nil {
			m.setMsg(m.t.S("msg.error", msg.err), true)
			return m, nil
		}
		m.services = msg.svcs
		m.form.setServices(msg.svcs)
		return m, nil
	case actionDoneMsg:
		return m, m.actionDone(msg)
	case registeredMsg:
		return m, m.form.registered(msg, m)
	case searchResultMsg:
		m.search.results(msg)
		return m, nil
	case detailLoadedMsg:
		if msg.err != nil {
			m.setMsg(m.t.S("msg.error", msg.err), true)
			return m, nil
		}
		m.detail = detailModel{req: msg.req, hist: msg.hist}
		m.screen = screenDetail
		return m, nil
	case tea.KeyMsg:
		return m, m.handleKey(msg)
	}
	return m, nil
}

func (m *Model) actionDone(msg actionDoneMsg) tea.Cmd {
	if msg.err != nil {
		if strings.Contains(msg.err.Error(), store.ErrQueueEmpty.Error()) {
			m.setMsg(m.t.S("msg.empty"), false)
		} else {
			m.setMsg(m.t.S("msg.error", msg.err), true)
		}
		return nil
	}
	r := msg.req
	switch msg.act {
	case store.ActCall:
		m.queue.selectedID = r.ID
		m.setMsg(m.t.S("msg.called", r.Ticket, m.counterLabel()), false)
	case store.ActRecall:
		if r.Calls >= m.opt.MaxCalls {
			m.setMsg(m.t.S("msg.maxcalls", r.Ticket, r.Calls), true)
		} else {
			m.setMsg(m.t.S("msg.recalled", r.Ticket, r.Calls), false)
		}
	case store.ActServe:
		m.setMsg(m.t.S("msg.serving", r.Ticket), false)
	case store.ActDone:
		m.setMsg(m.t.S("msg.done", r.Ticket), false)
	case store.ActNoShow:
		m.setMsg(m.t.S("msg.noshow", r.Ticket), false)
	case store.ActCancel:
		m.setMsg(m.t.S("msg.cancelled", r.Ticket), false)
	case store.ActRequeue:
		m.setMsg(m.t.S("msg.requeued", r.Ticket), false)
	case store.ActTransfer:
		m.setMsg(m.t.S("msg.transferred", r.Ticket, r.Service), false)
	}
	return m.loadQueue()
}

func (m *Model) receiptDone(msg receiptMsg) {
	id, t := msg.req.ID, msg.req.Ticket
	switch {
	case msg.err != nil:
		m.setMsg(m.t.S("receipt.error", t, msg.err), true)
	case msg.res.PrintErr != nil:
		m.queue.unprinted[id] = msg.res.PrintErr.Error()
		m.setMsg(m.t.S("receipt.notprinted", t, msg.res.PrintErr), true)
	case msg.res.Printed:
		delete(m.queue.unprinted, id)
		m.setMsg(m.t.S("receipt.printed", t), false)
	default:
		m.setMsg(m.t.S("receipt.saved", t, msg.res.Path), false)
	}
}

func (m *Model) counterLabel() string {
	if m.opt.CounterName != "" {
		return m.opt.CounterName
	}
	return m.opt.Counter
}

func (m *Model) handleKey(msg tea.KeyMsg) tea.Cmd {
	if key.Matches(msg, m.keys.ForceQuit) {
		return tea.Quit
	}
	if m.confirmQuit {
		m.confirmQuit = false
		if strings.EqualFold(msg.String(), "y") {
			return tea.Quit
		}
		m.setMsg("", false)
		return nil
	}
	if m.transfer != nil {
		return m.transfer.update(msg, m)
	}
	switch m.screen {
	case screenForm:
		return m.form.update(msg, m)
	case screenSearch:
		return m.search.update(msg, m)
	}
	// Keys shared by every screen without a text field.
	switch {
	case key.Matches(msg, m.keys.Quit):
		if m.form.dirty() {
			m.confirmQuit = true
			m.setMsg(m.t.S("quit.confirm"), true)
			return nil
		}
		return tea.Quit
	case key.Matches(msg, m.keys.Help):
		if m.screen == screenHelp {
			m.screen = screenQueue
		} else {
			m.screen = screenHelp
		}
		return nil
	case key.Matches(msg, m.keys.Queue):
		m.screen = screenQueue
		return nil
	case key.Matches(msg, m.keys.Stats):
		m.screen = screenStats
		return m.loadStats()
	case key.Matches(msg, m.keys.Sync):
		m.screen = screenSync
		if m.opt.Sync != nil {
			m.sync = m.opt.Sync.Status()
		}
		return nil
	case key.Matches(msg, m.keys.New):
		m.screen = screenForm
		return m.form.focus()
	case key.Matches(msg, m.keys.Search):
		m.screen = screenSearch
		return m.search.focus()
	}
	switch m.screen {
	case screenQueue:
		return m.queueKey(msg)
	case screenDetail:
		switch {
		case key.Matches(msg, m.keys.Back):
			m.screen = screenQueue
		case key.Matches(msg, m.keys.Up):
			m.detail.scroll--
		case key.Matches(msg, m.keys.Down):
			m.detail.scroll++
		}
	case screenStats:
		return m.statsKey(msg)
	case screenSync:
		switch {
		case key.Matches(msg, m.keys.Back):
			m.screen = screenQueue
		case key.Matches(msg, m.keys.SyncNow) && m.opt.Sync != nil:
			m.opt.Sync.Kick()
			m.setMsg(m.t.S("sync.kicked"), false)
		}
	default:
		if key.Matches(msg, m.keys.Back) {
			m.screen = screenQueue
		}
	}
	return nil
}

func (m *Model) queueKey(msg tea.KeyMsg) tea.Cmd {
	q := &m.queue
	sel, ok := q.selected()
	needSel := func() bool {
		if !ok {
			m.setMsg(m.t.S("msg.noselection"), true)
		}
		return ok
	}
	switch {
	case key.Matches(msg, m.keys.Up):
		q.move(-1)
	case key.Matches(msg, m.keys.Down):
		q.move(1)
	case key.Matches(msg, m.keys.PageUp):
		q.move(-q.pageSize(m))
	case key.Matches(msg, m.keys.PageDown):
		q.move(q.pageSize(m))
	case key.Matches(msg, m.keys.Filter):
		q.cycleStatus()
	case key.Matches(msg, m.keys.ServiceFilter):
		q.cycleService(m.services)
	case key.Matches(msg, m.keys.Call):
		return m.callNext()
	case key.Matches(msg, m.keys.Open):
		if needSel() {
			return m.openDetail(sel.ID)
		}
	case key.Matches(msg, m.keys.Transfer):
		if needSel() {
			m.transfer = newTransferPicker(sel, m.services)
		}
	case key.Matches(msg, m.keys.Receipt) && m.opt.Receipts != nil:
		if needSel() {
			m.setMsg(m.t.S("receipt.working", sel.Ticket), false)
			return m.produceReceipt(sel)
		}
	default:
		for _, a := range []struct {
			b   key.Binding
			act store.Action
		}{{m.keys.Serve, store.ActServe}, {m.keys.Done, store.ActDone}, {m.keys.NoShow, store.ActNoShow},
			{m.keys.Recall, store.ActRecall}, {m.keys.Requeue, store.ActRequeue}} {
			if key.Matches(msg, a.b) && needSel() {
				return m.act(sel.ID, a.act, "")
			}
		}
	}
	return nil
}

// View renders the whole screen: title, body, message, help line, status bar.
func (m *Model) View() string {
	w, h := m.width, m.hgt
	if w < 20 || h < 8 {
		return "Loket: terminal too small"
	}
	title := m.titleBar()
	var body string
	var keys help.KeyMap = queueKeys{m.keys}
	bodyH := h - 4
	switch m.screen {
	case screenQueue:
		body = m.queue.view(m, bodyH)
	case screenForm:
		body = m.form.view(m, bodyH)
		keys = formKeys{m.keys}
	case screenDetail:
		body = m.detail.view(m, bodyH)
		keys = backKeys{m.keys}
	case screenSearch:
		body = m.search.view(m, bodyH)
		keys = backKeys{m.keys}
	case screenHelp:
		body = m.help.FullHelpView(queueKeys{m.keys}.FullHelp())
		keys = backKeys{m.keys}
	case screenStats:
		body = m.statsView(bodyH)
		keys = statsKeys{m.keys}
	case screenSync:
		body = m.syncView()
		keys = syncKeys{m.keys}
	}
	if m.transfer != nil {
		body = m.transfer.view(m, bodyH)
	}
	body = fitLines(body, w, bodyH)
	msgLine := ""
	if m.msg != "" {
		st := m.th.Message
		if m.msgErr {
			st = m.th.Error
		}
		msgLine = st.Render(truncate(m.msg, w))
	}
	helpLine := truncate(m.help.ShortHelpView(keys.ShortHelp()), w)
	return lipgloss.JoinVertical(lipgloss.Left, title, body, msgLine, helpLine, m.statusBar())
}

func (m *Model) titleBar() string {
	names := map[screen]string{screenQueue: "screen.queue", screenForm: "screen.new", screenDetail: "screen.detail",
		screenSearch: "screen.search", screenHelp: "screen.help", screenStats: "screen.stats", screenSync: "screen.sync"}
	now := m.opt.Now().In(m.opt.Location)
	left := " " + m.t.S("app.title") + " │ " + m.t.S(names[m.screen])
	right := clean(m.opt.Office) + " │ " + formatDate(m.t, now) + " " + now.Format("15:04:05") + " "
	return m.th.Bar.Render(spread(left, right, m.width))
}

func (m *Model) statusBar() string {
	here := m.t.S("bar.nobody")
	if r, ok := m.queue.here(m.opt.Counter); ok {
		here = r.Ticket
	}
	left := " " + clean(m.counterLabel()) + " · " + clean(m.opt.Clerk) + " │ " + m.t.S("bar.waiting", m.queue.waiting) +
		" │ " + m.t.S("bar.here", here)
	return m.th.Bar.Render(spread(left, m.syncBar()+" ", m.width))
}

var (
	daysID   = []string{"Min", "Sen", "Sel", "Rab", "Kam", "Jum", "Sab"}
	monthsID = []string{"Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des"}
)

func formatDate(t Text, d time.Time) string {
	if t.Lang() == "id" {
		return daysID[d.Weekday()] + " " + d.Format("02") + " " + monthsID[d.Month()-1] + " " + d.Format("2006")
	}
	return d.Format("Mon 02 Jan 2006")
}

// clean makes text from the database safe to print: control characters
// (and so escape sequences) are shown as '?', never interpreted.
func clean(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) {
			return '?'
		}
		return r
	}, s)
}

// truncate cuts s (which may hold styles) to width w cells.
func truncate(s string, w int) string { return ansi.Truncate(s, w, "…") }

// pad truncates or pads plain s to exactly w cells.
func pad(s string, w int) string {
	if w <= 0 {
		return ""
	}
	s = ansi.Truncate(s, w, "…")
	if n := ansi.StringWidth(s); n < w {
		s += strings.Repeat(" ", w-n)
	}
	return s
}

// spread puts left and right at the two ends of a line of width w.
func spread(left, right string, w int) string {
	gap := w - ansi.StringWidth(left) - ansi.StringWidth(right)
	if gap < 1 {
		return pad(left, w)
	}
	return left + strings.Repeat(" ", gap) + right
}

// fitLines makes s exactly h lines of at most w cells.
func fitLines(s string, w, h int) string {
	lines := strings.Split(s, "\n")
	if len(lines) > h {
		lines = lines[:h]
	}
	for i, l := range lines {
		lines[i] = truncate(l, w)
	}
	for len(lines) < h {
		lines = append(lines, "")
	}
	return strings.Join(lines, "\n")
}
