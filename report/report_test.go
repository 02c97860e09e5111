package report

import (
	"bytes"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/loket-id/loket/pdfdoc/pdftest"
	"github.com/loket-id/loket/stats"
)

func figures() stats.Figures {
	f := stats.Figures{From: "2026-11-01", To: "2026-11-30", BusiestHour: 10,
		Counts: stats.Counts{Arrivals: 7192, Served: 6800, NoShow: 301, Cancelled: 70, Transferred: 99, Waiting: 21,
			WaitSeconds: stats.Dist{Avg: 1541, P50: 932, P90: 4470, N: 6900}, ServiceSeconds: stats.Dist{Avg: 725, P50: 603, P90: 1374, N: 6800}, WithinTargetRatio: 0.54},
		ByService: []stats.Service{
			{Service: "A", Counts: stats.Counts{Arrivals: 2100, Served: 2000, WaitSeconds: stats.Dist{P50: 840, P90: 3900, N: 2050}, WithinTargetRatio: 0.56}},
			{Service: "H", Counts: stats.Counts{Arrivals: 0}}, // never called: no data, not 0 s and 0%
		},
		ByDay: []stats.Group{{Key: "2026-11-02", Counts: stats.Counts{Arrivals: 400}}, {Key: "2026-11-03", Counts: stats.Counts{Arrivals: 380}}},
	}
	for _, c := range []string{"L1", "L10", "L11", "L12", "L2"} {
		f.ByCounter = append(f.ByCounter, stats.Group{Key: c, Counts: stats.Counts{Arrivals: 700}})
	}
	f.ByHour = make([]stats.HourCount, 24)
	for h := range f.ByHour {
		f.ByHour[h] = stats.HourCount{Hour: h}
	}
	f.ByHour[10].Arrivals = 1615
	f.ByHour[10].WaitSeconds = stats.Dist{P50: 1200, P90: 3000, N: 1600}
	f.ByHour[11].Arrivals = 900
	f.ByHour[11].WaitSeconds = stats.Dist{P50: 600, P90: 1500, N: 880}
	return f
}

func render(t *testing.T, d Data) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := Render(&buf, d); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

var made = time.Date(2026, 12, 1, 8, 0, 0, 0, time.FixedZone("WIB", 7*3600))

func TestReportText(t *testing.T) {
	f := figures()
	for _, tc := range []struct {
		lang    string
		d       Data
		want    []string
		notWant []string
	}{
		{"id", Data{Counter: "L1", Place: "Bandung", Supervisor: "Sari Wulandari"},
			[]string{"DPMPTSP Kota Bandung", "LAPORAN PELAYANAN ANTREAN", "Periode: November 2026", "7192", "6800", "301",
				"Data: loket L1 saja (basis data loket ini, bukan seluruh kantor)",
				"Bantuan Perizinan Berusaha", "26 mnt", "16 mnt", "1 j 15 mnt", "54%", "10:00 (1615)", "Per layanan", "Per loket", "Per hari", "Kedatangan per hari",
				"Median", "tunggu", "Sesuai", "target", "Loket", "Tanggal", "Sen, 2 Nov 2026", "Sel, 3 Nov 2026",
				"Waktu tunggu per jam kedatangan (menit)", "median", "persentil 90",
				"Mengetahui,", "Kepala DPMPTSP Kota Bandung", "Bandung, 1 Desember 2026", "Penyelia Layanan", "( Sari Wulandari )", "NIP."},
			[]string{"Tepat", "25m41s", " 0s", "P50"}},
		{"en", Data{Central: true},
			[]string{"QUEUE SERVICE REPORT", "Period: November 2026", "Arrivals", "No-shows", "Called within target", "By service",
				"Data: the whole office (central server)", "Median", "26 min", "Counter", "Date", "Mon, 2 Nov 2026", "Acknowledged by,", "Head of DPMPTSP Kota Bandung"},
			nil},
		{"id", Data{}, []string{"Data: loket ini saja"}, nil},
	} {
		d := tc.d
		d.Office, d.Lang, d.Period, d.Figures, d.PerDay, d.Made = "DPMPTSP Kota Bandung", tc.lang, "November 2026", f, true, made
		d.Services = map[string]string{"A": "Bantuan Perizinan Berusaha (NIB/OSS)", "H": "Pengaduan Layanan"}
		text := strings.Join(strings.Fields(pdftest.Text(t, render(t, d))), " ")
		for _, w := range tc.want {
			if !strings.Contains(text, w) {
				t.Errorf("%s report lacks %q:\n%s", tc.lang, w, text)
			}
		}
		for _, w := range tc.notWant {
			if strings.Contains(text, w) {
				t.Errorf("%s report has %q", tc.lang, w)
			}
		}
	}
}

