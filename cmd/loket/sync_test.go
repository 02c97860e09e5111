package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/loket-id/loket/sync/central"
	"github.com/loket-id/loket/sync/protocol"
)

// TestSyncNoProgress: against a server that keeps answering 409 gap with
// the same expected sequence, loket sync gives up after a few requests
// with exit 3 and says why, instead of spinning.
func TestSyncNoProgress(t *testing.T) {
	var posts atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/v2/sync/state":
			json.NewEncoder(w).Encode(protocol.State{Station: "3273/L1"})
		case "/v2/catalog":
			w.WriteHeader(http.StatusNotFound)
			json.NewEncoder(w).Encode(protocol.Error{Code: protocol.CodeNoCatalog})
		default:
			if posts.Add(1) > 100 { // the spinning client of old: make it fail fast
				w.WriteHeader(http.StatusUnauthorized)
				json.NewEncoder(w).Encode(protocol.Error{Code: protocol.CodeUnauthorized})
				return
			}
			w.WriteHeader(http.StatusConflict)
			json.NewEncoder(w).Encode(protocol.Error{Code: protocol.CodeGap, Expected: 1})
		}
	}))
	defer srv.Close()
	te := newTestEnv(t)
	te.mustRun("add", "--service", "A", "--name", "Siti", "--nik", nik)
	_, errOut, code := te.run("sync", "--server", srv.URL, "--token", central.TokenPrefix+strings.Repeat("1", 64))
	if code != exitUnreachable || !strings.Contains(errOut, "no progress") || !strings.Contains(errOut, "409 gap") {
		t.Fatalf("exit %d after %d posts: %q", code, posts.Load(), errOut[max(0, len(errOut)-300):])
	}
	if n := posts.Load(); n > 10 {
		t.Fatalf("%d posts", n)
	}
}
