package pdfdoc

import (
	"bytes"
	"sync"
	"testing"
	"time"
)

func TestPrintable(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"Siti Nurhaliza", "Siti Nurhaliza"},
		{"Budi\x1b[2J\u202eSantoso", "Budi[2JSantoso"}, // escape, bidi override dropped
		{"Siti 😀 Aminah", "Siti ? Aminah"},             // above U+FFFF
		{"Nguye\u0302\u0303n", "Nguyen"},               // ễ: no glyph, base letter
		{"محمد", "????"},                               // a script the font lacks
		{"a\tb\nc", "a b c"},
		{"Bu\xffdi", "Bu\uFFFDdi"}, // invalid UTF-8: the replacement character
		{"", ""},
	} {
		if got := Printable(tc.in); got != tc.want {
			t.Errorf("Printable(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// TestNewIsReproducible: two documents with the same content are the same
// bytes, also when made at once (documents sharing the font bytes race;
// meaningful under -race).
func TestNewIsReproducible(t *testing.T) {
	at := time.Date(2026, 11, 27, 9, 30, 0, 0, time.FixedZone("WIB", 7*3600))
	doc := func() []byte {
		f, err := New(80, 100, at, "Judul 😀", "DPMPTSP")
		if err != nil {
			t.Error(err)
			return nil
		}
		f.AddPage()
		f.SetFont(Font, "", 10)
		f.CellFormat(0, 5, Printable("Tanda terima"), "", 1, "L", false, 0, "")
		var buf bytes.Buffer
		if err := f.Output(&buf); err != nil {
			t.Error(err)
		}
		return buf.Bytes()
	}
	want := doc()
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			if got := doc(); !bytes.Equal(got, want) {
				t.Error("two documents with the same content differ")
			}
		})
	}
	wg.Wait()
}
