package receipts

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/loket-id/loket/pdfdoc/pdftest"
	"github.com/loket-id/loket/queue"
)

// TestErasedReceipt: the receipt of a request whose personal part was
// erased says so where the name was, in the receipt's language, on every
// paper, and shows no name, NIK or phone; the rest of the receipt (ticket,
// tracking code, service, documents) is as before.
func TestErasedReceipt(t *testing.T) {
	for lang, want := range map[string]string{"id": "(data pribadi dihapus)", "en": "(personal data erased)"} {
		for paper := range Papers {
			d := sample("")
			d.Request = d.Request.WithoutPersonal()
			d.Request.Erased = true
			d.Lang = lang
			text := pdftest.Text(t, render(t, d, paper))
			flat := strings.Join(strings.Fields(text), " ")
			for _, w := range []string{want, "B-007", "KG2K-RVRU-2RN7", "Loket 1 / Sari", "Rp 150.000"} {
				if !strings.Contains(flat, w) {
					t.Errorf("%s %s: lacks %q:\n%s", lang, paper, w, text)
				}
			}
			for _, never := range []string{"0001", "7890", "NIK", "****"} {
				if strings.Contains(flat, never) {
					t.Errorf("%s %s: shows %q:\n%s", lang, paper, never, text)
				}
			}
		}
	}
}

// TestRemove: the saved receipts of erased requests go with their failure
// marks; others stay; a day, ticket or ID that would name another path is
// skipped; RemoveBefore deletes whole days before the date and no other.
func TestRemove(t *testing.T) {
	dir := t.TempDir()
	write := func(rel string) string {
		p := filepath.Join(dir, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte("%PDF"), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	gone := []string{write("receipts/2026-03-02/A-001-01KB01.pdf"), write("receipts/2026-03-02/A-001-01KB01.failed")}
	kept := []string{write("receipts/2026-03-02/A-002-01KB02.pdf"), write("secret.pdf"), write("receipts/2026-03-05/A-001-01KB09.pdf")}
	n, err := Remove(dir, []queue.ErasedRequest{
		{ID: "01KB01", Ticket: "A-001", Day: "2026-03-02"},
		{ID: "01KB03", Ticket: "A-003", Day: "2026-03-02"}, // never saved
		{ID: "../../secret", Ticket: "x", Day: "2026-03-02"},
		{ID: "01KB09", Ticket: "A-001", Day: "../2026-03-05"},
	})
	if err != nil || n != 1 {
		t.Fatalf("Remove: %d %v", n, err)
	}
	for _, p := range gone {
		if _, err := os.Stat(p); !os.IsNotExist(err) {
			t.Errorf("%s is still there", p)
		}
	}
	for _, p := range kept {
		if _, err := os.Stat(p); err != nil {
			t.Errorf("%s: %v", p, err)
		}
	}
	write("receipts/2026-03-01/B-001-01KB07.pdf")
	write("receipts/notes/x.pdf")
	n, err = RemoveBefore(dir, "2026-03-05")
	if err != nil || n != 2 {
		t.Fatalf("RemoveBefore: %d %v", n, err)
	}
	for rel, want := range map[string]bool{"receipts/2026-03-01": false, "receipts/2026-03-02": false,
		"receipts/2026-03-05/A-001-01KB09.pdf": true, "receipts/notes/x.pdf": true, "secret.pdf": true} {
		if _, err := os.Stat(filepath.Join(dir, rel)); (err == nil) != want {
			t.Errorf("%s there = %v, want %v", rel, err == nil, want)
		}
	}
	if _, err := RemoveBefore(dir, "../x"); err == nil {
		t.Error("RemoveBefore took a path for a date")
	}
	if n, err := RemoveBefore(t.TempDir(), "2026-03-05"); err != nil || n != 0 {
		t.Errorf("no receipts at all: %d %v", n, err)
	}
}
