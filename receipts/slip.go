package receipts

import (
	"fmt"
	"io"
	"time"

	"github.com/jung-kurt/gofpdf"
	qrcode "github.com/skip2/go-qrcode"

	"github.com/loket-id/loket/i18n"
	"github.com/loket-id/loket/pdfdoc"
	"github.com/loket-id/loket/queue"
)

// SlipData is what the waiting room kiosk's ticket slip shows. It holds no
// personal data: a kiosk's walk-in has none yet.
type SlipData struct {
	Request     queue.Request // its ticket, tracking code, arrival and priority
	Service     queue.Service
	Office      string
	Ahead       int    // requests of the service waiting ahead of it
	Lang        string // the office's: "id" or "en"
	TrackingURL string // QR target with {code}; the bare code when empty
	Location    *time.Location
}

// Slip writes the kiosk's ticket slip on 80 mm roll paper: the office, the
// ticket in large type, the service, the priority, date and time, the number
// waiting ahead, the tracking code as text and QR code (the receipt's), and
// what to do next. It returns the page height in mm. Like a receipt, its
// bytes depend only on its data.
func Slip(w io.Writer, d SlipData) (float64, error) {
	if d.Location == nil {
		d.Location = time.Local
	}
	p := Papers["80mm"]
	t := i18n.For(d.Lang)
	r := d.Request
	f, err := pdfdoc.New(p.Width, 100, r.ArrivedAt, t.S("slip.title")+" "+r.Ticket, d.Office)
	if err != nil {
		return 0, fmt.Errorf("ticket slip %s: %w", r.Ticket, err)
	}
	f.SetAutoPageBreak(false, 0)
	f.SetMargins(p.Margin, 0, p.Margin)
	rd := Data{Request: r, Service: d.Service, Office: d.Office, Lang: d.Lang, TrackingURL: d.TrackingURL, Location: d.Location}
	qr, err := qrcode.New(rd.QRContent(), qrcode.Medium)
	if err != nil {
		return 0, fmt.Errorf("ticket slip %s: QR code: %w", r.Ticket, err)
	}
	qr.DisableBorder = true
	p.QR = 26
	l := &layout{f: f, d: rd, p: p, t: t, qr: qr.Bitmap()}
	height := l.slip(d.Ahead, false)
	f.AddPageFormat("P", gofpdf.SizeType{Wd: p.Width, Ht: height})
	l.slip(d.Ahead, true)
	if err := f.Output(w); err != nil {
		return 0, fmt.Errorf("ticket slip %s: %w", r.Ticket, err)
	}
	return height, nil
}

// slip lays the ticket slip out and returns its height in mm.
func (l *layout) slip(ahead int, draw bool) float64 {
	l.draw, l.y = draw, 4
	d, t, r := l.d, l.t, l.d.Request
	l.text(d.Office, 11, true, "C")
	l.rule()
	l.text(t.S("slip.title"), 10, true, "C")
	l.gap(2)
	l.text(r.Ticket, 44, true, "C")
	l.gap(2)
	l.text(d.Service.Name(d.Lang), 11, true, "C")
	if r.Priority != queue.PriorityNone {
		l.gap(0.5)
		l.text(t.S("receipt.priority")+": "+t.S("receipt.prio."+string(r.Priority)), 9, false, "C")
	}
	at := r.ArrivedAt.In(d.Location)
	l.gap(1)
	l.text(t.LongDate(at)+"  "+at.Format("15:04"), 9, false, "C")
	l.gap(1)
	l.text(t.S("slip.ahead", ahead), 11, true, "C")
	l.rule()
	l.text(t.S("receipt.tracking"), 8, false, "C")
	l.text(r.TrackingCode, 12, true, "C")
	l.gap(1.5)
	l.qrCode()
	l.gap(1.5)
	l.text(t.S("receipt.scan"), 7, false, "C")
	l.rule()
	l.text(t.S("slip.wait"), 8, false, "C")
	l.gap(1)
	l.text(t.S("slip.identity"), 8, false, "C")
	l.gap(5)
	return l.y
}
