package tui

import (
	"errors"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"

	"github.com/loket-id/loket/queue"
)

// statusFilters are the choices of f, in order; "" is all, "open" is
// waiting, called or serving.
var statusFilters = []string{"", "open", "waiting", "called", "serving", "done", "no_show", "cancelled"}

// headerLines is what the queue shows above the table rows.
const headerLines = 3

// queuePage is today's queue as a scrolling table, and the actions on it.
type queuePage struct {
	c          common
	all        []queue.Request
	rows       []queue.Request // after the filters
	cursor     int
	offset     int // first row shown
	selectedID string
	status     int    // index into statusFilters
	service    string // "" is every service
	waiting    int
	unprinted  map[string]string // request ID -> why its receipt did not print
	transfer   *transferPicker   // open while choosing where to move a request
	earlier    []queue.Request   // earlier days' requests left open
}

func newQueuePage(c common) *queuePage { return &queuePage{c: c, unprinted: map[string]string{}} }

func (q *queuePage) setSize(w, h int) {
	q.c.setSize(w, h)
	q.follow()
}

func (q *queuePage) typing() bool { return q.transfer != nil }

func (q *queuePage) update(msg tea.Msg) (tea.Cmd, []tea.Msg) {
	t := q.c.t
	switch msg := msg.(type) {
	case changedMsg:
		return q.c.loadQueue(), nil
	case queueLoadedMsg:
		if msg.err != nil {
			return nil, warn(t.S("msg.error", msg.err))
		}
		q.setRequests(msg.reqs, msg.unprinted)
	case earlierLoadedMsg:
		if msg.err != nil {
			return nil, q.c.failed(msg.err)
		}
		q.earlier = msg.reqs
		q.follow()
	case actionDoneMsg:
		if msg.err == nil && msg.req.Day != q.c.today() {
			return q.c.loadEarlier(), q.actionDone(msg)
		}
		return nil, q.actionDone(msg)
	case receiptMsg:
		return nil, q.receiptDone(msg)
	case tea.KeyMsg:
		if q.transfer != nil {
			var cmd tea.Cmd
			q.transfer, cmd = q.transfer.key(q.c, msg)
			return cmd, nil
		}
		return q.key(msg)
	}
	return nil, nil
}

// actionDone shows the request an action returned and says what became of
// it. The queue reloads on the change notification the action caused, once.
func (q *queuePage) actionDone(msg actionDoneMsg) []tea.Msg {
	t := q.c.t
	if msg.err != nil {
		if errors.Is(msg.err, queue.ErrQueueEmpty) {
			return say(t.S("msg.empty"))
		}
		return q.c.failed(msg.err)
	}
	r := msg.req
	q.apply(r)
	switch msg.act {
	case queue.ActCall:
		q.selectID(r.ID)
		return say(t.S("msg.called", r.Ticket, q.c.counterLabel()))
	case queue.ActRecall:
		if r.Calls >= q.c.opt.MaxCalls {
			return warn(t.S("msg.maxcalls", r.Ticket, r.Calls))
		}
		return say(t.S("msg.recalled", r.Ticket, r.Calls))
	case queue.ActServe:
		return say(t.S("msg.serving", r.Ticket))
	case queue.ActDone:
		return say(t.S("msg.done", r.Ticket))
	case queue.ActNoShow:
		return say(t.S("msg.noshow", r.Ticket))
	case queue.ActCancel:
		return say(t.S("msg.cancelled", r.Ticket))
	case queue.ActRequeue:
		return say(t.S("msg.requeued", r.Ticket))
	case queue.ActTransfer:
		return say(t.S("msg.transferred", r.Ticket, r.Service))
	case queue.ActReopen:
		return say(t.S("msg.reopened", r.Ticket))
	}
	return nil
}

