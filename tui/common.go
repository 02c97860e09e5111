package tui

import (
	"context"
	"slices"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/loket-id/loket/queue"
	"github.com/loket-id/loket/skm"
	"github.com/loket-id/loket/stats"
)

// common is the narrow context every screen shares, like soft-serve's
// common.Common: the body's size, the text, keys and theme, the options and
// the service catalog. A screen keeps its own copy (its size is its own);
// the options and the catalog are the root's, which only the root changes.
type common struct {
	ctx           context.Context // bounds every command
	width, height int             // of the body: the frame takes frameLines more
	t             Text
	keys          KeyMap
	th            Theme
	opt           *Options
	catalog       *[]queue.Service // every service, loaded at the start
}

func (c *common) setSize(w, h int) { c.width, c.height = w, h }

// now is the time of day at the office.
func (c common) now() time.Time { return c.opt.Now().In(c.opt.Location) }

// today is the office's day, YYYY-MM-DD.
func (c common) today() string { return c.now().Format(time.DateOnly) }

func (c common) actor() queue.Actor { return queue.Actor{Counter: c.opt.Counter, Clerk: c.opt.Clerk} }

func (c common) services() []queue.Service { return *c.catalog }

// serviceName is the name of a service in the UI's language, safe to print.
func (c common) serviceName(code string) string {
	for _, s := range c.services() {
		if s.Code == code {
			return clean(s.Name(c.t.Lang()))
		}
	}
	return code
}

func (c common) counterLabel() string {
	if c.opt.CounterName != "" {
		return c.opt.CounterName
	}
	return c.opt.Counter
}

// Messages of the commands below. Every side effect (the database, the
// printer, the central server) runs in a tea.Cmd that answers with one of
// them; Update never waits on disk or network.
type (
	queueLoadedMsg struct {
		reqs      []queue.Request
		unprinted map[string]string // request ID -> why its receipt did not print
		err       error
	}
	servicesLoadedMsg struct {
		svcs []queue.Service
		err  error
	}
	actionDoneMsg struct {
		req queue.Request
		act queue.Action
		err error
	}
	registeredMsg struct {
		req queue.Request
		err error
	}
	receiptMsg struct {
		req queue.Request
		res ReceiptResult
		err error
	}
	searchResultMsg struct {
		seq  int
		reqs []queue.Request
		err  error
	}
	detailLoadedMsg struct {
		req    queue.Request
		hist   []queue.Event
		from   screen // where esc goes back to
		reload bool   // the same request again, after a change: keep the place
		err    error
	}
	// earlierLoadedMsg are the requests of earlier days still open.
	earlierLoadedMsg struct {
		reqs []queue.Request
		err  error
	}
	// dupCheckedMsg is what the form's same-day check found for in.
	dupCheckedMsg struct {
		in    queue.NewRequest
		found []queue.Request
		err   error
	}
	// dayCloseMsg is a close-day's answer, or its dry run's.
	dayCloseMsg struct {
		dc  queue.DayClose
		dry bool
		err error
	}
	statsLoadedMsg struct {
		seq int
		fig stats.Figures
		skm *skm.Tally // the survey's answers; nil when not shown
		err error
	}
)

func (c common) loadQueue() tea.Cmd {
	b, ctx, rc := c.opt.Backend, c.ctx, c.opt.Receipts
	return func() tea.Msg {
		reqs, err := b.DayQueue(ctx, "")
		var failed map[string]string
		if rc != nil && len(reqs) > 0 {
			failed = rc.Failed(reqs[0].Day)
		}
		return queueLoadedMsg{reqs, failed, err}
	}
}

func (c common) loadServices() tea.Cmd {
	b, ctx := c.opt.Backend, c.ctx
	return func() tea.Msg {
		svcs, err := b.Services(ctx)
		return servicesLoadedMsg{svcs, err}
	}
}

func (c common) act(ref string, act queue.Action, service string) tea.Cmd {
	b, ctx, by := c.opt.Backend, c.ctx, c.actor()
	return func() tea.Msg {
		r, err := b.Act(ctx, ref, act, service, by)
		return actionDoneMsg{r, act, err}
	}
}

func (c common) callNext() tea.Cmd {
	b, ctx, by, svcs := c.opt.Backend, c.ctx, c.actor(), c.opt.Services
	return func() tea.Msg {
		r, err := b.CallNext(ctx, svcs, by)
		return actionDoneMsg{r, queue.ActCall, err}
	}
}

func (c common) register(in queue.NewRequest) tea.Cmd {
	b, ctx, by := c.opt.Backend, c.ctx, c.actor()
	return func() tea.Msg {
		r, err := b.Register(ctx, in, by)
		return registeredMsg{r, err}
	}
}

func (c common) find(seq int, text string) tea.Cmd {
	b, ctx := c.opt.Backend, c.ctx
	return func() tea.Msg {
		reqs, err := b.Find(ctx, text, 50)
		return searchResultMsg{seq, reqs, err}
	}
}

