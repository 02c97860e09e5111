// Package report makes a supervisor's A4 statistics report as a PDF: the
// figures of package stats for a day or a range of days, whose data they
// are (one counter's, or the whole office's from the central server),
// tables by service, counter and (for a range) day, bar charts of arrivals
// per hour or per day and of the waiting time by hour of arrival (median
// and 90th percentile), and a signature block. The PDF groundwork (font,
// reproducible bytes, gofpdf's faults worked around) is package pdfdoc's;
// the texts are package i18n's, under report.*. RenderSKM (skm.go) makes
// the one-page report of the satisfaction survey (package skm).
package report

import (
	"fmt"
	"io"
	"math"
	"strings"
	"time"

	"github.com/jung-kurt/gofpdf"

	"github.com/loket-id/loket/i18n"
	"github.com/loket-id/loket/pdfdoc"
	"github.com/loket-id/loket/stats"
)

// Data is what a statistics report shows.
type Data struct {
	Office   string
	Lang     string
	Period   string // as people read it: "November 2026", "Jumat, 27 November 2026"
	Figures  stats.Figures
	Services map[string]string // code -> name in Lang
	PerDay   bool              // a range: the chart and table are per day
	Made     time.Time         // the report's date (fixed in tests)

	// Whose data: the whole office's (figures from the central server), or
	// one counter's own database, Counter naming it ("" says "this
	// counter").
	Central bool
	Counter string

	// The signature block: the place the report is signed in (a city), the
	// head of the office and the supervisor; an empty one leaves a dotted
	// line to write on.
	Place, Head, Supervisor string
}

const (
	pageW, pageH = 210.0, 297.0
	margin       = 18.0
	textW        = pageW - 2*margin
)

// Render writes the A4 statistics report of d as a PDF.
func Render(w io.Writer, d Data) error {
	t := i18n.For(d.Lang)
	f, err := pdfdoc.New(pageW, pageH, d.Made, t.S("report.title")+" "+d.Period, d.Office)
	if err != nil {
		return fmt.Errorf("report: %w", err)
	}
	f.SetMargins(margin, margin, margin)
	f.SetAutoPageBreak(true, margin)
	f.AddPage()
	fig := d.Figures
	text := func(size float64, s string, align string) {
		f.SetFont(pdfdoc.Font, "", size)
		f.MultiCell(0, size*0.5, pdfdoc.Printable(s), "", align, false)
	}
	text(15, d.Office, "C")
	text(12, t.S("report.title"), "C")
	text(10, t.S("report.period")+": "+d.Period, "C")
	switch {
	case d.Central:
		text(9, t.S("report.scope.office"), "C")
	case d.Counter != "":
		text(9, t.S("report.scope.counter", d.Counter), "C")
	default:
		text(9, t.S("report.scope.this"), "C")
	}
	f.Ln(4)

	// The figures, two columns of label and value.
	f.SetFont(pdfdoc.Font, "", 10)
	dur := func(dd stats.Dist, pick func(stats.Dist) float64) string { return duration(t, dd, pick) }
	pairs := [][2]string{
		{t.S("report.arrivals"), fmt.Sprint(fig.Arrivals)}, {t.S("report.served"), fmt.Sprint(fig.Served)},
		{t.S("report.noshow"), fmt.Sprint(fig.NoShow)}, {t.S("report.cancelled"), fmt.Sprint(fig.Cancelled)},
		{t.S("report.transferred"), fmt.Sprint(fig.Transferred)}, {t.S("report.waiting"), fmt.Sprint(fig.Waiting)},
		{t.S("report.wait.avg"), dur(fig.WaitSeconds, stats.Avg)}, {t.S("report.wait.median"), dur(fig.WaitSeconds, stats.Median)},
		{t.S("report.wait.p90"), dur(fig.WaitSeconds, stats.P90)}, {t.S("report.service.avg"), dur(fig.ServiceSeconds, stats.Avg)},
		{t.S("report.service.median"), dur(fig.ServiceSeconds, stats.Median)}, {t.S("report.service.p90"), dur(fig.ServiceSeconds, stats.P90)},
		{t.S("report.ontarget"), fig.TargetText()}, {t.S("report.busiest"), busiest(fig)},
	}
	const labelW, valueW, gap = 58.0, 25.0, textW - 2*58.0 - 2*25.0
	for i, p := range pairs {
		f.CellFormat(labelW, 6, fit(f, p[0], labelW), "B", 0, "L", false, 0, "")
		ln := 0
		if i%2 == 1 {
			ln = 1
		}
		f.CellFormat(valueW, 6, pdfdoc.Printable(p[1]), "B", ln, "R", false, 0, "")
		if ln == 0 {
			f.CellFormat(gap, 6, "", "", 0, "", false, 0, "")
		}
	}
	f.Ln(5)

	// The tables: each its own first column (service code and name, the
	// counter, the day), then the same figures.
	nums := []string{t.S("report.arrivals"), t.S("report.served"), t.S("report.noshow"), t.S("report.waitp50"), t.S("report.waitp90"), t.S("report.target")}
	numW := []float64{20, 19, 17, 20, 20, 18} // 114
	cells := func(r stats.Row) []string {
		return []string{fmt.Sprint(r.Arrivals), fmt.Sprint(r.Served), fmt.Sprint(r.NoShow),
			dur(r.WaitSeconds, stats.Median), dur(r.WaitSeconds, stats.P90), r.TargetText()}
	}
	rows, _ := fig.Table("service")
	table(f, t.S("report.byservice"), append([]string{t.S("report.code"), t.S("report.name")}, nums...), append([]float64{12, textW - 12 - 114}, numW...), 2,
		rows, func(r stats.Row) []string { return append([]string{r.Key, d.Services[r.Key]}, cells(r)...) })
	rows, _ = fig.Table("counter")
	table(f, t.S("report.bycounter"), append([]string{t.S("report.counter")}, nums...), append([]float64{textW - 114}, numW...), 1,
		rows, func(r stats.Row) []string { return append([]string{orDash(r.Key)}, cells(r)...) })
	chart(f, d, t)
	waitChart(f, d, t)
	if d.PerDay {
		rows, _ = fig.Table("day")
		table(f, t.S("report.byday"), append([]string{t.S("report.date")}, nums...), append([]float64{textW - 114}, numW...), 1,
			rows, func(r stats.Row) []string { return append([]string{dayName(t, r.Key)}, cells(r)...) })
	}
	signatures(f, d, t)
	f.SetFont(pdfdoc.Font, "", 7)
	f.CellFormat(0, 5, pdfdoc.Printable(t.S("report.made")+" "+d.Made.Format("2006-01-02 15:04")), "", 1, "R", false, 0, "")
	if err := f.Output(w); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	return nil
}

