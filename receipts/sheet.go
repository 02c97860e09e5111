package receipts

import (
	"strconv"
	"strings"

	"github.com/loket-id/loket/pdfdoc"
)

// sheet lays the receipt out as a document on an A4 or A5 page: the
// letterhead (office, address, how to reach it), the title, a table of the
// fields beside the ticket and QR code, the table of required documents,
// the complaint channels, and the signatures of the applicant and the
// officer at the foot of the page. Sizes scale with the paper (p.Scale).
func (l *layout) sheet() {
	l.draw = true
	d, t, r := l.d, l.t, l.d.Request
	sc, m, w := l.p.Scale, l.p.Margin, l.width()
	l.y = 14 * sc

	// Letterhead.
	l.text(d.Office, 15, true, "C")
	if d.Address != "" {
		l.gap(0.5)
		l.text(d.Address, 9, false, "C")
	}
	var contact []string
	if d.Contact.Phone != "" {
		contact = append(contact, t.S("receipt.tel")+" "+d.Contact.Phone)
	}
	if d.Contact.WhatsApp != "" {
		contact = append(contact, t.S("receipt.whatsapp")+" "+d.Contact.WhatsApp)
	}
	if d.Contact.Website != "" {
		contact = append(contact, d.Contact.Website)
	}
	if len(contact) > 0 {
		l.text(strings.Join(contact, "  ·  "), 8.5, false, "C")
	}
	l.gap(2.5 * sc)
	l.f.SetLineWidth(0.7 * sc)
	l.f.Line(m, l.y, m+w, l.y)
	l.f.SetLineWidth(0.2)
	l.f.Line(m, l.y+1.1*sc, m+w, l.y+1.1*sc)
	l.gap(7 * sc)
	l.text(t.S("receipt.title"), 14, true, "C")
	l.gap(6 * sc)

	// The ticket and QR code on the right, the fields' table on the left.
	top := l.y
	rw := l.p.QR + 12*sc
	rx := m + w - rw
	l.textAt(rx, rw, t.S("receipt.ticket"), 9, false, "C")
	l.textAt(rx, rw, r.Ticket, 26, true, "C")
	l.gap(4 * sc) // the QR code's quiet zone
	l.qrAt(rx+(rw-l.p.QR)/2, l.y, l.p.QR)
	l.y += l.p.QR + 3.5*sc
	l.textAt(rx, rw, r.TrackingCode, 10, true, "C")
	l.textAt(rx, rw, t.S("receipt.scan"), 7, false, "C")
	right := l.y

	l.y = top
	tw := w - rw - 6*sc
	l.table(m, tw, 38*sc, l.fields(true))
	l.y = max(l.y, right) + 7*sc

	// Required documents.
	if docs := d.documents(); len(docs) > 0 {
		l.text(t.S("receipt.documents"), 10.5, true, "L")
		l.gap(1.5 * sc)
		l.docTable(docs)
		l.gap(1.2 * sc)
		l.ensure(8 * sc)
		l.text(t.S("receipt.doc.legend"), 8, false, "L")
		l.gap(5 * sc)
	}

	// Complaint channels and the office's hours, in a box.
	lines := []string{t.S("receipt.lapor") + ": " + Lapor}
	var reach []string
	if d.Contact.Phone != "" {
		reach = append(reach, t.S("receipt.tel")+": "+d.Contact.Phone)
	}
	if d.Contact.WhatsApp != "" {
		reach = append(reach, t.S("receipt.whatsapp")+": "+d.Contact.WhatsApp)
	}
	if len(reach) > 0 {
		lines = append(lines, strings.Join(reach, "  ·  "))
	}
	var info []string
	if d.Contact.Hours != "" {
		info = append(info, t.S("receipt.hours")+": "+d.Contact.Hours)
	}
	if d.Contact.Website != "" {
		info = append(info, t.S("receipt.website")+": "+d.Contact.Website)
	}
	if len(info) > 0 {
		lines = append(lines, strings.Join(info, "  ·  "))
	}
	pad := 2.5 * sc
	l.ensure(2*pad + float64(len(lines)+1)*9.5*sc*0.45 + 2*sc)
	boxTop := l.y
	l.y += pad
	l.textAt(m+pad, w-2*pad, t.S("receipt.complaints"), 9.5, true, "L")
	l.gap(0.8 * sc)
	for _, line := range lines {
		l.textAt(m+pad, w-2*pad, line, 9, false, "L")
	}
	l.y += pad
	l.f.SetLineWidth(0.25)
	l.f.Rect(m, boxTop, w, l.y-boxTop, "D")

	// Signatures at the foot of the page, above the footer; on a new page
	// when the content leaves no room (a very long name or document list).
	keepSize := 8.0
	l.setFont(keepSize*sc, false)
	footerLines := len(l.f.SplitText(pdfdoc.Printable(t.S("receipt.keep")), w))
	footerTop := l.p.Height - 10*sc - float64(footerLines)*keepSize*sc*0.45
	sigH := l.sheetSignatures(false)
	sigTop := footerTop - 8*sc - sigH
	switch {
	case l.y+6*sc <= sigTop:
		l.y = sigTop
	case l.y+6*sc+sigH <= footerTop-4*sc:
		l.y += 6 * sc
	default:
		l.f.AddPage()
		l.y = sigTop
	}
	l.sheetSignatures(true)
	l.y = footerTop
	l.f.SetLineWidth(0.2)
	l.f.Line(m, l.y-2*sc, m+w, l.y-2*sc)
	l.text(t.S("receipt.keep"), keepSize, false, "C")
}

// ensure starts a new page when h mm more would run into the foot of this
// one, and reports whether it did.
func (l *layout) ensure(h float64) bool {
	if l.y+h <= l.p.Height-12*l.p.Scale {
		return false
	}
	l.f.AddPage()
	l.y = 14 * l.p.Scale
	return true
}

