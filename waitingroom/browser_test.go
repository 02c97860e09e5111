package waitingroom

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/loket-id/loket/internal/browsertest"
	"github.com/loket-id/loket/queue"
	"github.com/loket-id/loket/speech"
)

// The browser tests drive the pages in headless Chromium (Debian's
// chromium) against a real server on loopback. Without chromium they skip,
// except under CI, where they fail.

var docsFlag = flag.Bool("docs", false, "write the screenshots of the board and the kiosk to ../docs")

func chromium(t *testing.T) string { return browsertest.Chromium(t) }

// browser starts a headless Chromium with a w x h viewport.
func browser(t *testing.T, w, h int64) context.Context { return browsertest.New(t, w, h) }

// fakeAudio replaces playing with a check: the page's audio is fetched and
// decoded by the browser (a valid WAV, or the record says not), then "ends"
// a moment later. Every play is recorded in window.__audio, with whether
// another was still playing when it began.
const fakeAudio = `
window.__audio = [];
HTMLMediaElement.prototype.play = function () {
  var el = this;
  var rec = { src: el.getAttribute('src') || el.src, start: Date.now(), end: 0, ok: false, duration: 0,
              overlap: window.__audio.some(function (r) { return r.end === 0; }) };
  window.__audio.push(rec);
  return fetch(el.src).then(function (r) { return r.arrayBuffer(); })
    .then(function (b) { return new OfflineAudioContext(1, 1, 16000).decodeAudioData(b); })
    .then(function (buf) {
      rec.ok = true; rec.duration = buf.duration;
      setTimeout(function () { rec.end = Date.now(); el.dispatchEvent(new Event('ended')); }, 150);
    }, function (err) { rec.end = Date.now(); rec.err = String(err); el.dispatchEvent(new Event('error')); });
};`

func addScript(src string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := cdp.Call(ctx, t, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: src})
		return err
	})
}

// waitJS waits until the expression is true.
func waitJS(t *testing.T, ctx context.Context, what, expr string) time.Duration {
	return browsertest.WaitJS(t, ctx, what, expr)
}

func evalJS[T any](t *testing.T, ctx context.Context, expr string) T {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		t.Fatalf("%s: %v", expr, err)
	}
	return v
}

func screenshot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	if !*docsFlag {
		return
	}
	png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join("..", "docs", name), png, 0o644); err != nil {
		t.Fatal(err)
	}
}

// noOverflow checks that the board's parts lie inside the screen.
const noOverflow = `(function () {
  var bad = [];
  ['#office', '#clock', '#cur-ticket', '#cur-counter', '#recent-list li:last-child', '#lines .line:last-child', '#running'].forEach(function (s) {
    var e = document.querySelector(s); if (!e) { return; }
    var r = e.getBoundingClientRect();
    if (s !== '#running' && (r.right > innerWidth + 1 || r.bottom > innerHeight + 1 || r.left < -1)) { bad.push(s + ' ' + JSON.stringify(r)); }
  });
  return bad.join('; ');
})()`

