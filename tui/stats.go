package tui

import (
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"

	"github.com/loket-id/loket/skm"
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
	skm     *skm.Tally // the survey's answers of the range (local only)
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
	var survey SurveySource
	if !s.central {
		survey = s.c.opt.Survey
	}
	return s.c.loadStats(src, survey, s.seq, from, to, s.service)
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
			s.fig, s.skm, s.err = msg.fig, msg.skm, msg.err
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

// dur is a time of d (picked by pick) in the UI's language, NoData when
// nothing was measured.
func (s *statsPage) dur(d stats.Dist, pick func(stats.Dist) float64) string {
	return stats.Seconds(d, pick, func(sec float64) string { return s.c.t.Duration(time.Duration(sec * float64(time.Second))) })
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
		b.WriteString("\n\n" + th.Error.Render(c.errText(s.err)))
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
		{t.S("stats.waitp50"), s.dur(n.WaitSeconds, stats.Median)}, {t.S("stats.ontarget"), n.TargetText()},
	}
	// Each cell as wide as its label or value, and a share of what is left.
	used := 0
	for _, cl := range cells {
		used += max(ansi.StringWidth(cl[0]), ansi.StringWidth(cl[1])) + 1
	}
	extra := max(0, min(8, (w-used)/len(cells)))
	var labels, values string
	for _, cl := range cells {
		cw := max(ansi.StringWidth(cl[0]), ansi.StringWidth(cl[1])) + 1 + extra
		labels += pad(cl[0], cw)
		values += th.BigValue.Render(pad(cl[1], cw))
	}
	b.WriteString(th.Muted.Render(labels) + "\n" + values + "\n")
	b.WriteString(truncate(t.S("stats.times", s.dur(n.WaitSeconds, stats.Avg), s.dur(n.WaitSeconds, stats.P90), n.Cancelled), w) + "\n")
	b.WriteString(truncate(t.S("stats.moved", s.dur(n.ServiceSeconds, stats.Avg), s.dur(n.ServiceSeconds, stats.Median), n.Transferred), w) + "\n")
	skmLines := 0
	if s.skm != nil {
		b.WriteString(truncate(s.surveyLine(*s.skm), w) + "\n")
		skmLines = 1
	}
	// The table: by service, or by counter when drilled into one service.
	rows, _ := f.Table("service")
	head := t.S("col.service")
	if s.service != "" {
		rows, _ = f.Table("counter")
		head = t.S("stats.counter")
	}
	keyW := max(6, ansi.StringWidth(head)) // a wider terminal gets the service names too
	if w >= 120 {
		keyW = 40
	}
	// Numbers right-aligned under headers of two lines ("Median" over
	// "tunggu"): each column as wide as its longer header word, at least
	// as a duration needs.
	heads := []string{t.S("stats.arr"), t.S("stats.done"), t.S("stats.ns"), t.S("stats.w50"), t.S("stats.w90"), t.S("stats.s50"), t.S("stats.ot")}
	top, bottom := make([]string, len(heads)), make([]string, len(heads))
	widths := make([]int, len(heads))
	for i, h := range heads {
		if j := strings.LastIndexByte(h, ' '); j > 0 {
			top[i], bottom[i] = h[:j], h[j+1:]
		} else {
			bottom[i] = h
		}
		widths[i] = max(ansi.StringWidth(top[i]), ansi.StringWidth(bottom[i]))
		if i >= 3 && i <= 5 {
			widths[i] = max(widths[i], 10) // "1 j 14 mnt"
		}
	}
	line := func(first string, cells []string) string {
		out := pad(first, keyW)
		for i, cl := range cells {
			out += " " + strings.Repeat(" ", max(0, widths[i]-ansi.StringWidth(cl))) + cl
		}
		return truncate(out, w)
	}
	b.WriteString(th.Label.Render(line("", top)) + "\n")
	b.WriteString(th.Header.Render(line(head, bottom)) + "\n")
	maxRows := max(1, s.c.height-16-skmLines) // what the figures above and the charts below leave
	for i, r := range rows {
		if i >= maxRows {
			b.WriteString(th.Muted.Render(fmt.Sprintf("… +%d", len(rows)-i)) + "\n")
			break
		}
		label := clean(r.Key)
		if keyW > 8 && s.service == "" {
			label += " " + c.serviceName(r.Key)
		}
		b.WriteString(line(label, []string{fmt.Sprint(r.Arrivals), fmt.Sprint(r.Served), fmt.Sprint(r.NoShow),
			s.dur(r.WaitSeconds, stats.Median), s.dur(r.WaitSeconds, stats.P90), s.dur(r.ServiceSeconds, stats.Median), r.TargetText()}) + "\n")
	}
	b.WriteString("\n" + s.charts(f, to != from))
	return b.String()
}

// surveyLine is the satisfaction survey's index of the range with its
// number of respondents: "IKM (SKM): 77,78 · B Baik · Responden: 3".
func (s *statsPage) surveyLine(tally skm.Tally) string {
	t := s.c.t
	if tally.Respondents == 0 {
		return t.S("stats.skm.none")
	}
	ikm := tally.IKM().String()
	if t.Lang() == "id" {
		ikm = strings.Replace(ikm, ".", ",", 1)
	}
	c := tally.Category()
	return t.S("stats.skm", ikm, string(c)+" "+skm.CategoryName(t, c), tally.Respondents)
}

// chartRows is the height of the bars of the charts.
const chartRows = 4

