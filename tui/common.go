package tui

import (
	"context"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/loket-id/loket/queue"
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
		req  queue.Request
		hist []queue.Event
		err  error
	}
	statsLoadedMsg struct {
		seq int
		fig stats.Figures
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

func (c common) openDetail(id string) tea.Cmd {
	b, ctx := c.opt.Backend, c.ctx
	return func() tea.Msg {
		r, hist, err := b.Detail(ctx, id)
		return detailLoadedMsg{r, hist, err}
	}
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

func (c common) loadStats(src StatsSource, seq int, from, to, service string) tea.Cmd {
	ctx := c.ctx
	return func() tea.Msg {
		f, err := src(ctx, from, to, service)
		return statsLoadedMsg{seq, f, err}
	}
}
