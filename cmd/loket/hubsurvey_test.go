package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/loket-id/loket/internal/browsertest"
	"github.com/loket-id/loket/queue"
	"github.com/loket-id/loket/skm"
)

// TestHubSurveyTablet: the survey tablet, a device of role survey
// registered with `loket hub device add --role survey`, in headless
// Chromium at a tablet's size against a real `loket hub` process whose
// central server is out of reach (the WAN down): the code scanned from the
// receipt's QR (its whole URL, typed by the scanner) opens the survey of a
// done request, which is answered by touch; the same form sent again from
// a second tab is refused, and so is a request not done yet; the page
// never shows the applicant's name or NIK; loket stats --skm on the hub
// counts the answer. Then the hub is restarted with the central server
// reachable: the answer (a survey.answered event) reaches it with the
// sync, and the centre's own phone page refuses a second answer for that
// request. Screenshots go to docs/ with LOKET_SCREENSHOTS=1.
func TestHubSurveyTablet(t *testing.T) {
	browsertest.Chromium(t)
	centralURL, stationToken, _ := centralServer(t)
	hte := newTestEnv(t)
	cfg := "timezone = \"Asia/Jakarta\"\nlanguage = \"id\"\n[office]\nname = \"DPMPTSP Kota Bandung\"\ncode = \"3273\"\n[station]\ncode = \"HUB\"\nname = \"Hub\"\n"
	if err := os.WriteFile(hte.env["LOKET_CONFIG"], []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	tok := stationToken("3273", "HUB")
	hte.mustRun("init", "--server", "http://"+freeAddr(t), "--token", tok) // nothing listens there: the WAN is down
	h := startHub(t, hte, freeAddr(t), "")

	var codes []string
	for i, name := range []string{"Rahasia Wibowo", "Dewi Tersembunyi"} {
		hte.mustRun("add", "--service", "A", "--name", name, "--nik", fmt.Sprintf("327301410790%04d", 4560+i))
		var r queue.Request
		if out := hte.mustRun("call", "--format", "json"); json.Unmarshal([]byte(out), &r) != nil {
			t.Fatalf("call: %s", out)
		}
		codes = append(codes, r.TrackingCode)
	}
	hte.mustRun("done", "A-001")
	var out struct{ Token string }
	if err := json.Unmarshal([]byte(hte.mustRun("hub", "device", "add", "TAB1", "--role", "survey", "--format", "json")), &out); err != nil {
		t.Fatal(err)
	}
	tabletURL := h.url() + "/survey?t=" + out.Token

	ctx := browsertest.New(t, 800, 1280)
	shots := os.Getenv("LOKET_SCREENSHOTS") != ""
	shot := func(ctx context.Context, name string, full bool) {
		if !shots {
			return
		}
		act := chromedp.CaptureScreenshot()
		if full {
			act = chromedp.FullScreenshot(100)
		}
		b, err := chromedp.Run(ctx, act)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join("..", "..", "docs", name+".png"), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	text := func(ctx context.Context, sel string) string {
		t.Helper()
		s, err := chromedp.Run(ctx, chromedp.Evaluate[string](fmt.Sprintf("document.querySelector(%q).innerText", sel)))
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	noSecrets := func(ctx context.Context) {
		t.Helper()
		body := text(ctx, "body")
		for _, s := range []string{"Rahasia", "Wibowo", "Dewi", "3273014107904560", "4560"} {
			if strings.Contains(body, s) {
				t.Errorf("the tablet shows %q:\n%s", s, body)
			}
		}
	}
	// The start: the token goes into a cookie; the scanner types the QR's URL.
	scanned := "https://pusat.example.go.id/lacak/" + strings.ToLower(codes[0])
	if err := chromedp.Do(ctx, chromedp.Navigate(tabletURL), chromedp.WaitVisible(chromedp.CSS("#code"))); err != nil {
		t.Fatal(err)
	}
	shot(ctx, "skm-tablet-start", false)
	if err := chromedp.Do(ctx, chromedp.SendKeys(chromedp.CSS("#code"), scanned), chromedp.Click(chromedp.CSS("#start")),
		chromedp.WaitVisible(chromedp.CSS("#u9"))); err != nil {
		t.Fatal(err)
	}
	if s := text(ctx, "#for"); !strings.Contains(s, "A ") {
		t.Errorf("the form is not for service A: %q", s)
	}
	noSecrets(ctx)
	// A second tab holds the same request's form before the answer.
	tab2, cancel := chromedp.NewContext(ctx)
	defer cancel()
	if err := chromedp.Do(tab2, chromedp.Navigate(h.url()+"/survey/"+codes[0]), chromedp.WaitVisible(chromedp.CSS("#submit"))); err != nil {
		t.Fatal(err)
	}
	var acts []chromedp.Action[chromedp.Void]
	for _, e := range skm.Elements {
		acts = append(acts, chromedp.Click(chromedp.CSS(fmt.Sprintf(`label[for="%s-4"]`, strings.ToLower(e.Code())))))
	}
	acts = append(acts, chromedp.SetValue(chromedp.CSS("#age"), "40-49"), chromedp.SetValue(chromedp.CSS("#education"), "s1"),
		chromedp.SendKeys(chromedp.CSS("#comment"), "Petugas ramah, ruang tunggu sejuk"))
	if err := chromedp.Do(ctx, acts...); err != nil {
		t.Fatal(err)
	}
	shot(ctx, "skm-tablet-form", true)
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS("#submit")), chromedp.WaitVisible(chromedp.CSS(`#result[data-view="thanks"]`))); err != nil {
		t.Fatal(err)
	}
	if s := text(ctx, "#result"); !strings.Contains(s, "Terima kasih") {
		t.Fatalf("after the answer: %s", s)
	}

	// The second tab's answer: refused, the first stands.
	acts = nil
	for _, e := range skm.Elements {
		acts = append(acts, chromedp.Click(chromedp.CSS(fmt.Sprintf(`label[for="%s-1"]`, strings.ToLower(e.Code())))))
	}
	acts = append(acts, chromedp.Click(chromedp.CSS("#submit")), chromedp.WaitVisible(chromedp.CSS(`#result[data-view="refused"]`)))
	if err := chromedp.Do(tab2, acts...); err != nil {
		t.Fatal(err)
	}
	if s := text(tab2, "#result"); !strings.Contains(s, "sudah") {
		t.Fatalf("the second answer: %s", s)
	}
	shot(tab2, "skm-tablet-refused", false)
	// A request not done yet, in English.
	if err := chromedp.Do(ctx, chromedp.Navigate(h.url()+"/survey/"+codes[1]+"?lang=en"), chromedp.WaitVisible(chromedp.CSS(`#result[data-view="refused"]`))); err != nil {
		t.Fatal(err)
	}
	if s := text(ctx, "#result"); !strings.Contains(s, "not") {
		t.Fatalf("a request not done: %s", s)
	}
	noSecrets(ctx)

	// The hub counts it (its own database, the WAN still down).
	var s skm.Summary
	if out := hte.mustRun("stats", "--skm", "--format", "json"); json.Unmarshal([]byte(out), &s) != nil || s.Total.Respondents != 1 ||
		s.Total.IKM().String() != "100.00" || s.ByOffice[0].Key != "3273" {
		t.Fatalf("stats --skm on the hub: %s", out)
	}
	// The centre has not heard of it: its phone page offers the form.
	centre := func() int {
		resp, err := http.Get(centralURL + "/skm/" + codes[0])
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if code := centre(); code != http.StatusNotFound && code != http.StatusOK {
		t.Fatalf("the centre before the sync: %d", code)
	}
	// The WAN is back: the hub syncs, the centre stores the answer.
	if code, errOut := h.stop(); code != 0 {
		t.Fatalf("hub stop: %d %s", code, errOut)
	}
	hte.mustRun("init", "--server", centralURL, "--token", tok)
	h.start()
	// The hub syncs at once when it starts, then backs off after a failed
	// try (2 s, 4 s, … with jitter): under a loaded CI machine the first
	// tries may fail, so the wait is generous; it ends at the first answer.
	deadline := time.Now().Add(2 * time.Minute)
	for centre() != http.StatusConflict {
		if time.Now().After(deadline) {
			t.Fatalf("the centre has not got the answer 2 minutes after the WAN came back (last %d)", centre())
		}
		time.Sleep(250 * time.Millisecond)
	}
}
