// Package receipts makes the applicant's PDF receipt ("tanda terima") with
// gofpdf, and prints it.
//
// A receipt is an official document, in the office's language (Data.Lang,
// from receipt.language, never the clerk's screen). It has the office, the
// ticket in large type, the service, date and time, counter and clerk, the
// applicant's name, the NIK and phone masked to their last four digits, the
// due date (the service's SLA in working days, skipping weekends, Indonesia's
// national holidays and joint leave days from package holidays, and the
// office's own days off), the fee ("Rp 150.000", or free of charge), the
// tracking code as text and as a QR code, the documents the service requires
// with those the clerk received ticked, signature lines for the officer and
// the applicant, the complaint channels (SP4N-LAPOR! and the office's phone
// and WhatsApp), the office's hours and website, and a footer asking the
// applicant to keep it.
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
// with the same code. A4 and A5 are laid out as a document on the page
// (sheet.go): a letterhead, the title, a table of the fields beside the
// ticket and QR code, a table of the documents, the complaint channels, and
// the signatures at the foot of the page.
package receipts

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/jung-kurt/gofpdf"
	qrcode "github.com/skip2/go-qrcode"

	"github.com/loket-id/loket/holidays"
	"github.com/loket-id/loket/i18n"
	"github.com/loket-id/loket/pdfdoc"
	"github.com/loket-id/loket/queue"
)

// Paper is a receipt's paper.
type Paper struct {
	Name          string
	Width, Height float64 // mm; Height 0 for roll paper
	Margin        float64 // left and right, mm
	QR            float64 // QR code side, mm
	Scale         float64 // type size: against the 80mm receipt on a roll, against A4 on a sheet
}

// Roll reports whether the paper is a roll (the page is as tall as its content).
func (p Paper) Roll() bool { return p.Height == 0 }

