package tui

import (
	"slices"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/loket-id/loket/queue"
)

// closePage closes a day: it lists what closing would do (the requests
// still waiting or called, to become no-shows or cancellations, and those
// being served, left open), and closes on z after a y. Its days are the
// earlier ones left open, oldest first, then today (the end-of-day close).
type closePage struct {
	c       common
	shown   bool
	earlier []queue.Request // earlier days' open requests
	days    []string
	day     int             // index into days
	as      queue.Status    // no_show or cancelled
	plan    *queue.DayClose // the dry run of the day shown
	err     error
	cursor  int // into the plan's rows, closed then serving
}

func (p *closePage) setSize(w, h int) { p.c.setSize(w, h) }

func (p *closePage) update(msg tea.Msg) (tea.Cmd, []tea.Msg) {
	switch msg := msg.(type) {
	case shownMsg:
		p.shown = true
		p.setDays(true)
		return tea.Batch(p.c.loadEarlier(), p.load()), nil
	case hiddenMsg:
		p.shown = false
	case earlierLoadedMsg:
		if msg.err == nil {
			p.earlier = msg.reqs
			p.setDays(false)
		}
	case changedMsg:
		if p.shown {
			return p.load(), nil
		}
	case dayCloseMsg:
		return p.closed(msg)
	case tea.KeyMsg:
		return p.key(msg)
	}
	return nil, nil
}

// setDays lists the days: the earlier ones left open, then today; first
// moves to the oldest.
func (p *closePage) setDays(first bool) {
	cur := ""
	if p.day < len(p.days) && !first {
		cur = p.days[p.day]
	}
	if p.as == "" {
		p.as = queue.StatusNoShow
	}
	p.days = p.days[:0]
	for _, r := range p.earlier {
		if !slices.Contains(p.days, r.Day) {
			p.days = append(p.days, r.Day)
		}
	}
	slices.Sort(p.days)
	p.days = append(p.days, p.c.today())
	p.day = 0
	if i := slices.Index(p.days, cur); i >= 0 {
		p.day = i
	}
}

func (p *closePage) current() string {
	if p.day < len(p.days) {
		return p.days[p.day]
	}
	return p.c.today()
}

// load asks what closing the day shown would do; without a DayCloser, the
// earlier requests the queue found say it.
func (p *closePage) load() tea.Cmd {
	day := p.current()
	if p.c.opt.Closer == nil {
		plan := queue.DayClose{Day: day, As: p.as}
		for _, r := range p.earlier {
			if r.Day != day {
				continue
			}
			if r.Status == queue.StatusServing {
				plan.Serving = append(plan.Serving, r)
			} else {
				plan.Closed = append(plan.Closed, r)
			}
		}
		p.plan, p.err = &plan, nil
		return nil
	}
	return p.c.closeDay(day, p.as, true)
}

func (p *closePage) closed(msg dayCloseMsg) (tea.Cmd, []tea.Msg) {
	t := p.c.t
	if msg.dry {
		if msg.dc.Day == p.current() && msg.dc.As == p.as {
			p.plan, p.err = &msg.dc, msg.err
			p.cursor = min(p.cursor, max(0, p.rowCount()-1))
		}
		return nil, nil
	}
	if msg.err != nil {
		return nil, p.c.failed(msg.err)
	}
	return tea.Batch(p.c.loadEarlier(), p.c.loadQueue()),
		say(t.S("closeday.done", msg.dc.Day, len(msg.dc.Closed), t.S("status."+string(msg.dc.As))))
}

func (p *closePage) rows() []queue.Request {
	if p.plan == nil {
		return nil
	}
	return append(append([]queue.Request(nil), p.plan.Closed...), p.plan.Serving...)
}

func (p *closePage) rowCount() int { return len(p.rows()) }

