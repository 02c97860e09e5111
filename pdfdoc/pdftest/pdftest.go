// Package pdftest helps tests read the PDFs Loket makes with poppler's
// tools (pdftotext, pdftoppm).
package pdftest

import (
	"bytes"
	"os"
	"os/exec"
	"testing"
)

// Need returns the path of a poppler tool; without it the test is skipped
// on a developer's machine and fails in CI (which installs it).
func Need(t testing.TB, tool string) string {
	t.Helper()
	p, err := exec.LookPath(tool)
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("%s is missing in CI: .ci/run installs poppler-utils", tool)
		}
		t.Skipf("%s not installed (apt-get install poppler-utils)", tool)
	}
	return p
}

// Text is the text of pdf as pdftotext -layout reads it.
func Text(t testing.TB, pdf []byte) string {
	t.Helper()
	cmd := exec.Command(Need(t, "pdftotext"), "-layout", "-", "-")
	cmd.Stdin = bytes.NewReader(pdf)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	return string(out)
}
