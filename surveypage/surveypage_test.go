package surveypage

import "testing"

// TestCode: the tracking code is found in what a person types or a
// scanner that types reads from the receipt's QR code.
func TestCode(t *testing.T) {
	for _, tc := range []struct {
		in, want string
		ok       bool
	}{
		{"QSHX-NZDT-Q7KM", "QSHX-NZDT-Q7KM", true},
		{" qshx nzdt q7km ", "QSHX-NZDT-Q7KM", true},
		{"QSHXNZDTQ7KM", "QSHX-NZDT-Q7KM", true},
		{"https://pusat.example.go.id/lacak/QSHX-NZDT-Q7KM", "QSHX-NZDT-Q7KM", true},
		{"https://pusat.example.go.id/skm/QSHX-NZDT-Q7KM/", "QSHX-NZDT-Q7KM", true},
		{"https://pusat.example.go.id/lacak/QSHX-NZDT-Q7KM?lang=en", "QSHX-NZDT-Q7KM", true},
		{"", "", false},
		{"A-001", "", false},
		{"QSHX-NZDT-Q7K0", "", false}, // 0 is not in the alphabet
		{"https://pusat.example.go.id/lacak/", "", false},
	} {
		got, ok := Code(tc.in)
		if got != tc.want || ok != tc.ok {
			t.Errorf("Code(%q) = %q, %v; want %q, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}
