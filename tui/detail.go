package tui

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"

	"github.com/loket-id/loket/queue"
)

// detailPage shows one request and its history, and acts on it: here the
// keys of the queue's actions act on the request shown, whoever is at the
// counter, since the clerk opened it on purpose.
type detailPage struct {
	c        common
	req      queue.Request
	hist     []queue.Event
	notPrint string // why its receipt did not print, if it did not
	scroll   int
	from     screen // esc goes back there: the queue, the search, the close-day list
	shown    bool
	transfer *transferPicker // open while choosing where to move it
	ident    *identifyForm   // open while adding a walk-in's identity
}

func (d *detailPage) setSize(w, h int) {
	d.c.setSize(w, h)
	d.scrollBy(0)
}

func (d *detailPage) typing() bool { return d.transfer != nil || d.ident != nil }

func (d *detailPage) update(msg tea.Msg) (tea.Cmd, []tea.Msg) {
	switch msg := msg.(type) {
	case detailLoadedMsg:
		if msg.err != nil {
			if msg.reload {
				return nil, nil
			}
			return nil, d.c.failed(msg.err)
		}
		if msg.reload {
			if msg.req.ID == d.req.ID {
				d.req, d.hist = msg.req, msg.hist
				d.notPrint = d.failedPrint(msg.req)
				d.scrollBy(0)
			}
			return nil, nil
		}
		d.req, d.hist, d.scroll, d.from, d.transfer, d.ident = msg.req, msg.hist, 0, msg.from, nil, nil
		d.notPrint = d.failedPrint(msg.req)
		return nil, goTo(screenDetail)
	case shownMsg:
		d.shown = true
	case hiddenMsg:
		d.shown, d.transfer, d.ident = false, nil, nil
	case identifiedMsg:
		return d.identified(msg)
	case changedMsg, receiptMsg:
		if d.shown && d.req.ID != "" {
			return d.c.detailCmd(d.req.ID, d.from, true), nil
		}
	case tea.KeyMsg:
		if d.ident != nil {
			var cmd tea.Cmd
			var intents []tea.Msg
			d.ident, cmd, intents = d.ident.key(d.c, msg)
			return cmd, intents
		}
		if d.transfer != nil {
			var cmd tea.Cmd
			d.transfer, cmd = d.transfer.key(d.c, msg)
			return cmd, nil
		}
		return d.key(msg)
	}
	return nil, nil
}

// failedPrint is why r's receipt did not print, "" when it did (or there
// are no receipts).
func (d *detailPage) failedPrint(r queue.Request) string {
	if d.c.opt.Receipts == nil {
		return ""
	}
	return d.c.opt.Receipts.Failed(r.Day)[r.ID]
}

func (d *detailPage) key(msg tea.KeyMsg) (tea.Cmd, []tea.Msg) {
	k, c, r := d.c.keys, d.c, d.req
	switch {
	case key.Matches(msg, k.Back):
		return nil, goTo(d.from)
	case key.Matches(msg, k.Up):
		d.scrollBy(-1)
	case key.Matches(msg, k.Down):
		d.scrollBy(1)
	case key.Matches(msg, k.Receipt):
		return c.reprint(r)
	case key.Matches(msg, k.Call):
		return c.act(r.ID, queue.ActCall, ""), nil // a call of this one, out of order: the store records it so
	case key.Matches(msg, k.Reopen):
		return c.askAct(r, queue.ActReopen)
	case key.Matches(msg, k.Identify):
		if !r.Anonymous() {
			return nil, nil
		}
		if _, ok := c.opt.Backend.(Identifier); !ok {
			return nil, warn(c.t.S("identify.unavailable"))
		}
		var cmd tea.Cmd
		d.ident, cmd = newIdentifyForm(c, r)
		return cmd, nil
	default:
		act, ok := hereAction(k, msg)
		if !ok {
			return nil, nil
		}
		if act == queue.ActTransfer {
			d.transfer = newTransferPicker(r, c.services())
			return nil, nil
		}
		return c.askAct(r, act)
	}
	return nil, nil
}

// identified shows the request again, with its identity, and prints its
// receipt (now with the name); a refusal stays in the form, on the field
// it names.
func (d *detailPage) identified(msg identifiedMsg) (tea.Cmd, []tea.Msg) {
	if d.ident == nil {
		return nil, nil
	}
	if msg.err != nil {
		d.ident.failed(d.c, msg.err)
		return nil, d.c.failed(msg.err)
	}
	d.ident = nil
	r := msg.req
	if r.ID == d.req.ID {
		d.req = r
	}
	text := d.c.t.S("identify.done", r.Ticket)
	pr := d.c.printReceipt(r)
	if pr != nil {
		text += " · " + d.c.t.S("receipt.working", r.Ticket)
	}
	return tea.Batch(pr, d.c.detailCmd(r.ID, d.from, true)), say(text)
}

// scrollBy scrolls n lines, no further than the last line allows.
func (d *detailPage) scrollBy(n int) {
	d.scroll = max(0, min(d.scroll+n, len(d.lines())-d.c.height))
}

