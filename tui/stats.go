package tui

import (
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/loket-id/loket/i18n"
	"github.com/loket-id/loket/stats"
)

// Ranges of the statistics screen.
const (
	rangeToday = iota
	range7
	range30
	rangeMonth
)

// statsPage shows the figures of a range of days, this counter's or (with a
// central server) the whole office's; the local ones live, as requests
// change.
type statsPage struct {
	c       common
	shown   bool
	rng     int
	month   time.Time // first day of the chosen month
	service string    // drilled into; "" for all
	central bool
	fig     stats.Figures
	err     error
	seq     int // of the newest load; older answers are dropped
}

func (s *statsPage) setSize(w, h int) { s.c.setSize(w, h) }

// period is the range's first and last day.
func (s *statsPage) period(now time.Time) (string, string) {
	day := func(t time.Time) string { return t.Format(time.DateOnly) }
	switch s.rng {
	case range7:
		return day(now.AddDate(0, 0, -6)), day(now)
	case range30:
		return day(now.AddDate(0, 0, -29)), day(now)
	case rangeMonth:
		return day(s.month), day(s.month.AddDate(0, 1, -1))
	}
	return day(now), day(now)
}

func (s *statsPage) load() tea.Cmd {
	s.seq++
	src := s.c.opt.Stats
	if s.central {
		src = s.c.opt.CentralStats
	}
	if src == nil {
		return nil
	}
	from, to := s.period(s.c.now())
	return s.c.loadStats(src, s.seq, from, to, s.service)
}

func (s *statsPage) update(msg tea.Msg) (tea.Cmd, []tea.Msg) {
	switch msg := msg.(type) {
	case shownMsg:
		s.shown = true
		return s.load(), nil
	case hiddenMsg:
		s.shown = false
	case changedMsg:
		if s.shown && !s.central {
			return s.load(), nil
		}
	case statsLoadedMsg:
		if msg.seq == s.seq {
			s.fig, s.err = msg.fig, msg.err
		}
	case tea.KeyMsg:
		return s.key(msg)
	}
	return nil, nil
}

func (s *statsPage) key(msg tea.KeyMsg) (tea.Cmd, []tea.Msg) {
	k := s.c.keys
	now := s.c.now()
	switch {
	case key.Matches(msg, k.Back):
		return nil, goTo(screenQueue)
	case key.Matches(msg, k.RangeToday):
		s.rng = rangeToday
	case key.Matches(msg, k.Range7):
		s.rng = range7
	case key.Matches(msg, k.Range30):
		s.rng = range30
	case key.Matches(msg, k.PrevMonth), key.Matches(msg, k.NextMonth):
		if s.rng != rangeMonth {
			s.rng, s.month = rangeMonth, time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, now.Location())
		}
		if key.Matches(msg, k.PrevMonth) {
			s.month = s.month.AddDate(0, -1, 0)
		} else {
			s.month = s.month.AddDate(0, 1, 0)
		}
	case key.Matches(msg, k.ServiceFilter):
		s.service = nextCode(s.c.services(), s.service)
	case key.Matches(msg, k.Central):
		if s.c.opt.CentralStats == nil {
			return nil, warn(s.c.t.S("stats.nocentral"))
		}
		s.central = !s.central
	default:
		return nil, nil
	}
	return s.load(), nil
}

