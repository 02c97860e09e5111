// Package receipts makes the applicant's PDF receipt ("tanda terima") with
// gofpdf, and prints it.
//
// A receipt has the office, the ticket in large type, the service, date and
// time, counter and clerk, the applicant's name, the NIK and phone masked to
// their last four digits, the tracking code as text and as a QR code, the
// documents the service requires as a checklist, the due date (the service's
// SLA in working days, skipping weekends and the configured holidays) and a
// footer asking the applicant to keep it.
//
// The PDF groundwork (font, reproducible bytes, gofpdf's known faults worked
// around) is package pdfdoc's. The QR code is drawn as filled rectangles.
// One Fpdf per receipt, so receipts render concurrently; a receipt's bytes
// depend only on its data (its dates are the request's arrival time): a
// reprint is byte-for-byte the original, and golden tests are exact.
//
// Paper: 80mm roll (72 mm printable, the default), 58mm roll (48 mm
// printable), A5 and A4. Roll receipts are the paper's width and exactly as
// tall as their content: the layout runs once to measure and once to draw,
// with the same code.
package receipts

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/jung-kurt/gofpdf"
	qrcode "github.com/skip2/go-qrcode"

	"github.com/loket-id/loket/pdfdoc"
	"github.com/loket-id/loket/queue"
)

// Paper is a receipt's paper.
type Paper struct {
	Name          string
	Width, Height float64 // mm; Height 0 for roll paper
	Margin        float64 // left and right, mm
	QR            float64 // QR code side, mm
	Scale         float64 // type size against the 80mm receipt
}

// Roll reports whether the paper is a roll (the page is as tall as its content).
func (p Paper) Roll() bool { return p.Height == 0 }

// Papers are the supported papers.
var Papers = map[string]Paper{
	"80mm": {Name: "80mm", Width: 80, Margin: 4, QR: 32, Scale: 1},
	"58mm": {Name: "58mm", Width: 58, Margin: 5, QR: 30, Scale: 1},
	"A5":   {Name: "A5", Width: 148, Height: 210, Margin: 14, QR: 40, Scale: 1.2},
	"A4":   {Name: "A4", Width: 210, Height: 297, Margin: 20, QR: 45, Scale: 1.35},
}

// PaperByName finds a paper; "" is 80mm.
func PaperByName(name string) (Paper, error) {
	if name == "" {
		name = "80mm"
	}
	p, ok := Papers[name]
	if !ok {
		return p, fmt.Errorf("receipt paper %q is not 80mm, 58mm, A5 or A4", name)
	}
	return p, nil
}

// Data is what a receipt shows.
type Data struct {
	Request     queue.Request
	Service     queue.Service
	Office      string
	Address     string
	CounterName string // the counter's name; the request's counter code when empty
	Lang        string // "id" or "en"
	TrackingURL string // QR target with {code}; the bare code when empty
	Holidays    []string
	Location    *time.Location
}

// QRContent is what the QR code holds: the tracking URL, or the code.
func (d Data) QRContent() string {
	if d.TrackingURL != "" && strings.Contains(d.TrackingURL, "{code}") {
		return strings.ReplaceAll(d.TrackingURL, "{code}", d.Request.TrackingCode)
	}
	return d.Request.TrackingCode
}

// RenderHeight writes the receipt of d on paper p as a PDF and returns the
// page height in mm (the content's height on roll paper), which the printer
// is told.
func RenderHeight(w io.Writer, d Data, p Paper) (float64, error) {
	if d.Location == nil {
		d.Location = time.Local
	}
	t := texts(d.Lang)
	f, err := pdfdoc.New(p.Width, max(p.Height, 100), d.Request.ArrivedAt, t["title"]+" "+d.Request.Ticket, d.Office)
	if err != nil {
		return 0, fmt.Errorf("receipt %s: %w", d.Request.Ticket, err)
	}
	f.SetAutoPageBreak(false, 0)
	f.SetMargins(p.Margin, 0, p.Margin)
	qr, err := qrcode.New(d.QRContent(), qrcode.Medium)
	if err != nil {
		return 0, fmt.Errorf("receipt %s: QR code: %w", d.Request.Ticket, err)
	}
	qr.DisableBorder = true
	l := &layout{f: f, d: d, p: p, t: t, qr: qr.Bitmap()}
	height := l.run(false) // measure
	if p.Roll() {
		f.AddPageFormat("P", gofpdf.SizeType{Wd: p.Width, Ht: height})
	} else {
		f.AddPage()
		height = p.Height
	}
	l.run(true)
	if err := f.Output(w); err != nil {
		return 0, fmt.Errorf("receipt %s: %w", d.Request.Ticket, err)
	}
	return height, nil
}

// layout draws the receipt top to bottom; with draw false it only measures.
type layout struct {
	f    *gofpdf.Fpdf
	d    Data
	p    Paper
	t    map[string]string
	qr   [][]bool
	draw bool
	y    float64
}

func (l *layout) width() float64 { return l.p.Width - 2*l.p.Margin }

// setFont sets the type size; bold text is filled and stroked.
func (l *layout) setFont(size float64, bold bool) {
	l.f.SetFont(pdfdoc.Font, "", size)
	if !l.draw {
		return
	}
	if bold {
		l.f.SetTextRenderingMode(2)
		l.f.SetLineWidth(size * 0.012)
	} else {
		l.f.SetTextRenderingMode(0)
	}
}

