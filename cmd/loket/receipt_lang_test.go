package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/loket-id/loket/pdfdoc/pdftest"
)

// TestReceiptLanguageIsTheOffices: a receipt is an official document in the
// office's language (receipt.language, Indonesian by default), whatever
// language the clerk's screen is in, and a reprint is byte-for-byte the
// original whichever language the clerk reprints it in.
func TestReceiptLanguageIsTheOffices(t *testing.T) {
	te := newTestEnv(t)
	te.now = func() time.Time { return fixedNow }
	te.mustRun("add", "--service", "B", "--name", "Siti Aminah", "--nik", nik, "--lang", "en")
	pdfs, _ := filepath.Glob(filepath.Join(te.env["LOKET_DATA"], "receipts", "*", "B-001-*.pdf"))
	if len(pdfs) != 1 {
		t.Fatalf("saved receipts: %v", pdfs)
	}
	original, err := os.ReadFile(pdfs[0])
	if err != nil {
		t.Fatal(err)
	}
	text := pdftest.Text(t, original)
	if !strings.Contains(text, "TANDA TERIMA PENDAFTARAN") || strings.Contains(text, "REGISTRATION RECEIPT") {
		t.Fatalf("a clerk working in English printed a receipt that is not the office's Indonesian:\n%s", text)
	}
	for _, lang := range []string{"en", "id"} {
		copyPath := filepath.Join(te.dir, "reprint-"+lang+".pdf")
		te.mustRun("receipt", "B-001", "--out", copyPath, "--lang", lang)
		reprint, _ := os.ReadFile(copyPath)
		if !bytes.Equal(reprint, original) {
			t.Errorf("a reprint with --lang %s differs from the original (%d vs %d bytes)", lang, len(reprint), len(original))
		}
	}

	// An office that works in English says so in its config; the clerk's
	// Indonesian screen does not change it.
	cfg, _ := os.ReadFile(te.env["LOKET_CONFIG"])
	os.WriteFile(te.env["LOKET_CONFIG"], append(cfg, []byte("[receipt]\nlanguage = \"en\"\n")...), 0o600)
	copyPath := filepath.Join(te.dir, "office-en.pdf")
	te.mustRun("receipt", "B-001", "--out", copyPath, "--lang", "id")
	pdf, _ := os.ReadFile(copyPath)
	if text := pdftest.Text(t, pdf); !strings.Contains(text, "REGISTRATION RECEIPT") {
		t.Fatalf("receipt.language = en printed:\n%s", text)
	}
}