// levels are the eighths of a cell, for bars.
var levels = []rune(" ▁▂▃▄▅▆▇█")

// charts draws, side by side, arrivals per hour (one day) or per day (a
// range), and the waiting time per hour of arrival: the median as a full
// bar, the 90th percentile above it in light shade.
func (s *statsPage) charts(f stats.Figures, perDay bool) string {
	t, th := s.c.t, s.c.th
	// The hours with arrivals, for both charts.
	lo, hi := 24, -1
	for _, h := range f.ByHour {
		if h.Arrivals > 0 {
			lo, hi = min(lo, h.Hour), max(hi, h.Hour)
		}
	}
	if hi < 0 {
		return th.Muted.Render(t.S("stats.perhour", 0) + ": " + t.S("stats.nodata"))
	}
	half := s.c.width / 2
	var left []string
	if perDay {
		var labels []string
		var n []int
		for _, d := range f.ByDay {
			labels, n = append(labels, d.Key[8:]), append(n, d.Arrivals)
		}
		left = countChart(th, t.S("stats.perday", maxInt(n)), labels, n, half-1)
	} else {
		var labels []string
		var n []int
		for hr := lo; hr <= hi; hr++ {
			labels, n = append(labels, fmt.Sprintf("%02d", hr)), append(n, f.ByHour[hr].Arrivals)
		}
		left = countChart(th, t.S("stats.perhour", maxInt(n)), labels, n, half-1)
	}
	right := s.waitChart(f, lo, hi, s.c.width-half-1)
	var b strings.Builder
	for i := 0; i < max(len(left), len(right)); i++ {
		l, r := "", ""
		if i < len(left) {
			l = left[i]
		}
		if i < len(right) {
			r = right[i]
		}
		b.WriteString(pad(l, half) + " " + r + "\n")
	}
	return strings.TrimRight(b.String(), "\n")
}

func maxInt(xs []int) int {
	top := 0
	for _, x := range xs {
		top = max(top, x)
	}
	return top
}

// countChart is bars of counts, chartRows high, labels under them, in w
// cells: the last bars that fit.
func countChart(th Theme, title string, labels []string, n []int, w int) []string {
	width := 3
	if len(n)*width > w {
		width = 2
		cut := max(0, len(n)-w/width)
		labels, n = labels[cut:], n[cut:]
	}
	top := maxInt(n)
	out := []string{th.Muted.Render(truncate(title, w))}
	for row := chartRows - 1; row >= 0; row-- {
		var line strings.Builder
		for _, x := range n {
			cell := 0
			if top > 0 {
				cell = max(0, min(8, x*chartRows*8/top-row*8))
			}
			line.WriteString(strings.Repeat(string(levels[cell]), width-1) + " ")
		}
		out = append(out, line.String())
	}
	return append(out, barLabels(labels, width))
}

// barLabels writes labels under bars width cells wide: each, or every
// other one when the bars are too narrow for a label each.
func barLabels(labels []string, width int) string {
	var b strings.Builder
	for i, l := range labels {
		switch {
		case width >= 3:
			b.WriteString(pad(l, width))
		case i%2 == 0:
			b.WriteString(pad(l, 2*width))
		}
	}
	return b.String()
}

// waitChart is the waiting time per hour of arrival, hours lo..hi: the
// median in full cells, up to the 90th percentile in light shade, the
// scale the largest 90th percentile.
func (s *statsPage) waitChart(f stats.Figures, lo, hi, w int) []string {
	t, th := s.c.t, s.c.th
	top := 0.0
	for hr := lo; hr <= hi; hr++ {
		top = max(top, f.ByHour[hr].WaitSeconds.P90)
	}
	scale := s.dur(stats.Dist{P90: top, N: 1}, stats.P90)
	out := []string{th.Muted.Render(truncate(t.S("stats.waithour", scale), w))}
	width := 3
	hours := hi - lo + 1
	if hours*width > w {
		width = 2
		lo = max(lo, hi-w/width+1)
	}
	for row := chartRows - 1; row >= 0; row-- {
		var line strings.Builder
		for hr := lo; hr <= hi; hr++ {
			d := f.ByHour[hr].WaitSeconds
			cell := " "
			if d.N == 0 && row == 0 {
				cell = stats.NoData // nobody of that hour was called yet
			}
			if d.N > 0 && top > 0 {
				rowLo := top * float64(row) / chartRows // the cell spans rowLo..rowLo+top/chartRows
				step := top / chartRows
				switch {
				case d.P50 > rowLo:
					// the median reaches into this cell: eighths of it
					cell = string(levels[max(1, min(8, int((d.P50-rowLo)/step*8+0.5)))])
				case d.P90 > rowLo:
					cell = "░"
				}
			}
			line.WriteString(strings.Repeat(cell, width-1) + " ")
		}
		out = append(out, line.String())
	}
	var labels []string
	for hr := lo; hr <= hi; hr++ {
		labels = append(labels, fmt.Sprintf("%02d", hr))
	}
	return append(out, barLabels(labels, width), th.Muted.Render(truncate(t.S("stats.waitlegend"), w)))
}

func (s *statsPage) ShortHelp() []key.Binding {
	k := s.c.keys
	return []key.Binding{k.RangeToday, k.Range7, k.Range30, k.PrevMonth, k.NextMonth, k.ServiceFilter, k.Central, k.Back}
}

func (s *statsPage) FullHelp() [][]key.Binding { return [][]key.Binding{s.ShortHelp()} }
