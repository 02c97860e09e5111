package report

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/loket-id/loket/i18n"
	"github.com/loket-id/loket/pdfdoc/pdftest"
	"github.com/loket-id/loket/skm"
)

// skmSummary is a half-year's answers at an office: 126 respondents over
// three services, made by a fixed rule (no randomness).
func skmSummary(t *testing.T) skm.Summary {
	t.Helper()
	wib := time.FixedZone("WIB", 7*3600)
	var in []skm.Answer
	for i := range 126 {
		a := skm.Answer{RequestID: fmt.Sprintf("01JD8X3Q4T5V6W7X8Y9Z0A%04d", i), TrackingCode: "QSHX-NZDT-Q7KM",
			Service: []string{"A", "B", "C"}[i%3], Office: "DPMPTSP Kota Bandung",
			AnsweredAt: time.Date(2026, time.Month(7+i%6), 1+i%28, 10, 0, 0, 0, wib),
			Age:        skm.AgeGroups[i%len(skm.AgeGroups)], Sex: skm.Sexes[i%2], Education: skm.Educations[i%5+1], Occupation: skm.Occupations[i%len(skm.Occupations)]}
		for e := range a.Scores {
			a.Scores[e] = 3
			if (i+e)%4 == 0 {
				a.Scores[e] = 4
			}
			if (i*7+e)%11 == 0 {
				a.Scores[e] = 2
			}
		}
		if i%10 == 0 {
			a.Sex = ""
		}
		in = append(in, a)
	}
	s, err := skm.Summarize(skm.Filter{From: "2026-07-01", To: "2026-12-31"}, slices.Values(in))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func skmData(t *testing.T, lang string) SKMData {
	return SKMData{Office: "DPMPTSP Kota Bandung", Lang: lang, Period: "Juli - Desember 2026", Summary: skmSummary(t), Made: made,
		Services: map[string]string{"A": "Bantuan Perizinan Berusaha (NIB/OSS)", "B": "Izin Mendirikan Bangunan (PBG)", "C": "Pengaduan Layanan"},
		Central:  true, Place: "Bandung", Head: "Dr. Hj. Siti Rahmawati, M.Si."}
}

func renderSKM(t *testing.T, d SKMData) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := RenderSKM(&buf, d); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestSKMReportText(t *testing.T) {
	s := skmSummary(t)
	ikm := s.Total.IKM()
	for _, tc := range []struct {
		lang string
		want []string
	}{
		{"id", []string{"LAPORAN SURVEI KEPUASAN MASYARAKAT", "DPMPTSP Kota Bandung", "Peraturan Menteri PANRB No. 14 Tahun 2017",
			"Periode: Juli - Desember 2026", "Data: seluruh kantor (server pusat)",
			"Responden IKM Mutu pelayanan Kinerja unit pelayanan 126 " + strings.Replace(ikm.String(), ".", ",", 1) + " " + string(s.Total.Category()) + " " + skm.CategoryName(i18nFor("id"), s.Total.Category()),
			"U1 Persyaratan", "U8 Penanganan pengaduan, saran dan masukan", "U9 Sarana dan prasarana", "IKM unit pelayanan",
			"bobot tepat 1/9", "A 88,31-100,00 Sangat Baik", "IKM per layanan", "Bantuan Perizinan Berusaha (NIB/OSS)",
			"Profil responden", "Jenis kelamin", "Laki-laki", "Perempuan", "Tidak diisi", "Umur", "Pendidikan", "Pekerjaan", "Wirausaha",
			"Mengetahui,", "Kepala DPMPTSP Kota Bandung", "( Dr. Hj. Siti Rahmawati, M.Si. )", "Bandung, 1 Desember 2026"}},
		{"en", []string{"PUBLIC SATISFACTION SURVEY REPORT", "Respondents", "Service quality", "Performance of the unit",
			"U6 Competence of the staff", "IKM of the unit", "126 " + ikm.String() + " B Good", "Respondents' profile", "Occupation", "Civil servant (PNS)"}},
	} {
		d := skmData(t, tc.lang)
		text := strings.Join(strings.Fields(pdftest.Text(t, renderSKM(t, d))), " ")
		for _, w := range tc.want {
			if !strings.Contains(text, w) {
				t.Errorf("%s SKM report lacks %q:\n%s", tc.lang, w, text)
			}
		}
	}
	// Each element's row shows its NRR and value with the language's decimal comma.
	text := pdftest.Text(t, renderSKM(t, skmData(t, "id")))
	for _, e := range skm.Elements {
		nrr := strings.Replace(s.Total.NRR(e).String(), ".", ",", 1)
		val := strings.Replace(s.Total.ElementIndex(e).String(), ".", ",", 1)
		found := false
		for _, l := range strings.Split(text, "\n") {
			if strings.Contains(l, e.Code()+" ") && strings.Contains(l, nrr) && strings.Contains(l, val) {
				found = true
			}
		}
		if !found {
			t.Errorf("no row %s with NRR %s and value %s:\n%s", e.Code(), nrr, val, text)
		}
	}
}

// TestSKMReportOnePage: the report of an office with a handful of
// services is one page, and no two words overlap, in either language.
func TestSKMReportOnePage(t *testing.T) {
	for _, lang := range []string{"id", "en"} {
		ws := words(t, renderSKM(t, skmData(t, lang)))
		for _, w := range ws {
			if w.page != 1 {
				t.Fatalf("%s: the report runs to page %d (%q)", lang, w.page, w.text)
			}
		}
		for i, a := range ws {
			for _, b := range ws[i+1:] {
				if a.page == b.page && a.xMin < b.xMax-0.3 && b.xMin < a.xMax-0.3 && a.yMin < b.yMax-0.3 && b.yMin < a.yMax-0.3 {
					t.Errorf("%s: %q and %q overlap", lang, a.text, b.text)
				}
			}
		}
	}
}

// TestSKMReportEmpty: a period nobody answered in makes a report of dashes.
func TestSKMReportEmpty(t *testing.T) {
	text := strings.Join(strings.Fields(pdftest.Text(t, renderSKM(t, SKMData{Office: "X", Lang: "id", Period: "Januari 2027", Made: made}))), " ")
	for _, w := range []string{"Kinerja unit pelayanan 0 – – –", "U1 Persyaratan – – –", "IKM unit pelayanan – –"} {
		if !strings.Contains(text, w) {
			t.Errorf("empty report lacks %q:\n%s", w, text)
		}
	}
}

// TestSKMReportPicture renders the SKM report as a picture, for a person
// to look at: LOKET_REPORT_PNG=dir go test ./report -run SKMReportPicture.
func TestSKMReportPicture(t *testing.T) {
	dir := os.Getenv("LOKET_REPORT_PNG")
	if dir == "" {
		t.Skip("set LOKET_REPORT_PNG to a directory to render the page")
	}
	for _, lang := range []string{"id", "en"} {
		pdf := renderSKM(t, skmData(t, lang))
		name := dir + "/skm-" + lang + ".pdf"
		if err := os.WriteFile(name, pdf, 0o644); err != nil {
			t.Fatal(err)
		}
		if out, err := exec.Command(pdftest.Need(t, "pdftoppm"), "-r", "80", "-png", name, dir+"/skm-"+lang).CombinedOutput(); err != nil {
			t.Fatalf("pdftoppm: %v %s", err, out)
		}
	}
}

func i18nFor(lang string) i18n.Text { return i18n.For(lang) }
