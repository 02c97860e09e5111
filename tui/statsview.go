package tui

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/loket-id/loket/stats"
)

// StatsSource computes figures for a range of days; nil for central means
// no central server is configured.
type StatsSource func(ctx context.Context, from, to, service string) (stats.Figures, error)

// Ranges of the statistics screen.
const (
	rangeToday = iota
	range7
	range30
	rangeMonth
)

type statsModel struct {
	rng     int
	month   time.Time // first day of the chosen month
	service string    // drilled into; "" for all
	central bool
	fig     stats.Figures
	err     error
	seq     int
}

type statsLoadedMsg struct {
	seq int
	fig stats.Figures
	err error
}

// period is the range's first and last day.
func (s *statsModel) period(now time.Time) (string, string) {
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

func (m *Model) loadStats() tea.Cmd {
	s := &m.statsM
	s.seq++
	src := m.opt.Stats
	if s.central {
		src = m.opt.CentralStats
	}
	if src == nil {
		return nil
	}
	from, to := s.period(m.opt.Now().In(m.opt.Location))
	seq, ctx, service := s.seq, m.ctx, s.service
	return func() tea.Msg {
		f, err := src(ctx, from, to, service)
		return statsLoadedMsg{seq, f, err}
	}
}

func (m *Model) statsLoaded(msg statsLoadedMsg) {
	if msg.seq == m.statsM.seq {
		m.statsM.fig, m.statsM.err = msg.fig, msg.err
	}
}

func (m *Model) statsKey(msg tea.KeyMsg) tea.Cmd {
	s := &m.statsM
	k := m.keys
	now := m.opt.Now().In(m.opt.Location)
	switch {
	case key.Matches(msg, k.Back):
		m.screen = screenQueue
		return nil
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
		codes := []string{""}
		for _, sv := range m.services {
			codes = append(codes, sv.Code)
		}
		for i, c := range codes {
			if c == s.service {
				s.service = codes[(i+1)%len(codes)]
				break
			}
		}

	case key.Matches(msg, k.Central):
		if m.opt.CentralStats == nil {
			m.setMsg(m.t.S("stats.nocentral"), true)
			return nil
		}
		s.central = !s.central
	default:
		return nil
	}
	return m.loadStats()
}

func (m *Model) statsView(h int) string {
	t, th, s := m.t, m.th, &m.statsM
	from, to := s.period(m.opt.Now().In(m.opt.Location))
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
	c := f.Counts // of the drilled service only, when there is one
	if s.service != "" {
		b.WriteString(" · " + th.Focus.Render(t.S("col.service")+" "+s.service+" "+serviceName(m, s.service)))
	}
	b.WriteString("\n")
	// The big numbers.
	cells := [][2]string{
		{t.S("stats.arrivals"), fmt.Sprint(c.Arrivals)}, {t.S("stats.served"), fmt.Sprint(c.Served)},
		{t.S("stats.noshow"), fmt.Sprint(c.NoShow)}, {t.S("stats.waiting"), fmt.Sprint(c.Waiting)},
		{t.S("stats.waitp50"), stats.Duration(c.WaitSeconds.P50)}, {t.S("stats.ontarget"), fmt.Sprintf("%.0f%%", c.WithinTargetRatio*100)},
	}
	cw := max(10, min(18, m.width/len(cells)))
	var labels, values string
	for _, cl := range cells {
		labels += pad(cl[0], cw)
		values += th.BigValue.Render(pad(cl[1], cw))
	}
	b.WriteString(th.Muted.Render(labels) + "\n" + values + "\n")
	b.WriteString(t.S("stats.times", stats.Duration(c.WaitSeconds.Avg), stats.Duration(c.WaitSeconds.P90),
		stats.Duration(c.ServiceSeconds.Avg), stats.Duration(c.ServiceSeconds.P50), c.Cancelled, c.Transferred) + "\n\n")
	// The table: by service, or by counter when drilled into one service.
	rows, _ := f.Table("service")
	head := t.S("col.service")
	if s.service != "" {
		rows, _ = f.Table("counter")
		head = t.S("stats.counter")
	}
	keyW := 8 // a wider terminal gets the service names too
	if m.width >= 120 {
		keyW = 40
	}
	b.WriteString(th.Header.Render(truncate(fmt.Sprintf("%s %8s %8s %8s %9s %9s %9s %8s", pad(head, keyW), t.S("stats.arr"), t.S("stats.done"),
		t.S("stats.ns"), t.S("stats.w50"), t.S("stats.w90"), t.S("stats.s50"), t.S("stats.ot")), m.width)) + "\n")
	maxRows := max(1, h-12) // what the figures above and the chart below leave
	for i, r := range rows {
		if i >= maxRows {
			b.WriteString(th.Muted.Render(fmt.Sprintf("… +%d", len(rows)-i)) + "\n")
			break
		}
		label := clean(r.Key)
		if keyW > 8 && s.service == "" {
			label += " " + serviceName(m, r.Key)
		}
		b.WriteString(truncate(fmt.Sprintf("%s %8d %8d %8d %9s %9s %9s %7.0f%%", pad(label, keyW), r.Arrivals, r.Served, r.NoShow,
			stats.Duration(r.WaitSeconds.P50), stats.Duration(r.WaitSeconds.P90), stats.Duration(r.ServiceSeconds.P50), r.WithinTargetRatio*100), m.width) + "\n")
	}
	b.WriteString("\n" + m.chart(f, to != from))
	return b.String()
}

// chart draws arrivals per hour (one day) or per day (a range) as bars,
// three rows high, with labels under them.
func (m *Model) chart(f stats.Figures, perDay bool) string {
	type bar struct {
		label string
		n     int
	}
	var bars []bar
	title := m.t.S("stats.perhour")
	if perDay {
		title = m.t.S("stats.perday")
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
		return m.th.Muted.Render(title + ": -")
	}
	width := 3
	if len(bars)*width > m.width {
		width = 2
		bars = bars[max(0, len(bars)-m.width/width):]
	}
	top := 0
	for _, b := range bars {
		top = max(top, b.n)
	}
	const rows = 3
	levels := []rune(" ▁▂▃▄▅▆▇█")
	var out strings.Builder
	out.WriteString(m.th.Muted.Render(fmt.Sprintf("%s (max %d)", title, top)) + "\n")
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
