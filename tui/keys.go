package tui

import "github.com/charmbracelet/bubbles/key"

// KeyMap declares every key once, with its help text in the UI's language.
type KeyMap struct {
	New, Call, Serve, Done, NoShow, Recall, Requeue, Transfer, Receipt key.Binding
	Open, Search, Filter, ServiceFilter                                key.Binding
	Queue, Stats, Sync, Help, Quit, ForceQuit                          key.Binding
	Up, Down, PageUp, PageDown                                         key.Binding
	NextField, PrevField, Submit, Cancel, Back                         key.Binding
	SyncNow                                                            key.Binding
	RangeToday, Range7, Range30, PrevMonth, NextMonth, Central         key.Binding
}

// NewKeyMap builds the key map with help in the language of t.
func NewKeyMap(t Text) KeyMap {
	b := func(help string, keys ...string) key.Binding {
		return key.NewBinding(key.WithKeys(keys...), key.WithHelp(keys[0], t.S(help)))
	}
	return KeyMap{
		New:           b("key.new", "n"),
		Call:          b("key.call", "c"),
		Serve:         b("key.serve", "s"),
		Done:          b("key.done", "d"),
		NoShow:        b("key.noshow", "x"),
		Recall:        b("key.recall", "r"),
		Requeue:       b("key.requeue", "b"),
		Transfer:      b("key.transfer", "t"),
		Receipt:       b("key.receipt", "p"),
		Open:          b("key.open", "enter"),
		Search:        b("key.search", "/"),
		Filter:        b("key.filter", "f"),
		ServiceFilter: b("key.service", "v"),
		Queue:         b("key.queue", "1"),
		Stats:         b("key.stats", "2"),
		Sync:          b("key.sync", "3"),
		Help:          b("key.help", "?"),
		Quit:          b("key.quit", "q"),
		ForceQuit:     key.NewBinding(key.WithKeys("ctrl+c"), key.WithHelp("ctrl+c", t.S("key.quit"))),
		Up:            b("key.up", "up", "k"),
		Down:          b("key.down", "down", "j"),
		PageUp:        key.NewBinding(key.WithKeys("pgup"), key.WithHelp("pgup", "page up")),
		PageDown:      key.NewBinding(key.WithKeys("pgdown"), key.WithHelp("pgdn", "page down")),
		NextField:     b("key.next", "tab"),
		PrevField:     b("key.prev", "shift+tab"),
		Submit:        b("key.submit", "ctrl+s"),
		Cancel:        b("key.cancel", "esc"),
		Back:          b("key.back", "esc"),
		SyncNow:       b("key.syncnow", "s"),
		RangeToday:    b("key.today", "t"),
		Range7:        b("key.7days", "w"),
		Range30:       b("key.30days", "m"),
		PrevMonth:     b("key.prevmonth", "["),
		NextMonth:     b("key.nextmonth", "]"),
		Central:       b("key.central", "c"),
	}
}

// queueKeys is the help of the queue screen.
type queueKeys struct{ k KeyMap }

func (q queueKeys) ShortHelp() []key.Binding {
	return []key.Binding{q.k.New, q.k.Call, q.k.Serve, q.k.Done, q.k.NoShow, q.k.Search, q.k.Help, q.k.Quit}
}

func (q queueKeys) FullHelp() [][]key.Binding {
	return [][]key.Binding{
		{q.k.New, q.k.Call, q.k.Serve, q.k.Done, q.k.NoShow},
		{q.k.Recall, q.k.Requeue, q.k.Transfer, q.k.Open, q.k.Search},
		{q.k.Receipt, q.k.Filter, q.k.ServiceFilter, q.k.Up, q.k.Down},
		{q.k.Queue, q.k.Stats, q.k.Sync, q.k.Help, q.k.Quit, q.k.ForceQuit},
	}
}

// formKeys is the help of the new walk-in form.
type formKeys struct{ k KeyMap }

func (f formKeys) ShortHelp() []key.Binding {
	return []key.Binding{f.k.NextField, f.k.PrevField, f.k.Submit, f.k.Cancel}
}

func (f formKeys) FullHelp() [][]key.Binding { return [][]key.Binding{f.ShortHelp()} }

// statsKeys is the help of the statistics screen.
type statsKeys struct{ k KeyMap }

func (s statsKeys) ShortHelp() []key.Binding {
	return []key.Binding{s.k.RangeToday, s.k.Range7, s.k.Range30, s.k.PrevMonth, s.k.NextMonth, s.k.ServiceFilter, s.k.Central, s.k.Back}
}
func (s statsKeys) FullHelp() [][]key.Binding { return [][]key.Binding{s.ShortHelp()} }

// syncKeys is the help of the sync screen.
type syncKeys struct{ k KeyMap }

func (s syncKeys) ShortHelp() []key.Binding  { return []key.Binding{s.k.SyncNow, s.k.Back, s.k.Quit} }
func (s syncKeys) FullHelp() [][]key.Binding { return [][]key.Binding{s.ShortHelp()} }

// backKeys is the help of screens that only go back.
type backKeys struct{ k KeyMap }

func (b backKeys) ShortHelp() []key.Binding {
	return []key.Binding{b.k.Back, b.k.Up, b.k.Down, b.k.Quit}
}
func (b backKeys) FullHelp() [][]key.Binding { return [][]key.Binding{b.ShortHelp()} }
