package receipts

import (
	"bytes"
	"context"
	"flag"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"

	"github.com/loket-id/loket/pdfdoc/pdftest"
	"github.com/loket-id/loket/queue"
)

var update = flag.Bool("update", false, "rewrite the golden PDFs in testdata/ and the README's docs/receipt-80mm.png")

var (
	wib = time.FixedZone("WIB", 7*3600)
	at  = time.Date(2026, 11, 27, 9, 30, 0, 0, wib) // a Friday
	nik = "3201014107900001"
)

func sample(name string) Data {
	r := queue.Request{ID: "01KB0000000000000000000000", TrackingCode: "KG2K-RVRU-2RN7", Ticket: "B-007", Day: "2026-11-27",
		Service: "B", Name: name, NIK: nik, Phone: "+6281234567890", ArrivedAt: at, Counter: "L1", Clerk: "Sari",
		Priority: queue.PriorityElderly}
	return Data{Request: r, Service: queue.DefaultCatalog()[1], Office: "DPMPTSP Kota Bandung",
		Address: "Jl. Wastukencana No. 2, Bandung", CounterName: "Loket 1", Lang: "id", Location: wib,
		Holidays: []string{"2026-12-25"}}
}

func render(t testing.TB, d Data, paper string) []byte {
	t.Helper()
	var buf bytes.Buffer
	if _, err := RenderHeight(&buf, d, Papers[paper]); err != nil {
		t.Fatalf("render %s: %v", paper, err)
	}
	return buf.Bytes()
}

// TestGoldenPDF: each paper's receipt is byte-for-byte its golden file. A
// missing golden file fails (gofpdf's own ComparePDFFiles passes then).
func TestGoldenPDF(t *testing.T) {
	for name := range Papers {
		t.Run(name, func(t *testing.T) {
			got := render(t, sample("Siti Nurhaliza binti Ahmad"), name)
			if again := render(t, sample("Siti Nurhaliza binti Ahmad"), name); !bytes.Equal(got, again) {
				t.Fatal("two renders of the same receipt differ")
			}
			path := filepath.Join("testdata", "receipt_"+name+".pdf")
			if *update {
				os.MkdirAll("testdata", 0o755)
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
				if name == "80mm" { // the README's picture of a receipt
					out := filepath.Join("..", "docs", "receipt-80mm")
					if msg, err := exec.Command(pdftest.Need(t, "pdftoppm"), "-png", "-r", "100", "-singlefile", path, out).CombinedOutput(); err != nil {
						t.Fatalf("pdftoppm: %v %s", err, msg)
					}
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("golden file %s: %v (go test ./receipts -update writes it)", path, err)
			}
			if !bytes.Equal(got, want) {
				os.WriteFile(filepath.Join(t.TempDir(), "got.pdf"), got, 0o644)
				t.Fatalf("receipt on %s differs from %s (%d vs %d bytes)", name, path, len(got), len(want))
			}
		})
	}
}

func TestReceiptText(t *testing.T) {
	for name := range Papers {
		t.Run(name, func(t *testing.T) {
			text := pdftest.Text(t, render(t, sample("Siti Nurhaliza"), name))
			flat := strings.Join(strings.Fields(text), " ")
			for _, want := range []string{"B-007", "Persetujuan Bangunan Gedung (PBG)", "************0001", "+62*******7890",
				"KG2K-RVRU-2RN7", "Siti Nurhaliza", "TANDA TERIMA PENDAFTARAN", "DPMPTSP Kota Bandung", "Loket 1 / Sari",
				"Jumat, 27 November 2026 09:30", "Gambar rencana teknis bangunan", "Surat pernyataan pemilik", "Lansia",
				// 28 working days from Friday 27 November, skipping weekends and 25 December.
				"Kamis, 7 Januari 2027"} {
				if !strings.Contains(flat, want) {
					t.Errorf("receipt on %s lacks %q:\n%s", name, want, text)
				}
			}
			for _, never := range []string{nik, "81234567890", "6281234567890"} {
				if strings.Contains(strings.ReplaceAll(flat, " ", ""), never) {
					t.Errorf("receipt on %s shows %q in full", name, never)
				}
			}
		})
	}
	en := sample("Budi")
	en.Lang = "en"
	if text := pdftest.Text(t, render(t, en, "80mm")); !strings.Contains(text, "REGISTRATION RECEIPT") || !strings.Contains(text, "Documents to bring") {
		t.Errorf("English receipt:\n%s", text)
	}
}

// TestQRCodeDecodes renders the receipt to an image with pdftoppm and reads
// the QR code back, as a phone would.
func TestQRCodeDecodes(t *testing.T) {
	pdftoppm := pdftest.Need(t, "pdftoppm")
	for _, tc := range []struct{ paper, url, want string }{
		{"80mm", "", "KG2K-RVRU-2RN7"},
		{"58mm", "https://izin.example.go.id/lacak/{code}", "https://izin.example.go.id/lacak/KG2K-RVRU-2RN7"},
		{"A4", "", "KG2K-RVRU-2RN7"},
	} {
		d := sample("Siti")
		d.TrackingURL = tc.url
		dir := t.TempDir()
		pdf := filepath.Join(dir, "r.pdf")
		os.WriteFile(pdf, render(t, d, tc.paper), 0o644)
		if out, err := exec.Command(pdftoppm, "-png", "-r", "200", "-singlefile", pdf, filepath.Join(dir, "r")).CombinedOutput(); err != nil {
			t.Fatalf("pdftoppm: %v %s", err, out)
		}
		f, err := os.Open(filepath.Join(dir, "r.png"))
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
			t.Fatalf("%s: decode QR code: %v", tc.paper, err)
		}
		if res.GetText() != tc.want {
			t.Errorf("%s: QR code says %q, want %q", tc.paper, res.GetText(), tc.want)
		}
	}
}

