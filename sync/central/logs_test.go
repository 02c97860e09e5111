package central

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/loket-id/loket/queue"
	"github.com/loket-id/loket/store"
	"github.com/loket-id/loket/sync/station"
)

// TestCatalogAdoptionAndQuietLogs: a published catalog reaches the station
// on its next sync, and the server's log never holds a token, NIK or phone,
// whatever happens (good pushes, refusals, a wrong token).
func TestCatalogAdoptionAndQuietLogs(t *testing.T) {
	ctx := context.Background()
	cs, err := OpenBolt(t.TempDir(), time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer cs.Close()
	_, token, _ := cs.AddStation("3273", "L1", "", time.Now())
	var logs bytes.Buffer
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	sctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go (&Server{Storage: cs, Log: slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))}).Serve(sctx, ln, "", "")

	st, err := store.Open(filepath.Join(t.TempDir(), store.FileName), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	nik, phone := "3201014107900001", "+6281234567890"
	if _, err := st.Register(ctx, queue.NewRequest{Service: "A", Name: "Siti", NIK: nik, Phone: phone}, queue.Actor{}); err != nil {
		t.Fatal(err)
	}
	cat := queue.DefaultCatalog()[:3]
	cat = append(cat, queue.Service{Code: "K", NameID: "Layanan Baru", NameEN: "New service", Active: true})
	if v, err := cs.PublishCatalog(cat); err != nil || v != 1 {
		t.Fatal(v, err)
	}
	c := &station.Client{URL: "http://" + ln.Addr().String(), Token: token, Store: st}
	res, err := c.Sync(ctx)
	if err != nil || !res.CatalogAdopted || res.CatalogVersion != 1 || res.Pending != 0 {
		t.Fatalf("sync: %+v %v", res, err)
	}
	if _, err := st.Register(ctx, queue.NewRequest{Service: "K", Name: "Budi", NIK: nik}, queue.Actor{}); err != nil {
		t.Fatalf("the published service is not usable: %v", err)
	}
	if _, err := st.Register(ctx, queue.NewRequest{Service: "H", Name: "Budi", NIK: nik}, queue.Actor{}); err == nil {
		t.Fatal("a service the central catalog dropped is still active")
	}
	if res, err := c.Sync(ctx); err != nil || res.CatalogAdopted {
		t.Fatalf("second sync adopted again: %+v %v", res, err)
	}
	(&station.Client{URL: c.URL, Token: "lkt_" + strings.Repeat("9", 64), Store: st}).Sync(ctx)
	for _, secret := range []string{token, "lkt_" + strings.Repeat("9", 64), nik, "81234567890"} {
		if strings.Contains(logs.String(), secret) {
			t.Fatalf("the server log holds %q:\n%s", secret, logs.String())
		}
	}
	if !strings.Contains(logs.String(), "batch stored") {
		t.Fatalf("nothing was logged: %s", logs.String())
	}
}

// TestRateLimit: past its burst, a station gets 429 with Retry-After, and
// another station is not affected.
func TestRateLimit(t *testing.T) {
	cs, err := OpenBolt(t.TempDir(), time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer cs.Close()
	_, busy, _ := cs.AddStation("T", "L1", "", time.Now())
	_, quiet, _ := cs.AddStation("T", "L2", "", time.Now())
	h := (&Server{Storage: cs, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Rate: 0.001, Burst: 2}).Handler()
	get := func(token string) *httptest.ResponseRecorder {
		r := httptest.NewRequest(http.MethodGet, "/v1/sync/state", nil)
		r.Header.Set("Authorization", "Bearer "+token)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		return w
	}
	for i, want := range []int{200, 200, 429, 429} {
		w := get(busy)
		if w.Code != want {
			t.Fatalf("request %d: %d, want %d", i+1, w.Code, want)
		}
		if want == 429 && (w.Header().Get("Retry-After") == "" || !strings.Contains(w.Body.String(), "rate_limited")) {
			t.Fatalf("429 without Retry-After or body: %v %s", w.Header(), w.Body)
		}
	}
	if w := get(quiet); w.Code != 200 {
		t.Fatalf("another station was limited too: %d", w.Code)
	}
}
