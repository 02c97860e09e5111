package main

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/loket-id/loket/queue"
	"github.com/loket-id/loket/skm"
	"github.com/loket-id/loket/store"
)

// answerSurveys finishes one request per score set at the counter of te
// (loket add, call, done) and answers its survey with those scores,
// straight on the database (as the hub's tablet does); the counter's
// program is not running.
func answerSurveys(t *testing.T, te *testEnv, scores ...[skm.NumElements]int) []string {
	t.Helper()
	var refs []string
	for i := range scores {
		te.mustRun("add", "--service", []string{"A", "A", "B"}[i%3], "--name", "Pemohon "+letters(i), "--nik", nik)
		ref := te.mustRun("call", "--format", "json")
		var r queue.Request
		if err := json.Unmarshal([]byte(ref), &r); err != nil {
			t.Fatalf("call: %v %q", err, ref)
		}
		te.mustRun("done", r.Ticket)
		refs = append(refs, r.TrackingCode)
	}
	st, err := store.Open(filepath.Join(te.env["LOKET_DATA"], store.FileName), store.Options{Clock: te.now, Location: fixedNow.Location()})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	for i, s := range scores {
		a := skm.Answer{Scores: s, Office: "3273", Station: "L3", Sex: []string{"f", "m", ""}[i%3]}
		if _, _, err := st.AnswerSurvey(context.Background(), "", refs[i], a, queue.Actor{Counter: "T1"}); err != nil {
			t.Fatal(err)
		}
	}
	return refs
}

// TestStatsAndReportSKM: three answers at a counter whose scores sum to 84
// of 27 element scores (NRR 3.11 on average): loket stats --skm gives the
// hand-computed index 25 × 84 / 27 = 77.78, category B (not 77.70 of the
// rounded weight 0.111), by element, service and month, as text, JSON and
// CSV; bad flags exit 2 naming them; report --skm writes the one-page PDF
// with the number of respondents and the index.
func TestStatsAndReportSKM(t *testing.T) {
	te := newTestEnv(t)
	cfg := "timezone = \"Asia/Jakarta\"\nlanguage = \"id\"\n[office]\nname = \"DPMPTSP Kota Bandung\"\ncode = \"3273\"\nhead = \"Dr. Hj. Siti Rahmawati, M.Si.\"\n[station]\ncode = \"L3\"\nname = \"Loket 3\"\n"
	if err := os.WriteFile(te.env["LOKET_CONFIG"], []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	te.now = func() time.Time { return fixedNow }
	if out := te.mustRun("stats", "--skm"); !strings.Contains(out, "Belum ada") && !strings.Contains(out, "belum ada") {
		t.Logf("no answers yet:\n%s", out)
	}
	answerSurveys(t, te, [skm.NumElements]int{4, 4, 4, 4, 4, 4, 4, 4, 4}, [skm.NumElements]int{3, 3, 3, 3, 3, 3, 3, 3, 3},
		[skm.NumElements]int{2, 2, 2, 2, 3, 2, 2, 3, 3})

	var s skm.Summary
	if out := te.mustRun("stats", "--skm", "--format", "json"); json.Unmarshal([]byte(out), &s) != nil {
		t.Fatalf("stats --skm --format json: %s", out)
	}
	if s.Total.Respondents != 3 || s.Total.IKM().String() != "77.78" || s.Total.Category() != skm.CatB || s.Total.Sums[0] != 9 {
		t.Fatalf("the index: %d respondents, IKM %s %s, sums %v", s.Total.Respondents, s.Total.IKM(), s.Total.Category(), s.Total.Sums)
	}
	text := te.mustRun("stats", "--skm")
	for _, w := range []string{"Responden: 3", "IKM: 77.78", "B (Baik)", "U1 Persyaratan", "3.00"} {
		if !strings.Contains(text, w) {
			t.Errorf("stats --skm lacks %q:\n%s", w, text)
		}
	}
	// A: the first two, (36+27)·25 / (9·2) = 87.50; B: the third, 21·25/9 = 58.33.
	byService := te.mustRun("stats", "--skm", "--by", "service", "--format", "csv")
	for _, w := range []string{"service,respondents,ikm,category", "A,2,87.50,B", "B,1,58.33,D"} {
		if !strings.Contains(byService, w) {
			t.Errorf("stats --skm --by service csv lacks %q:\n%s", w, byService)
		}
	}
	if out := te.mustRun("stats", "--skm", "--format", "csv", "--by", "month"); !strings.Contains(out, "2026-11,3,77.78,B") {
		t.Errorf("by month:\n%s", out)
	}
	if out := te.mustRun("stats", "--skm", "--from", "2026-12-01", "--format", "json"); !strings.Contains(out, `"respondents": 0`) {
		t.Errorf("a later period counts answers:\n%s", out)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"stats", "--skm", "--by", "clerk"}, "clerk"},
		{[]string{"stats", "--skm", "--central"}, "loket-central"},
		{[]string{"stats", "--skm", "--from", "2026-13-01"}, "2026-13-01"},
		{[]string{"report", "--skm", "--date", "2026-11-27", "--out", "x.pdf"}, "--date"},
		{[]string{"report", "--from", "2026-11-01", "--out", "x.pdf"}, "--skm"},
	} {
		if _, errOut, code := te.run(tc.args...); code != 2 || !strings.Contains(errOut, tc.want) {
			t.Errorf("loket %s: exit %d %q, want 2 naming %s", strings.Join(tc.args, " "), code, errOut, tc.want)
		}
	}

	out := te.mustRun("report", "--skm", "--month", "2026-11", "--out", "skm.pdf")
	if !strings.Contains(out, "responden: 3") || !strings.Contains(out, "77.78") {
		t.Fatalf("report --skm: %s", out)
	}
	pdf := filepath.Join(te.dir, "skm.pdf")
	if _, err := exec.LookPath("pdftotext"); err != nil {
		t.Skip("no pdftotext")
	}
	b, err := exec.Command("pdftotext", "-layout", pdf, "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	flat := strings.Join(strings.Fields(string(b)), " ")
	for _, w := range []string{"LAPORAN SURVEI KEPUASAN MASYARAKAT", "DPMPTSP Kota Bandung", "3 77,78 B Baik", "November 2026", "Dr. Hj. Siti Rahmawati"} {
		if !strings.Contains(flat, w) {
			t.Errorf("the report lacks %q:\n%s", w, flat)
		}
	}
	if dst := os.Getenv("LOKET_KEEP_SKM_PDF"); dst != "" {
		b, _ := os.ReadFile(pdf)
		_ = os.WriteFile(dst, b, 0o644)
	}
}