func TestHostileNames(t *testing.T) {
	names := map[string]string{
		"long":      strings.Repeat("Muhammad Rizky Pratama ", 20),
		"emoji":     "Siti 😀👨‍👩‍👧 Aminah",
		"rtl":       "محمد بن سلمان",
		"combining": "Nguye\u0302\u0303n Thi\u0323 Minh e\u0301\u0301\u0301",
		"control":   "Budi\x1b[2J\x07\u202eSantoso\x00",
		"cjk":       "王小明",
		"invalid":   "Bu\xffdi",
		"empty":     "",
	}
	for label, name := range names {
		t.Run(label, func(t *testing.T) {
			for paper := range Papers {
				pdf := render(t, sample(name), paper)
				if !bytes.HasPrefix(pdf, []byte("%PDF")) {
					t.Fatalf("%s: not a PDF", paper)
				}
			}
			if _, err := exec.LookPath("pdftotext"); err == nil {
				text := pdftest.Text(t, render(t, sample(name), "80mm"))
				if !strings.Contains(text, "B-007") || !strings.Contains(text, "KG2K-RVRU-2RN7") {
					t.Errorf("receipt for a %s name is not readable:\n%s", label, text)
				}
			}
		})
	}
}

func TestDueDate(t *testing.T) {
	tests := []struct {
		from string
		sla  int
		want string
	}{
		{"2026-11-27", 0, "2026-11-27"}, // same day
		{"2026-11-27", 1, "2026-11-30"}, // Friday + 1 = Monday
		{"2026-11-28", 1, "2026-11-30"}, // Saturday + 1 = Monday
		{"2026-12-24", 1, "2026-12-28"}, // Thursday, holiday Friday 25th
		{"2026-11-23", 5, "2026-11-30"},
		{"2026-11-27", 28, "2027-01-07"}, // 25 December is a holiday
	}
	for _, tt := range tests {
		from, _ := time.ParseInLocation(time.DateOnly, tt.from, wib)
		if got := DueDate(from.Add(10*time.Hour), tt.sla, []string{"2026-12-25"}).Format(time.DateOnly); got != tt.want {
			t.Errorf("DueDate(%s, %d) = %s, want %s", tt.from, tt.sla, got, tt.want)
		}
	}
}

// TestConcurrentRenders runs receipts from several goroutines at once
// (meaningful under -race: gofpdf documents sharing font bytes race).
func TestConcurrentRenders(t *testing.T) {
	want := render(t, sample("Siti"), "80mm")
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 3 {
				var buf bytes.Buffer
				if _, err := RenderHeight(&buf, sample("Siti"), Papers["80mm"]); err != nil {
					t.Error(err)
					return
				}
				if !bytes.Equal(buf.Bytes(), want) {
					t.Errorf("goroutine %d made a different receipt", g)
				}
			}
		}()
	}
	wg.Wait()
}

