package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/loket-id/loket/internal/browsertest"
)

// TestHubBoardInBrowser: the board served by a real `loket hub` process,
// open in headless Chromium with a registered board token, shows a call
// made by another process (`loket call`, through the hub's owner socket)
// and the call of a counter behind the hub, and never the applicant's name
// or NIK; the kiosk's page, with a kiosk token, registers a walk-in with
// one touch, and that walk-in is called like any other.
func TestHubBoardInBrowser(t *testing.T) {
	browsertest.Chromium(t)
	hte := hubEnv(t)
	addr := freeAddr(t)
	h := startHub(t, hte, addr, "")
	device := func(name, role string) string {
		var v struct{ Token string }
		if err := json.Unmarshal([]byte(hte.mustRun("hub", "device", "add", name, "--role", role, "--format", "json")), &v); err != nil {
			t.Fatal(err)
		}
		return h.url() + "/" + role + "?t=" + v.Token
	}
	boardURL, kioskURL := device("TV1", "board"), device("K1", "kiosk")

	b := browsertest.New(t, 1920, 1080)
	if err := chromedp.Do(b, chromedp.Navigate(boardURL)); err != nil {
		t.Fatal(err)
	}
	browsertest.WaitJS(t, b, "the board", `document.getElementById('cur-ticket') !== null`)

	hte.mustRun("add", "--service", "A", "--name", "Rahasia Wibowo", "--nik", nik)
	hte.mustRun("call")
	took := browsertest.WaitJS(t, b, "a call made with loket call", `document.getElementById('cur-ticket').textContent === 'A-001'`)
	t.Logf("loket call on the hub PC to the board: %v", took)

	counter := counterEnv(t, h.url(), addCounter(t, hte, "L2", "--name", "Loket 2"))
	counter.mustRun("add", "--service", "A", "--name", "Dewi Tersembunyi", "--nik", "3273014107900456")
	counter.mustRun("call")
	took = browsertest.WaitJS(t, b, "a call made at a counter behind the hub", `document.getElementById('cur-ticket').textContent === 'A-002'`)
	t.Logf("loket call at a counter behind the hub to the board: %v", took)

	text, err := chromedp.Run(b, chromedp.Evaluate[string](`document.body.innerText`))
	if err != nil {
		t.Fatal(err)
	}
	for _, secret := range []string{"Rahasia", "Wibowo", "Dewi", nik, "3273014107900456", "0001", "0456"} {
		if strings.Contains(text, secret) {
			t.Errorf("the board shows %q:\n%s", secret, text)
		}
	}

	k := browsertest.New(t, 1080, 1920)
	if err := chromedp.Do(k, chromedp.Navigate(kioskURL)); err != nil {
		t.Fatal(err)
	}
	browsertest.WaitJS(t, k, "the kiosk's services", `document.querySelector('#services button[data-service="B"]') !== null`)
	if err := chromedp.Do(k, chromedp.Click(chromedp.CSS(`#services button[data-service="B"]`))); err != nil {
		t.Fatal(err)
	}
	browsertest.WaitJS(t, k, "the kiosk's slip", `!document.getElementById('overlay').hidden && document.getElementById('s-ticket').textContent === 'B-001'`)
	counter.mustRun("call", "--service", "B")
	browsertest.WaitJS(t, b, "the kiosk's number called", `document.getElementById('cur-ticket').textContent === 'B-001'`)
	if out := hte.mustRun("show", "B-001"); !strings.Contains(out, "L2") {
		t.Fatalf("the kiosk's walk-in was not called by L2:\n%s", out)
	}
}
