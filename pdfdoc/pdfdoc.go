// Package pdfdoc is what Loket's PDF documents (the applicant's receipt in
// package receipts, the statistics report in package report) share: the
// embedded font, a document whose bytes depend only on its content, and
// text made safe to draw. Only receipts, report and this package import
// gofpdf.
//
// gofpdf is archived; its known faults are worked around here, in one place:
//   - every text goes through [Printable] first (NFC, no control
//     characters, '?' for what the font cannot draw, nothing above U+FFFF),
//     so neither SplitText nor the UTF-8 encoder ever sees a rune it chokes
//     on;
//   - the font is added with AddUTF8FontFromBytes from a copy of the font
//     bytes made for each document: gofpdf keeps and writes into what it is
//     given, and documents sharing one slice race;
//   - one Fpdf per document ([New] makes a fresh one each time): gofpdf is
//     not safe for concurrent use;
//   - the creation and modification dates are given (not the clock) and the
//     catalog is sorted, so a document's bytes depend only on its data: a
//     reprint is byte-for-byte the original, and golden tests are exact;
//   - QR codes are drawn as filled rectangles by the caller (gofpdf's
//     contrib/barcode caches every code forever and renders JPEG).
package pdfdoc

import (
	"bytes"
	"fmt"
	"time"

	"github.com/jung-kurt/gofpdf"
	"golang.org/x/image/font/gofont/goregular"
)

// Font is the font family every document has (the one font: bold is drawn
// by stroking the glyphs, which halves the time gofpdf spends parsing and
// identifying fonts).
const Font = "go"

// New is a PDF document w by h mm with the embedded font, whose bytes
// depend only on its content: dates fixed to at, catalog sorted. Title and
// author go through Printable.
func New(w, h float64, at time.Time, title, author string) (*gofpdf.Fpdf, error) {
	f := gofpdf.NewCustom(&gofpdf.InitType{UnitStr: "mm", Size: gofpdf.SizeType{Wd: w, Ht: h}})
	f.SetCompression(true)
	f.SetCatalogSort(true)
	f.SetCreationDate(at)
	f.SetModificationDate(at)
	f.SetTitle(Printable(title), true)
	f.SetAuthor(Printable(author), true)
	f.SetCreator("Loket", true)
	// A copy of the font bytes for each document: see the package comment.
	f.AddUTF8FontFromBytes(Font, "", bytes.Clone(goregular.TTF))
	if err := f.Error(); err != nil {
		return nil, fmt.Errorf("font: %w", err)
	}
	return f, nil
}
