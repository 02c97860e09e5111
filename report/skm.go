package report

// The one-page report of the satisfaction survey (SKM) in the form
// offices publish under PermenPAN-RB 14/2017: the unit, the period, the
// respondents, the table of the nine elements' averages (NRR), the index
// (IKM) with its quality category and the unit's performance, the index by
// service, and who answered (sex, age, education, occupation).

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/jung-kurt/gofpdf"

	"github.com/loket-id/loket/i18n"
	"github.com/loket-id/loket/pdfdoc"
	"github.com/loket-id/loket/skm"
)

// SKMData is what an SKM report shows.
type SKMData struct {
	Office   string // the unit of service, as it is named on the report
	Lang     string
	Period   string // as people read it: "Juli – Desember 2026"
	Summary  skm.Summary
	Services map[string]string // code -> name in Lang
	Made     time.Time         // the report's date (fixed in tests)

	// Whose data, as in Data: the whole office's (from the central
	// server) or one counter's own database.
	Central bool
	Counter string

	// The signature block, as in Data.
	Place, Head, Supervisor string
}

// number is a value with two decimals as the language writes it:
// "77,78" in Indonesian, "77.78" in English; "–" for none.
func number(t i18n.Text, r skm.Ratio) string {
	s := r.String()
	if t.Lang() == "id" {
		s = strings.Replace(s, ".", ",", 1)
	}
	return s
}

// RenderSKM writes the A4 SKM report of d as a PDF.
func RenderSKM(w io.Writer, d SKMData) error {
	t := i18n.For(d.Lang)
	f, err := pdfdoc.New(pageW, pageH, d.Made, t.S("report.skm.title")+" "+d.Period, d.Office)
	if err != nil {
		return fmt.Errorf("skm report: %w", err)
	}
	f.SetMargins(margin, margin, margin)
	f.SetAutoPageBreak(true, margin)
	f.AddPage()
	s, tot := d.Summary, d.Summary.Total
	bold := func(on bool, size float64) {
		f.SetFont(pdfdoc.Font, "", size)
		if on {
			f.SetTextRenderingMode(2)
			f.SetLineWidth(size * 0.012)
		} else {
			f.SetTextRenderingMode(0)
			f.SetLineWidth(0.2)
		}
	}
	text := func(size float64, s string, b bool) {
		bold(b, size)
		f.MultiCell(0, size*0.48, pdfdoc.Printable(s), "", "C", false)
	}
	text(12, t.S("report.skm.title"), true)
	text(14, d.Office, true)
	text(9, t.S("report.skm.rule"), false)
	text(10, t.S("report.period")+": "+d.Period, false)
	switch {
	case d.Central:
		text(8, t.S("report.scope.office"), false)
	case d.Counter != "":
		text(8, t.S("report.scope.counter", d.Counter), false)
	default:
		text(8, t.S("report.scope.this"), false)
	}
	f.Ln(3)

	// The index in a box: the number large, then category and performance.
	y := f.GetY()
	const boxH = 24.0
	f.SetDrawColor(60, 90, 140)
	f.SetLineWidth(0.5)
	f.Rect(margin, y, textW, boxH, "D")
	f.SetDrawColor(0, 0, 0)
	col := textW / 4
	cat := tot.Category()
	cells := [][2]string{
		{t.S("report.skm.respondents"), strconv.Itoa(tot.Respondents)},
		{t.S("report.skm.ikm"), number(t, tot.IKM())},
		{t.S("report.skm.quality"), string(cat)},
		{t.S("report.skm.performance"), skm.CategoryName(t, cat)},
	}
	if cat == "" {
		cells[2][1] = skm.NoData
	}
	for i, c := range cells {
		x := margin + float64(i)*col
		bold(false, 8.5)
		f.SetXY(x, y+2.5)
		f.MultiCell(col, 4, pdfdoc.Printable(c[0]), "", "C", false)
		size := 20.0
		if i == 3 {
			size = 14
		}
		bold(true, size)
		f.SetXY(x, y+10.5)
		f.CellFormat(col, 11, fit(f, c[1], col), "", 0, "C", false, 0, "")
	}
	bold(false, 8)
	f.SetXY(margin, y+boxH+1)
	f.CellFormat(0, 4, pdfdoc.Printable(t.S("report.skm.formula")), "", 1, "L", false, 0, "")
	f.Ln(2)

	// The nine elements.
	sectionTitle(f, t.S("report.skm.elements"), 10*4.8)
	head := []string{t.S("report.skm.code"), t.S("report.skm.element"), t.S("report.skm.nrr"), t.S("report.skm.value"), t.S("report.skm.cat")}
	widths := []float64{14, textW - 14 - 3*28, 28, 28, 28}
	rows := [][]string{}
	for _, e := range skm.Elements {
		rows = append(rows, []string{e.Code(), skm.ElementName(t, e), number(t, tot.NRR(e)), number(t, tot.ElementIndex(e)),
			orDash(string(skm.CategoryOf(tot.ElementIndex(e))))})
	}
	rows = append(rows, []string{"", t.S("report.skm.ikmrow"), "", number(t, tot.IKM()), orDash(string(cat))})
	grid(f, head, widths, 2, rows, len(rows)-1)
	bold(false, 7.5)
	f.MultiCell(0, 3.6, pdfdoc.Printable(t.S("report.skm.scale", skm.ScaleName(t, 1), skm.ScaleName(t, 2), skm.ScaleName(t, 3), skm.ScaleName(t, 4))), "", "L", false)
	f.MultiCell(0, 3.6, pdfdoc.Printable(t.S("report.skm.cats", skm.CategoryName(t, skm.CatA), skm.CategoryName(t, skm.CatB), skm.CategoryName(t, skm.CatC), skm.CategoryName(t, skm.CatD))), "", "L", false)
	if s.Duplicates > 0 || s.Invalid > 0 {
		f.MultiCell(0, 3.6, pdfdoc.Printable(t.S("cmd.stats.skm.uncounted", s.Duplicates, s.Invalid)), "", "L", false)
	}
	f.Ln(3)

	// By service.
	if len(s.ByService) > 0 {
		sectionTitle(f, t.S("report.skm.byservice"), float64(min(len(s.ByService), 3)+1)*4.8)
		rows = nil
		for _, g := range s.ByService {
			rows = append(rows, []string{g.Key, d.Services[g.Key], strconv.Itoa(g.Tally.Respondents), number(t, g.Tally.IKM()),
				orDash(string(g.Tally.Category()))})
		}
		grid(f, []string{t.S("report.code"), t.S("report.name"), t.S("report.skm.respondents"), t.S("report.skm.ikm"), t.S("report.skm.cat")},
			[]float64{14, textW - 14 - 3*28, 28, 28, 28}, 2, rows, -1)
		f.Ln(3)
	}

	// Who answered: four small tables side by side.
	if tot.Respondents > 0 {
		fields := s.Profile.Fields()
		most := 0
		for _, fl := range fields {
			most = max(most, len(fl.Counts))
		}
		const gap, rowH, numW, pctW = 4.0, 4.2, 7.0, 9.0
		sectionTitle(f, t.S("report.skm.profile"), float64(most+1)*rowH)
		colW := (textW - 3*gap) / 4
		y0, yEnd := f.GetY(), f.GetY()
		for j, fl := range fields {
			x := margin + float64(j)*(colW+gap)
			f.SetXY(x, y0)
			bold(true, 7.5)
			f.CellFormat(colW, rowH+0.4, fit(f, skm.FieldName(t, fl.Field), colW), "B", 1, "L", false, 0, "")
			bold(false, 7.5)
			for _, c := range fl.Counts {
				f.SetX(x)
				f.CellFormat(colW-numW-pctW, rowH, fit(f, skm.ChoiceName(t, fl.Field, c.Key), colW-numW-pctW), "", 0, "L", false, 0, "")
				f.CellFormat(numW, rowH, strconv.Itoa(c.N), "", 0, "R", false, 0, "")
				f.CellFormat(pctW, rowH, percent(c.N, tot.Respondents), "", 1, "R", false, 0, "")
			}
			yEnd = max(yEnd, f.GetY())
		}
		f.SetXY(margin, yEnd+2)
	}
	bold(false, 10)
	signatures(f, Data{Office: d.Office, Made: d.Made, Place: d.Place, Head: d.Head, Supervisor: d.Supervisor}, t)
	f.SetFont(pdfdoc.Font, "", 7)
	f.CellFormat(0, 5, pdfdoc.Printable(t.S("report.made")+" "+d.Made.Format("2006-01-02 15:04")), "", 1, "R", false, 0, "")
	if err := f.Output(w); err != nil {
		return fmt.Errorf("skm report: %w", err)
	}
	return nil
}

