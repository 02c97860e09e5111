package pdfdoc

import (
	"strings"
	"sync"
	"unicode"

	"golang.org/x/image/font/gofont/goregular"
	"golang.org/x/image/font/sfnt"
	"golang.org/x/text/unicode/norm"
)

// The documents' font: the Go fonts (BSD licence, shipped inside
// golang.org/x/image), embedded as UTF-8 TrueType fonts. They cover Latin
// (with Vietnamese and the European languages), Greek and Cyrillic.

var (
	coverOnce sync.Once
	covered   []bool // covered[r] for r <= 0xFFFF: the font draws r
)

func coverage() []bool {
	coverOnce.Do(func() {
		covered = make([]bool, 0x10000)
		var fonts []*sfnt.Font
		for _, ttf := range [][]byte{goregular.TTF} {
			f, err := sfnt.Parse(ttf)
			if err != nil {
				panic("pdfdoc: parse Go font: " + err.Error())
			}
			fonts = append(fonts, f)
		}
		var buf sfnt.Buffer
		for r := 0x20; r < 0x10000; r++ {
			ok := true
			for _, f := range fonts {
				if gi, err := f.GlyphIndex(&buf, rune(r)); err != nil || gi == 0 {
					ok = false
					break
				}
			}
			covered[r] = ok
		}
	})
	return covered
}

// Printable makes any text safe to draw: it is normalised to NFC, control
// and format characters are dropped, and every character the font cannot
// draw (emoji, scripts it lacks, anything above U+FFFF, which gofpdf cannot
// encode) becomes '?'. No input can make a document fail or panic.
func Printable(s string) string {
	cov := coverage()
	s = norm.NFC.String(s)
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '\t' || r == '\n' || r == '\r':
			b.WriteByte(' ')
		case unicode.IsControl(r) || unicode.Is(unicode.Cf, r):
			// dropped: escapes, bidi overrides, zero-width joiners
		case r <= 0xFFFF && cov[r]:
			b.WriteRune(r)
		case unicode.Is(unicode.Mn, r):
			// a combining mark the font lacks: drop it, keep the base letter
		default:
			// A letter with marks the font has no glyph for (ễ): its
			// base letter reads better than '?'.
			if base := []rune(norm.NFD.String(string(r)))[0]; base != r && base <= 0xFFFF && cov[base] {
				b.WriteRune(base)
			} else {
				b.WriteByte('?')
			}
		}
	}
	return b.String()
}
