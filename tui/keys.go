package tui

import "github.com/charmbracelet/bubbles/key"

// KeyMap declares every key once, with its help text in the UI's language.
// Each page names the ones its help line shows (its ShortHelp).
type KeyMap struct {
	New, Call, Serve, Done, NoShow, Recall, Requeue, Transfer, Receipt key.Binding
	Open, Search, Filter, ServiceFilter                                key.Binding
	Queue, Stats, Sync, Help, Quit, ForceQuit, Yes                     key.Binding
	Up, Down, PageUp, PageDown                                         key.Binding
	NextField, PrevField, Submit, Cancel, Back                         key.Binding
	SyncNow                                                            key.Binding
	RangeToday, Range7, Range30, PrevMonth, NextMonth, Central         key.Binding
	// In the form's choices and the search results, where letters are text.
	ServicePrev, ServiceNext, ClearCode, ChoicePrev, ChoiceNext key.Binding
	ListUp, ListDown                                            key.Binding
}

// NewKeyMap builds the key map with help in the language of t.
func NewKeyMap(t Text) KeyMap {
	b := func(help string, keys ...string) key.Binding {
		return key.NewBinding(key.WithKeys(keys...), key.WithHelp(keys[0], t.S(help)))
	}
	shown := func(shown, help string, keys ...string) key.Binding {
		return key.NewBinding(key.WithKeys(keys...), key.WithHelp(shown, t.S(help)))
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
		Yes:           b("key.quit", "y", "Y"),
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
		ServicePrev:   shown("↑/↓", "form.hint.service", "up", "left"),
		ServiceNext:   shown("↑/↓", "form.hint.service", "down", "right"),
		ClearCode:     shown("⌫", "form.hint.service", "backspace"),
		ChoicePrev:    shown("←/→", "form.hint.prio", "left", "up", "h"),
		ChoiceNext:    shown("←/→", "form.hint.prio", "right", "down", "l", " "),
		ListUp:        shown("↑", "key.up", "up"),
		ListDown:      shown("↓", "key.down", "down"),
	}
}
