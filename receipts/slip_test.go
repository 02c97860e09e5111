package receipts

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/loket-id/loket/queue"
)

func slipData(lang string) SlipData {
	at := time.Date(2026, 12, 4, 9, 41, 0, 0, time.FixedZone("WIB", 7*3600))
	return SlipData{
		Request: queue.Request{ID: "01KBSLIP000000000000000000", TrackingCode: "KG2K-RVRU-2RN7", Ticket: "A-012", Day: "2026-12-04",
			Service: "A", FirstService: "A", Status: queue.StatusWaiting, Priority: queue.PriorityElderly, ArrivedAt: at, UpdatedAt: at},
		Service:  queue.DefaultCatalog()[0],
		Office:   "DPMPTSP Kota Bandung",
		Ahead:    4,
		Lang:     lang,
		Location: at.Location(),
	}
}

// TestSlip: the slip reads back with its ticket, service, waiting count and
// tracking code, in the office's language, and is reproducible.
func TestSlip(t *testing.T) {
	for _, tc := range []struct {
		lang string
		want []string
	}{
		{"id", []string{"NOMOR ANTREAN", "A-012", "Bantuan Perizinan Berusaha", "Menunggu di depan Anda: 4", "KG2K-RVRU-2RN7", "Jumat, 4 Desember 2026", "09:41", "Lansia"}},
		{"en", []string{"QUEUE TICKET", "A-012", "Business licensing help", "Waiting ahead of you: 4", "KG2K-RVRU-2RN7", "Elderly"}},
	} {
		t.Run(tc.lang, func(t *testing.T) {
			var a, b bytes.Buffer
			h, err := Slip(&a, slipData(tc.lang))
			if err != nil {
				t.Fatal(err)
			}
			if h < 80 || h > 200 {
				t.Errorf("slip height %.1f mm", h)
			}
			if _, err := Slip(&b, slipData(tc.lang)); err != nil || !bytes.Equal(a.Bytes(), b.Bytes()) {
				t.Fatalf("two slips of the same data differ (%v)", err)
			}
			text := pdfText(t, a.Bytes())
			flat := strings.Join(strings.Fields(text), " ")
			for _, w := range tc.want {
				if !strings.Contains(flat, w) {
					t.Errorf("slip lacks %q:\n%s", w, text)
				}
			}
		})
	}
}

// pdfText is pdftotext's reading of a PDF; the test skips without poppler
// (fails under CI).
func pdfText(t *testing.T, pdf []byte) string {
	t.Helper()
	if _, err := exec.LookPath("pdftotext"); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("pdftotext (poppler-utils) is missing")
		}
		t.Skip("pdftotext (poppler-utils) is missing")
	}
	p := filepath.Join(t.TempDir(), "slip.pdf")
	if err := os.WriteFile(p, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("pdftotext", "-layout", p, "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}
