package waitingroom

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/loket-id/loket/queue"
	"github.com/loket-id/loket/speech"
)

var ctx = context.Background()

// TestDeviceAuth: every path needs a token of its role; ?t= is kept in an
// HttpOnly cookie of the role's path and the page reloads without it.
func TestDeviceAuth(t *testing.T) {
	e := newEnv(t, Config{})
	paths := []struct {
		method, path string
		role         Role
	}{
		{"GET", "/board", RoleBoard}, {"GET", "/board/events", RoleBoard}, {"GET", "/board/audio?ticket=A-001&counter=L1", RoleBoard},
		{"GET", "/board/assets/board.js", RoleBoard}, {"GET", "/kiosk", RoleKiosk}, {"GET", "/kiosk/state", RoleKiosk},
		{"POST", "/kiosk/ticket", RoleKiosk}, {"GET", "/kiosk/slip/01KB0000000000000000000000", RoleKiosk}, {"GET", "/kiosk/assets/kiosk.js", RoleKiosk},
	}
	for _, p := range paths {
		for _, tc := range []struct {
			name  string
			token string
			want  int
		}{
			{"no token", "", http.StatusUnauthorized},
			{"unknown token", "nope", http.StatusUnauthorized},
			{"other role", map[Role]string{RoleBoard: kioskToken, RoleKiosk: boardToken}[p.role], http.StatusForbidden},
		} {
			path := p.path
			if tc.token != "" {
				path = withToken(path, tc.token)
			}
			req, _ := http.NewRequest(p.method, e.url(path), strings.NewReader("{}"))
			req.Header.Set("Content-Type", "application/json")
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tc.want {
				t.Errorf("%s %s with %s: %d, want %d", p.method, p.path, tc.name, resp.StatusCode, tc.want)
			}
			if bytes.Contains(body, []byte(tc.token)) && tc.token != "" {
				t.Errorf("%s %s: the answer repeats the token", p.method, p.path)
			}
		}
	}
	// The first visit sets the cookie and reloads without the token.
	c := e.client(boardToken)
	resp := c.get("/board?lang=en")
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/board?lang=en" {
		t.Fatalf("first visit: %s to %q", resp.Status, resp.Header.Get("Location"))
	}
	var cookie *http.Cookie
	for _, ck := range resp.Cookies() {
		cookie = ck
	}
	if cookie == nil || cookie.Name != "loket_board" || cookie.Path != "/board" || !cookie.HttpOnly || cookie.SameSite != http.SameSiteStrictMode {
		t.Fatalf("cookie %+v", cookie)
	}
	resp, err := c.c.Get(e.url("/board?lang=en"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("with the cookie: %s", resp.Status)
	}
	// A revoked token stops working at once.
	e.devices.Revoke(boardToken)
	resp, _ = c.c.Get(e.url("/board"))
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("revoked: %s", resp.Status)
	}
}

