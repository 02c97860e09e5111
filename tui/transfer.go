package tui

import (
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/loket-id/loket/queue"
)

// transferPicker chooses the service to move a request to; it opens over
// the queue.
type transferPicker struct {
	req      queue.Request
	services []queue.Service
	cursor   int
}

func newTransferPicker(r queue.Request, all []queue.Service) *transferPicker {
	p := &transferPicker{req: r}
	for _, s := range all {
		if s.Active && s.Code != r.Service {
			p.services = append(p.services, s)
		}
	}
	return p
}

// key is a key while the picker is open; it answers the picker, nil once
// it has closed, and the transfer to run.
func (p *transferPicker) key(c common, msg tea.KeyMsg) (*transferPicker, tea.Cmd) {
	k := c.keys
	switch {
	case key.Matches(msg, k.Cancel):
		return nil, nil
	case key.Matches(msg, k.Up):
		p.cursor = max(0, p.cursor-1)
	case key.Matches(msg, k.Down):
		p.cursor = min(len(p.services)-1, p.cursor+1)
	case key.Matches(msg, k.Open):
		if p.cursor < len(p.services) {
			return nil, c.act(p.req.ID, queue.ActTransfer, p.services[p.cursor].Code)
		}
		return nil, nil
	default: // a service's code picks it
		code := strings.ToUpper(msg.String())
		for i, s := range p.services {
			if s.Code == code {
				p.cursor = i
			}
		}
	}
	return p, nil
}

func (p *transferPicker) view(c common) string {
	var b strings.Builder
	b.WriteString("\n  " + c.th.Label.Render(c.t.S("transfer.title", p.req.Ticket)) + "\n\n")
	for i, s := range p.services {
		line := s.Code + "  " + clean(s.Name(c.t.Lang()))
		if i == p.cursor {
			b.WriteString("  " + c.th.Selected.Render("▶ "+line) + "\n")
		} else {
			b.WriteString("    " + line + "\n")
		}
	}
	return b.String()
}
