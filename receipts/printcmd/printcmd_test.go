package printcmd

import (
	"errors"
	"slices"
	"testing"
)

func TestSplit(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		want     []string
		err      error
	}{
		{"linux lpr", "lpr -P {printer} -o media=Custom.80x{height}mm {file}",
			[]string{"lpr", "-P", "{printer}", "-o", "media=Custom.80x{height}mm", "{file}"}, nil},
		{"windows SumatraPDF", `"C:\Program Files\SumatraPDF\SumatraPDF.exe" -print-to "{printer}" -silent {file}`,
			[]string{`C:\Program Files\SumatraPDF\SumatraPDF.exe`, "-print-to", "{printer}", "-silent", "{file}"}, nil},
		{"windows settings", `C:\Tools\SumatraPDF.exe -print-to-default -print-settings "noscale,1x" {file}`,
			[]string{`C:\Tools\SumatraPDF.exe`, "-print-to-default", "-print-settings", "noscale,1x", "{file}"}, nil},
		{"blanks around and between", " \tlp   -d  kasir\t{file}  ", []string{"lp", "-d", "kasir", "{file}"}, nil},
		{"quotes inside a word", `--name="Loket 1"x`, []string{"--name=Loket 1x"}, nil},
		{"empty word", `prog "" {file}`, []string{"prog", "", "{file}"}, nil},
		{"single quotes are ordinary", `C:\Users\O'Brien\print.exe {file}`, []string{`C:\Users\O'Brien\print.exe`, "{file}"}, nil},
		{"trailing backslash", `C:\Tools\ {file}`, []string{`C:\Tools\`, "{file}"}, nil},
		{"unclosed quote", `"C:\Program Files\SumatraPDF.exe -silent {file}`, nil, ErrUnclosedQuote},
		{"empty", "", nil, ErrEmpty},
		{"blank", "  \t ", nil, ErrEmpty},
		{"empty program", `"" {file}`, nil, ErrEmpty},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Split(tc.in)
			if !errors.Is(err, tc.err) {
				t.Fatalf("Split(%q) error = %v, want %v", tc.in, err, tc.err)
			}
			if !slices.Equal(got, tc.want) {
				t.Fatalf("Split(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}
