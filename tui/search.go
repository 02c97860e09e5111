package tui

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/cursor"
	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"

	"github.com/loket-id/loket/queue"
)

// searchPage finds requests as the clerk types.
type searchPage struct {
	c      common
	input  textinput.Model
	seq    int // of the newest search sent; older answers are dropped
	got    int // seq of the results shown
	reqs   []queue.Request
	cursor int
	err    error
}

func newSearchPage(c common) *searchPage {
	in := c.th.newInput()
	in.Prompt = c.t.S("search.prompt")
	in.CharLimit = 60
	in.Cursor.SetMode(cursor.CursorStatic) // the UI never sends it blink ticks
	return &searchPage{c: c, input: in}
}

func (s *searchPage) setSize(w, h int) { s.c.setSize(w, h) }

// typing: the search takes every key (its field is text).
func (s *searchPage) typing() bool { return true }

func (s *searchPage) update(msg tea.Msg) (tea.Cmd, []tea.Msg) {
	switch msg := msg.(type) {
	case shownMsg:
		return s.input.Focus(), nil
	case searchResultMsg:
		if msg.seq < s.got {
			return nil, nil // an older search answered late
		}
		s.got, s.reqs, s.err, s.cursor = msg.seq, msg.reqs, msg.err, 0
	case tea.KeyMsg:
		return s.key(msg)
	}
	return nil, nil
}

func (s *searchPage) key(msg tea.KeyMsg) (tea.Cmd, []tea.Msg) {
	k := s.c.keys
	switch {
	case key.Matches(msg, k.Back):
		s.input.Blur()
		return nil, goTo(screenQueue)
	case key.Matches(msg, k.Open):
		if s.cursor < len(s.reqs) {
			return s.c.openDetail(s.reqs[s.cursor].ID, screenSearch), nil
		}
		return nil, nil
	case key.Matches(msg, k.ReceiptInText):
		// Letters are the search's text: ctrl+p prints the highlighted
		// result's receipt again, of whatever day.
		if s.cursor < len(s.reqs) {
			return s.c.reprint(s.reqs[s.cursor])
		}
		return nil, nil
	case key.Matches(msg, k.ListUp):
		s.cursor = max(0, s.cursor-1)
		return nil, nil
	case key.Matches(msg, k.ListDown):
		s.cursor = min(max(0, len(s.reqs)-1), s.cursor+1)
		return nil, nil
	}
	before := s.input.Value()
	var cmd tea.Cmd
	s.input, cmd = s.input.Update(msg)
	if s.input.Value() == before {
		return cmd, nil
	}
	s.seq++
	return tea.Batch(cmd, s.c.find(s.seq, s.input.Value())), nil
}

func (s *searchPage) view() string {
	t, th := s.c.t, s.c.th
	var b strings.Builder
	field := s.input.View()
	if th.noColour() {
		field = s.input.Prompt + plainInput(s.input, max(10, s.c.width-ansi.StringWidth(s.input.Prompt)-4))
	}
	b.WriteString("\n  " + field + "\n\n")
	switch {
	case s.err != nil:
		b.WriteString("  " + th.Error.Render(s.c.errText(s.err)))
	case strings.TrimSpace(s.input.Value()) == "":
		b.WriteString("  " + th.Muted.Render(t.S("search.hint")))
	case len(s.reqs) == 0 && s.got == s.seq:
		b.WriteString("  " + th.Muted.Render(t.S("search.none")))
	}
	nameW := max(10, s.c.width-53)
	for i, r := range s.reqs {
		if i >= s.c.height-4 {
			break
		}
		line := fmt.Sprintf("%s %s %s %s %s %s", pad(r.Day, 10), pad(r.Ticket, 6), pad(who(t, r), nameW),
			nikLast(r), pad(t.S("status."+string(r.Status)), 11), r.TrackingCode)
		if i == s.cursor {
			line = th.Selected.Render("▶ " + line)
		} else {
			line = "  " + line
		}
		b.WriteString(line + "\n")
	}
	return b.String()
}

func (s *searchPage) ShortHelp() []key.Binding {
	k := s.c.keys
	out := []key.Binding{k.Back, k.ListUp, k.ListDown, k.Open}
	if s.c.opt.Receipts != nil {
		out = append(out, k.ReceiptInText)
	}
	return out
}

func (s *searchPage) FullHelp() [][]key.Binding { return [][]key.Binding{s.ShortHelp()} }
