package station

import (
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/loket-id/loket/queue"
	"github.com/loket-id/loket/store"
	"github.com/loket-id/loket/sync/central"
	"github.com/loket-id/loket/sync/protocol"
)

func TestBackoff(t *testing.T) {
	for n := 0; n < 30; n++ {
		limit := min(2*time.Second<<min(n, 20), 5*time.Minute)
		for range 50 {
			if d := Backoff(n, 2*time.Second, 5*time.Minute); d < 0 || d > limit {
				t.Fatalf("Backoff(%d) = %v, want within [0, %v]", n, d, limit)
			}
		}
	}
}

// TestSyncerStatus: offline, then online with nothing pending.
func TestSyncerStatus(t *testing.T) {
	ctx := context.Background()
	st, err := store.Open(filepath.Join(t.TempDir(), store.FileName), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, err := st.Register(ctx, queue.NewRequest{Service: "A", Name: "Siti", NIK: "3201014107900001"}, queue.Actor{}); err != nil {
		t.Fatal(err)
	}
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := ln.Addr().String()
	ln.Close() // nothing listens there now
	var seen []Status
	s := &Syncer{Client: &Client{URL: "http://" + addr, Token: "x", Store: st, HTTP: nil}, OnStatus: func(s Status) { seen = append(seen, s) }}
	if _, err := s.SyncNow(ctx); !errors.Is(err, ErrUnreachable) {
		t.Fatalf("no server: %v", err)
	}
	if got := s.Status(); got.Online || got.Pending != 1 || len(got.Errors) != 1 || got.LastError == "" {
		t.Fatalf("offline status = %+v", got)
	}

	cs, err := central.OpenBolt(t.TempDir(), time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer cs.Close()
	_, token, _ := cs.AddStation("T", "L1", "", time.Now())
	ln, err = net.Listen("tcp", addr)
	if err != nil {
		t.Skipf("port taken meanwhile: %v", err)
	}
	sctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go (&central.Server{Storage: cs, Log: slog.New(slog.NewTextHandler(io.Discard, nil))}).Serve(sctx, ln, "", "")
	s.Client.Token = token
	if _, err := s.SyncNow(ctx); err != nil {
		t.Fatal(err)
	}
	if got := s.Status(); !got.Online || got.Pending != 0 || got.LastSync.IsZero() || got.LastError != "" {
		t.Fatalf("online status = %+v", got)
	}
	if len(seen) < 4 || !seen[0].Syncing {
		t.Fatalf("status updates: %+v", seen)
	}
}

// TestAcknowledgedWhenAnswerWasLost: the server stored a batch but its
// answer never arrived; the next sync has nothing to send and must still
// record the events as acknowledged (nothing pending, exit 0 at night).
func TestAcknowledgedWhenAnswerWasLost(t *testing.T) {
	ctx := context.Background()
	st, err := store.Open(filepath.Join(t.TempDir(), store.FileName), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	for range 3 {
		st.Register(ctx, queue.NewRequest{Service: "A", Name: "Siti", NIK: "3201014107900001"}, queue.Actor{})
	}
	cs, err := central.OpenBolt(t.TempDir(), time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer cs.Close()
	_, token, _ := cs.AddStation("T", "L1", "", time.Now())
	// The batch reaches the server; the station never hears back.
	var evs []queue.Event
	st.View(ctx, func(tx *store.Tx) error { evs, err = tx.Events(0, 0); return err })
	var batch []protocol.Event
	for _, e := range evs {
		batch = append(batch, protocol.FromStore(e))
	}
	if _, err := cs.Ingest("T/L1", batch, time.Time{}, time.Now()); err != nil {
		t.Fatal(err)
	}
	if s, _ := st.SyncState(ctx); s.Pending() != 3 {
		t.Fatalf("before: %d pending", s.Pending())
	}
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	sctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go (&central.Server{Storage: cs, Log: slog.New(slog.NewTextHandler(io.Discard, nil))}).Serve(sctx, ln, "", "")
	res, err := (&Client{URL: "http://" + ln.Addr().String(), Token: token, Store: st}).Sync(ctx)
	if err != nil || res.Sent != 0 || res.Pending != 0 || res.HighWater != 3 {
		t.Fatalf("sync after a lost answer: %+v %v", res, err)
	}
}

// TestNoProgress: a server that keeps answering 409 gap with the same
// expected sequence, or 200 with a high-water mark that does not move (or
// moves back), is given MaxSetbacks answers; then the sync stops with
// ErrNoProgress, wrapped in ErrUnreachable (back off, exit 3), instead of
// sending thousands of requests. One gap, as from a server restored in
// the middle of a sync, is no failure.
func TestNoProgress(t *testing.T) {
	ctx := context.Background()
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	st, err := store.Open(filepath.Join(t.TempDir(), store.FileName), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	for range 5 {
		if _, err := st.Register(ctx, queue.NewRequest{Service: "A", Name: "Siti", NIK: "3201014107900001"}, queue.Actor{}); err != nil {
			t.Fatal(err)
		}
	}
	lastSeq := func(r *http.Request) uint64 {
		zr, err := gzip.NewReader(r.Body)
		if err != nil {
			t.Error(err)
			return 0
		}
		var b protocol.Batch
		if err := json.NewDecoder(zr).Decode(&b); err != nil || len(b.Events) == 0 {
			t.Error(err)
			return 0
		}
		return b.Events[len(b.Events)-1].Seq
	}
	gap := func(w http.ResponseWriter, expected uint64) {
		w.WriteHeader(http.StatusConflict)
		json.NewEncoder(w).Encode(protocol.Error{Code: protocol.CodeGap, Message: "gap", Expected: expected})
	}
	tests := []struct {
		name   string
		answer func(w http.ResponseWriter, r *http.Request, n int) // n: the POST's number, from 1
	}{
		{"409 gap with the same expected", func(w http.ResponseWriter, r *http.Request, n int) { gap(w, 1) }},
		{"200 that does not move", func(w http.ResponseWriter, r *http.Request, n int) {
			json.NewEncoder(w).Encode(protocol.State{Station: "T/L1", HighWater: 0})
		}},
		{"200 forward then back", func(w http.ResponseWriter, r *http.Request, n int) {
			hw := lastSeq(r)
			if n%2 == 0 {
				hw = 0
			}
			json.NewEncoder(w).Encode(protocol.State{Station: "T/L1", HighWater: hw})
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sctx, cancel := context.WithCancel(ctx)
			defer cancel()
			var posts atomic.Int32
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				switch r.URL.Path {
				case "/v2/sync/state":
					json.NewEncoder(w).Encode(protocol.State{Station: "T/L1"})
				case "/v2/catalog":
					w.WriteHeader(http.StatusNotFound)
					json.NewEncoder(w).Encode(protocol.Error{Code: protocol.CodeNoCatalog})
				case "/v2/sync/events":
					n := int(posts.Add(1))
					if n >= 100 { // the spinning client of old: stop it
						cancel()
					}
					tt.answer(w, r, n)
				}
			}))
			defer srv.Close()
			_, err := (&Client{URL: srv.URL, Token: "x", Store: st, BatchSize: 2, Log: quiet}).Sync(sctx)
			if !errors.Is(err, ErrNoProgress) || !errors.Is(err, ErrUnreachable) || !strings.Contains(err.Error(), "no progress") {
				t.Fatalf("after %d posts: %v; want ErrNoProgress", posts.Load(), err)
			}
			if n := posts.Load(); n > 2*MaxSetbacks {
				t.Fatalf("%d posts before giving up", n)
			}
		})
	}

	// One gap (a server restored mid-sync), then a real server: fine.
	cs, err := central.OpenBolt(t.TempDir(), time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer cs.Close()
	_, token, _ := cs.AddStation("T", "L1", "", time.Now())
	real := (&central.Server{Storage: cs, Log: quiet}).Handler()
	var gapped atomic.Bool
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/v2/sync/events" && gapped.CompareAndSwap(false, true) {
			gap(w, 1)
			return
		}
		real.ServeHTTP(w, r)
	}))
	defer srv.Close()
	if res, err := (&Client{URL: srv.URL, Token: token, Store: st, BatchSize: 2, Log: quiet}).Sync(ctx); err != nil || res.Pending != 0 || !gapped.Load() {
		t.Fatalf("one gap: %+v %v", res, err)
	}
}
