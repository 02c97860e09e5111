// Package report makes a supervisor's A4 statistics report as a PDF: the
// figures of package stats for a day or a range of days, tables by service,
// counter and (for a range) day, and a bar chart of arrivals per hour or
// per day. The PDF groundwork (font, reproducible bytes, gofpdf's faults
// worked around) is package pdfdoc's; the texts are package i18n's, under
// report.*.
package report

import (
	"fmt"
	"io"
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
}

// Render writes the A4 statistics report of d as a PDF.
func Render(w io.Writer, d Data) error {
	t := i18n.For(d.Lang)
	f, err := pdfdoc.New(210, 297, d.Made, t.S("report.title")+" "+d.Period, d.Office)
	if err != nil {
		return fmt.Errorf("report: %w", err)
	}
	f.SetMargins(18, 18, 18)
	f.SetAutoPageBreak(true, 18)
	f.AddPage()
	fig := d.Figures
	text := func(size float64, s string, align string) {
		f.SetFont(pdfdoc.Font, "", size)
		f.MultiCell(0, size*0.5, pdfdoc.Printable(s), "", align, false)
	}
	text(15, d.Office, "C")
	text(12, t.S("report.title"), "C")
	text(10, t.S("report.period")+": "+d.Period, "C")
	f.Ln(4)

	// The figures, two columns of label and value.
	f.SetFont(pdfdoc.Font, "", 10)
	dur := i18n.CompactDuration
	pairs := [][2]string{
		{t.S("report.arrivals"), fmt.Sprint(fig.Arrivals)}, {t.S("report.served"), fmt.Sprint(fig.Served)},
		{t.S("report.noshow"), fmt.Sprint(fig.NoShow)}, {t.S("report.cancelled"), fmt.Sprint(fig.Cancelled)},
		{t.S("report.transferred"), fmt.Sprint(fig.Transferred)}, {t.S("report.waiting"), fmt.Sprint(fig.Waiting)},
		{t.S("report.wait.avg"), dur(fig.WaitSeconds.Avg)}, {t.S("report.wait.median"), dur(fig.WaitSeconds.P50)},
		{t.S("report.wait.p90"), dur(fig.WaitSeconds.P90)}, {t.S("report.service.avg"), dur(fig.ServiceSeconds.Avg)},
		{t.S("report.service.median"), dur(fig.ServiceSeconds.P50)}, {t.S("report.service.p90"), dur(fig.ServiceSeconds.P90)},
		{t.S("report.ontarget"), fmt.Sprintf("%.0f%%", fig.WithinTargetRatio*100)}, {t.S("report.busiest"), busiest(fig)},
	}
	for i, p := range pairs {
		f.CellFormat(55, 6, pdfdoc.Printable(p[0]), "B", 0, "L", false, 0, "")
		ln := 0
		if i%2 == 1 {
			ln = 1
		}
		f.CellFormat(32, 6, p[1], "B", ln, "R", false, 0, "")
		if ln == 0 {
			f.CellFormat(10, 6, "", "", 0, "", false, 0, "")
		}
	}
	f.Ln(5)

	head := []string{t.S("report.code"), t.S("report.name"), t.S("report.arrivals"), t.S("report.served"), t.S("report.noshow"), "P50", "P90", t.S("report.target")}
	widths := []float64{12, 58, 18, 18, 18, 16, 16, 18}
	table := func(title string, rows []stats.Row, name func(string) string) {
		f.SetFont(pdfdoc.Font, "", 11)
		f.CellFormat(0, 7, pdfdoc.Printable(title), "", 1, "L", false, 0, "")
		f.SetFont(pdfdoc.Font, "", 8)
		for i, h := range head {
			f.CellFormat(widths[i], 6, pdfdoc.Printable(h), "1", 0, "C", false, 0, "")
		}
		f.Ln(-1)
		for _, r := range rows {
			cells := []string{r.Key, name(r.Key), fmt.Sprint(r.Arrivals), fmt.Sprint(r.Served), fmt.Sprint(r.NoShow),
				dur(r.WaitSeconds.P50), dur(r.WaitSeconds.P90), fmt.Sprintf("%.0f%%", r.WithinTargetRatio*100)}
			for i, c := range cells {
				align := "R"
				if i < 2 {
					align = "L"
				}
				f.CellFormat(widths[i], 5.5, pdfdoc.Printable(c), "1", 0, align, false, 0, "")
			}
			f.Ln(-1)
		}
		f.Ln(4)
	}
	rows, _ := fig.Table("service")
	table(t.S("report.byservice"), rows, func(code string) string { return d.Services[code] })
	rows, _ = fig.Table("counter")
	table(t.S("report.bycounter"), rows, func(string) string { return "" })
	chart(f, d, t)
	if d.PerDay {
		rows, _ = fig.Table("day")
		table(t.S("report.byday"), rows, func(string) string { return "" })
	}
	f.SetFont(pdfdoc.Font, "", 7)
	f.CellFormat(0, 5, pdfdoc.Printable(t.S("report.made")+" "+d.Made.Format("2006-01-02 15:04")), "", 1, "R", false, 0, "")
	if err := f.Output(w); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	return nil
}

func busiest(f stats.Figures) string {
	if f.BusiestHour < 0 {
		return "-"
	}
	return fmt.Sprintf("%02d:00 (%d)", f.BusiestHour, f.ByHour[f.BusiestHour].Arrivals)
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
		for _, h := range d.Figures.ByHour {
			if h.Hour >= 6 && h.Hour <= 18 || h.Arrivals > 0 {
				bars = append(bars, bar{fmt.Sprintf("%02d", h.Hour), h.Arrivals})
			}
		}
	}
	const height = 40.0
	if f.GetY()+7+height+12 > 297-18 { // title and bars stay on one page
		f.AddPage()
	}
	f.SetFont(pdfdoc.Font, "", 11)
	f.CellFormat(0, 7, pdfdoc.Printable(title), "", 1, "L", false, 0, "")
	if len(bars) == 0 {
		return
	}
	top := 1
	for _, b := range bars {
		top = max(top, b.n)
	}
	width := min(12, 174/float64(len(bars)))
	x0, y0 := f.GetX(), f.GetY()+4
	f.SetFillColor(60, 90, 140)
	f.SetFont(pdfdoc.Font, "", 6.5)
	for i, b := range bars {
		h := height * float64(b.n) / float64(top)
		x := x0 + float64(i)*width
		f.Rect(x+0.6, y0+height-h, width-1.2, h, "F")
		f.SetXY(x, y0+height-h-3.5)
		if b.n > 0 {
			f.CellFormat(width, 3.5, fmt.Sprint(b.n), "", 0, "C", false, 0, "")
		}
		f.SetXY(x, y0+height+0.5)
		f.CellFormat(width, 3.5, b.label, "", 0, "C", false, 0, "")
	}
	f.SetXY(x0, y0+height+6)
}
