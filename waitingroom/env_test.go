package waitingroom

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/loket-id/loket/queue"
	"github.com/loket-id/loket/store"
)

var wib = time.FixedZone("WIB", 7*3600)

const (
	boardToken = "brd_7Hq2LrX9dVb3"
	kioskToken = "ksk_Wm4Tz8Pc1Nf6"
	kiosk2     = "ksk_Second2Kiosk"
	tabToken   = "srv_Tab1Survey77"
)

// env is a real store behind a real HTTP server on loopback.
type env struct {
	t       testing.TB
	st      *store.Store
	devices *MemoryDevices
	cfg     Config
	addr    string
	srv     *Server
	http    *http.Server
	cancel  context.CancelFunc
	done    chan struct{}
}

func counterName(_ *store.Tx, code string) string {
	if strings.HasPrefix(code, "L") {
		return "Loket " + code[1:]
	}
	return ""
}

func newEnv(t testing.TB, cfg Config) *env {
	t.Helper()
	st, err := store.Open(filepath.Join(t.TempDir(), store.FileName), store.Options{Location: wib})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if cfg.Office == "" {
		cfg.Office = "DPMPTSP Kota Bandung"
	}
	e := &env{t: t, st: st, cfg: cfg, devices: NewMemoryDevices(map[string]Device{
		boardToken: {ID: "B1", Role: RoleBoard, Name: "Board lobby"},
		kioskToken: {ID: "K1", Role: RoleKiosk, Name: "Kiosk lobby"},
		kiosk2:     {ID: "K2", Role: RoleKiosk, Name: "Kiosk 2"},
		tabToken:   {ID: "T1", Role: RoleSurvey, Name: "Survey tablet"},
	})}
	e.start("127.0.0.1:0")
	t.Cleanup(e.stop)
	return e
}

// start serves on addr (the same address again after a restart).
func (e *env) start(addr string) {
	e.t.Helper()
	srv, err := New(Options{Config: e.cfg, Store: e.st, Devices: e.devices, CounterName: counterName,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		e.t.Fatal(err)
	}
	var ln net.Listener
	for i := 0; ; i++ { // the old socket may linger a moment after a restart
		if ln, err = net.Listen("tcp", addr); err == nil || i == 50 {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err != nil {
		e.t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	e.srv, e.cancel, e.done, e.addr = srv, cancel, make(chan struct{}), ln.Addr().String()
	e.http = &http.Server{Handler: srv.Handler(), ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = srv.Run(ctx); close(e.done) }()
	go func() { _ = e.http.Serve(ln) }()
}

// stop ends the server: its listener and every open connection.
func (e *env) stop() {
	if e.http == nil {
		return
	}
	_ = e.http.Close()
	e.cancel()
	<-e.done
	e.http = nil
}

func (e *env) restart() {
	e.t.Helper()
	addr := e.addr
	e.stop()
	e.start(addr)
}

func (e *env) url(path string) string { return "http://" + e.addr + path }

// client is an HTTP client of a device: its first request carries the token.
func (e *env) client(token string) *deviceClient {
	jar, _ := cookiejar.New(nil)
	return &deviceClient{e: e, token: token, c: &http.Client{Jar: jar, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

type deviceClient struct {
	e     *env
	token string
	c     *http.Client
}

// withToken adds ?t= to path.
func withToken(path, token string) string {
	sep := "?"
	if strings.Contains(path, "?") {
		sep = "&"
	}
	return path + sep + "t=" + token
}

func (d *deviceClient) get(path string) *http.Response {
	d.e.t.Helper()
	resp, err := d.c.Get(d.e.url(withToken(path, d.token)))
	if err != nil {
		d.e.t.Fatal(err)
	}
	return resp
}

func (d *deviceClient) take(service, prio, key string) (*http.Response, Ticket) {
	d.e.t.Helper()
	body, _ := json.Marshal(ticketRequest{Service: service, Priority: prio, Key: key})
	req, _ := http.NewRequest(http.MethodPost, d.e.url(withToken("/kiosk/ticket?lang=id", d.token)), strings.NewReader(string(body)))
	req.Header.Set("Content-Type", "application/json")
	resp, err := d.c.Do(req)
	if err != nil {
		d.e.t.Fatal(err)
	}
	defer resp.Body.Close()
	var tk Ticket
	if resp.StatusCode < 300 {
		if err := json.NewDecoder(resp.Body).Decode(&tk); err != nil {
			d.e.t.Fatal(err)
		}
	}
	return resp, tk
}

// stream is a board's server-sent events, read in Go.
type stream struct {
	resp   *http.Response
	events chan string // the data of each state event, raw
}

func (e *env) openStream(t testing.TB, query string, lastID string) *stream {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, e.url(withToken("/board/events"+query, boardToken)), nil)
	if lastID != "" {
		req.Header.Set("Last-Event-ID", lastID)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "text/event-stream" {
		t.Fatalf("events: %s %s", resp.Status, resp.Header.Get("Content-Type"))
	}
	s := &stream{resp: resp, events: make(chan string, 1024)}
	go func() {
		defer close(s.events)
		sc := bufio.NewScanner(resp.Body)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			if data, ok := strings.CutPrefix(sc.Text(), "data: "); ok {
				s.events <- data
			}
		}
	}()
	t.Cleanup(func() { resp.Body.Close() })
	return s
}

// next is the next state, or an error after a while.
func (s *stream) next() (State, string, error) {
	select {
	case raw, ok := <-s.events:
		if !ok {
			return State{}, "", errors.New("stream closed")
		}
		var st State
		err := json.Unmarshal([]byte(raw), &st)
		return st, raw, err
	case <-time.After(20 * time.Second):
		return State{}, "", errors.New("no state within 20 s")
	}
}

// until reads states until one satisfies ok.
func (s *stream) until(t testing.TB, ok func(State) bool) State {
	t.Helper()
	for {
		st, _, err := s.next()
		if err != nil {
			t.Fatal(err)
		}
		if ok(st) {
			return st
		}
	}
}

var clerk2 = queue.Actor{Counter: "L2", Clerk: "Sari"}

// secret is an applicant whose data must never reach a board.
var secret = queue.NewRequest{Service: "A", Name: "Rahasia Sekali Wibowo", NIK: "3273015507900123", Phone: "0812-9876-5432"}