// percent is n of all as a whole percentage: "33%".
func percent(n, all int) string {
	if all == 0 {
		return skm.NoData
	}
	return strconv.Itoa((200*n+all)/(2*all)) + "%"
}

// sectionTitle starts a section on a page with room for its title and
// first needH mm.
func sectionTitle(f *gofpdf.Fpdf, title string, needH float64) {
	if f.GetY()+7+needH > pageH-margin {
		f.AddPage()
	}
	f.SetFont(pdfdoc.Font, "", 10.5)
	f.CellFormat(0, 6, pdfdoc.Printable(title), "", 1, "L", false, 0, "")
}

// grid draws a table with a shaded header; the first textCols columns are
// text (left), the rest centred figures; row total (if ≥ 0) is shaded.
func grid(f *gofpdf.Fpdf, head []string, widths []float64, textCols int, rows [][]string, total int) {
	const rowH = 4.8
	header := func() {
		f.SetFont(pdfdoc.Font, "", 8)
		f.SetFillColor(225, 232, 243)
		for i, h := range head {
			f.CellFormat(widths[i], rowH+0.8, fit(f, h, widths[i]), "1", 0, "C", true, 0, "")
		}
		f.Ln(-1)
	}
	header()
	for r, row := range rows {
		if f.GetY()+rowH > pageH-margin {
			f.AddPage()
			header()
		}
		f.SetFont(pdfdoc.Font, "", 8.5)
		fill := r == total
		f.SetFillColor(240, 243, 248)
		for i, c := range row {
			align := "C"
			if i < textCols {
				align = "L"
			}
			f.CellFormat(widths[i], rowH, fit(f, c, widths[i]), "1", 0, align, fill, 0, "")
		}
		f.Ln(-1)
	}
}
