// Package tui is the counter's terminal UI (Bubble Tea v1): the queue, the
// new walk-in form, request detail, search, help, statistics and sync, in
// Indonesian and English.
//
// The root Model is a router: it owns the frame (title, message line, help
// line, status bar), the clock and the change watch, and hands each message
// to the pages (one file per screen: queue.go, form.go, detail.go,
// search.go, stats.go, sync.go, help.go). Key presses go to the active page
// only; the answers of commands go to every page, each taking its own. Pages
// share a narrow context (common.go) and answer with intents (page.go)
// rather than writing into the root. Every side effect runs in a tea.Cmd
// that returns a typed message; Update never waits on disk or network, and
// View only renders.
//
// The screens know nothing of bbolt, PDF or HTTP: they talk to the
// interfaces of backend.go, which the program adapts its store, receipt
// maker and syncer to.
//
// Choices made for the clerks (the README lists them too):
//   - On the queue, the actions s, d, x, r, b, t and k act on the person at
//     this counter (the latest request called to it or served at it),
//     whatever row is highlighted: c s d serves a person with three keys,
//     and a filter or a highlight elsewhere cannot turn s or x on someone
//     else. Another request is acted on explicitly: enter opens its details,
//     where the same keys act on it. p (print again), o (reopen) and enter
//     take the highlighted row. x (no-show), k (cancel), o (reopen) and z
//     (close a day) ask first: y is yes, any other key (t, n, esc) no.
//   - esc in the new walk-in form goes back to the queue and keeps the draft
//     (the clerk may have to call someone in between); n brings it back, and
//     q asks before quitting while a draft has input.
//   - The default filter shows every request of today; f cycles through the
//     statuses ("open" = waiting, called or serving), v through the services.
//   - Screens: 1 queue, 2 statistics, 3 sync; z closes a day (earlier days'
//     open requests are counted on the queue screen until closed).
//   - After an action the queue reloads once, on the database's change
//     notification (which also brings other processes' changes).
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

	"github.com/loket-id/loket/queue"
)

// Options configure the UI.
type Options struct {
	Backend      Backend
	Sync         Sync         // nil: no central server configured
	Stats        StatsSource  // this counter's figures
	CentralStats StatsSource  // the office's, from the central server; nil without one
	Survey       SurveySource // this database's survey answers (SKM); nil shows none
	Receipts     Receipts     // nil: no receipts
	Closer       DayCloser    // nil: days are closed by the command line only
	Lang         string
	Office       string
	Counter      string // counter (station) code, e.g. L1
	CounterName  string
	Clerk        string
	Services     []string // the lines call-next takes from; empty means all
	MaxCalls     int
	Now          func() time.Time
	Location     *time.Location
	// Renderer renders the styles; nil: lipgloss's default, which follows
	// the program's own terminal. A UI served over SSH passes the session's.
	Renderer *lipgloss.Renderer
}

// frameLines is what the frame takes around a page's body: the title, the
// message line, the help line and the status bar.
const frameLines = 4

type tickMsg time.Time

// Model is the root model.
type Model struct {
	opt      Options
	c        common
	help     help.Model
	services []queue.Service // the catalog the pages share
	width    int
	height   int

	screen screen
	pages  [screenCount]page
	queue  *queuePage
	form   *formPage
	detail *detailPage
	search *searchPage
	stats  *statsPage
	sync   *syncPage
	close  *closePage

	msg     string
	msgErr  bool
	pending *confirmMsg // a question on the message line, waiting for y
	day     string      // the office's day the queue was loaded on

	changes     <-chan struct{}
	unsubscribe func()
	// manual leaves the clock and the change watch, which wait, to the
	// caller: the step tests deliver them themselves.
	manual bool
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
	th := NewThemeFor(opt.Renderer)
	m := &Model{opt: opt, help: th.newHelp(), width: 80, height: 24}
	m.c = common{ctx: ctx, t: t, keys: NewKeyMap(t), th: th, opt: &m.opt, catalog: &m.services}
	m.help.Styles.ShortKey = m.c.th.Label
	m.queue = newQueuePage(m.c)
	m.form = newFormPage(m.c)
	m.detail = &detailPage{c: m.c}
	m.search = newSearchPage(m.c)
	m.stats = &statsPage{c: m.c}
	m.sync = newSyncPage(m.c)
	m.close = &closePage{c: m.c}
	m.pages = [screenCount]page{screenQueue: m.queue, screenForm: m.form, screenDetail: m.detail,
		screenSearch: m.search, screenHelp: newHelpPage(m.c), screenStats: m.stats, screenSync: m.sync, screenClose: m.close}
	m.day = m.c.today()
	m.setSize(m.width, m.height)
	m.changes, m.unsubscribe = opt.Backend.Subscribe()
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
	return tea.Batch(m.c.loadQueue(), m.c.loadServices(), m.c.loadEarlier(), m.waitChange(), m.tick())
}