// TestBrowserBoard: the board shows a call made on the store (as loket call
// makes it) with its counter's name, the waiting counts, the calls spoken in
// order one after another (speech's own WAV, which the browser decodes),
// never a name or NIK; a reload announces nothing; it survives a restart of
// the server on the same address; it fits 1920x1080 and 1366x768.
func TestBrowserBoard(t *testing.T) {
	e := newEnv(t, Config{Board: BoardConfig{RunningText: "Selamat datang di Mal Pelayanan Publik. Layanan tidak dipungut biaya. Siapkan KTP Anda sebelum dipanggil."}})
	kioskActor := queue.Actor{Counter: "K1", Clerk: "kiosk"}
	if _, err := e.st.Register(ctx, secret, clerk2); err != nil {
		t.Fatal(err)
	}
	for _, svc := range []string{"A", "A", "A", "B", "B", "C", "D", "E", "G", "H", "H"} {
		if _, _, _, err := e.st.RegisterWalkIn(ctx, "", svc, queue.PriorityNone, kioskActor); err != nil {
			t.Fatal(err)
		}
	}
	b := browser(t, 1920, 1080)
	if err := chromedp.Do(b, addScript(fakeAudio), chromedp.Navigate(e.url(withToken("/board", boardToken)))); err != nil {
		t.Fatal(err)
	}
	if u := evalJS[string](t, b, "location.href"); strings.Contains(u, "t=") {
		t.Fatalf("the token stays in the address: %s", u)
	}
	waitJS(t, b, "waiting counts", `document.querySelector('.line[data-service="A"] b') && document.querySelector('.line[data-service="A"] b').textContent === '4' && document.querySelector('.line[data-service="H"] b').textContent === '2'`)

	// Three calls at three counters in quick succession.
	var called []queue.Request
	var shown []time.Duration
	for _, c := range []queue.Actor{clerk2, {Counter: "L5", Clerk: "Budi"}, {Counter: "L1", Clerk: "Ani"}} {
		r, err := e.st.CallNext(ctx, []string{"A"}, c)
		if err != nil {
			t.Fatal(err)
		}
		called = append(called, r)
		shown = append(shown, waitJS(t, b, "the call on the board", fmt.Sprintf(
			`document.getElementById('cur-ticket').textContent === %q && document.getElementById('cur-counter').textContent === %q`,
			r.Ticket, counterName(nil, c.Counter))))
	}
	t.Logf("calls shown on the board after %v", shown)
	waitJS(t, b, "three calls spoken", `window.__audio.length === 3 && window.__audio.every(function (r) { return r.end > 0; })`)
	type rec struct {
		Src      string
		Start    int64
		End      int64
		OK       bool
		Duration float64
		Overlap  bool
		Err      string
	}
	plays := evalJS[[]rec](t, b, `window.__audio`)
	a, err := speech.Default()
	if err != nil {
		t.Fatal(err)
	}
	c := e.client(boardToken)
	for i, p := range plays {
		r := called[i]
		if !p.OK || p.Overlap || p.Duration < 3 || (i > 0 && p.Start < plays[i-1].End) {
			t.Errorf("play %d %+v: not decoded, or over another", i, p)
		}
		if !strings.Contains(p.Src, "ticket="+r.Ticket+"&") || !strings.Contains(p.Src, "counter="+r.Counter) {
			t.Errorf("play %d is %s, want the call of %s at %s", i, p.Src, r.Ticket, r.Counter)
		}
		resp := c.get(p.Src)
		got, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		want, err := a.Call("id", r.Ticket, r.Counter, true)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("the board's audio of %s at %s is not speech's call (%d bytes, want %d)", r.Ticket, r.Counter, len(got), len(want))
		}
	}
	if n := evalJS[int](t, b, `document.querySelectorAll('#recent-list li').length`); n != 2 {
		t.Errorf("recent calls listed: %d, want 2", n)
	}
	html := evalJS[string](t, b, `document.documentElement.outerHTML + JSON.stringify(window.loketBoard.state)`)
	for _, bad := range []string{"Rahasia", "Wibowo", secret.NIK, "9876"} {
		if strings.Contains(html, bad) {
			t.Errorf("the board shows %q", bad)
		}
	}
	// The last five calls, for the picture.
	for _, svc := range []string{"B", "H"} {
		if _, err := e.st.CallNext(ctx, []string{svc}, queue.Actor{Counter: "L" + map[string]string{"B": "3", "H": "4"}[svc]}); err != nil {
			t.Fatal(err)
		}
	}
	r, err := e.st.CallNext(ctx, []string{"A"}, queue.Actor{Counter: "L2"})
	if err != nil {
		t.Fatal(err)
	}
	waitJS(t, b, "the last call", fmt.Sprintf(`document.getElementById('cur-ticket').textContent === %q && document.querySelectorAll('#recent-list li').length === 5 && window.__audio.length === 6`, r.Ticket))
	if bad := evalJS[string](t, b, noOverflow); bad != "" {
		t.Errorf("1920x1080: outside the screen: %s", bad)
	}
	waitJS(t, b, "the audio queue drained", `window.__audio.every(function (r) { return r.end > 0; })`)
	if err := chromedp.Do(b, chromedp.Evaluate[chromedp.Void](`document.getElementById('current').classList.remove('flash')`)); err != nil {
		t.Fatal(err)
	}
	screenshot(t, b, "board-1920x1080.png")

	// A reload shows the state and announces nothing.
	if err := chromedp.Do(b, chromedp.Reload()); err != nil {
		t.Fatal(err)
	}
	waitJS(t, b, "the state after a reload", fmt.Sprintf(`window.loketBoard && window.loketBoard.state && document.getElementById('cur-ticket').textContent === %q`, r.Ticket))
	if n := evalJS[int](t, b, `window.__audio.length + window.loketBoard.heard.length`); n != 0 {
		t.Fatalf("a reload announced %d calls", n)
	}

	// The server restarts on the same address; the board comes back by itself.
	e.restart()
	r2, err := e.st.CallNext(ctx, []string{"B"}, queue.Actor{Counter: "L3"})
	if err != nil {
		t.Fatal(err)
	}
	waitJS(t, b, "a call after the server restarted", fmt.Sprintf(`document.getElementById('cur-ticket').textContent === %q && window.loketBoard.connected`, r2.Ticket))
	waitJS(t, b, "the call after the restart spoken once", fmt.Sprintf(
		`window.__audio.filter(function (r) { return r.src.indexOf('ticket=%s&') >= 0; }).length === 1 && window.loketBoard.heard.length === 1`, r2.Ticket))

	// A recall speaks again.
	if _, err := e.st.Act(ctx, r2.Ticket, queue.ActRecall, "", queue.Actor{Counter: "L3"}); err != nil {
		t.Fatal(err)
	}
	waitJS(t, b, "the recall spoken", `window.loketBoard.heard.length === 2`)

	// 1366x768 still fits.
	if err := chromedp.Do(b, chromedp.EmulateViewport(1366, 768)); err != nil {
		t.Fatal(err)
	}
	if bad := evalJS[string](t, b, noOverflow); bad != "" {
		t.Errorf("1366x768: outside the screen: %s", bad)
	}
	screenshot(t, b, "board-1366x768.png")
}