// TestBoardFollowsTheStore: a call made on the store (as loket call makes
// it) reaches the board's stream with its counter's name and is announced;
// a new stream shows it without announcing it; a reconnecting one
// (Last-Event-ID) announces what it missed; a recall announces again; the
// waiting counts follow; a board of some services sees only those.
func TestBoardFollowsTheStore(t *testing.T) {
	e := newEnv(t, Config{})
	all := e.openStream(t, "", "")
	first := all.until(t, func(State) bool { return true })
	if len(first.Calls) != 0 || first.Announce != nil {
		t.Fatalf("first state of an empty day: %+v", first)
	}
	onlyB := e.openStream(t, "?services=B", "")
	onlyB.until(t, func(State) bool { return true })
	for _, svc := range []string{"A", "A", "B"} {
		if _, _, _, err := e.st.RegisterWalkIn(ctx, "", svc, queue.PriorityNone, queue.Actor{Counter: "K1", Clerk: "kiosk"}); err != nil {
			t.Fatal(err)
		}
	}
	st := all.until(t, func(s State) bool { return waiting(s, "A") == 2 && waiting(s, "B") == 1 })
	before := st.Seq
	r, err := e.st.CallNext(ctx, []string{"A"}, clerk2)
	if err != nil {
		t.Fatal(err)
	}
	st = all.until(t, func(s State) bool { return len(s.Announce) > 0 })
	want := Call{Seq: st.Announce[0].Seq, Ticket: r.Ticket, Service: "A", Counter: "L2", CounterName: "Loket 2", At: st.Announce[0].At}
	if !reflect.DeepEqual(st.Announce, []Call{want}) || st.Calls[0].Ticket != r.Ticket || waiting(st, "A") != 1 {
		t.Fatalf("after the call: %+v", st)
	}
	// A board of B sees the counts of B only, and no call of A.
	b := onlyB.until(t, func(s State) bool { return s.Seq >= st.Seq })
	if len(b.Calls) != 0 || len(b.Announce) != 0 || len(b.Lines) != 1 || b.Lines[0].Service != "B" {
		t.Fatalf("board of B: %+v", b)
	}
	// A reload: the current state, nothing announced.
	fresh := e.openStream(t, "", "").until(t, func(State) bool { return true })
	if fresh.Calls[0].Ticket != r.Ticket || len(fresh.Announce) != 0 {
		t.Fatalf("new stream: %+v", fresh)
	}
	// A reconnect after a drop announces the call it missed.
	again := e.openStream(t, "", itoa(before)).until(t, func(State) bool { return true })
	if len(again.Announce) != 1 || again.Announce[0].Ticket != r.Ticket {
		t.Fatalf("reconnect from %d: %+v", before, again)
	}
	// A recall announces again.
	if _, err := e.st.Act(ctx, r.Ticket, queue.ActRecall, "", clerk2); err != nil {
		t.Fatal(err)
	}
	st = all.until(t, func(s State) bool { return len(s.Announce) > 0 })
	if !st.Announce[0].Recall || st.Announce[0].Ticket != r.Ticket || len(st.Calls) != 1 {
		t.Fatalf("recall: %+v", st)
	}
}

func itoa(n uint64) string { b, _ := json.Marshal(n); return string(b) }

func waiting(s State, svc string) int {
	for _, l := range s.Lines {
		if l.Service == svc {
			return l.Waiting
		}
	}
	return -1
}

// TestNoPersonalData: what a board receives holds no name, NIK or phone of
// anyone, called or waiting, identified at registration or at the counter;
// its types have no field for one.
func TestNoPersonalData(t *testing.T) {
	e := newEnv(t, Config{})
	s := e.openStream(t, "", "")
	s.until(t, func(State) bool { return true })
	r, err := e.st.Register(ctx, secret, clerk2)
	if err != nil {
		t.Fatal(err)
	}
	w, _, _, err := e.st.RegisterWalkIn(ctx, "", "A", queue.PriorityNone, clerk2)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.st.CallNext(ctx, nil, clerk2); err != nil {
		t.Fatal(err)
	}
	if _, _, err := e.st.Identify(ctx, "", w.Ticket, queue.Identity{Name: "Dewi Tersembunyi", NIK: "3273014107900456", Phone: "081311112222"}, clerk2); err != nil {
		t.Fatal(err)
	}
	if _, err := e.st.CallNext(ctx, nil, clerk2); err != nil {
		t.Fatal(err)
	}
	var raws []string
	for len(raws) == 0 || !strings.Contains(raws[len(raws)-1], w.Ticket) {
		_, raw, err := s.next()
		if err != nil {
			t.Fatal(err)
		}
		raws = append(raws, raw)
	}
	raws = append(raws, e.openStream(t, "", "0").until(t, func(State) bool { return true }).json(t))
	resp := e.client(kioskToken).get("/kiosk/state")
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	raws = append(raws, string(body))
	// Times carry digits of their own (…22:20:50.115432146Z holds "5432"):
	// they are not personal data, so they are left out of the search.
	timestamp := regexp.MustCompile(`\d{4}-\d\d-\d\dT[0-9:.]+(Z|[+-]\d\d:\d\d)`)
	for _, raw := range raws {
		raw = timestamp.ReplaceAllString(raw, "TIME")
		for _, bad := range []string{"Rahasia", "Wibowo", "3273015507900123", "0123", "9876", "5432", "Dewi", "3273014107900456", "1111", "2222",
			r.TrackingCode, w.TrackingCode, `"name"`, `"nik"`, `"phone"`} {
			if strings.Contains(raw, bad) {
				t.Errorf("a board or kiosk state holds %q: %s", bad, raw)
			}
		}
	}
	for _, typ := range []any{State{}, Call{}, Line{}} {
		rt := reflect.TypeOf(typ)
		for i := 0; i < rt.NumField(); i++ {
			n := strings.ToLower(rt.Field(i).Name)
			if strings.Contains(n, "nik") || n == "name" || strings.Contains(n, "phone") || strings.Contains(n, "tracking") {
				t.Errorf("%s has a field %s", rt.Name(), rt.Field(i).Name)
			}
		}
	}
}