func (m *Model) tick() tea.Cmd {
	if m.manual {
		return nil
	}
	return tea.Tick(time.Second, func(t time.Time) tea.Msg { return tickMsg(t) })
}

// waitChange delivers one changedMsg after the database changes (any
// process's change through the owner socket included); it is re-armed after
// each one.
func (m *Model) waitChange() tea.Cmd {
	if m.manual {
		return nil
	}
	ch, ctx := m.changes, m.c.ctx
	return func() tea.Msg {
		select {
		case <-ch:
			return changedMsg{}
		case <-ctx.Done():
			return nil
		}
	}
}

func (m *Model) setSize(w, h int) {
	m.width, m.height = w, h
	for _, p := range m.pages {
		p.setSize(w, max(0, h-frameLines))
	}
}

// Update routes a message: keys to the active page, everything else to
// every page (each takes its own messages).
func (m *Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.setSize(msg.Width, msg.Height)
		m.help.Width = msg.Width
		return m, nil
	case tickMsg:
		return m, tea.Batch(m.tick(), m.newDay())
	case changedMsg:
		return m, tea.Batch(m.waitChange(), m.broadcast(msg))
	case servicesLoadedMsg:
		if msg.err != nil {
			return m, m.apply(flashMsg{m.c.errText(msg.err), true})
		}
		m.services = msg.svcs
		return m, m.broadcast(msg)
	case gotoMsg, flashMsg, confirmMsg:
		return m, m.apply(msg)
	case tea.KeyMsg:
		return m, m.key(msg)
	}
	return m, m.broadcast(msg)
}

func (m *Model) broadcast(msg tea.Msg) tea.Cmd {
	cmds := make([]tea.Cmd, 0, len(m.pages))
	for _, p := range m.pages {
		cmds = append(cmds, m.send(p, msg))
	}
	return tea.Batch(cmds...)
}

// send gives msg to page p and applies what it asks.
func (m *Model) send(p page, msg tea.Msg) tea.Cmd {
	cmd, intents := p.update(msg)
	cmds := []tea.Cmd{cmd}
	for _, in := range intents {
		cmds = append(cmds, m.apply(in))
	}
	return tea.Batch(cmds...)
}

// apply carries out a page's intent.
func (m *Model) apply(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case gotoMsg:
		return m.show(msg.to)
	case flashMsg:
		m.msg, m.msgErr = msg.text, msg.isErr
	case confirmMsg:
		m.pending = &msg
		m.msg, m.msgErr = msg.question, true
	}
	return nil
}

// newDay reloads the queue when the office's day has changed since it was
// loaded (after midnight, "waiting now" is of the new day; yesterday's
// open requests show as left open until the day is closed).
func (m *Model) newDay() tea.Cmd {
	today := m.c.today()
	if today == m.day {
		return nil
	}
	m.day = today
	return tea.Batch(m.c.loadQueue(), m.c.loadEarlier())
}

// show makes s the active screen.
func (m *Model) show(s screen) tea.Cmd {
	var hide tea.Cmd
	if s != m.screen {
		hide = m.send(m.pages[m.screen], hiddenMsg{})
	}
	m.screen = s
	return tea.Batch(hide, m.send(m.pages[s], shownMsg{}))
}

