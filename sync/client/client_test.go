package client

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"path/filepath"
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
	go central.Serve(sctx, ln, cs, slog.New(slog.NewTextHandler(io.Discard, nil)), "", "")
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
	go central.Serve(sctx, ln, cs, slog.New(slog.NewTextHandler(io.Discard, nil)), "", "")
	res, err := (&Client{URL: "http://" + ln.Addr().String(), Token: token, Store: st}).Sync(ctx)
	if err != nil || res.Sent != 0 || res.Pending != 0 || res.HighWater != 3 {
		t.Fatalf("sync after a lost answer: %+v %v", res, err)
	}
}