// table draws label and value rows w mm wide from x, the labels in a shaded
// column lw mm wide; values wrap.
func (l *layout) table(x, w, lw float64, rows [][2]string) {
	sc := l.p.Scale
	size := 9.5 * sc
	lh := size * 0.45
	pad := 1.5 * sc
	for _, row := range rows {
		l.setFont(size, true)
		labels := l.f.SplitText(pdfdoc.Printable(row[0]), lw-2*pad)
		l.setFont(size, false)
		values := l.f.SplitText(pdfdoc.Printable(row[1]), w-lw-2*pad)
		h := float64(max(len(labels), len(values), 1))*lh + 2*pad
		l.ensure(h)
		l.f.SetLineWidth(0.2)
		l.f.SetFillColor(236, 236, 236)
		l.f.Rect(x, l.y, lw, h, "FD")
		l.f.Rect(x+lw, l.y, w-lw, h, "D")
		l.f.SetFillColor(0, 0, 0)
		l.setFont(size, true)
		for i, line := range labels {
			l.f.SetXY(x+pad, l.y+pad+float64(i)*lh)
			l.f.CellFormat(lw-2*pad, lh, line, "", 0, "L", false, 0, "")
		}
		l.setFont(size, false)
		for i, line := range values {
			l.f.SetXY(x+lw+pad, l.y+pad+float64(i)*lh)
			l.f.CellFormat(w-lw-2*pad, lh, line, "", 0, "L", false, 0, "")
		}
		l.y += h
	}
}

// docTable draws the required documents as a table: number, document, and
// a box ticked when the clerk received it.
func (l *layout) docTable(docs []docItem) {
	sc, x, w := l.p.Scale, l.p.Margin, l.width()
	size := 9.5 * sc
	lh := size * 0.45
	pad := 1.5 * sc
	nw, rw := 11*sc, 24*sc
	dw := w - nw - rw
	cells := func(h float64, fill bool) {
		style := "D"
		if fill {
			style = "FD"
		}
		l.f.SetLineWidth(0.2)
		l.f.SetFillColor(236, 236, 236)
		l.f.Rect(x, l.y, nw, h, style)
		l.f.Rect(x+nw, l.y, dw, h, style)
		l.f.Rect(x+nw+dw, l.y, rw, h, style)
		l.f.SetFillColor(0, 0, 0)
	}
	header := func() {
		h := lh + 2*pad
		cells(h, true)
		l.setFont(size, true)
		for _, c := range []struct {
			x, w  float64
			s, al string
		}{{x, nw, l.t.S("receipt.doc.no"), "C"}, {x + nw + pad, dw - 2*pad, l.t.S("receipt.doc.name"), "L"}, {x + nw + dw, rw, l.t.S("receipt.doc.received"), "C"}} {
			l.f.SetXY(c.x, l.y+pad)
			l.f.CellFormat(c.w, lh, pdfdoc.Printable(c.s), "", 0, c.al, false, 0, "")
		}
		l.y += h
	}
	l.ensure(3 * (lh + 2*pad))
	header()
	box := 3.2 * sc
	for i, doc := range docs {
		l.setFont(size, false)
		lines := l.f.SplitText(pdfdoc.Printable(doc.name), dw-2*pad)
		h := max(float64(len(lines))*lh, box) + 2*pad
		if l.ensure(h) {
			header()
			l.setFont(size, false)
		}
		cells(h, false)
		l.f.SetXY(x, l.y+pad)
		l.f.CellFormat(nw, lh, strconv.Itoa(i+1), "", 0, "C", false, 0, "")
		for j, line := range lines {
			l.f.SetXY(x+nw+pad, l.y+pad+float64(j)*lh)
			l.f.CellFormat(dw-2*pad, lh, line, "", 0, "L", false, 0, "")
		}
		l.tickBox(x+nw+dw+(rw-box)/2, l.y+(h-box)/2, box, doc.received)
		l.y += h
	}
}

// sheetSignatures draws (or with draw false, measures) the signature block:
// the applicant on the left, the date and the officer on the right, each
// with room to sign, a line and the name under it. It returns its height.
func (l *layout) sheetSignatures(draw bool) float64 {
	d, tx, r := l.d, l.t, l.d.Request
	sc, m, w := l.p.Scale, l.p.Margin, l.width()
	size := 9.5 * sc
	lh := size * 0.45
	colW := w / 2
	lineW := min(62*sc, colW-6*sc)
	top := l.y
	bottom := top
	for i, c := range []struct{ above, label, name string }{
		{"", tx.S("receipt.sign.applicant"), r.Name},
		{tx.Date(r.ArrivedAt.In(d.Location)), tx.S("receipt.sign.officer"), r.Clerk},
	} {
		cx := m + float64(i)*colW
		y := top
		l.setFont(size, false)
		for _, s := range []string{c.above, c.label + ","} {
			if draw && s != "" {
				l.f.SetXY(cx, y)
				l.f.CellFormat(colW, lh, pdfdoc.Printable(s), "", 0, "C", false, 0, "")
			}
			y += lh
		}
		y += 18 * sc
		if draw {
			l.f.SetLineWidth(0.25)
			l.f.Line(cx+(colW-lineW)/2, y, cx+(colW+lineW)/2, y)
		}
		y += 1
		l.setFont(size, true)
		for _, line := range l.f.SplitText(pdfdoc.Printable(c.name), lineW) {
			if draw {
				l.f.SetXY(cx, y)
				l.f.CellFormat(colW, lh, line, "", 0, "C", false, 0, "")
			}
			y += lh
		}
		bottom = max(bottom, y)
	}
	l.setFont(size, false)
	return bottom - top
}
