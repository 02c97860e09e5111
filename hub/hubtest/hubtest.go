// Package hubtest starts office hubs for tests: a store in a temporary
// directory and a hub serving it on loopback (127.0.0.1 only).
package hubtest

import (
	"context"
	"io"
	"log/slog"
	"net"
	"path/filepath"
	"testing"
	"time"

	"github.com/loket-id/loket/hub"
	"github.com/loket-id/loket/store"
)

// WIB is the office's zone in tests.
var WIB = time.FixedZone("WIB", 7*3600)

// Hub is a running hub and its store.
type Hub struct {
	Store  *store.Store
	Server *hub.Server
	URL    string
	Addr   string
	Dir    string

	opt    hub.Options
	cancel context.CancelFunc
	done   chan error
}

// Start opens a store in a temporary directory and serves it on a
// loopback port until the test ends.
func Start(t testing.TB, opt hub.Options) *Hub {
	t.Helper()
	return StartClock(t, opt, nil)
}

// StartClock is Start with the store's clock (nil: time.Now).
func StartClock(t testing.TB, opt hub.Options, clock func() time.Time) *Hub {
	t.Helper()
	dir := t.TempDir()
	st, err := store.Open(filepath.Join(dir, store.FileName), store.Options{Location: WIB, Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	h := &Hub{Store: st, Dir: dir, opt: opt}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	h.serve(t, ln)
	t.Cleanup(h.Stop)
	return h
}

// Logger is the hubs' logger in tests: quiet.
func Logger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func (h *Hub) serve(t testing.TB, ln net.Listener) {
	h.Addr = ln.Addr().String()
	scheme := "http://"
	if h.opt.CertFile != "" || h.opt.TLSConfig != nil {
		scheme = "https://"
	}
	h.URL = scheme + h.Addr
	h.Server = hub.New(h.Store, Logger(), h.opt)
	ctx, cancel := context.WithCancel(context.Background())
	h.cancel = cancel
	h.done = make(chan error, 1)
	go func() { h.done <- h.Server.Serve(ctx, ln) }()
}

// Stop shuts the hub down (its store stays open).
func (h *Hub) Stop() {
	if h.cancel == nil {
		return
	}
	h.cancel()
	<-h.done
	h.cancel = nil
}

// Restart starts a new server of the same store on the same address.
func (h *Hub) Restart(t testing.TB) {
	t.Helper()
	h.Stop()
	var ln net.Listener
	var err error
	for range 100 { // the port may take a moment to be free again
		if ln, err = net.Listen("tcp", h.Addr); err == nil {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err != nil {
		t.Fatal(err)
	}
	h.serve(t, ln)
}

// AddCounter registers a counter and returns its token.
func (h *Hub) AddCounter(t testing.TB, code string, services ...string) string {
	t.Helper()
	_, token, err := h.Store.AddCounter(context.Background(), store.NewCounter{Code: code, Services: services})
	if err != nil {
		t.Fatal(err)
	}
	return token
}