// TestReportTableOrderAndNoData: counters in natural order; a service
// nobody was called in shows "–", not 0 s and 0%.
func TestReportTableOrderAndNoData(t *testing.T) {
	f := figures()
	// As package stats gives them: in natural order.
	f.ByCounter = []stats.Group{{Key: "L1"}, {Key: "L2"}, {Key: "L10"}, {Key: "L11"}, {Key: "L12"}}
	text := pdftest.Text(t, render(t, Data{Office: "X", Lang: "id", Period: "November 2026", Figures: f, Made: made}))
	var order []string
	for _, l := range strings.Split(text, "\n") {
		if m := regexp.MustCompile(`^\s*(L\d+)\s`).FindStringSubmatch(l); m != nil {
			order = append(order, m[1])
		}
		if strings.Contains(l, "Pengaduan") || regexp.MustCompile(`^\s*H\s`).MatchString(l) {
			if !strings.Contains(l, "–") || strings.Contains(l, "0%") || strings.Contains(l, "0 dtk") {
				t.Errorf("service H without data: %q", l)
			}
		}
	}
	if strings.Join(order, " ") != "L1 L2 L10 L11 L12" {
		t.Fatalf("counters in the report: %v", order)
	}
}

// word is a word of a page and its box, as pdftotext -bbox gives them.
type word struct {
	page                   int
	xMin, yMin, xMax, yMax float64
	text                   string
}

func words(t *testing.T, pdf []byte) []word {
	t.Helper()
	cmd := exec.Command(pdftest.Need(t, "pdftotext"), "-bbox", "-", "-")
	cmd.Stdin = bytes.NewReader(pdf)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("pdftotext -bbox: %v", err)
	}
	re := regexp.MustCompile(`<page |<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>`)
	var ws []word
	page := 0
	for _, m := range re.FindAllStringSubmatch(string(out), -1) {
		if m[0] == "<page " {
			page++
			continue
		}
		n := func(s string) float64 { v, _ := strconv.ParseFloat(s, 64); return v }
		ws = append(ws, word{page, n(m[1]), n(m[2]), n(m[3]), n(m[4]), m[5]})
	}
	return ws
}

// TestReportNothingOverlaps: no two words of the report overlap (a header
// spilling into the next, a date out of its cell), in either language.
func TestReportNothingOverlaps(t *testing.T) {
	for _, lang := range []string{"id", "en"} {
		d := Data{Office: "DPMPTSP Kota Bandung", Lang: lang, Period: "November 2026", Figures: figures(), PerDay: true, Made: made,
			Services: map[string]string{"A": "Bantuan Perizinan Berusaha (NIB/OSS) untuk Usaha Mikro dan Kecil di seluruh kota"}}
		ws := words(t, render(t, d))
		if len(ws) < 100 {
			t.Fatalf("%s: %d words", lang, len(ws))
		}
		for i, a := range ws {
			for _, b := range ws[i+1:] {
				if a.page == b.page && a.xMin < b.xMax-0.3 && b.xMin < a.xMax-0.3 && a.yMin < b.yMax-0.3 && b.yMin < a.yMax-0.3 {
					t.Errorf("%s: %q and %q overlap on page %d", lang, a.text, b.text, a.page)
				}
			}
		}
	}
}

// TestReportPicture renders the report's pages as pictures, for a person
// to look at: LOKET_REPORT_PNG=dir go test ./report -run Picture.
func TestReportPicture(t *testing.T) {
	dir := os.Getenv("LOKET_REPORT_PNG")
	if dir == "" {
		t.Skip("set LOKET_REPORT_PNG to a directory to render the pages")
	}
	pdf := render(t, Data{Office: "DPMPTSP Kota Bandung", Lang: "id", Period: "November 2026", Figures: figures(), PerDay: true, Made: made,
		Services: map[string]string{"A": "Bantuan Perizinan Berusaha (NIB/OSS)"}, Counter: "Loket 1", Place: "Bandung"})
	if err := os.WriteFile(dir+"/report.pdf", pdf, 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(pdftest.Need(t, "pdftoppm"), "-r", "60", "-png", dir+"/report.pdf", dir+"/page").CombinedOutput(); err != nil {
		t.Fatalf("pdftoppm: %v %s", err, out)
	}
}