func (s *statsPage) view() string {
	c, t, th, w := s.c, s.c.t, s.c.th, s.c.width
	from, to := s.period(c.now())
	period := from
	if to != from {
		period += " … " + to
	}
	scope := t.S("stats.local")
	if s.central {
		scope = t.S("stats.central")
	}
	var b strings.Builder
	b.WriteString(th.Label.Render(period) + " · " + scope)
	if s.err != nil {
		b.WriteString("\n\n" + th.Error.Render(t.S("msg.error", s.err)))
		return b.String()
	}
	f := s.fig
	n := f.Counts // of the drilled service only, when there is one
	if s.service != "" {
		b.WriteString(" · " + th.Focus.Render(t.S("col.service")+" "+s.service+" "+c.serviceName(s.service)))
	}
	b.WriteString("\n")
	// The big numbers.
	cells := [][2]string{
		{t.S("stats.arrivals"), fmt.Sprint(n.Arrivals)}, {t.S("stats.served"), fmt.Sprint(n.Served)},
		{t.S("stats.noshow"), fmt.Sprint(n.NoShow)}, {t.S("stats.waiting"), fmt.Sprint(n.Waiting)},
		{t.S("stats.waitp50"), i18n.CompactDuration(n.WaitSeconds.P50)}, {t.S("stats.ontarget"), fmt.Sprintf("%.0f%%", n.WithinTargetRatio*100)},
	}
	cw := max(10, min(18, w/len(cells)))
	var labels, values string
	for _, cl := range cells {
		labels += pad(cl[0], cw)
		values += th.BigValue.Render(pad(cl[1], cw))
	}
	b.WriteString(th.Muted.Render(labels) + "\n" + values + "\n")
	b.WriteString(t.S("stats.times", i18n.CompactDuration(n.WaitSeconds.Avg), i18n.CompactDuration(n.WaitSeconds.P90),
		i18n.CompactDuration(n.ServiceSeconds.Avg), i18n.CompactDuration(n.ServiceSeconds.P50), n.Cancelled, n.Transferred) + "\n\n")
	// The table: by service, or by counter when drilled into one service.
	rows, _ := f.Table("service")
	head := t.S("col.service")
	if s.service != "" {
		rows, _ = f.Table("counter")
		head = t.S("stats.counter")
	}
	keyW := 8 // a wider terminal gets the service names too
	if w >= 120 {
		keyW = 40
	}
	b.WriteString(th.Header.Render(truncate(fmt.Sprintf("%s %8s %8s %8s %9s %9s %9s %8s", pad(head, keyW), t.S("stats.arr"), t.S("stats.done"),
		t.S("stats.ns"), t.S("stats.w50"), t.S("stats.w90"), t.S("stats.s50"), t.S("stats.ot")), w)) + "\n")
	maxRows := max(1, s.c.height-12) // what the figures above and the chart below leave
	for i, r := range rows {
		if i >= maxRows {
			b.WriteString(th.Muted.Render(fmt.Sprintf("… +%d", len(rows)-i)) + "\n")
			break
		}
		label := clean(r.Key)
		if keyW > 8 && s.service == "" {
			label += " " + c.serviceName(r.Key)
		}
		b.WriteString(truncate(fmt.Sprintf("%s %8d %8d %8d %9s %9s %9s %7.0f%%", pad(label, keyW), r.Arrivals, r.Served, r.NoShow,
			i18n.CompactDuration(r.WaitSeconds.P50), i18n.CompactDuration(r.WaitSeconds.P90), i18n.CompactDuration(r.ServiceSeconds.P50), r.WithinTargetRatio*100), w) + "\n")
	}
	b.WriteString("\n" + s.chart(f, to != from))
	return b.String()
}

// chart draws arrivals per hour (one day) or per day (a range) as bars,
// three rows high, with labels under them.
func (s *statsPage) chart(f stats.Figures, perDay bool) string {
	type bar struct {
		label string
		n     int
	}
	t, th := s.c.t, s.c.th
	var bars []bar
	title := t.S("stats.perhour")
	if perDay {
		title = t.S("stats.perday")
		for _, d := range f.ByDay {
			bars = append(bars, bar{d.Key[8:], d.Arrivals})
		}
	} else {
		lo, hi := 24, -1
		for _, h := range f.ByHour {
			if h.Arrivals > 0 {
				lo, hi = min(lo, h.Hour), max(hi, h.Hour)
			}
		}
		for hr := lo; hr <= hi; hr++ {
			bars = append(bars, bar{fmt.Sprintf("%02d", hr), f.ByHour[hr].Arrivals})
		}
	}
	if len(bars) == 0 {
		return th.Muted.Render(title + ": -")
	}
	width := 3
	if len(bars)*width > s.c.width {
		width = 2
		bars = bars[max(0, len(bars)-s.c.width/width):]
	}
	top := 0
	for _, b := range bars {
		top = max(top, b.n)
	}
	const rows = 3
	levels := []rune(" ▁▂▃▄▅▆▇█")
	var out strings.Builder
	out.WriteString(th.Muted.Render(fmt.Sprintf("%s (max %d)", title, top)) + "\n")
	for row := rows - 1; row >= 0; row-- {
		for _, b := range bars {
			eighths := 0
			if top > 0 {
				eighths = b.n * rows * 8 / top
			}
			cell := eighths - row*8
			cell = max(0, min(8, cell))
			out.WriteString(strings.Repeat(string(levels[cell]), width-1) + " ")
		}
		out.WriteByte('\n')
	}
	for _, b := range bars {
		out.WriteString(pad(b.label, width))
	}
	return out.String()
}

func (s *statsPage) ShortHelp() []key.Binding {
	k := s.c.keys
	return []key.Binding{k.RangeToday, k.Range7, k.Range30, k.PrevMonth, k.NextMonth, k.ServiceFilter, k.Central, k.Back}
}

func (s *statsPage) FullHelp() [][]key.Binding { return [][]key.Binding{s.ShortHelp()} }
