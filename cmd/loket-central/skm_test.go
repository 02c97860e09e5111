package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/loket-id/loket/skm"
	"github.com/loket-id/loket/sync/central"
	"github.com/loket-id/loket/sync/central/centraltest"
)

// TestStatsAndReportSKM: three answers given on the centre's phone page
// whose scores sum to 84 of 27 elements (NRR 3.11 on average): stats --skm
// gives the index computed by hand, 25 × 84 / 27 = 77.78 (B: with the
// rounded weight 0.111 it would be 77.70), in every format, and
// report --skm writes the one-page PDF with the number of respondents.
func TestStatsAndReportSKM(t *testing.T) {
	dir := t.TempDir()
	cs, err := central.OpenBolt(filepath.Join(dir, "data"), time.Second)
	if err != nil {
		t.Fatal(err)
	}
	r := centraltest.NewRig(t, cs, "3273/L1")
	st := centraltest.Counter(t)
	var codes []string
	for range 3 {
		codes = append(codes, centraltest.DoneRequest(t, st).TrackingCode)
	}
	r.Sync("3273/L1", st)
	for i, s := range [][skm.NumElements]int{{4, 4, 4, 4, 4, 4, 4, 4, 4}, {3, 3, 3, 3, 3, 3, 3, 3, 3}, {2, 2, 2, 2, 3, 2, 2, 3, 3}} {
		if code, body := r.Page("POST", "/skm/"+codes[i], centraltest.SurveyForm(s, "")); code != 200 {
			t.Fatalf("answer %d: %d %s", i, code, body)
		}
	}
	cs.Close()

	out, errOut, code := run(t, dir, "stats", "--skm", "--format", "json")
	var s skm.Summary
	if code != 0 || json.Unmarshal([]byte(out), &s) != nil {
		t.Fatalf("stats --skm --format json: %d %s %s", code, out, errOut)
	}
	if s.Total.Respondents != 3 || s.Total.IKM().String() != "77.78" || s.Total.Category() != skm.CatB {
		t.Fatalf("the index: %d respondents, IKM %s %s; want 3, 77.78 B", s.Total.Respondents, s.Total.IKM(), s.Total.Category())
	}
	out, _, code = run(t, dir, "stats", "--skm", "--by", "office")
	if code != 0 || !strings.Contains(out, "77.78") || !strings.Contains(out, "3273") {
		t.Fatalf("stats --skm --by office: %d\n%s", code, out)
	}
	if out, _, code = run(t, dir, "stats", "--skm", "--format", "csv", "--by", "month"); code != 0 || !strings.Contains(out, "77.78") {
		t.Fatalf("stats --skm csv: %d\n%s", code, out)
	}
	if _, errOut, code = run(t, dir, "stats", "--skm", "--by", "clerk"); code != 2 || !strings.Contains(errOut, "clerk") {
		t.Fatalf("stats --skm --by clerk: %d %s", code, errOut)
	}
	out, errOut, code = run(t, dir, "report", "--skm", "--out", "skm.pdf", "--unit", "DPMPTSP Kota Bandung")
	if code != 0 || !strings.Contains(out, "3 respondents") {
		t.Fatalf("report --skm: %d %s %s", code, out, errOut)
	}
	pdf := filepath.Join(dir, "skm.pdf")
	if _, err := exec.LookPath("pdftotext"); err != nil {
		t.Skip("no pdftotext")
	}
	text, err := exec.Command("pdftotext", "-layout", pdf, "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	flat := strings.Join(strings.Fields(string(text)), " ")
	for _, w := range []string{"LAPORAN SURVEI KEPUASAN MASYARAKAT", "DPMPTSP Kota Bandung", "3 77,78 B Baik"} {
		if !strings.Contains(flat, w) {
			t.Errorf("the report lacks %q:\n%s", w, flat)
		}
	}
	if os.Getenv("LOKET_KEEP_SKM_PDF") != "" {
		b, _ := os.ReadFile(pdf)
		_ = os.WriteFile(os.Getenv("LOKET_KEEP_SKM_PDF"), b, 0o644)
	}
}
