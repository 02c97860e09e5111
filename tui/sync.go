package tui

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
)

// syncPage shows the background syncer's state; its short form is on the
// status bar of every screen.
type syncPage struct {
	c      common
	status SyncStatus
}

func newSyncPage(c common) *syncPage {
	s := &syncPage{c: c}
	if c.opt.Sync != nil {
		s.status = c.opt.Sync.Status()
	}
	return s
}

func (s *syncPage) setSize(w, h int) { s.c.setSize(w, h) }

func (s *syncPage) update(msg tea.Msg) (tea.Cmd, []tea.Msg) {
	k, sy := s.c.keys, s.c.opt.Sync
	switch msg := msg.(type) {
	case SyncStatusMsg:
		s.status = SyncStatus(msg)
	case shownMsg:
		if sy != nil {
			s.status = sy.Status()
		}
	case tea.KeyMsg:
		switch {
		case key.Matches(msg, k.Back):
			return nil, goTo(screenQueue)
		case key.Matches(msg, k.SyncNow) && sy != nil:
			kick := func() tea.Msg { sy.Kick(); return nil }
			return kick, say(s.c.t.S("sync.kicked"))
		}
	}
	return nil, nil
}

// bar is the status bar's sync part: state, pending events, last sync.
func (s *syncPage) bar() string {
	t := s.c.t
	if s.c.opt.Sync == nil {
		return t.S("bar.sync")
	}
	st := s.status
	state := t.S("sync.offline")
	switch {
	case st.Syncing:
		state = t.S("sync.busy")
	case st.Refused:
		state = t.S("sync.refused")
	case st.Online:
		state = t.S("sync.online")
	}
	out := state + " · " + t.S("sync.pending", st.Pending)
	if !st.LastSync.IsZero() {
		out += " · " + st.LastSync.In(s.c.opt.Location).Format("15:04")
	}
	return out
}

func (s *syncPage) view() string {
	th, t, loc := s.c.th, s.c.t, s.c.opt.Location
	if s.c.opt.Sync == nil {
		return "\n  " + th.Muted.Render(t.S("sync.none"))
	}
	st := s.status
	// Times in the office's zone, named, as the title bar's clock.
	last := t.S("sync.never")
	if !st.LastSync.IsZero() {
		last = st.LastSync.In(loc).Format("2006-01-02 15:04:05 MST")
	}
	next := "-"
	if !st.NextTry.IsZero() && st.NextTry.After(s.c.opt.Now()) {
		next = st.NextTry.In(loc).Format("15:04:05 MST")
	}
	o := s.c.opt
	counter := o.Counter
	if o.CounterName != "" && o.CounterName != o.Counter {
		counter += " · " + o.CounterName
	}
	rows := [][2]string{
		{t.S("sync.office"), clean(o.Office)},
		{t.S("sync.counter"), clean(counter)},
		{t.S("sync.server"), clean(st.Server)},
		{t.S("sync.state"), s.bar()},
		{t.S("sync.pendinglabel"), fmt.Sprint(st.Pending)},
		{t.S("sync.last"), last},
		{t.S("sync.next"), next},
	}
	var b strings.Builder
	b.WriteByte('\n')
	for _, kv := range rows {
		b.WriteString("  " + th.Label.Render(pad(kv[0], 18)) + " " + kv[1] + "\n")
	}
	if len(st.Errors) > 0 {
		b.WriteString("\n  " + th.Header.Render(t.S("sync.errors")) + "\n")
		for _, e := range st.Errors {
			b.WriteString("  " + th.Error.Render(truncate(s.c.syncErrText(e), s.c.width-2)) + "\n")
		}
	}
	// The database's identity towards the server, for the central office
	// when it must rebind this counter; shortened, it is only a hint.
	be := s.c.opt.Backend
	b.WriteString("\n  " + th.Muted.Render(truncate(t.S("sync.ids", shortID(be.StationID()), shortID(be.Epoch())), s.c.width-2)) + "\n")
	return b.String()
}

func (s *syncPage) ShortHelp() []key.Binding {
	k := s.c.keys
	return []key.Binding{k.SyncNow, k.Back, k.Quit}
}

func (s *syncPage) FullHelp() [][]key.Binding { return [][]key.Binding{s.ShortHelp()} }

// shortID is the start of a long identifier, enough to tell two apart.
func shortID(id string) string {
	if len(id) > 12 {
		return id[:12] + "…"
	}
	return id
}