func (q *queuePage) receiptDone(msg receiptMsg) []tea.Msg {
	t, id, ticket := q.c.t, msg.req.ID, msg.req.Ticket
	switch {
	case msg.err != nil:
		return warn(t.S("receipt.error", ticket, shorten(msg.err.Error(), rawMax)))
	case msg.res.PrintErr != nil:
		// The message line is one line: the kind and what to do first, the
		// printer's own words after, as far as they fit; the details show
		// them whole.
		q.unprinted[id] = msg.res.PrintErr.Error()
		return warn(t.S("receipt.notprinted", ticket, q.c.printErrKind(msg.res.PrintErr), clean(msg.res.PrintErr.Error())))
	case msg.res.Printed:
		delete(q.unprinted, id)
		return say(t.S("receipt.printed", ticket))
	}
	return say(t.S("receipt.saved", ticket, msg.res.Path))
}

func (q *queuePage) key(msg tea.KeyMsg) (tea.Cmd, []tea.Msg) {
	k, c := q.c.keys, q.c
	sel, ok := q.selected()
	if !ok && key.Matches(msg, k.Open, k.Reopen, k.Receipt) {
		return nil, warn(c.t.S("msg.noselection"))
	}
	switch {
	case key.Matches(msg, k.Up):
		q.move(-1)
	case key.Matches(msg, k.Down):
		q.move(1)
	case key.Matches(msg, k.PageUp):
		q.move(-q.pageSize())
	case key.Matches(msg, k.PageDown):
		q.move(q.pageSize())
	case key.Matches(msg, k.Filter):
		q.status = (q.status + 1) % len(statusFilters)
		q.refilter()
	case key.Matches(msg, k.ServiceFilter):
		q.service = nextCode(c.services(), q.service)
		q.refilter()
	case key.Matches(msg, k.Call):
		return c.callNext(), nil
	case key.Matches(msg, k.Open):
		return c.openDetail(sel.ID, screenQueue), nil
	case key.Matches(msg, k.Receipt):
		return c.reprint(sel)
	case key.Matches(msg, k.Reopen):
		if sel.Status != queue.StatusNoShow && sel.Status != queue.StatusCancelled {
			return nil, warn(c.t.S("msg.notclosed"))
		}
		return c.askAct(sel, queue.ActReopen)
	default:
		// The actions on the person at this counter, whatever row is
		// highlighted.
		act, isAct := hereAction(k, msg)
		if !isAct {
			return nil, nil
		}
		here, ok := q.here()
		if !ok {
			return nil, warn(c.t.S("msg.nobodyhere"))
		}
		if act == queue.ActTransfer {
			q.transfer = newTransferPicker(here, c.services())
			return nil, nil
		}
		return c.askAct(here, act)
	}
	return nil, nil
}

// hereAction is the action a key asks for on a request: on the queue
// screen, on the person at the counter; in the details, on the request
// shown.
func hereAction(k KeyMap, msg tea.KeyMsg) (queue.Action, bool) {
	for _, a := range []struct {
		b   key.Binding
		act queue.Action
	}{{k.Serve, queue.ActServe}, {k.Done, queue.ActDone}, {k.NoShow, queue.ActNoShow}, {k.Recall, queue.ActRecall},
		{k.Requeue, queue.ActRequeue}, {k.Transfer, queue.ActTransfer}, {k.CancelReq, queue.ActCancel}} {
		if key.Matches(msg, a.b) {
			return a.act, true
		}
	}
	return "", false
}

// nextCode is the service after cur in the cycle "" (all), then each service.
func nextCode(svcs []queue.Service, cur string) string {
	codes := []string{""}
	for _, s := range svcs {
		codes = append(codes, s.Code)
	}
	for i, c := range codes {
		if c == cur {
			return codes[(i+1)%len(codes)]
		}
	}
	return cur
}

func (q *queuePage) setRequests(reqs []queue.Request, unprinted map[string]string) {
	q.all = reqs
	if unprinted == nil {
		unprinted = map[string]string{}
	}
	q.unprinted = unprinted
	q.refilter()
}

