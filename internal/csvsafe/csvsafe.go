// Package csvsafe writes CSV that a spreadsheet opens as data, never as a
// formula. Every CSV that loket and loket-central write goes through it.
//
// A cell that begins with = + - @, a tab or a carriage return is run as a
// formula by Excel, LibreOffice and Google Sheets ("CSV injection"). Such a
// cell is written with a single quote in front ('=HYPERLINK(...)), as OWASP
// recommends: the spreadsheet shows the text, and a reader of the file sees
// what was stored after the quote. Only such cells change; every other cell,
// and a plain number is written as given even with a sign (+6281234567890,
// -5, 12.5): a spreadsheet reads it as a number, which runs nothing, and a
// phone number in international form keeps its exact digits in the file.
package csvsafe

import (
	"encoding/csv"
	"io"
)

// Cell returns s as it is safe to write in a CSV cell: s itself, or s with a
// single quote in front when it begins with = + - @, a tab or a carriage return.
func Cell(s string) string {
	if NeedsQuote(s) {
		return "'" + s
	}
	return s
}

// NeedsQuote reports whether a spreadsheet would take s as a formula:
// it begins with = + - @, a tab or a carriage return, and is not a plain
// number with a sign.
func NeedsQuote(s string) bool {
	if s == "" {
		return false
	}
	switch s[0] {
	case '=', '@', '\t', '\r':
		return true
	case '+', '-':
		return !isNumber(s[1:])
	}
	return false
}

// isNumber reports whether s is digits with at most one decimal point
// between them.
func isNumber(s string) bool {
	digits, dot := 0, false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9':
			digits++
		case c == '.' && !dot && digits > 0 && i < len(s)-1:
			dot = true
		default:
			return false
		}
	}
	return digits > 0
}

// Writer is a csv.Writer whose every cell goes through Cell.
type Writer struct {
	w   *csv.Writer
	buf []string
}

// NewWriter returns a Writer that writes to w.
func NewWriter(w io.Writer) *Writer { return &Writer{w: csv.NewWriter(w)} }

// Write writes one record, each cell made safe with Cell. rec is not modified.
func (w *Writer) Write(rec []string) error {
	w.buf = w.buf[:0]
	for _, c := range rec {
		w.buf = append(w.buf, Cell(c))
	}
	return w.w.Write(w.buf)
}

// Flush writes any buffered data to the underlying writer.
func (w *Writer) Flush() { w.w.Flush() }

// Error reports an error from a previous Write or Flush.
func (w *Writer) Error() error { return w.w.Error() }
