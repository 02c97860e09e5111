package tui

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/loket-id/loket/store"
)

// detailModel shows one request and its history.
type detailModel struct {
	req    store.Request
	hist   []store.Event
	scroll int
}

func (d *detailModel) view(m *Model, h int) string {
	t, th, r := m.t, m.th, d.req
	loc := m.opt.Location
	ts := func(p *time.Time) string {
		if p == nil {
			return "-"
		}
		return p.In(loc).Format("2006-01-02 15:04:05")
	}
	arrived := r.ArrivedAt
	prio := t.S("prio.none")
	if r.Priority != store.PriorityNone {
		prio = t.S("prio." + string(r.Priority))
	}
	rows := [][2]string{
		{t.S("col.ticket"), r.Ticket + "  (" + t.S("status."+string(r.Status)) + ")"},
		{t.S("detail.tracking"), r.TrackingCode},
		{t.S("col.service"), r.Service + " " + serviceName(m, r.Service)},
		{t.S("col.name"), clean(r.Name)},
		{"NIK", store.MaskNIK(r.NIK)},
		{t.S("detail.phone"), orDash(store.MaskPhone(r.Phone))},
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
		if e.Type == store.EventTransferred {
			var td store.TransferData
			if json.Unmarshal(e.Data, &td) == nil {
				detail = td.From + " → " + td.Service
			}
		}
		lines = append(lines, fmt.Sprintf("  %s  %-12s %-4s %-12s %s", e.At.In(loc).Format("15:04:05"),
			strings.TrimPrefix(e.Type, "request."), clean(e.Counter), clean(e.Clerk), detail))
	}
	d.scroll = max(0, min(d.scroll, len(lines)-h))
	return strings.Join(lines[d.scroll:], "\n")
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// searchModel finds requests as the clerk types.
type searchModel struct {
	input  textinput.Model
	seq    int // of the newest search sent; older answers are dropped
	got    int // seq of the results shown
	reqs   []store.Request
	cursor int
	err    error
}

func newSearchModel(t Text) searchModel {
	in := textinput.New()
	in.Prompt = t.S("search.prompt")
	in.CharLimit = 60
	return searchModel{input: in}
}

func (s *searchModel) focus() tea.Cmd { return s.input.Focus() }

func (s *searchModel) update(msg tea.KeyMsg, m *Model) tea.Cmd {
	switch {
	case key.Matches(msg, m.keys.Back):
		s.input.Blur()
		m.screen = screenQueue
		return nil
	case key.Matches(msg, m.keys.Open):
		if s.cursor < len(s.reqs) {
			return m.openDetail(s.reqs[s.cursor].ID)
		}
		return nil
	case msg.String() == "up":
		s.cursor = max(0, s.cursor-1)
		return nil
	case msg.String() == "down":
		s.cursor = min(max(0, len(s.reqs)-1), s.cursor+1)
		return nil
	}
	before := s.input.Value()
	var cmd tea.Cmd
	s.input, cmd = s.input.Update(msg)
	if s.input.Value() == before {
		return cmd
	}
	s.seq++
	seq, text, b, ctx := s.seq, s.input.Value(), m.opt.Backend, m.ctx
	return tea.Batch(cmd, func() tea.Msg {
		reqs, err := b.Find(ctx, text, 50)
		return searchResultMsg{seq, reqs, err}
	})
}

func (s *searchModel) results(msg searchResultMsg) {
	if msg.seq < s.got {
		return // an older search answered late
	}
	s.got, s.reqs, s.err, s.cursor = msg.seq, msg.reqs, msg.err, 0
}

func (s *searchModel) view(m *Model, h int) string {
	t, th := m.t, m.th
	var b strings.Builder
	b.WriteString("\n  " + s.input.View() + "\n\n")
	switch {
	case s.err != nil:
		b.WriteString("  " + th.Error.Render(s.err.Error()))
	case strings.TrimSpace(s.input.Value()) == "":
		b.WriteString("  " + th.Muted.Render(t.S("search.hint")))
	case len(s.reqs) == 0 && s.got == s.seq:
		b.WriteString("  " + th.Muted.Render(t.S("search.none")))
	}
	nameW := max(10, m.width-53)
	for i, r := range s.reqs {
		if i >= h-4 {
			break
		}
		line := fmt.Sprintf("%s %s %s %s %s %s", pad(r.Day, 10), pad(r.Ticket, 6), pad(clean(r.Name), nameW),
			store.MaskNIK(r.NIK)[12:], pad(t.S("status."+string(r.Status)), 11), r.TrackingCode)
		if i == s.cursor {
			line = th.Selected.Render("▶ " + line)
		} else {
			line = "  " + line
		}
		b.WriteString(line + "\n")
	}
	return b.String()
}

// transferPicker chooses the service to move a request to.
type transferPicker struct {
	req      store.Request
	services []store.Service
	cursor   int
}

func newTransferPicker(r store.Request, all []store.Service) *transferPicker {
	p := &transferPicker{req: r}
	for _, s := range all {
		if s.Active && s.Code != r.Service {
			p.services = append(p.services, s)
		}
	}
	return p
}

func (p *transferPicker) update(msg tea.KeyMsg, m *Model) tea.Cmd {
	switch {
	case key.Matches(msg, m.keys.Cancel):
		m.transfer = nil
	case key.Matches(msg, m.keys.Up):
		p.cursor = max(0, p.cursor-1)
	case key.Matches(msg, m.keys.Down):
		p.cursor = min(len(p.services)-1, p.cursor+1)
	case key.Matches(msg, m.keys.Open):
		m.transfer = nil
		if p.cursor < len(p.services) {
			return m.act(p.req.ID, store.ActTransfer, p.services[p.cursor].Code)
		}
	default:
		c := strings.ToUpper(msg.String())
		for i, s := range p.services {
			if s.Code == c {
				p.cursor = i
			}
		}
	}
	return nil
}

func (p *transferPicker) view(m *Model, h int) string {
	var b strings.Builder
	b.WriteString("\n  " + m.th.Label.Render(m.t.S("transfer.title", p.req.Ticket)) + "\n\n")
	for i, s := range p.services {
		line := s.Code + "  " + clean(s.Name(m.t.Lang()))
		if i == p.cursor {
			b.WriteString("  " + m.th.Selected.Render("▶ "+line) + "\n")
		} else {
			b.WriteString("    " + line + "\n")
		}
	}
	return b.String()
}
