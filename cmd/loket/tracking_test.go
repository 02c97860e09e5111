package main

import (
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"

	"github.com/loket-id/loket/pdfdoc/pdftest"
)

// TestReceiptQRLeadsToCentralTracking: with a central server configured and
// no receipt.tracking_url, the receipt's QR code (read back from the
// rendered PDF, as a phone reads it) is {server}/lacak/{code};
// receipt.tracking_url still wins.
func TestReceiptQRLeadsToCentralTracking(t *testing.T) {
	pdftoppm := pdftest.Need(t, "pdftoppm")
	for _, c := range []struct{ extra, want string }{
		{"[server]\nurl = \"https://pusat.example.go.id/\"\n", "https://pusat.example.go.id/lacak/"},
		{"[server]\nurl = \"https://pusat.example.go.id\"\n[receipt]\ntracking_url = \"https://izin.example.go.id/cek/{code}\"\n", "https://izin.example.go.id/cek/"},
	} {
		te := newTestEnv(t)
		cfg, _ := os.ReadFile(te.env["LOKET_CONFIG"])
		os.WriteFile(te.env["LOKET_CONFIG"], append(cfg, c.extra...), 0o600)
		out := te.mustRun("add", "--service", "A", "--name", "Siti Aminah", "--nik", nik)
		code := regexp.MustCompile(`[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}`).FindString(out)
		pdfs, _ := filepath.Glob(filepath.Join(te.env["LOKET_DATA"], "receipts", "*", "A-001-*.pdf"))
		if code == "" || len(pdfs) != 1 {
			t.Fatalf("add: %q, receipts %v", out, pdfs)
		}
		png1 := filepath.Join(te.dir, "r")
		if out, err := exec.Command(pdftoppm, "-png", "-r", "200", "-singlefile", pdfs[0], png1).CombinedOutput(); err != nil {
			t.Fatalf("pdftoppm: %v %s", err, out)
		}
		f, err := os.Open(png1 + ".png")
		if err != nil {
			t.Fatal(err)
		}
		img, err := png.Decode(f)
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		bmp, err := gozxing.NewBinaryBitmapFromImage(img)
		if err != nil {
			t.Fatal(err)
		}
		res, err := qrcode.NewQRCodeReader().Decode(bmp, nil)
		if err != nil {
			t.Fatalf("decode the QR code: %v", err)
		}
		if got := res.GetText(); got != c.want+code || !strings.HasPrefix(got, "https://") {
			t.Errorf("the QR code says %q, want %q", got, c.want+code)
		}
	}
}
