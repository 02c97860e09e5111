package central

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// TestStatsRateLimit: GET /v1/stats counts against the same per-token limit
// as a station's other calls, and a supervisor token has its own.
func TestStatsRateLimit(t *testing.T) {
	cs, err := OpenBolt(t.TempDir(), time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer cs.Close()
	_, station, _ := cs.AddStation("T", "L1", "", time.Now())
	_, other, _ := cs.AddStation("T", "L2", "", time.Now())
	sup, _ := cs.AddSupervisor("T", time.Now())
	h := (&Server{Storage: cs, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Rate: 0.001, Burst: 2}).Handler()
	get := func(path, token string) *httptest.ResponseRecorder {
		r := httptest.NewRequest(http.MethodGet, path, nil)
		r.Header.Set("Authorization", "Bearer "+token)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		return w
	}
	for _, tt := range []struct {
		name, token string
		paths       []string
	}{
		{"station, stats only", station, []string{"/v1/stats", "/v1/stats", "/v1/stats"}},
		{"station, state then stats", other, []string{"/v1/sync/state", "/v1/sync/state", "/v1/stats"}},
		{"supervisor", sup, []string{"/v1/stats", "/v1/stats", "/v1/stats"}},
	} {
		for i, path := range tt.paths {
			w := get(path, tt.token)
			want := 200
			if i == 2 {
				want = 429
			}
			if w.Code != want || want == 429 && (w.Header().Get("Retry-After") == "" || !strings.Contains(w.Body.String(), "rate_limited")) {
				t.Fatalf("%s: request %d (%s): %d %s; want %d", tt.name, i+1, path, w.Code, w.Body, want)
			}
		}
	}
	if w := get("/v1/nothing", station); w.Code != 404 || !strings.Contains(w.Body.String(), `"not_found"`) {
		t.Fatalf("unknown endpoint: %d %s", w.Code, w.Body)
	}
}
