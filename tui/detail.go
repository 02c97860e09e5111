package tui

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/loket-id/loket/queue"
)

// detailPage shows one request and its history.
type detailPage struct {
	c      common
	req    queue.Request
	hist   []queue.Event
	scroll int
}

func (d *detailPage) setSize(w, h int) {
	d.c.setSize(w, h)
	d.scrollBy(0)
}

func (d *detailPage) update(msg tea.Msg) (tea.Cmd, []tea.Msg) {
	k := d.c.keys
	switch msg := msg.(type) {
	case detailLoadedMsg:
		if msg.err != nil {
			return nil, warn(d.c.t.S("msg.error", msg.err))
		}
		d.req, d.hist, d.scroll = msg.req, msg.hist, 0
		return nil, goTo(screenDetail)
	case tea.KeyMsg:
		switch {
		case key.Matches(msg, k.Back):
			return nil, goTo(screenQueue)
		case key.Matches(msg, k.Up):
			d.scrollBy(-1)
		case key.Matches(msg, k.Down):
			d.scrollBy(1)
		}
	}
	return nil, nil
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
	rows := [][2]string{
		{t.S("col.ticket"), r.Ticket + "  (" + t.S("status."+string(r.Status)) + ")"},
		{t.S("detail.tracking"), r.TrackingCode},
		{t.S("col.service"), r.Service + " " + c.serviceName(r.Service)},
		{t.S("col.name"), clean(r.Name)},
		{"NIK", queue.MaskNIK(r.NIK)},
		{t.S("detail.phone"), orDash(queue.MaskPhone(r.Phone))},
		{t.S("detail.priority"), prio},
		{t.S("detail.notes"), orDash(clean(r.Notes))},
		{t.S("detail.arrived"), ts(&arrived)},
		{t.S("detail.called"), ts(r.CalledAt)},
		{t.S("detail.serving"), ts(r.ServingAt)},
		{t.S("detail.done"), ts(r.DoneAt)},
		{t.S("detail.calls"), fmt.Sprint(r.Calls)},
		{t.S("detail.counter"), clean(r.Counter) + " / " + clean(r.Clerk)},
	}
	var lines []string
	for _, kv := range rows {
		lines = append(lines, "  "+th.Label.Render(pad(kv[0], 15))+" "+kv[1])
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
		lines = append(lines, fmt.Sprintf("  %s  %-12s %-4s %-12s %s", e.At.In(loc).Format("15:04:05"),
			strings.TrimPrefix(e.Type, "request."), clean(e.Counter), clean(e.Clerk), detail))
	}
	return lines
}

func (d *detailPage) view() string { return strings.Join(d.lines()[d.scroll:], "\n") }

func (d *detailPage) ShortHelp() []key.Binding { return backHelp(d.c.keys) }

func (d *detailPage) FullHelp() [][]key.Binding { return [][]key.Binding{d.ShortHelp()} }

// backHelp is the help of screens that only go back.
func backHelp(k KeyMap) []key.Binding { return []key.Binding{k.Back, k.Up, k.Down, k.Quit} }