// Papers are the supported papers.
var Papers = map[string]Paper{
	"80mm": {Name: "80mm", Width: 80, Margin: 4, QR: 32, Scale: 1},
	"58mm": {Name: "58mm", Width: 58, Margin: 5, QR: 30, Scale: 1},
	"A5":   {Name: "A5", Width: 148, Height: 210, Margin: 11, QR: 28, Scale: 0.74},
	"A4":   {Name: "A4", Width: 210, Height: 297, Margin: 20, QR: 40, Scale: 1},
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

// Contact is how the office can be reached, printed on every receipt (each
// may be empty).
type Contact struct {
	Phone    string
	WhatsApp string
	Website  string
	Hours    string
}

// Data is what a receipt shows.
type Data struct {
	Request     queue.Request
	Service     queue.Service
	Office      string
	Address     string
	Contact     Contact
	CounterName string   // the counter's name; the request's counter code when empty
	Lang        string   // the office's: "id" or "en"
	TrackingURL string   // QR target with {code}; the bare code when empty
	Holidays    []string // the office's own days off, beside Indonesia's (package holidays)
	Location    *time.Location
}

// Due is the receipt's due date: the service's SLA in working days after
// arrival, skipping weekends, Indonesia's national holidays and joint leave
// days, and the office's own days off.
func (d Data) Due() time.Time {
	loc := d.Location
	if loc == nil {
		loc = time.Local
	}
	return DueDate(d.Request.ArrivedAt.In(loc), d.Service.SLADays, holidays.With(d.Holidays))
}

// docItem is one required document and whether the clerk received it.
type docItem struct {
	name     string
	received bool
}

// documents are the service's required documents in catalog order, each
// marked received when the request lists it, then any received document the
// catalog no longer names (a reprint after the catalog changed keeps it).
func (d Data) documents() []docItem {
	got := map[string]bool{}
	for _, doc := range d.Request.DocumentsReceived {
		got[doc] = true
	}
	var out []docItem
	for _, doc := range d.Service.Documents {
		out = append(out, docItem{doc, got[doc]})
		delete(got, doc)
	}
	for _, doc := range d.Request.DocumentsReceived {
		if got[doc] {
			out = append(out, docItem{doc, true})
			delete(got, doc)
		}
	}
	return out
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
	t := i18n.For(d.Lang)
	f, err := pdfdoc.New(p.Width, max(p.Height, 100), d.Request.ArrivedAt, t.S("receipt.title")+" "+d.Request.Ticket, d.Office)
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
	var height float64
	if p.Roll() {
		height = l.run(false) // measure
		f.AddPageFormat("P", gofpdf.SizeType{Wd: p.Width, Ht: height})
		l.run(true)
	} else {
		f.AddPage()
		height = p.Height
		l.sheet()
	}
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
	t    i18n.Text
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
	l.textAt(l.p.Margin, l.width(), s, size, bold, align)
}

// textAt writes s wrapped to w mm from x; size in points (scaled).
func (l *layout) textAt(x, w float64, s string, size float64, bold bool, align string) {
	size *= l.p.Scale
	l.setFont(size, bold)
	lh := size * 0.45 // line height in mm
	for _, line := range l.f.SplitText(pdfdoc.Printable(s), w) {
		if l.draw {
			l.f.SetXY(x, l.y)
			l.f.CellFormat(w, lh, line, "", 0, align, false, 0, "")
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
	if l.width() < 60 || l.f.GetStringWidth(label) > lw-1 { // narrow roll: every label above its value
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

// qrCode draws the QR matrix centred.
func (l *layout) qrCode() {
	l.qrAt((l.p.Width-l.p.QR)/2, l.y, l.p.QR)
	l.y += l.p.QR
}

// qrAt draws the QR matrix side mm wide at x0, y0, as filled rectangles, one
// per run of dark modules in a row. Each reaches a twentieth of a module into
// the row below: without it, a rasteriser's anti-aliasing leaves hairline
// seams between rows that break the finder patterns for a camera.
func (l *layout) qrAt(x0, y0, side float64) {
	n := len(l.qr)
	ms := side / float64(n)
	overlap := ms / 20
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
				l.f.Rect(x0+float64(start)*ms, y0+float64(row)*ms, float64(col-start)*ms, ms+overlap, "F")
			}
		}
	}
}

// tickBox draws a box side mm wide at x, y, with an X in it (as text, so
// that it reads back) when ticked.
func (l *layout) tickBox(x, y, side float64, ticked bool) {
	if !l.draw {
		return
	}
	l.f.SetLineWidth(0.25)
	l.f.Rect(x, y, side, side, "D")
	if ticked {
		size := side * 2.1 // points: a capital half the box high
		l.setFont(size, true)
		l.f.SetXY(x, y)
		l.f.CellFormat(side, side, "X", "", 0, "CM", false, 0, "")
		l.setFont(size, false)
	}
}

// checklist draws the required documents, each with a box, ticked for
// those received.
func (l *layout) checklist(docs []docItem) {
	box := 2.6 * l.p.Scale
	size := 8.5 * l.p.Scale
	lh := size * 0.47
	for _, doc := range docs {
		l.setFont(size, false)
		lines := l.f.SplitText(pdfdoc.Printable(doc.name), l.width()-box-2)
		if l.draw {
			l.tickBox(l.p.Margin, l.y+0.7, box, doc.received)
			l.setFont(size, false)
			for i, line := range lines {
				l.f.SetXY(l.p.Margin+box+2, l.y+float64(i)*lh)
				l.f.CellFormat(l.width()-box-2, lh, line, "", 0, "L", false, 0, "")
			}
		}
		l.y += lh * float64(max(1, len(lines)))
	}
}

// signatures draws the officer's and the applicant's signature lines side
// by side, each with the name under the line.
func (l *layout) signatures() {
	t, r := l.t, l.d.Request
	colW := (l.width() - 4) / 2
	size := 8 * l.p.Scale
	lh := size * 0.45
	cols := []struct {
		x           float64
		label, name string
	}{
		{l.p.Margin, t.S("receipt.sign.officer"), r.Clerk},
		{l.p.Margin + colW + 4, t.S("receipt.sign.applicant"), r.Name},
	}
	top := l.y
	bottom := top
	for _, c := range cols {
		y := top
		l.setFont(size, false)
		if l.draw {
			l.f.SetXY(c.x, y)
			l.f.CellFormat(colW, lh, pdfdoc.Printable(c.label+","), "", 0, "C", false, 0, "")
		}
		y += lh + 13*l.p.Scale
		if l.draw {
			l.f.SetLineWidth(0.2)
			l.f.Line(c.x+2, y, c.x+colW-2, y)
		}
		y += 0.8
		l.setFont(size, true)
		for _, line := range l.f.SplitText(pdfdoc.Printable(c.name), colW) {
			if l.draw {
				l.f.SetXY(c.x, y)
				l.f.CellFormat(colW, lh, line, "", 0, "C", false, 0, "")
			}
			y += lh
		}
		bottom = max(bottom, y)
	}
	l.y = bottom
}

// complaints writes where to complain and how to reach the office, one
// "label: value" a line, wrapped to the full width (narrow rolls too).
func (l *layout) complaints() {
	d, t := l.d, l.t
	l.text(t.S("receipt.complaints"), 8.5, true, "L")
	l.gap(0.5)
	for _, kv := range [][2]string{{t.S("receipt.lapor"), Lapor}, {t.S("receipt.tel"), d.Contact.Phone}, {t.S("receipt.whatsapp"), d.Contact.WhatsApp},
		{t.S("receipt.hours"), d.Contact.Hours}, {t.S("receipt.website"), d.Contact.Website}} {
		if kv[1] != "" {
			l.text(kv[0]+": "+kv[1], 7.5, false, "L")
		}
	}
}

// run lays the roll receipt out and returns its height in mm.
func (l *layout) run(draw bool) float64 {
	l.draw, l.y = draw, 5
	d, t, r := l.d, l.t, l.d.Request
	big := 30.0
	if l.p.Width < 60 {
		big = 24
	}
	l.text(d.Office, 11, true, "C")
	if d.Address != "" {
		l.text(d.Address, 7.5, false, "C")
	}
	l.rule()
	l.text(t.S("receipt.title"), 10, true, "C")
	l.gap(1.5)
	l.text(t.S("receipt.ticket"), 8, false, "C")
	l.text(r.Ticket, big, true, "C")
	l.gap(1)
	l.text(d.Service.Name(d.Lang), 10, true, "C")
	l.rule()
	for _, f := range l.fields(false) {
		l.field(f[0], f[1])
	}
	l.rule()
	l.text(t.S("receipt.tracking"), 8, false, "C")
	l.text(r.TrackingCode, min(14, l.width()/3.6), true, "C")
	l.gap(2)
	l.qrCode()
	l.gap(2)
	l.text(t.S("receipt.scan"), 7, false, "C")
	if docs := d.documents(); len(docs) > 0 {
		l.rule()
		l.text(t.S("receipt.documents"), 9, true, "L")
		l.gap(1)
		l.checklist(docs)
		l.gap(0.8)
		l.text(t.S("receipt.doc.legend"), 6.5, false, "L")
	}
	l.rule()
	l.gap(1)
	l.signatures()
	l.rule()
	l.complaints()
	l.rule()
	l.text(t.S("receipt.keep"), 7.5, false, "C")
	l.gap(5)
	return l.y
}

// fields are the receipt's label and value pairs in order; sheet adds the
// service and tracking code, which the roll shows in large type instead.
func (l *layout) fields(sheet bool) [][2]string {
	d, t, r := l.d, l.t, l.d.Request
	counter := d.CounterName
	if counter == "" {
		counter = r.Counter
	}
	arrived := r.ArrivedAt.In(d.Location)
	var out [][2]string
	if sheet {
		out = append(out, [2]string{t.S("receipt.service"), d.Service.Name(d.Lang)})
	}
	out = append(out,
		[2]string{t.S("receipt.date"), t.LongDate(arrived) + " " + arrived.Format("15:04")},
		[2]string{t.S("receipt.counter"), strings.TrimSpace(counter + " / " + r.Clerk)})
	if r.Erased { // the personal part was erased (loket purge, loket forget): said, not left blank
		out = append(out, [2]string{t.S("receipt.name"), t.S("receipt.erased")})
	} else {
		out = append(out,
			[2]string{t.S("receipt.name"), r.Name},
			[2]string{"NIK", queue.MaskNIK(r.NIK)})
	}
	if r.Phone != "" {
		out = append(out, [2]string{t.S("receipt.phone"), queue.MaskPhone(r.Phone)})
	}
	if r.Priority != queue.PriorityNone {
		out = append(out, [2]string{t.S("receipt.priority"), t.S("receipt.prio." + string(r.Priority))})
	}
	if sheet {
		out = append(out, [2]string{t.S("receipt.tracking"), r.TrackingCode})
	}
	out = append(out,
		[2]string{t.S("receipt.due"), t.LongDate(d.Due())},
		[2]string{t.S("receipt.fee"), formatFee(t, d.Service.Fee)})
	return out
}