func (d *detailPage) lines() []string {
	c, t, th, r := d.c, d.c.t, d.c.th, d.req
	loc := c.opt.Location
	ts := func(p *time.Time) string {
		if p == nil {
			return "-"
		}
		return p.In(loc).Format("2006-01-02 15:04:05")
	}
	arrived := r.ArrivedAt
	prio := t.S("prio.none")
	if r.Priority != queue.PriorityNone {
		prio = t.S("prio." + string(r.Priority))
	}
	docs := "-"
	if len(r.DocumentsReceived) > 0 {
		docs = clean(strings.Join(r.DocumentsReceived, " · "))
	}
	rows := [][2]string{
		{t.S("col.ticket"), r.Day + "/" + r.Ticket + "  (" + t.S("status."+string(r.Status)) + ")"},
		{t.S("detail.tracking"), r.TrackingCode},
		{t.S("col.service"), r.Service + " " + c.serviceName(r.Service)},
		{t.S("col.name"), who(t, r)},
		{"NIK", orDash(queue.MaskNIK(r.NIK))},
		{t.S("detail.phone"), orDash(queue.MaskPhone(r.Phone))},
		{t.S("detail.priority"), prio},
		{t.S("detail.notes"), orDash(clean(r.Notes))},
		{t.S("detail.documents"), docs},
		{t.S("detail.arrived"), ts(&arrived)},
		{t.S("detail.called"), ts(r.CalledAt)},
		{t.S("detail.serving"), ts(r.ServingAt)},
		{t.S("detail.done"), ts(r.DoneAt)},
		{t.S("detail.calls"), fmt.Sprint(r.Calls)},
		{t.S("detail.counter"), clean(r.Counter) + " / " + clean(r.Clerk)},
	}
	const labelW = 18
	var lines []string
	for _, kv := range rows {
		lines = append(lines, "  "+th.Label.Render(pad(kv[0], labelW))+" "+kv[1])
	}
	if d.notPrint != "" {
		// The printer's whole reason, wrapped: the message line had only
		// room for its start.
		lines = append(lines, "  "+th.Label.Render(pad(t.S("detail.receipt"), labelW))+" "+th.Error.Render(t.S("detail.notprinted")))
		wrapped := ansi.Wrap(clean(d.notPrint), max(20, c.width-labelW-4), " ")
		for _, l := range strings.Split(wrapped, "\n") {
			lines = append(lines, strings.Repeat(" ", labelW+3)+l)
		}
	}
	lines = append(lines, "", "  "+th.Header.Render(t.S("detail.history")))
	for _, e := range d.hist {
		detail := ""
		if e.Type == queue.EventTransferred {
			var td queue.TransferData
			if json.Unmarshal(e.Data, &td) == nil {
				detail = td.From + " → " + td.Service
			}
		}
		lines = append(lines, fmt.Sprintf("  %s  %s %s %s %s", e.At.In(loc).Format("15:04:05"),
			pad(c.eventName(e.Type), 24), pad(clean(e.Counter), 5), pad(clean(e.Clerk), 12), detail))
	}
	return lines
}

// eventName is an event of the history in the UI's language.
func (c common) eventName(typ string) string {
	name := strings.TrimPrefix(typ, "request.")
	if !c.t.Has("event." + name) {
		return name
	}
	return c.t.S("event." + name)
}

func (d *detailPage) view() string {
	if d.ident != nil {
		return d.ident.view(d.c)
	}
	if d.transfer != nil {
		return d.transfer.view(d.c)
	}
	return strings.Join(d.lines()[d.scroll:], "\n")
}

// ShortHelp names the actions the request's status allows.
func (d *detailPage) ShortHelp() []key.Binding {
	k := d.c.keys
	if d.ident != nil {
		return []key.Binding{k.Submit, k.Back, k.NextField, k.PrevField}
	}
	if d.transfer != nil {
		return []key.Binding{k.Open, k.Cancel}
	}
	out := []key.Binding{k.Back}
	for _, a := range []struct {
		b   key.Binding
		act queue.Action
	}{{k.Call, queue.ActCall}, {k.Serve, queue.ActServe}, {k.Done, queue.ActDone}, {k.NoShow, queue.ActNoShow},
		{k.Recall, queue.ActRecall}, {k.Requeue, queue.ActRequeue}, {k.Transfer, queue.ActTransfer},
		{k.CancelReq, queue.ActCancel}, {k.Reopen, queue.ActReopen}} {
		legal := slices.Contains(a.act.From(), d.req.Status)
		if a.act == queue.ActDone {
			legal = d.req.Status == queue.StatusCalled || d.req.Status == queue.StatusServing // the store serves and finishes a called one
		}
		if legal {
			out = append(out, a.b)
		}
	}
	if d.req.Anonymous() {
		out = append(out, k.Identify)
	}
	if d.c.opt.Receipts != nil {
		out = append(out, k.Receipt)
	}
	return out
}

func (d *detailPage) FullHelp() [][]key.Binding { return [][]key.Binding{d.ShortHelp()} }

// backHelp is the help of screens that only go back.
func backHelp(k KeyMap) []key.Binding { return []key.Binding{k.Back, k.Up, k.Down, k.Quit} }
