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
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"

	"github.com/loket-id/loket/i18n"
	"github.com/loket-id/loket/pdfdoc/pdftest"
	"github.com/loket-id/loket/queue"
)

var update = flag.Bool("update", false, "rewrite the golden PDFs in testdata/ and the README's docs/receipt-80mm.png and docs/receipt-A4.png")

var (
	wib = time.FixedZone("WIB", 7*3600)
	at  = time.Date(2026, 11, 27, 9, 30, 0, 0, wib) // a Friday
	nik = "3201014107900001"
)

// sample is the receipt of the tests and of the README's pictures: a
// building approval (PBG, 28 working days) with a fee, two of its five
// documents received, and an office that gives every contact.
func sample(name string) Data {
	svc := queue.DefaultCatalog()[1]
	svc.Fee = 150000
	r := queue.Request{ID: "01KB0000000000000000000000", TrackingCode: "KG2K-RVRU-2RN7", Ticket: "B-007", Day: "2026-11-27",
		Service: "B", Name: name, NIK: nik, Phone: "+6281234567890", ArrivedAt: at, Counter: "L1", Clerk: "Sari",
		Priority:          queue.PriorityElderly,
		DocumentsReceived: []string{"KTP pemohon (asli dan fotokopi)", "Gambar rencana teknis bangunan"}}
	return Data{Request: r, Service: svc, Office: "DPMPTSP Kota Bandung",
		Address: "Jl. Wastukencana No. 2, Bandung", CounterName: "Loket 1", Lang: "id", Location: wib,
		Contact: Contact{Phone: "(022) 4234793", WhatsApp: "0811-2233-4455", Website: "dpmptsp.bandung.go.id",
			Hours: "Senin-Jumat 08.00-15.00"}}
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
				if dpi, ok := map[string]string{"80mm": "100", "A4": "80"}[name]; ok { // the README's pictures
					out := filepath.Join("..", "docs", "receipt-"+name)
					if msg, err := exec.Command(pdftest.Need(t, "pdftoppm"), "-png", "-r", dpi, "-singlefile", path, out).CombinedOutput(); err != nil {
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

// TestReceiptText reads every paper's receipt back with pdftotext, in both
// languages, and finds each element of a tanda terima.
func TestReceiptText(t *testing.T) {
	common := []string{"B-007", "************0001", "+62*******7890", "KG2K-RVRU-2RN7", "Siti Nurhaliza",
		"DPMPTSP Kota Bandung", "Loket 1 / Sari", "Rp 150.000", "SP4N-LAPOR!", "lapor.go.id", "(022) 4234793",
		"0811-2233-4455", "Senin-Jumat 08.00-15.00", "dpmptsp.bandung.go.id"}
	langs := map[string][]string{
		"id": {"TANDA TERIMA PENDAFTARAN", "Persetujuan Bangunan Gedung (PBG)", "Jumat, 27 November 2026 09:30", "Lansia",
			// 28 working days from Friday 27 November 2026, skipping weekends,
			// 24 and 25 December (cuti bersama, Natal) and 1 January 2027.
			"Senin, 11 Januari 2027", "Biaya", "Dokumen persyaratan", "X = diterima petugas", "Layanan pengaduan",
			"Telepon", "WhatsApp", "Jam layanan", "Situs web"},
		"en": {"REGISTRATION RECEIPT", "Building approval (PBG)", "Friday, 27 November 2026 09:30", "Elderly",
			"Monday, 11 January 2027", "Fee", "Required documents", "X = received by the officer", "Complaints",
			"Phone", "WhatsApp", "Opening hours", "Website"},
	}
	signs := map[string][2]string{"id": {"Petugas,", "Pemohon,"}, "en": {"Officer,", "Applicant,"}}
	for lang, wants := range langs {
		for paper := range Papers {
			t.Run(lang+"/"+paper, func(t *testing.T) {
				d := sample("Siti Nurhaliza")
				d.Lang = lang
				text := pdftest.Text(t, render(t, d, paper))
				flat := strings.Join(strings.Fields(text), " ")
				for _, want := range append(wants, common...) {
					if !strings.Contains(flat, want) {
						t.Errorf("lacks %q:\n%s", want, text)
					}
				}
				for _, never := range []string{nik, "81234567890", "6281234567890"} {
					if strings.Contains(strings.ReplaceAll(flat, " ", ""), never) {
						t.Errorf("shows %q in full", never)
					}
				}
				// Received documents are ticked, the others are not.
				for doc, ticked := range map[string]bool{"KTP pemohon": true, "Gambar rencana": true,
					"Perhitungan struktur": false, "Surat pernyataan": false} {
					line := lineWith(text, doc)
					if got := slices.Contains(strings.Fields(line), "X"); got != ticked {
						t.Errorf("document %q ticked = %v, want %v: %q", doc, got, ticked, line)
					}
				}
				// The two signature lines, side by side, with the clerk's and
				// the applicant's names under them.
				if line := lineWith(text, signs[lang][0]); !strings.Contains(line, signs[lang][1]) {
					t.Errorf("signature labels not side by side: %q", line)
				}
				if line := lineWith(text, "Siti Nurhaliza", "Sari"); line == "" {
					t.Errorf("no line names the applicant and the clerk under the signatures:\n%s", text)
				}
			})
		}
	}
	for lang, want := range map[string]string{"id": "Tidak dipungut biaya", "en": "Free of charge"} {
		for paper := range Papers {
			d := sample("Budi")
			d.Lang, d.Service.Fee = lang, 0
			text := pdftest.Text(t, render(t, d, paper))
			if flat := strings.Join(strings.Fields(text), " "); !strings.Contains(flat, want) || strings.Contains(text, "Rp ") {
				t.Errorf("%s %s: a free service's receipt lacks %q or shows a price:\n%s", lang, paper, want, text)
			}
		}
	}
}

// lineWith is the first line of text that holds every one of parts, or "".
func lineWith(text string, parts ...string) string {
	for _, line := range strings.Split(text, "\n") {
		all := true
		for _, p := range parts {
			all = all && strings.Contains(line, p)
		}
		if all {
			return line
		}
	}
	return ""
}

func TestFormatFee(t *testing.T) {
	for _, tt := range []struct {
		rupiah int64
		lang   string
		want   string
	}{
		{0, "id", "Tidak dipungut biaya"}, {0, "en", "Free of charge"}, {500, "id", "Rp 500"}, {1000, "en", "Rp 1.000"},
		{150000, "id", "Rp 150.000"}, {2500000, "id", "Rp 2.500.000"}, {1_000_000_000_000, "id", "Rp 1.000.000.000.000"},
	} {
		if got := formatFee(i18n.For(tt.lang), tt.rupiah); got != tt.want {
			t.Errorf("formatFee(%d, %s) = %q, want %q", tt.rupiah, tt.lang, got, tt.want)
		}
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
		{"A5", "https://izin.example.go.id/lacak/{code}", "https://izin.example.go.id/lacak/KG2K-RVRU-2RN7"},
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

// TestDueDate: the due date with Indonesia's shipped calendar and nothing
// configured by the office, across Idul Fitri 1447 H, Christmas and the New
// Year; then an office's own day off on top.
func TestDueDate(t *testing.T) {
	tests := []struct {
		name   string
		from   string
		sla    int
		office []string
		want   string
	}{
		{"same day", "2026-11-27", 0, nil, "2026-11-27"},
		{"Friday + 1 = Monday", "2026-11-27", 1, nil, "2026-11-30"},
		{"Saturday + 1 = Monday", "2026-11-28", 1, nil, "2026-11-30"},
		{"plain week", "2026-11-23", 5, nil, "2026-11-30"},
		// Nyepi (18 cuti, 19 libur) and Idul Fitri (20 cuti, 21-22, 23-24 cuti).
		{"Idul Fitri: Tuesday before Nyepi + 1", "2026-03-17", 1, nil, "2026-03-25"},
		{"Idul Fitri: Monday 16 March + 3", "2026-03-16", 3, nil, "2026-03-26"},
		{"Idul Fitri: registered on a cuti bersama day", "2026-03-23", 1, nil, "2026-03-25"},
		{"Idul Adha: 27 libur, 28 cuti", "2026-05-26", 1, nil, "2026-05-29"},
		// Christmas 2026: 24 cuti bersama, 25 libur; New Year 2027: Friday 1 January.
		{"Christmas: Wednesday 23 December + 1", "2026-12-23", 1, nil, "2026-12-28"},
		{"New Year: Wednesday 30 December + 2", "2026-12-30", 2, nil, "2027-01-04"},
		{"Christmas and New Year: 23 December + 5", "2026-12-23", 5, nil, "2027-01-04"},
		{"28 working days over both", "2026-11-27", 28, nil, "2027-01-11"},
		{"an office's own day off on top", "2026-12-30", 2, []string{"2027-01-04"}, "2027-01-05"},
		{"an office day that is national anyway", "2026-12-23", 1, []string{"2026-12-25"}, "2026-12-28"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			from, _ := time.ParseInLocation(time.DateOnly, tt.from, wib)
			d := Data{Request: queue.Request{ArrivedAt: from.Add(10 * time.Hour)}, Service: queue.Service{SLADays: tt.sla},
				Holidays: tt.office, Location: wib}
			if got := d.Due().Format(time.DateOnly); got != tt.want {
				t.Errorf("due %d working days after %s = %s, want %s", tt.sla, tt.from, got, tt.want)
			}
		})
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
