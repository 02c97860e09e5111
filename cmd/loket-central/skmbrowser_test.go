package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/loket-id/loket/internal/browsertest"
	"github.com/loket-id/loket/skm"
	"github.com/loket-id/loket/sync/central"
	"github.com/loket-id/loket/sync/central/centraltest"
)

// TestSurveyPhoneInBrowser: headless Chromium at a phone's size against a
// real `loket-central serve`: the survey of a done request is answered by
// touching the scale (every element "sangat baik"), the respondent data
// and a comment; the same form submitted again from a second tab is
// refused, and so is the page afterwards; the page never shows the
// applicant's name. With two more answers (all 3; and 2,2,2,2,3,2,2,3,3)
// the index the server gives is the hand-computed 25 × 84 / 27 = 77.78.
// Screenshots go to docs/ with LOKET_SCREENSHOTS=1.
func TestSurveyPhoneInBrowser(t *testing.T) {
	browsertest.Chromium(t)
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
	for i, s := range [][skm.NumElements]int{{3, 3, 3, 3, 3, 3, 3, 3, 3}, {2, 2, 2, 2, 3, 2, 2, 3, 3}} {
		if code, body := r.Page("POST", "/skm/"+codes[i+1], centraltest.SurveyForm(s, "")); code != 200 {
			t.Fatalf("answer %d: %d %s", i, code, body)
		}
	}
	cs.Close()
	addr := startServer(t, dir)
	page := "http://" + addr + "/skm/" + codes[0]

	ctx := browsertest.New(t, 390, 844)
	tab2, cancel := chromedp.NewContext(ctx)
	defer cancel()
	shots := os.Getenv("LOKET_SCREENSHOTS") != ""
	shot := func(ctx context.Context, name string, full bool) {
		if !shots {
			return
		}
		act := chromedp.CaptureScreenshot()
		if full {
			act = chromedp.FullScreenshot(100) // 100: PNG
		}
		b, err := chromedp.Run(ctx, act)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join("..", "..", "docs", name+".png"), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// The second tab holds the form before the first one answers.
	if err := chromedp.Do(tab2, chromedp.Navigate(page), chromedp.WaitVisible(chromedp.CSS("#submit"))); err != nil {
		t.Fatal(err)
	}
	var text string
	acts := []chromedp.Action[chromedp.Void]{chromedp.Navigate(page), chromedp.WaitVisible(chromedp.CSS("#u9"))}
	for _, e := range skm.Elements {
		acts = append(acts, chromedp.Click(chromedp.CSS(fmt.Sprintf(`label[for="%s-4"]`, strings.ToLower(e.Code())))))
	}
	acts = append(acts,
		chromedp.SetValue(chromedp.CSS("#age"), "30-39"), chromedp.SetValue(chromedp.CSS("#sex"), "f"),
		chromedp.SendKeys(chromedp.CSS("#comment"), "Ruang tunggu nyaman"))
	if err := chromedp.Do(ctx, acts...); err != nil {
		t.Fatal(err)
	}
	text = textOf(t, ctx, "body")
	if strings.Contains(text, "Siti") || !strings.Contains(text, "Persyaratan") || !strings.Contains(text, "sangat baik") {
		t.Fatalf("the form:\n%s", text)
	}
	checked, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('input[type=radio]:checked').length`))
	if err != nil || checked != 9 {
		t.Fatalf("%d elements scored (%v), want 9", checked, err)
	}
	shot(ctx, "skm-phone-form", true)
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS("#submit")), chromedp.WaitVisible(chromedp.CSS(`#result[data-view="thanks"]`))); err != nil {
		t.Fatal(err)
	}
	text = textOf(t, ctx, "#result")
	if !strings.Contains(text, "Terima kasih") {
		t.Fatalf("after the answer: %s", text)
	}
	shot(ctx, "skm-phone-thanks", false)

	// The second tab scores and sends the same request's survey: refused.
	acts = nil
	for _, e := range skm.Elements {
		acts = append(acts, chromedp.Click(chromedp.CSS(fmt.Sprintf(`label[for="%s-1"]`, strings.ToLower(e.Code())))))
	}
	acts = append(acts, chromedp.Click(chromedp.CSS("#submit")), chromedp.WaitVisible(chromedp.CSS(`#result[data-view="refused"]`)))
	if err := chromedp.Do(tab2, acts...); err != nil {
		t.Fatal(err)
	}
	text = textOf(t, tab2, "#result")
	if !strings.Contains(text, "sudah dijawab") {
		t.Fatalf("the second answer: %s", text)
	}
	shot(tab2, "skm-phone-refused", false)
	// The page itself now says so, in English too.
	if err := chromedp.Do(ctx, chromedp.Navigate(page+"?lang=en"), chromedp.WaitVisible(chromedp.CSS(`#result[data-view="refused"]`))); err != nil {
		t.Fatal(err)
	}
	text = textOf(t, ctx, "#result")
	if !strings.Contains(text, "answered already") {
		t.Fatalf("the page after the answer: %s", text)
	}

	// The index, through the running server.
	out, errOut, code := run(t, dir, "stats", "--skm", "--format", "json")
	var s skm.Summary
	if code != 0 || json.Unmarshal([]byte(out), &s) != nil {
		t.Fatalf("stats --skm: %d %s %s", code, out, errOut)
	}
	if s.Total.Respondents != 3 || s.Total.IKM().String() != "77.78" || s.Total.Category() != skm.CatB || s.Duplicates != 0 {
		t.Fatalf("the index: %d respondents, IKM %s %s (%d duplicates); want 3, 77.78 B", s.Total.Respondents, s.Total.IKM(), s.Total.Category(), s.Duplicates)
	}
}

// textOf is the visible text of the page's first element sel.
func textOf(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	s, err := chromedp.Run(ctx, chromedp.Evaluate[string](fmt.Sprintf("document.querySelector(%q).innerText", sel)))
	if err != nil {
		t.Fatal(err)
	}
	return s
}