// duration is a time of dd in Lang's words ("1 j 4 mnt"), stats.NoData
// when nothing was measured.
func duration(t i18n.Text, dd stats.Dist, pick func(stats.Dist) float64) string {
	return stats.Seconds(dd, pick, func(s float64) string { return t.Duration(time.Duration(s * float64(time.Second))) })
}

func orDash(s string) string {
	if s == "" {
		return stats.NoData
	}
	return s
}

// dayName is a day of a table, short enough for its cell: "Sen, 2 Nov 2026".
func dayName(t i18n.Text, day string) string {
	d, err := time.Parse(time.DateOnly, day)
	if err != nil {
		return day
	}
	return fmt.Sprintf("%s, %d %s %d", t.ShortWeekday(d.Weekday()), d.Day(), t.ShortMonth(d.Month()), d.Year())
}

// fit is s, cut with "…" to fit w mm in the current font.
func fit(f *gofpdf.Fpdf, s string, w float64) string {
	s = pdfdoc.Printable(s)
	if f.GetStringWidth(s) <= w-1.5 {
		return s
	}
	r := []rune(s)
	for len(r) > 0 && f.GetStringWidth(string(r)+"…") > w-1.5 {
		r = r[:len(r)-1]
	}
	return string(r) + "…"
}

// table draws a titled table: a header whose texts wrap onto as many lines
// as they need in their columns, then a row per r; the first textCols
// columns are text (left), the rest numbers (right).
func table(f *gofpdf.Fpdf, title string, head []string, widths []float64, textCols int, rows []stats.Row, cells func(stats.Row) []string) {
	f.SetFont(pdfdoc.Font, "", 8)
	lines := make([][]string, len(head))
	most := 1
	for i, h := range head {
		lines[i] = f.SplitText(pdfdoc.Printable(h), widths[i]-1.5)
		most = max(most, len(lines[i]))
	}
	const lineH = 3.6
	headH := float64(most)*lineH + 1.6
	if f.GetY()+7+headH+5.5*float64(min(len(rows), 3)) > pageH-margin { // the title stays with its first rows
		f.AddPage()
	}
	f.SetFont(pdfdoc.Font, "", 11)
	f.CellFormat(0, 7, pdfdoc.Printable(title), "", 1, "L", false, 0, "")
	header := func() {
		f.SetFont(pdfdoc.Font, "", 8)
		x, y := f.GetX(), f.GetY()
		for i := range head {
			f.Rect(x, y, widths[i], headH, "D")
			top := y + (headH-float64(len(lines[i]))*lineH)/2
			for j, l := range lines[i] {
				f.SetXY(x, top+float64(j)*lineH)
				f.CellFormat(widths[i], lineH, l, "", 0, "C", false, 0, "")
			}
			x += widths[i]
		}
		f.SetXY(margin, y+headH)
	}
	header()
	for _, r := range rows {
		if f.GetY()+5.5 > pageH-margin {
			f.AddPage()
			header()
		}
		for i, c := range cells(r) {
			align := "R"
			if i < textCols {
				align = "L"
			}
			f.CellFormat(widths[i], 5.5, fit(f, c, widths[i]), "1", 0, align, false, 0, "")
		}
		f.Ln(-1)
	}
	f.Ln(4)
}