// apply shows r, as an action returned it, in place of its row at once,
// so that the message and the row change together; the reload that follows
// brings the rest. A copy with fewer events (older than one a reload
// already brought) is not applied.
func (q *queuePage) apply(r queue.Request) {
	for i, cur := range q.all {
		if cur.ID == r.ID && len(r.EventSeqs) >= len(cur.EventSeqs) {
			q.all[i] = r
			q.refilter()
			return
		}
	}
}

// refilter counts today's waiting and applies the filters.
func (q *queuePage) refilter() {
	q.rows = q.rows[:0]
	q.waiting = 0
	f := statusFilters[q.status]
	today := q.c.today()
	for _, r := range q.all {
		if r.Status == queue.StatusWaiting && r.Day == today {
			q.waiting++
		}
		if q.service != "" && r.Service != q.service {
			continue
		}
		switch f {
		case "":
		case "open":
			if r.Status.Final() {
				continue
			}
		default:
			if string(r.Status) != f {
				continue
			}
		}
		q.rows = append(q.rows, r)
	}
	// Keep the selection on the same request when the list changes.
	q.cursor = min(q.cursor, max(len(q.rows)-1, 0))
	for i, r := range q.rows {
		if r.ID == q.selectedID {
			q.cursor = i
			break
		}
	}
	if len(q.rows) > 0 {
		q.selectedID = q.rows[q.cursor].ID
	}
	q.follow()
}

// selectID puts the selection on request id, now if it is shown, else when
// the queue reloads with it.
func (q *queuePage) selectID(id string) {
	q.selectedID = id
	for i, r := range q.rows {
		if r.ID == id {
			q.cursor = i
			q.follow()
			break
		}
	}
}

func (q *queuePage) selected() (queue.Request, bool) {
	if q.cursor < 0 || q.cursor >= len(q.rows) {
		return queue.Request{}, false
	}
	return q.rows[q.cursor], true
}

func (q *queuePage) move(d int) {
	if len(q.rows) == 0 {
		return
	}
	q.cursor = max(0, min(len(q.rows)-1, q.cursor+d))
	q.selectedID = q.rows[q.cursor].ID
	q.follow()
}

func (q *queuePage) rowsHeight() int {
	h := q.c.height - headerLines
	if len(q.earlier) > 0 {
		h-- // the line that counts them
	}
	return h
}

func (q *queuePage) pageSize() int { return max(1, q.rowsHeight()) }

// follow scrolls so that the cursor is visible.
func (q *queuePage) follow() {
	rowsH := q.rowsHeight()
	if q.cursor < q.offset {
		q.offset = q.cursor
	}
	if q.cursor >= q.offset+rowsH {
		q.offset = q.cursor - rowsH + 1
	}
	q.offset = max(0, min(q.offset, len(q.rows)-rowsH))
}

// here is the request called to or being served at this counter, the latest first.
func (q *queuePage) here() (queue.Request, bool) {
	var best queue.Request
	found := false
	for _, r := range q.all {
		if (r.Status == queue.StatusCalled || r.Status == queue.StatusServing) && r.Counter == q.c.opt.Counter {
			if !found || r.UpdatedAt.After(best.UpdatedAt) {
				best, found = r, true
			}
		}
	}
	return best, found
}