// fakePrinter puts an lp on PATH that records its arguments and a copy of
// the file; with fail set it fails like a printer that is out of paper.
func fakePrinter(t *testing.T, fail bool) (logFile string) {
	dir := t.TempDir()
	logFile = filepath.Join(dir, "lp.log")
	script := "#!/bin/sh\necho \"$@\" >> " + logFile + "\nfor a; do last=$a; done\ncp \"$last\" " + filepath.Join(dir, "printed.pdf") + "\n"
	if fail {
		script = "#!/bin/sh\necho \"$@\" >> " + logFile + "\necho 'lp: printer \"kasir\" is out of paper' >&2\nexit 1\n"
	}
	if err := os.WriteFile(filepath.Join(dir, "lp"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", dir+string(os.PathListSeparator)+os.Getenv("PATH"))
	return logFile
}

func TestPrintWithFakeLP(t *testing.T) {
	d := sample("Siti")
	m := &Maker{Dir: t.TempDir(), Paper: Papers["80mm"], PrinterQueue: "kasir", Office: d.Office, Lang: "id", Location: wib}

	logFile := fakePrinter(t, true)
	res, err := m.Produce(context.Background(), d.Request, d.Service, true)
	if err != nil {
		t.Fatal(err)
	}
	if res.Printed || res.PrintErr == nil || !strings.Contains(res.PrintErr.Error(), "out of paper") {
		t.Fatalf("failing printer: %+v", res)
	}
	if _, err := os.Stat(res.Path); err != nil {
		t.Fatalf("the receipt was not saved when the printer failed: %v", err)
	}
	if want := filepath.Join(m.Dir, "receipts", "2026-11-27", "B-007-"+d.Request.ID+".pdf"); res.Path != want {
		t.Fatalf("saved at %s, want %s", res.Path, want)
	}
	if f := m.Failed("2026-11-27"); !strings.Contains(f[d.Request.ID], "out of paper") {
		t.Fatalf("failure not recorded: %v", f)
	}

	logFile = fakePrinter(t, false)
	res, err = m.Produce(context.Background(), d.Request, d.Service, true)
	if err != nil || !res.Printed {
		t.Fatalf("reprint: %+v %v", res, err)
	}
	if f := m.Failed("2026-11-27"); len(f) != 0 {
		t.Fatalf("failure mark stays after a good reprint: %v", f)
	}
	args, _ := os.ReadFile(logFile)
	if !regexpMatch(`^-d kasir -o media=Custom\.80x\d+mm -o print-scaling=none /.+/B-007-.+\.pdf\n$`, string(args)) {
		t.Fatalf("lp arguments: %q", args)
	}
	printed, _ := os.ReadFile(filepath.Join(filepath.Dir(logFile), "printed.pdf"))
	saved, _ := os.ReadFile(res.Path)
	if !bytes.HasPrefix(printed, []byte("%PDF")) || !bytes.Equal(printed, saved) {
		t.Fatal("lp did not get the saved receipt")
	}
}

// TestHeapDoesNotGrow renders many receipts in a row; the live heap after
// them is no larger than after the first few.
func TestHeapDoesNotGrow(t *testing.T) {
	n := 1000
	if raceEnabled || testing.Short() {
		n = 150
	}
	d := sample("Siti")
	heap := func() uint64 {
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		return ms.HeapAlloc
	}
	for range 50 {
		RenderHeight(&bytes.Buffer{}, d, Papers["80mm"])
	}
	before := heap()
	for i := range n {
		d.Request.Ticket = "B-" + string(rune('0'+i%10))
		if _, err := RenderHeight(&bytes.Buffer{}, d, Papers["80mm"]); err != nil {
			t.Fatal(err)
		}
	}
	after := heap()
	if after > before+2<<20 {
		t.Fatalf("heap grew from %d to %d bytes over %d receipts", before, after, n)
	}
	t.Logf("heap %d -> %d bytes over %d receipts", before, after, n)
}

// BenchmarkReceiptHeap renders 10,000 receipts in a row and reports the
// live heap before and after.
func BenchmarkReceiptHeap(b *testing.B) {
	d := sample("Siti")
	heap := func() float64 {
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		return float64(ms.HeapAlloc)
	}
	for b.Loop() {
		before := heap()
		for range 10_000 {
			if _, err := RenderHeight(&bytes.Buffer{}, d, Papers["80mm"]); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(before, "heap-before-B")
		b.ReportMetric(heap(), "heap-after-B")
	}
}

func BenchmarkReceipt80mm(b *testing.B) {
	d := sample("Siti Nurhaliza binti Ahmad")
	var size int
	for b.Loop() {
		var buf bytes.Buffer
		if _, err := RenderHeight(&buf, d, Papers["80mm"]); err != nil {
			b.Fatal(err)
		}
		size = buf.Len()
	}
	b.ReportMetric(float64(size), "bytes/receipt")
}

func regexpMatch(pattern, s string) bool { return regexp.MustCompile(pattern).MatchString(s) }