func busiest(f stats.Figures) string {
	if f.BusiestHour < 0 {
		return stats.NoData
	}
	return fmt.Sprintf("%02d:00 (%d)", f.BusiestHour, f.ByHour[f.BusiestHour].Arrivals)
}

// hours are the hours the charts show: the office's usual day (06-18) and
// any other hour with arrivals.
func hours(fig stats.Figures) []stats.HourCount {
	var out []stats.HourCount
	for _, h := range fig.ByHour {
		if h.Hour >= 6 && h.Hour <= 18 || h.Arrivals > 0 {
			out = append(out, h)
		}
	}
	return out
}

const chartH = 40.0

// chartTitle starts a chart on a page with room for it.
func chartTitle(f *gofpdf.Fpdf, title string) {
	if f.GetY()+7+chartH+16 > pageH-margin { // title and bars stay on one page
		f.AddPage()
	}
	f.SetFont(pdfdoc.Font, "", 11)
	f.CellFormat(0, 7, pdfdoc.Printable(title), "", 1, "L", false, 0, "")
}

// chart draws arrivals per hour (or per day) as bars with their counts.
func chart(f *gofpdf.Fpdf, d Data, t i18n.Text) {
	type bar struct {
		label string
		n     int
	}
	var bars []bar
	title := t.S("report.perhour")
	if d.PerDay {
		title = t.S("report.perday")
		for _, g := range d.Figures.ByDay {
			bars = append(bars, bar{g.Key[8:], g.Arrivals})
		}
	} else {
		for _, h := range hours(d.Figures) {
			bars = append(bars, bar{fmt.Sprintf("%02d", h.Hour), h.Arrivals})
		}
	}
	chartTitle(f, title)
	if len(bars) == 0 {
		return
	}
	top := 1
	for _, b := range bars {
		top = max(top, b.n)
	}
	width := min(12, textW/float64(len(bars)))
	x0, y0 := f.GetX(), f.GetY()+4
	f.SetFillColor(60, 90, 140)
	f.SetFont(pdfdoc.Font, "", 6.5)
	for i, b := range bars {
		h := chartH * float64(b.n) / float64(top)
		x := x0 + float64(i)*width
		f.Rect(x+0.6, y0+chartH-h, width-1.2, h, "F")
		f.SetXY(x, y0+chartH-h-3.5)
		if b.n > 0 {
			f.CellFormat(width, 3.5, fmt.Sprint(b.n), "", 0, "C", false, 0, "")
		}
		f.SetXY(x, y0+chartH+0.5)
		f.CellFormat(width, 3.5, b.label, "", 0, "C", false, 0, "")
	}
	f.SetXY(x0, y0+chartH+6)
}

