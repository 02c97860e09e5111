package tui

import (
	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
)

// helpPage lists every key of the queue screen.
type helpPage struct {
	c    common
	help help.Model
}

func newHelpPage(c common) *helpPage { return &helpPage{c: c, help: c.th.newHelp()} }

func (p *helpPage) setSize(w, h int) {
	p.c.setSize(w, h)
	p.help.Width = w
}

func (p *helpPage) update(msg tea.Msg) (tea.Cmd, []tea.Msg) {
	if msg, ok := msg.(tea.KeyMsg); ok && key.Matches(msg, p.c.keys.Back) {
		return nil, goTo(screenQueue)
	}
	return nil, nil
}

func (p *helpPage) view() string {
	return p.help.FullHelpView(queueHelp(p.c.keys))
}

func (p *helpPage) ShortHelp() []key.Binding { return backHelp(p.c.keys) }

func (p *helpPage) FullHelp() [][]key.Binding { return [][]key.Binding{p.ShortHelp()} }