// text writes s wrapped to the content width; size in points.
func (l *layout) text(s string, size float64, bold bool, align string) {
	size *= l.p.Scale
	l.setFont(size, bold)
	lh := size * 0.45 // line height in mm
	for _, line := range l.f.SplitText(pdfdoc.Printable(s), l.width()) {
		if l.draw {
			l.f.SetXY(l.p.Margin, l.y)
			l.f.CellFormat(l.width(), lh, line, "", 0, align, false, 0, "")
		}
		l.y += lh
	}
}

// field writes "label  value", the value wrapped beside the label, or below
// it when the label does not fit beside (narrow paper).
func (l *layout) field(label, value string) {
	size := 8.5 * l.p.Scale
	lh := size * 0.47
	lw := min(26*l.p.Scale, l.width()*0.38)
	label = pdfdoc.Printable(label)
	l.setFont(size, true)
	if l.f.GetStringWidth(label) > lw-1 {
		if l.draw {
			l.f.SetXY(l.p.Margin, l.y)
			l.f.CellFormat(l.width(), lh, label, "", 0, "L", false, 0, "")
		}
		l.y += lh
		label, lw = "", 3
	}
	vw := l.width() - lw
	lines := l.f.SplitText(pdfdoc.Printable(value), vw)
	if l.draw {
		l.f.SetXY(l.p.Margin, l.y)
		l.f.CellFormat(lw, lh, label, "", 0, "L", false, 0, "")
		l.setFont(size, false)
		for i, line := range lines {
			l.f.SetXY(l.p.Margin+lw, l.y+float64(i)*lh)
			l.f.CellFormat(vw, lh, line, "", 0, "L", false, 0, "")
		}
	}
	l.y += lh * float64(max(1, len(lines)))
}

func (l *layout) gap(h float64) { l.y += h }

func (l *layout) rule() {
	l.gap(1.5)
	if l.draw {
		l.f.SetLineWidth(0.2)
		l.f.SetDashPattern([]float64{0.8, 0.8}, 0)
		l.f.Line(l.p.Margin, l.y, l.p.Width-l.p.Margin, l.y)
		l.f.SetDashPattern(nil, 0)
	}
	l.gap(2)
}

// qrCode draws the QR matrix centred, as filled rectangles, one per run of
// dark modules in a row.
func (l *layout) qrCode() {
	n := len(l.qr)
	side := l.p.QR
	ms := side / float64(n)
	x0 := (l.p.Width - side) / 2
	if l.draw {
		l.f.SetFillColor(0, 0, 0)
		for row, cells := range l.qr {
			for col := 0; col < len(cells); {
				if !cells[col] {
					col++
					continue
				}
				start := col
				for col < len(cells) && cells[col] {
					col++
				}
				l.f.Rect(x0+float64(start)*ms, l.y+float64(row)*ms, float64(col-start)*ms, ms, "F")
			}
		}
	}
	l.y += side
}

// checklist draws the required documents, each with an empty box to tick.
func (l *layout) checklist(docs []string) {
	box := 2.6 * l.p.Scale
	size := 8.5 * l.p.Scale
	l.setFont(size, false)
	lh := size * 0.47
	for _, doc := range docs {
		lines := l.f.SplitText(pdfdoc.Printable(doc), l.width()-box-2)
		if l.draw {
			l.f.SetLineWidth(0.25)
			l.f.Rect(l.p.Margin, l.y+0.7, box, box, "D")
			for i, line := range lines {
				l.f.SetXY(l.p.Margin+box+2, l.y+float64(i)*lh)
				l.f.CellFormat(l.width()-box-2, lh, line, "", 0, "L", false, 0, "")
			}
		}
		l.y += lh * float64(max(1, len(lines)))
	}
}

// run lays the receipt out and returns its height in mm.
func (l *layout) run(draw bool) float64 {
	l.draw, l.y = draw, 5
	d, t, r := l.d, l.t, l.d.Request
	roll := l.p.Roll()
	big := 30.0
	if l.p.Width < 60 {
		big = 24
	}
	if !roll {
		l.y = 15
	}
	l.text(d.Office, 11, true, "C")
	if d.Address != "" {
		l.text(d.Address, 7.5, false, "C")
	}
	l.rule()
	l.text(t["title"], 10, true, "C")
	l.gap(1.5)
	l.text(t["ticket"], 8, false, "C")
	l.text(r.Ticket, big, true, "C")
	l.gap(1)
	l.text(d.Service.Name(d.Lang), 10, true, "C")
	l.rule()
	counter := d.CounterName
	if counter == "" {
		counter = r.Counter
	}
	arrived := r.ArrivedAt.In(d.Location)
	l.field(t["date"], formatDateTime(d.Lang, arrived))
	l.field(t["counter"], strings.TrimSpace(counter+" / "+r.Clerk))
	l.field(t["name"], r.Name)
	l.field("NIK", queue.MaskNIK(r.NIK))
	if r.Phone != "" {
		l.field(t["phone"], queue.MaskPhone(r.Phone))
	}
	if r.Priority != queue.PriorityNone {
		l.field(t["priority"], t["prio."+string(r.Priority)])
	}
	l.field(t["due"], formatDate(d.Lang, DueDate(arrived, d.Service.SLADays, d.Holidays)))
	l.rule()
	l.text(t["tracking"], 8, false, "C")
	l.text(r.TrackingCode, min(14, l.width()/3.6), true, "C")
	l.gap(2)
	l.qrCode()
	l.gap(2)
	l.text(t["scan"], 7, false, "C")
	if len(d.Service.Documents) > 0 {
		l.rule()
		l.text(t["documents"], 9, true, "L")
		l.gap(1)
		l.checklist(d.Service.Documents)
	}
	l.rule()
	l.text(t["keep"], 7.5, false, "C")
	l.gap(5)
	return l.y
}
