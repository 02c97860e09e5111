package tui

import (
	"fmt"
	"strings"
	"time"
)

// syncBar is the status bar's sync part: state, pending events, last sync.
func (m *Model) syncBar() string {
	if m.opt.Sync == nil {
		return m.t.S("bar.sync")
	}
	s := m.sync
	state := m.t.S("sync.offline")
	switch {
	case s.Syncing:
		state = m.t.S("sync.busy")
	case s.Refused:
		state = m.t.S("sync.refused")
	case s.Online:
		state = m.t.S("sync.online")
	}
	out := state + " · " + m.t.S("sync.pending", s.Pending)
	if !s.LastSync.IsZero() {
		out += " · " + s.LastSync.In(m.opt.Location).Format("15:04")
	}
	return out
}

func (m *Model) syncView() string {
	th, t := m.th, m.t
	if m.opt.Sync == nil {
		return "\n  " + th.Muted.Render(t.S("sync.none"))
	}
	s := m.sync
	last := t.S("sync.never")
	if !s.LastSync.IsZero() {
		last = s.LastSync.In(m.opt.Location).Format("2006-01-02 15:04:05")
	}
	next := "-"
	if !s.NextTry.IsZero() && s.NextTry.After(time.Now()) {
		next = s.NextTry.In(m.opt.Location).Format("15:04:05")
	}
	id := m.opt.Backend.Identity()
	rows := [][2]string{
		{t.S("sync.server"), clean(s.Server)},
		{t.S("sync.station"), id.StationID},
		{t.S("sync.epoch"), id.Epoch},
		{t.S("sync.state"), m.syncBar()},
		{t.S("sync.pendinglabel"), fmt.Sprint(s.Pending)},
		{t.S("sync.last"), last},
		{t.S("sync.next"), next},
	}
	var b strings.Builder
	b.WriteByte('\n')
	for _, kv := range rows {
		b.WriteString("  " + th.Label.Render(pad(kv[0], 18)) + " " + kv[1] + "\n")
	}
	if len(s.Errors) > 0 {
		b.WriteString("\n  " + th.Header.Render(t.S("sync.errors")) + "\n")
		for _, e := range s.Errors {
			b.WriteString("  " + th.Error.Render(clean(e)) + "\n")
		}
	}
	return b.String()
}