func (m *Model) key(msg tea.KeyMsg) tea.Cmd {
	k := m.c.keys
	if key.Matches(msg, k.ForceQuit) {
		return tea.Quit
	}
	if q := m.pending; q != nil {
		m.pending = nil
		if key.Matches(msg, k.Yes) {
			m.msg, m.msgErr = "", false
			return q.yes
		}
		m.msg, m.msgErr = m.c.t.S("confirm.dropped"), false
		return nil
	}
	p := m.pages[m.screen]
	if t, ok := p.(typer); ok && t.typing() {
		return m.send(p, msg)
	}
	// The keys of every screen without a text field.
	switch {
	case key.Matches(msg, k.Quit):
		if m.form.dirty() {
			return m.apply(confirmMsg{m.c.t.S("quit.confirm"), tea.Quit})
		}
		return tea.Quit
	case key.Matches(msg, k.Help):
		if m.screen == screenHelp {
			return m.show(screenQueue)
		}
		return m.show(screenHelp)
	case key.Matches(msg, k.Queue):
		return m.show(screenQueue)
	case key.Matches(msg, k.Stats):
		return m.show(screenStats)
	case key.Matches(msg, k.Sync):
		return m.show(screenSync)
	case key.Matches(msg, k.New):
		return m.show(screenForm)
	case key.Matches(msg, k.Search):
		return m.show(screenSearch)
	case key.Matches(msg, k.CloseDay) && m.screen != screenClose:
		return m.show(screenClose)
	}
	return m.send(p, msg)
}

// View renders the whole screen: title, body, message, help line, status bar.
func (m *Model) View() string {
	w, h := m.width, m.height
	if w < 20 || h < 8 {
		return "Loket: terminal too small"
	}
	p := m.pages[m.screen]
	body := fitLines(p.view(), w, h-frameLines)
	msgLine := ""
	if m.msg != "" {
		st := m.c.th.Message
		if m.msgErr {
			st = m.c.th.Error
		}
		text := truncate(m.msg, w)
		if i := strings.LastIndex(m.msg, " ("); m.pending != nil && i > 0 && ansi.StringWidth(m.msg) > w {
			// A question keeps its answers ("(y=ya / t=tidak)") in view.
			tail := m.msg[i:]
			text = truncate(m.msg[:i], w-ansi.StringWidth(tail)) + tail
		}
		msgLine = st.Render(text)
	}
	helpLine := truncate(m.help.ShortHelpView(p.ShortHelp()), w)
	return lipgloss.JoinVertical(lipgloss.Left, m.titleBar(), body, msgLine, helpLine, m.statusBar())
}

func (m *Model) titleBar() string {
	t, now := m.c.t, m.c.now()
	names := [screenCount]string{screenQueue: t.S("screen.queue"), screenForm: t.S("screen.new"), screenDetail: t.S("screen.detail"),
		screenSearch: t.S("screen.search"), screenHelp: t.S("screen.help"), screenStats: t.S("screen.stats"), screenSync: t.S("screen.sync"),
		screenClose: t.S("screen.closeday")}
	left := " " + t.S("app.title") + " │ " + names[m.screen]
	right := clean(m.opt.Office) + " │ " + t.ShortDate(now) + " " + now.Format("15:04:05") + " "
	return m.c.th.Bar.Render(spread(left, right, m.width))
}

func (m *Model) statusBar() string {
	t := m.c.t
	here := t.S("bar.nobody")
	if r, ok := m.queue.here(); ok {
		here = r.Ticket
	}
	left := " " + clean(m.c.counterLabel()) + " · " + clean(m.opt.Clerk) + " │ " + t.S("bar.waiting", m.queue.waiting) +
		" │ " + t.S("bar.here", here)
	right := m.sync.bar()
	if o, ok := m.opt.Backend.(OnlineReporter); ok && m.opt.Sync == nil {
		right = t.S("bar.hub.offline")
		if o.Online() {
			right = t.S("bar.hub.online")
		}
	}
	return m.c.th.Bar.Render(spread(left, right+" ", m.width))
}