func (p *closePage) key(msg tea.KeyMsg) (tea.Cmd, []tea.Msg) {
	k, t := p.c.keys, p.c.t
	switch {
	case key.Matches(msg, k.Back):
		return nil, goTo(screenQueue)
	case key.Matches(msg, k.DayPrev):
		if p.day > 0 {
			p.day--
			p.plan, p.cursor = nil, 0
			return p.load(), nil
		}
	case key.Matches(msg, k.DayNext):
		if p.day < len(p.days)-1 {
			p.day++
			p.plan, p.cursor = nil, 0
			return p.load(), nil
		}
	case key.Matches(msg, k.CloseAs):
		p.as = map[queue.Status]queue.Status{queue.StatusNoShow: queue.StatusCancelled, queue.StatusCancelled: queue.StatusNoShow}[p.as]
		p.plan = nil
		return p.load(), nil
	case key.Matches(msg, k.ListUp):
		p.cursor = max(0, p.cursor-1)
	case key.Matches(msg, k.ListDown):
		p.cursor = min(max(0, p.rowCount()-1), p.cursor+1)
	case key.Matches(msg, k.Open):
		if rs := p.rows(); p.cursor < len(rs) {
			return p.c.openDetail(rs[p.cursor].ID, screenClose), nil
		}
	case key.Matches(msg, k.CloseDay):
		if p.c.opt.Closer == nil {
			return nil, warn(t.S("closeday.unavailable"))
		}
		if p.plan == nil || len(p.plan.Closed) == 0 {
			return nil, say(t.S("closeday.none"))
		}
		day, as := p.current(), p.as
		return nil, ask(t.S("confirm.closeday", day, len(p.plan.Closed), t.S("status."+string(as))), p.c.closeDay(day, as, false))
	}
	return nil, nil
}

func (p *closePage) view() string {
	c, t, th, w := p.c, p.c.t, p.c.th, p.c.width
	day := p.current()
	var b strings.Builder
	label := day
	if d, err := time.ParseInLocation(time.DateOnly, day, c.opt.Location); err == nil {
		label = t.LongDate(d)
	}
	left, right := "  ", "  "
	if p.day > 0 {
		left = "◀ "
	}
	if p.day < len(p.days)-1 {
		right = " ▶"
	}
	b.WriteString("\n  " + th.Label.Render(t.S("closeday.day")+": ") + left + th.Focus.Render(label) + right +
		"   " + th.Label.Render(t.S("closeday.as")+": ") + t.S("status."+string(p.as)) + "\n\n")
	switch {
	case p.err != nil:
		b.WriteString("  " + th.Error.Render(c.errText(p.err)))
		return b.String()
	case p.plan == nil:
		return b.String()
	case len(p.plan.Closed)+len(p.plan.Serving) == 0:
		b.WriteString("  " + th.Muted.Render(t.S("closeday.none")))
		return b.String()
	}
	// The rows, scrolled so that the cursor shows.
	var lines []string
	row := 0
	cursorLine := 0
	section := func(title string, rs []queue.Request) {
		if len(rs) == 0 {
			return
		}
		lines = append(lines, "  "+th.Header.Render(truncate(title, w-2)))
		for _, r := range rs {
			// The status it has now: the plan shows the requests as closing
			// would leave them, and one that was called has calls.
			now := r.Status
			if now == p.plan.As {
				now = queue.StatusWaiting
				if r.Calls > 0 {
					now = queue.StatusCalled
				}
			}
			line := pad(r.Ticket, 6) + " " + pad(who(t, r), max(8, w-50)) + " " + pad(t.S("status."+string(now)), 11) + " " +
				r.ArrivedAt.In(c.opt.Location).Format("15:04") + " " + pad(clean(r.Counter), 5)
			if row == p.cursor {
				cursorLine = len(lines)
				line = th.Selected.Render("▶ " + line)
			} else {
				line = "  " + line
			}
			lines = append(lines, line)
			row++
		}
		lines = append(lines, "")
	}
	section(t.S("closeday.will", len(p.plan.Closed)), p.plan.Closed)
	section(t.S("closeday.serving", len(p.plan.Serving)), p.plan.Serving)
	room := max(1, c.height-3)
	start := max(0, min(cursorLine-room+1, len(lines)-room))
	end := min(len(lines), start+room)
	b.WriteString(strings.Join(lines[start:end], "\n"))
	return b.String()
}

func (p *closePage) ShortHelp() []key.Binding {
	k := p.c.keys
	return []key.Binding{k.Back, k.CloseDay, k.DayPrev, k.CloseAs, k.Open, k.ListDown}
}

func (p *closePage) FullHelp() [][]key.Binding { return [][]key.Binding{p.ShortHelp()} }