func (s State) json(t testing.TB) string {
	b, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestSlowBoardDropped: publishing never waits for a board; a board that
// does not read is dropped when its buffer is full (its page reconnects),
// and the others get every message.
func TestSlowBoardDropped(t *testing.T) {
	f := newFeed(nil, nil)
	slow, _ := f.subscribe()
	fast, _ := f.subscribe()
	got := make(chan uint64)
	go func() {
		for m := range fast.ch {
			got <- m.state.Seq
		}
		close(got)
	}()
	const n = subBuffer * 4
	for i := 0; i < n; i++ {
		f.publish(&State{Seq: uint64(i)}, nil) // never waits, whatever the boards do
		if seq := <-got; seq != uint64(i) {
			t.Fatalf("the board that reads got message %d, want %d", seq, i)
		}
	}
	for buffered := 0; ; buffered++ {
		select {
		case _, ok := <-slow.ch:
			if ok {
				continue
			}
			if buffered != subBuffer {
				t.Fatalf("the slow board had %d messages buffered, want %d", buffered, subBuffer)
			}
		default:
			t.Fatal("the slow board was not dropped")
		}
		break
	}
	f.unsubscribe(fast)
	if f.dropped != 1 {
		t.Fatalf("dropped %d boards, want 1", f.dropped)
	}
}

// TestAudio: the spoken call is speech's own WAV for the ticket and the
// counter's code, cacheable; what cannot be read is 400.
func TestAudio(t *testing.T) {
	e := newEnv(t, Config{})
	a, err := speech.Default()
	if err != nil {
		t.Fatal(err)
	}
	c := e.client(boardToken)
	for _, tc := range []struct {
		query           string
		lang            string
		ticket, counter string
		chime           bool
	}{
		{"ticket=A-007&counter=L2&lang=id&chime=1", "id", "A-007", "L2", true},
		{"ticket=B-012&counter=L12&lang=en&chime=0", "en", "B-012", "L12", false},
		{"ticket=C-001&counter=3", "id", "C-001", "3", true},
	} {
		resp := c.get("/board/audio?" + tc.query)
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		want, err := a.Call(tc.lang, tc.ticket, tc.counter, tc.chime)
		if err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode != 200 || !bytes.Equal(body, want) || resp.Header.Get("Content-Type") != "audio/wav" ||
			!strings.Contains(resp.Header.Get("Cache-Control"), "max-age") {
			t.Errorf("%s: %s %s %q, %d bytes (want %d)", tc.query, resp.Status, resp.Header.Get("Content-Type"), resp.Header.Get("Cache-Control"), len(body), len(want))
		}
	}
	for _, q := range []string{"ticket=A-007&counter=%F0%9F%98%80", "ticket=&counter=L1", "ticket=A-001&counter=L1&lang=fr"} {
		resp := c.get("/board/audio?" + q)
		resp.Body.Close()
		if resp.StatusCode != http.StatusBadRequest {
			t.Errorf("%s: %s, want 400", q, resp.Status)
		}
	}
}

// TestKiosk: one touch registers a walk-in without identity and answers
// with the slip; a retry with the same key gives the same number; the slip
// PDF has the ticket; another kiosk cannot read it; bad input is 400 and
// writes nothing; more than the configured numbers a minute is 429.
func TestKiosk(t *testing.T) {
	e := newEnv(t, Config{Kiosk: KioskConfig{TicketsPerMinute: 3}})
	c := e.client(kioskToken)
	resp, tk := c.take("B", "pregnant", "01KB0000000000000000000001")
	if resp.StatusCode != http.StatusCreated || tk.Ticket != "B-001" || tk.Ahead != 0 || tk.PriorityName != "Ibu hamil" ||
		!strings.HasPrefix(tk.QR, "data:image/png;base64,") || tk.ServiceName != "Persetujuan Bangunan Gedung (PBG)" {
		t.Fatalf("take: %s %+v", resp.Status, tk)
	}
	resp, again := c.take("B", "pregnant", "01KB0000000000000000000001")
	if resp.StatusCode != http.StatusOK || again.ID != tk.ID {
		t.Fatalf("retry: %s %+v", resp.Status, again)
	}
	r, err := e.st.Get(ctx, tk.ID)
	if err != nil || !r.Anonymous() || r.Status != queue.StatusWaiting || r.Priority != queue.PriorityPregnant {
		t.Fatalf("stored: %+v, %v", r, err)
	}
	for _, body := range []string{`{"service":"Z","key":""}`, `{"service":"B","priority":"vip"}`, `{"service":"B","key":"x"}`, `{"service":"B","name":"Siti"}`} {
		req, _ := http.NewRequest(http.MethodPost, e.url("/kiosk/ticket"), strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		resp, err := c.c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusBadRequest {
			t.Errorf("%s: %s, want 400", body, resp.Status)
		}
	}
	if resp, tk2 := c.take("B", "", ""); tk2.Ahead != 1 || tk2.Ticket != "B-002" {
		t.Fatalf("second number: %s %+v", resp.Status, tk2)
	}
	if resp, _ := c.take("C", "", ""); resp.StatusCode != http.StatusCreated {
		t.Fatalf("third number: %s", resp.Status)
	}
	if resp, _ := c.take("B", "", ""); resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") == "" {
		t.Fatalf("fourth number in a minute: %s", resp.Status)
	}
	if resp, _ := e.client(kiosk2).take("A", "", ""); resp.StatusCode != http.StatusCreated {
		t.Fatalf("another kiosk has its own limit: %s", resp.Status)
	}
	resp = c.get(tk.Slip)
	pdf, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/pdf" {
		t.Fatalf("slip: %s", resp.Status)
	}
	text := pdfText(t, pdf)
	for _, w := range []string{"B-001", "NOMOR ANTREAN", "Persetujuan Bangunan Gedung", tk.TrackingCode, "Menunggu di depan Anda: 0"} {
		if !strings.Contains(text, w) {
			t.Errorf("slip lacks %q:\n%s", w, text)
		}
	}
	resp = e.client(kiosk2).get(tk.Slip)
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Fatalf("another kiosk's slip: %s", resp.Status)
	}
}

