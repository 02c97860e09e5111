package central

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/loket-id/loket/queue"
	"github.com/loket-id/loket/sync/protocol"
)

// validBatch is a real, valid batch of one registration.
func validBatch(t testing.TB) []byte {
	at := time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)
	r := queue.Request{ID: "01KB0000000000000000000000", TrackingCode: "KG2K-RVRU-2RN7", Ticket: "A-001", Day: "2026-11-27",
		Service: "A", FirstService: "A", Status: queue.StatusWaiting, Name: "Siti", NIK: "3201014107900001",
		Station: "0123456789abcdef0123456789abcdef", ArrivedAt: at, UpdatedAt: at, Counter: "L1", Clerk: "Sari"}
	data, _ := json.Marshal(r)
	e := protocol.Event{Station: r.Station, Epoch: "fedcba9876543210fedcba9876543210", Seq: 1,
		ID: "01KB0000000000000000000001", Type: queue.EventCreated, RequestID: r.ID, At: at,
		Counter: "L1", Clerk: "Sari", Data: data}
	e.Hash = protocol.Hash(e)
	b, _ := json.Marshal(protocol.Batch{Events: []protocol.Event{e}})
	return b
}

// FuzzReadBatch: the batch decoder never panics, and what it accepts is a
// batch of valid, consecutive events.
func FuzzReadBatch(f *testing.F) {
	f.Add(validBatch(f))
	f.Add([]byte(`{"events":[]}`))
	f.Add([]byte(`{"events":[{"seq":18446744073709551615}]}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		v1 := len(body)%2 == 1 // both versions' decoders
		r := httptest.NewRequest(http.MethodPost, "/v1/sync/events", bytes.NewReader(body))
		b, status, perr := ReadBatch(r, httptest.NewRecorder(), v1)
		if perr != nil {
			if status < 400 || status >= 500 {
				t.Fatalf("refusal with status %d", status)
			}
			return
		}
		for i, e := range b.Events {
			if e.Validate() != nil || i > 0 && e.Seq != b.Events[i-1].Seq+1 || queue.IsV1Event(e.ToStore()) {
				t.Fatalf("accepted an invalid batch: %s", body)
			}
		}
	})
}

// FuzzIngestHandler: whatever a station sends, the server answers without
// a 5xx and its database stays consistent.
func FuzzIngestHandler(f *testing.F) {
	f.Add(validBatch(f))
	f.Add([]byte(`not json`))
	f.Add(bytes.Replace(validBatch(f), []byte(`"request.created"`), []byte(`"request.done"`), 1))
	dir := f.TempDir()
	st, err := OpenBolt(dir, time.Second)
	if err != nil {
		f.Fatal(err)
	}
	defer st.Close()
	_, token, err := st.AddStation("F", "Z", "", time.Now())
	if err != nil {
		f.Fatal(err)
	}
	h := (&Server{Storage: st, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Rate: 1e9, Burst: 1e9}).Handler()
	f.Fuzz(func(t *testing.T, body []byte) {
		r := httptest.NewRequest(http.MethodPost, "/v1/sync/events", bytes.NewReader(body))
		r.Header.Set("Authorization", "Bearer "+token)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code >= 500 {
			t.Fatalf("status %d for %q: %s", w.Code, body, w.Body)
		}
		if !json.Valid(w.Body.Bytes()) {
			t.Fatalf("answer is not JSON: %q", w.Body)
		}
	})
	if problems, err := st.Check(); err != nil || len(problems) > 0 {
		f.Fatalf("central check after fuzzing: %v %v", err, problems)
	}
}