// openDetail opens the details of request id; esc goes back to from.
func (c common) openDetail(id string, from screen) tea.Cmd {
	return c.detailCmd(id, from, false)
}

func (c common) detailCmd(id string, from screen, reload bool) tea.Cmd {
	b, ctx := c.opt.Backend, c.ctx
	return func() tea.Msg {
		r, hist, err := b.Detail(ctx, id)
		return detailLoadedMsg{req: r, hist: hist, from: from, reload: reload, err: err}
	}
}

// earlierDays is how far back the queue looks for days left open.
const earlierDays = 31

// loadEarlier finds the requests of the last earlierDays days before today
// that are still open (the day was not closed); nothing without a
// DayReader.
func (c common) loadEarlier() tea.Cmd {
	dr, ok := c.opt.Backend.(DayReader)
	if !ok {
		return nil
	}
	ctx, now := c.ctx, c.now()
	from := now.AddDate(0, 0, -earlierDays).Format(time.DateOnly)
	to := now.AddDate(0, 0, -1).Format(time.DateOnly)
	return func() tea.Msg {
		var open []queue.Request
		err := dr.Between(ctx, from, to, func(r queue.Request) error {
			if !r.Status.Final() {
				open = append(open, r)
			}
			return nil
		})
		return earlierLoadedMsg{open, err}
	}
}

// checkSameDay looks for today's requests of the same NIK and service;
// nil without a SameDayChecker.
func (c common) checkSameDay(in queue.NewRequest) tea.Cmd {
	sc, ok := c.opt.Backend.(SameDayChecker)
	if !ok {
		return nil
	}
	ctx := c.ctx
	return func() tea.Msg {
		found, err := sc.SameDaySameService(ctx, in.NIK, in.Service, "")
		return dupCheckedMsg{in, found, err}
	}
}

func (c common) closeDay(day string, as queue.Status, dry bool) tea.Cmd {
	cl, ctx, by := c.opt.Closer, c.ctx, c.actor()
	return func() tea.Msg {
		var dc queue.DayClose
		var err error
		if dry {
			dc, err = cl.CloseDayDryRun(ctx, day, as)
		} else {
			dc, err = cl.CloseDay(ctx, day, as, by)
		}
		return dayCloseMsg{dc, dry, err}
	}
}

// askAct is an action on r, asked first when it closes r (no-show,
// cancel) or opens it again (reopen): the question names the ticket.
func (c common) askAct(r queue.Request, act queue.Action) (tea.Cmd, []tea.Msg) {
	t, ref := c.t, r.ID
	legal := slices.Contains(act.From(), r.Status) || act == queue.ActDone && r.Status == queue.StatusCalled
	if !legal && (act == queue.ActNoShow || act == queue.ActCancel || act == queue.ActReopen) {
		// Not asked when it cannot be done: said why at once.
		return nil, c.failed(&queue.TransitionError{Ticket: r.Ticket, Status: r.Status, Action: act})
	}
	switch act {
	case queue.ActNoShow:
		return nil, ask(t.S("confirm.noshow", r.Ticket), c.act(ref, act, ""))
	case queue.ActCancel:
		return nil, ask(t.S("confirm.cancel", r.Ticket), c.act(ref, act, ""))
	case queue.ActReopen:
		return nil, ask(t.S("confirm.reopen", r.Ticket), c.act(ref, act, ""))
	}
	return c.act(ref, act, ""), nil
}

// reprint prints the receipt of r again, of any day; nothing without
// receipts.
func (c common) reprint(r queue.Request) (tea.Cmd, []tea.Msg) {
	if c.opt.Receipts == nil {
		return nil, nil
	}
	return c.printReceipt(r), say(c.t.S("receipt.working", r.Ticket))
}

// printReceipt makes (and prints) the receipt of r in the background; nil
// without receipts.
func (c common) printReceipt(r queue.Request) tea.Cmd {
	rc, ctx := c.opt.Receipts, c.ctx
	if rc == nil {
		return nil
	}
	svc := queue.Service{Code: r.Service, NameID: r.Service, NameEN: r.Service}
	for _, s := range c.services() {
		if s.Code == r.Service {
			svc = s
		}
	}
	return func() tea.Msg {
		res, err := rc.Print(ctx, r, svc)
		return receiptMsg{r, res, err}
	}
}

// loadStats loads the figures of src and, when survey is not nil, the
// survey's tally of the same days.
func (c common) loadStats(src StatsSource, survey SurveySource, seq int, from, to, service string) tea.Cmd {
	ctx := c.ctx
	return func() tea.Msg {
		f, err := src(ctx, from, to, service)
		msg := statsLoadedMsg{seq: seq, fig: f, err: err}
		if survey != nil && err == nil {
			tally, err := survey(ctx, from, to, service)
			msg.skm, msg.err = &tally, err
		}
		return msg
	}
}