// TestBrowserKiosk: one touch on a service (with a priority) registers a
// walk-in without identity, shows the slip on screen and loads the slip PDF
// for printing; the PDF has the ticket.
func TestBrowserKiosk(t *testing.T) {
	e := newEnv(t, Config{})
	for _, svc := range []string{"A", "A", "B", "C", "F", "G", "G"} {
		if _, _, _, err := e.st.RegisterWalkIn(ctx, "", svc, queue.PriorityNone, queue.Actor{Counter: "K1", Clerk: "kiosk"}); err != nil {
			t.Fatal(err)
		}
	}
	b := browser(t, 1080, 1920)
	if err := chromedp.Do(b, chromedp.Navigate(e.url(withToken("/kiosk", kioskToken)))); err != nil {
		t.Fatal(err)
	}
	waitJS(t, b, "the services", `document.querySelectorAll('#services button').length === 8 && document.querySelector('#services button[data-service="A"] b').textContent === '2'`)
	screenshot(t, b, "kiosk-1080x1920.png")
	if err := chromedp.Do(b,
		chromedp.Click(chromedp.CSS(`#prio-list button[data-priority="elderly"]`)),
		chromedp.Click(chromedp.CSS(`#services button[data-service="A"]`))); err != nil {
		t.Fatal(err)
	}
	waitJS(t, b, "the slip on screen", `window.loketKiosk.tickets.length === 1 && !document.getElementById('overlay').hidden && document.getElementById('s-ticket').textContent === 'A-003'`)
	type ticket struct {
		ID, Ticket, Slip, Tracking_code string
		Ahead                           int
	}
	tk := evalJS[ticket](t, b, `window.loketKiosk.tickets[0]`)
	if tk.Ahead != 0 { // elderly: first in line
		t.Errorf("ahead of a priority walk-in: %d", tk.Ahead)
	}
	r, err := e.st.Get(ctx, tk.ID)
	if err != nil || !r.Anonymous() || r.Priority != queue.PriorityElderly || r.Status != queue.StatusWaiting || r.Ticket != "A-003" {
		t.Fatalf("the kiosk's walk-in: %+v, %v", r, err)
	}
	if src := evalJS[string](t, b, `document.getElementById('printer').getAttribute('src')`); src != tk.Slip {
		t.Errorf("the slip loaded for printing is %q, want %q", src, tk.Slip)
	}
	screenshot(t, b, "kiosk-ticket-1080x1920.png")
	resp := e.client(kioskToken).get(tk.Slip)
	pdf, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("slip: %s", resp.Status)
	}
	text := pdfText(t, pdf)
	for _, w := range []string{"A-003", r.TrackingCode, "Lansia", "Menunggu di depan Anda: 0"} {
		if !strings.Contains(text, w) {
			t.Errorf("the slip lacks %q: %s", w, text)
		}
	}
	// Done: back to the services, the priority reset.
	if err := chromedp.Do(b, chromedp.Click(chromedp.CSS(`#s-done`))); err != nil {
		t.Fatal(err)
	}
	waitJS(t, b, "back to the services", `document.getElementById('overlay').hidden && document.querySelector('#prio-list button[data-priority=""]').getAttribute('aria-checked') === 'true'`)
}
