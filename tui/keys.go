package tui

import "github.com/charmbracelet/bubbles/key"

// KeyMap declares every key once, with its help text in the UI's language.
// Each page names the ones its help line shows (its ShortHelp).
type KeyMap struct {
	New, Call, Serve, Done, NoShow, Recall, Requeue, Transfer, Receipt key.Binding
	CancelReq, Reopen, Identify, CloseDay, CloseAs, DayPrev, DayNext   key.Binding
	Open, Search, Filter, ServiceFilter                                key.Binding
	Queue, Stats, Sync, Help, Quit, ForceQuit, Yes                     key.Binding
	Up, Down, PageUp, PageDown                                         key.Binding
	NextField, PrevField, Submit, Cancel, Back                         key.Binding
	SyncNow                                                            key.Binding
	RangeToday, Range7, Range30, PrevMonth, NextMonth, Central         key.Binding
	// In the form's choices and the search results, where letters are text.
	ServicePrev, ServiceNext, ClearCode, ChoicePrev, ChoiceNext key.Binding
	ListUp, ListDown, ReceiptInText, DocToggle                  key.Binding
}

// NewKeyMap builds the key map with help in the language of t.
func NewKeyMap(t Text) KeyMap {
	b := func(help string, keys ...string) key.Binding {
		return key.NewBinding(key.WithKeys(keys...), key.WithHelp(keys[0], help))
	}
	shown := func(shown, help string, keys ...string) key.Binding {
		return key.NewBinding(key.WithKeys(keys...), key.WithHelp(shown, help))
	}
	return KeyMap{
		New:           b(t.S("key.new"), "n"),
		Call:          b(t.S("key.call"), "c"),
		Serve:         b(t.S("key.serve"), "s"),
		Done:          b(t.S("key.done"), "d"),
		NoShow:        b(t.S("key.noshow"), "x"),
		Recall:        b(t.S("key.recall"), "r"),
		Requeue:       b(t.S("key.requeue"), "b"),
		Transfer:      b(t.S("key.transfer"), "t"),
		Receipt:       b(t.S("key.receipt"), "p"),
		CancelReq:     b(t.S("key.cancelreq"), "k"),
		Reopen:        b(t.S("key.reopen"), "o"),
		Identify:      b(t.S("key.identify"), "i"),
		CloseDay:      b(t.S("key.closeday"), "z"),
		CloseAs:       b(t.S("key.closeas"), "a"),
		DayPrev:       shown("←/→", t.S("key.day"), "left"),
		DayNext:       shown("←/→", t.S("key.day"), "right"),
		Open:          b(t.S("key.open"), "enter"),
		Search:        b(t.S("key.search"), "/"),
		Filter:        b(t.S("key.filter"), "f"),
		ServiceFilter: b(t.S("key.service"), "v"),
		Queue:         b(t.S("key.queue"), "1"),
		Stats:         b(t.S("key.stats"), "2"),
		Sync:          b(t.S("key.sync"), "3"),
		Help:          b(t.S("key.help"), "?"),
		Quit:          b(t.S("key.quit"), "q"),
		ForceQuit:     key.NewBinding(key.WithKeys("ctrl+c"), key.WithHelp("ctrl+c", t.S("key.quit"))),
		Yes:           b(t.S("key.yes"), "y", "Y"),
		Up:            shown("↑", t.S("key.up"), "up"),
		Down:          shown("↓", t.S("key.down"), "down"),
		PageUp:        key.NewBinding(key.WithKeys("pgup"), key.WithHelp("pgup", t.S("key.pageup"))),
		PageDown:      key.NewBinding(key.WithKeys("pgdown"), key.WithHelp("pgdn", t.S("key.pagedown"))),
		NextField:     b(t.S("key.next"), "tab"),
		PrevField:     b(t.S("key.prev"), "shift+tab"),
		Submit:        b(t.S("key.submit"), "ctrl+s"),
		Cancel:        b(t.S("key.cancel"), "esc"),
		Back:          b(t.S("key.back"), "esc"),
		SyncNow:       b(t.S("key.syncnow"), "s"),
		RangeToday:    b(t.S("key.today"), "t"),
		Range7:        b(t.S("key.7days"), "w"),
		Range30:       b(t.S("key.30days"), "m"),
		PrevMonth:     b(t.S("key.prevmonth"), "["),
		NextMonth:     b(t.S("key.nextmonth"), "]"),
		Central:       b(t.S("key.central"), "c"),
		ServicePrev:   shown("↑/↓", t.S("form.hint.service"), "up", "left"),
		ServiceNext:   shown("↑/↓", t.S("form.hint.service"), "down", "right"),
		ClearCode:     shown("⌫", t.S("form.hint.service"), "backspace"),
		ChoicePrev:    shown("←/→", t.S("form.hint.prio"), "left", "up", "h"),
		ChoiceNext:    shown("←/→", t.S("form.hint.prio"), "right", "down", "l", " "),
		ListUp:        shown("↑", t.S("key.up"), "up"),
		ListDown:      shown("↓", t.S("key.down"), "down"),
		ReceiptInText: b(t.S("key.receipt"), "ctrl+p"),
		DocToggle:     shown("␣", t.S("key.docs"), " "),
	}
}