// waitChart draws the waiting time by hour of arrival: for each hour a
// light bar to the 90th percentile and a dark one to the median, on a
// scale in whole minutes with grid lines, and a legend. An hour nobody of
// which was called has no bar, and a dash.
func waitChart(f *gofpdf.Fpdf, d Data, t i18n.Text) {
	hs := hours(d.Figures)
	chartTitle(f, t.S("report.waithour")+" ("+t.S("report.minutes")+")")
	if len(hs) == 0 {
		return
	}
	top := 0.0
	for _, h := range hs {
		top = max(top, h.WaitSeconds.P90)
	}
	// The scale: whole minutes, a round step.
	topMin := math.Max(1, math.Ceil(top/60))
	step := 1.0
	for _, s := range []float64{1, 2, 5, 10, 15, 20, 30, 60} {
		step = s
		if topMin/s <= 5 {
			break
		}
	}
	scale := math.Ceil(topMin/step) * step
	const axisW = 10.0
	width := min(12, (textW-axisW)/float64(len(hs)))
	x0, y0 := f.GetX()+axisW, f.GetY()+4
	f.SetFont(pdfdoc.Font, "", 6.5)
	f.SetDrawColor(200, 200, 200)
	f.SetLineWidth(0.1)
	for m := 0.0; m <= scale; m += step {
		y := y0 + chartH - chartH*m/scale
		f.Line(x0, y, x0+width*float64(len(hs)), y)
		f.SetXY(x0-axisW, y-1.75)
		f.CellFormat(axisW-1, 3.5, fmt.Sprint(m), "", 0, "R", false, 0, "")
	}
	f.SetDrawColor(0, 0, 0)
	f.SetLineWidth(0.2)
	for i, h := range hs {
		x := x0 + float64(i)*width
		wd := h.WaitSeconds
		if wd.N > 0 {
			p90 := chartH * wd.P90 / 60 / scale
			med := chartH * wd.P50 / 60 / scale
			f.SetFillColor(180, 195, 220)
			f.Rect(x+0.6, y0+chartH-p90, width-1.2, p90, "F")
			f.SetFillColor(60, 90, 140)
			f.Rect(x+1.6, y0+chartH-med, width-3.2, med, "F")
		} else if h.Arrivals > 0 {
			f.SetXY(x, y0+chartH-3.5)
			f.CellFormat(width, 3.5, stats.NoData, "", 0, "C", false, 0, "")
		}
		f.SetXY(x, y0+chartH+0.5)
		f.CellFormat(width, 3.5, fmt.Sprintf("%02d", h.Hour), "", 0, "C", false, 0, "")
	}
	f.Line(x0, y0+chartH, x0+width*float64(len(hs)), y0+chartH)
	// The legend.
	ly := y0 + chartH + 5
	f.SetFillColor(60, 90, 140)
	f.Rect(x0, ly+0.8, 3, 2.4, "F")
	f.SetXY(x0+4, ly)
	f.CellFormat(30, 4, pdfdoc.Printable(t.S("report.legend.median")), "", 0, "L", false, 0, "")
	f.SetFillColor(180, 195, 220)
	f.Rect(x0+36, ly+0.8, 3, 2.4, "F")
	f.SetXY(x0+40, ly)
	f.CellFormat(40, 4, pdfdoc.Printable(t.S("report.legend.p90")), "", 0, "L", false, 0, "")
	f.SetXY(margin, ly+8)
}

// signatures is the block at the end: on the left the head of the office
// who acknowledges, on the right the place and date and the supervisor
// who made it, each with room to sign and a name line.
func signatures(f *gofpdf.Fpdf, d Data, t i18n.Text) {
	const blockH = 42.0
	if f.GetY()+blockH > pageH-margin {
		f.AddPage()
	}
	f.Ln(4)
	dots := strings.Repeat(".", 30)
	or := func(s string) string {
		if strings.TrimSpace(s) == "" {
			return dots
		}
		return s
	}
	colW := textW / 2
	y := f.GetY()
	left := []string{"", t.S("report.sign.known"), t.S("report.sign.head", d.Office)}
	right := []string{or(d.Place) + ", " + t.Date(d.Made), "", t.S("report.sign.supervisor")}
	f.SetFont(pdfdoc.Font, "", 10)
	for i := range left {
		f.SetXY(margin, y+float64(i)*5)
		f.CellFormat(colW, 5, fit(f, left[i], colW), "", 0, "C", false, 0, "")
		f.CellFormat(colW, 5, fit(f, right[i], colW), "", 0, "C", false, 0, "")
	}
	y += 3*5 + 18 // room for the signatures
	for i, name := range []string{d.Head, d.Supervisor} {
		x := margin + float64(i)*colW
		f.SetXY(x, y)
		f.CellFormat(colW, 5, fit(f, "( "+or(name)+" )", colW), "", 0, "C", false, 0, "")
		f.SetXY(x, y+5)
		f.CellFormat(colW, 5, pdfdoc.Printable(t.S("report.sign.nip")+" "+strings.Repeat(".", 22)), "", 0, "C", false, 0, "")
	}
	f.SetXY(margin, y+12)
}