func (q *queuePage) view() string {
	if q.transfer != nil {
		return q.transfer.view(q.c)
	}
	c, t, th, w := q.c, q.c.t, q.c.th, q.c.width
	var b strings.Builder
	if r, ok := q.here(); ok {
		svc := c.serviceName(r.Service)
		if r.Status == queue.StatusCalled {
			b.WriteString(th.Here.Render(truncate(t.S("here.called", r.Ticket, who(t, r), r.Calls, svc), w)))
		} else {
			b.WriteString(th.Here.Render(truncate(t.S("here.serving", r.Ticket, who(t, r), svc), w)))
		}
	} else {
		b.WriteString(th.HereNone.Render(truncate(t.S("here.none"), w)))
	}
	b.WriteByte('\n')
	sf := t.S("filter.all")
	if f := statusFilters[q.status]; f == "open" {
		sf = t.S("filter.open")
	} else if f != "" {
		sf = t.S("status." + f)
	}
	svf := t.S("filter.all")
	if q.service != "" {
		svf = q.service
	}
	b.WriteString(th.Filter.Render(truncate(t.S("filter.label", sf, svf, len(q.rows)), w)))
	b.WriteByte('\n')
	if len(q.earlier) > 0 {
		days := map[string]bool{}
		var list []string
		for _, r := range q.earlier {
			if !days[r.Day] {
				days[r.Day] = true
				list = append(list, r.Day)
			}
		}
		b.WriteString(th.Error.Render(truncate(t.S("closeday.earlier", len(q.earlier), strings.Join(list, ", ")), w)) + "\n")
	}

	wide := w >= 120
	svcW, svcHead := 4, t.S("col.code")
	if wide {
		svcHead = t.S("col.service")
		svcW = 30
	}
	// ▶ + ticket + service + priority + status + arrived + wait, with spaces.
	const waitW = 10
	nameW := max(8, w-(2+6+1+svcW+1+2+1+11+1+7+1+waitW)-1)
	header := "  " + pad(t.S("col.ticket"), 6) + " " + pad(svcHead, svcW) + " " + pad(t.S("col.name"), nameW) + " " +
		pad(t.S("col.pri"), 2) + " " + pad(t.S("col.status"), 11) + " " + pad(t.S("col.arrived"), 7) + " " + pad(t.S("col.wait"), waitW)
	b.WriteString(th.Header.Render(truncate(header, w)))
	if len(q.rows) == 0 {
		b.WriteString("\n  " + th.Muted.Render(t.S("queue.empty")))
		return b.String()
	}
	// Only the visible rows are rendered.
	now := c.opt.Now()
	for i := q.offset; i < len(q.rows) && i < q.offset+q.rowsHeight(); i++ {
		r := q.rows[i]
		mark := "  "
		if i == q.cursor {
			mark = "▶ "
		}
		svc := r.Service
		if wide {
			svc = r.Service + " " + c.serviceName(r.Service)
		}
		pri := " "
		if r.Priority != queue.PriorityNone {
			pri = "★"
		}
		if _, bad := q.unprinted[r.ID]; bad {
			pri += "!" // the receipt did not print: p prints it again
		} else {
			pri += " "
		}
		status := pad(t.S("status."+string(r.Status)), 11)
		line := mark + pad(r.Ticket, 6) + " " + pad(svc, svcW) + " " + pad(who(t, r), nameW) + " " + pri + " " +
			th.Status[string(r.Status)].Render(status) + " " + pad(r.ArrivedAt.In(c.opt.Location).Format("15:04"), 7) + " " +
			pad(t.Duration(r.WaitingTime(now)), waitW)
		if i == q.cursor {
			line = th.Selected.Render(ansi.Strip(line))
		}
		b.WriteString("\n" + line)
	}
	return b.String()
}

func (q *queuePage) ShortHelp() []key.Binding {
	k := q.c.keys
	return []key.Binding{k.New, k.Call, k.Serve, k.Done, k.NoShow, k.Search, k.Help}
}

func (q *queuePage) FullHelp() [][]key.Binding { return queueHelp(q.c.keys) }

// queueHelp is every key of the queue screen, for the help screen.
func queueHelp(k KeyMap) [][]key.Binding {
	return [][]key.Binding{
		{k.New, k.Call, k.Serve, k.Done, k.NoShow, k.Recall, k.Requeue, k.Transfer, k.CancelReq},
		{k.Open, k.Receipt, k.Reopen, k.Search, k.Filter, k.ServiceFilter, k.Up, k.Down, k.CloseDay},
		{k.Queue, k.Stats, k.Sync, k.Help, k.Quit, k.ForceQuit},
	}
}