// TestPageSize: a board with its assets is under 200 KB.
func TestPageSize(t *testing.T) {
	e := newEnv(t, Config{Board: BoardConfig{RunningText: strings.Repeat("Selamat datang. ", 20)}})
	c := e.client(boardToken)
	total := 0
	for _, p := range []string{"/board", "/board/assets/board.css", "/board/assets/board.js"} {
		resp := c.get(p)
		if resp.StatusCode == http.StatusSeeOther {
			resp.Body.Close()
			resp, _ = c.c.Get(e.url(p))
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Fatalf("%s: %s", p, resp.Status)
		}
		total += len(b)
	}
	t.Logf("board page with its assets: %d bytes", total)
	if total > 200*1024 {
		t.Fatalf("board page with its assets: %d bytes, over 200 KB", total)
	}
}

// pdfText is pdftotext's reading; without poppler the test skips (fails under CI).
func pdfText(t *testing.T, pdf []byte) string {
	t.Helper()
	if _, err := exec.LookPath("pdftotext"); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("pdftotext (poppler-utils) is missing")
		}
		t.Skip("pdftotext (poppler-utils) is missing")
	}
	p := filepath.Join(t.TempDir(), "slip.pdf")
	if err := os.WriteFile(p, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("pdftotext", p, "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	return strings.Join(strings.Fields(string(out)), " ")
}
