package central

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/loket-id/loket/internal/browsertest"
)

var trackDocs = flag.String("track.shots", "", "write the tracking pages' screenshots to this folder (../../docs for the README)")

// shot saves a screenshot of the page when -track.shots is given.
func shot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	if *trackDocs == "" {
		return
	}
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(*trackDocs, name), png, 0o644); err != nil {
		t.Fatal(err)
	}
}

func js[T any](t *testing.T, ctx context.Context, expr string) T {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		t.Fatalf("%s: %v", expr, err)
	}
	return v
}

// acceptLanguage makes the browser ask for pages in lang, as a phone set
// to that language does (headless Chromium asks for en-US whatever --lang says).
func acceptLanguage(lang string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		if _, err := cdp.Call(ctx, t, network.Enable, network.EnableParams{}); err != nil {
			return err
		}
		_, err := cdp.Call(ctx, t, network.SetExtraHTTPHeaders, network.SetExtraHTTPHeadersParams{Headers: network.Headers{"Accept-Language": lang}})
		return err
	})
}

// fits is "" when nothing of the page is wider than the phone's screen and
// the fields' text is large enough for a phone not to zoom (16 px).
const fits = `(function () {
  var bad = [];
  if (document.documentElement.scrollWidth > innerWidth) { bad.push('page ' + document.documentElement.scrollWidth + ' wide'); }
  document.querySelectorAll('input, button').forEach(function (e) {
    if (parseFloat(getComputedStyle(e).fontSize) < 16) { bad.push(e.id || e.tagName); }
  });
  return bad.join('; ');
})()`

// TestBrowserTracking drives the tracking pages in headless Chromium at a
// phone's size against a central server on loopback: the form without
// script leads to the answer (stage, due date, no personal data), the
// last four digits of the NIK unlock the ticket, an unknown code and a
// wrong second factor give the same page; in Indonesian and in English.
func TestBrowserTracking(t *testing.T) {
	r := newTrackRig(t, 0, 1000)
	b := browsertest.New(t, 390, 844)
	run := func(what string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(b, actions...); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	noPersonal := func(what string) {
		t.Helper()
		r.noPersonal(what, js[string](t, b, `document.documentElement.outerHTML + ' ' + document.body.innerText`))
	}
	done := r.reqs["done"]
	run("open /lacak", acceptLanguage("id-ID,id;q=0.9,en;q=0.8"), chromedp.Navigate(r.url+"/lacak"))
	if bad := js[string](t, b, fits); bad != "" {
		t.Errorf("/lacak does not fit a phone: %s", bad)
	}
	shot(t, b, "tracking-form-id.png")
	// Typed as a person reads it off the paper: lower case, spaces.
	typed := strings.ToLower(strings.ReplaceAll(done.TrackingCode, "-", " "))
	run("look up the code", chromedp.SendKeys(chromedp.CSS("#code"), typed), chromedp.Submit(chromedp.CSS("#code")))
	run("the answer page", chromedp.WaitVisible(chromedp.CSS("#stage")))
	if got := js[string](t, b, `location.pathname`); got != "/lacak/"+done.TrackingCode {
		t.Errorf("the answer's address is %s", got)
	}
	for sel, want := range map[string]string{"#stage": "Selesai", "#service": "Izin Praktik Tenaga Kesehatan (SIP)", "#due": "Selasa, 31 Maret 2026",
		"#registered": "Selasa, 17 Maret 2026", "#office": "3273"} {
		if got := js[string](t, b, fmt.Sprintf(`document.querySelector(%q).innerText`, sel)); got != want {
			t.Errorf("%s shows %q, want %q", sel, got, want)
		}
	}
	if js[bool](t, b, `document.getElementById('ticket') !== null`) || strings.Contains(js[string](t, b, `document.body.innerText`), done.Ticket) {
		t.Errorf("the ticket shows without the second factor")
	}
	if bad := js[string](t, b, fits); bad != "" {
		t.Errorf("the answer does not fit a phone: %s", bad)
	}
	noPersonal("answer")
	shot(t, b, "tracking-answer-id.png")

	// A wrong second factor, then an unknown code: the same page.
	run("a wrong second factor", chromedp.SendKeys(chromedp.CSS("#nik4"), "0000"), chromedp.Submit(chromedp.CSS("#nik4")))
	run("the not-found page", chromedp.WaitVisible(chromedp.CSS("#notfound")))
	wrong := js[string](t, b, `document.documentElement.outerHTML`)
	shot(t, b, "tracking-notfound-id.png")
	run("an unknown code", chromedp.Navigate(r.url+"/lacak"), chromedp.SendKeys(chromedp.CSS("#code"), "HPRN-2345-6789"), chromedp.Submit(chromedp.CSS("#code")))
	run("the not-found page", chromedp.WaitVisible(chromedp.CSS("#notfound")))
	if got := js[string](t, b, `location.pathname`); got != "/lacak/HPRN-2345-6789" {
		t.Errorf("the unknown code's address: %s", got)
	}
	if unknown := js[string](t, b, `document.documentElement.outerHTML`); unknown != wrong {
		t.Errorf("an unknown code and a wrong second factor differ:\n%s\n---\n%s", unknown, wrong)
	}

	// The right digits unlock the ticket, the counter and the times.
	nik := r.people["done"].NIK
	run("the right second factor", chromedp.Navigate(r.url+"/lacak/"+done.TrackingCode),
		chromedp.SendKeys(chromedp.CSS("#nik4"), nik[len(nik)-4:]), chromedp.Submit(chromedp.CSS("#nik4")))
	run("the details", chromedp.WaitVisible(chromedp.CSS("#ticket")))
	if got := js[string](t, b, `document.getElementById('ticket').innerText + ' ' + document.getElementById('counter').innerText`); got != done.Ticket+" L1" {
		t.Errorf("unlocked: %q, want %s L1", got, done.Ticket)
	}
	if !js[bool](t, b, `document.getElementById('called') !== null && document.getElementById('done') !== null`) {
		t.Errorf("unlocked: the times are missing")
	}
	if strings.Contains(js[string](t, b, `location.href`), nik[len(nik)-4:]) {
		t.Errorf("the digits stay in the address")
	}
	noPersonal("unlocked")
	shot(t, b, "tracking-unlocked-id.png")

	// English, by the link on the page; a transferred request.
	tr := r.reqs["transferred"]
	run("English", chromedp.Navigate(r.url+"/lacak/"+tr.TrackingCode), chromedp.Click(chromedp.CSS("#lang")))
	run("the page in English", chromedp.WaitVisible(chromedp.CSS(`html[lang="en"] #stage`)))
	if got := js[string](t, b, `document.getElementById('stage').innerText`); got != "Transferred to another service: Building approval (PBG)" {
		t.Errorf("transferred, in English: %q", got)
	}
	if got := js[string](t, b, `document.getElementById('first-service').innerText`); got != "Business licensing help (NIB/OSS)" {
		t.Errorf("the first service: %q", got)
	}
	noPersonal("english")
	shot(t, b, "tracking-transferred-en.png")
	// A phone set to English gets English without asking.
	run("English form", acceptLanguage("en-US,en;q=0.9"), chromedp.Navigate(r.url+"/lacak"))
	if got := js[string](t, b, `document.querySelector('#lookup p').innerText`); got != "Enter the tracking code printed on your receipt." {
		t.Errorf("a phone in English: %q", got)
	}
	shot(t, b, "tracking-form-en.png")
}
