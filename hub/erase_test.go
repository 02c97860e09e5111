package hub_test

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/oklog/ulid/v2"

	"github.com/loket-id/loket/hub"
	"github.com/loket-id/loket/hub/hubtest"
	"github.com/loket-id/loket/queue"
	"github.com/loket-id/loket/store"
)

// lockedBuffer is a log that tests read while the hub writes.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}
func (l *lockedBuffer) String() string { l.mu.Lock(); defer l.mu.Unlock(); return l.b.String() }

// TestEraseCalls: POST /v1/purge and /v1/forget need a key; the same key
// and body again answers the first call's list, marked replayed, and
// erases nothing more; the same key with another body is refused (409);
// the hub's log says how many, never the NIK or the name.
func TestEraseCalls(t *testing.T) {
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, hubtest.WIB)
	var mu sync.Mutex
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	st, err := store.Open(filepath.Join(t.TempDir(), store.FileName), store.Options{Location: hubtest.WIB, Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var logs lockedBuffer
	srv := hub.New(st, slog.New(slog.NewTextHandler(&logs, nil)), hub.Options{})
	ts := httptest.NewServer(srv.Handler())
	defer ts.Close()
	defer srv.CloseStreams()
	_, token, err := st.AddCounter(bg, store.NewCounter{Code: "L1"})
	if err != nil {
		t.Fatal(err)
	}
	const nik = "3201014107900001"
	by := queue.Actor{Counter: "L1", Clerk: "Sari"}
	for i := 0; i < 2; i++ {
		r, err := st.Register(bg, queue.NewRequest{Service: "A", Name: "Siti Aminah", NIK: nik}, by)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := st.Act(bg, r.ID, queue.ActCancel, "", by); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := st.Register(bg, queue.NewRequest{Service: "A", Name: "Siti Aminah", NIK: nik}, by); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	now = now.Add(48 * time.Hour)
	mu.Unlock()

	purge := `{"clerk":"Sari","before":"2026-03-03"}`
	if status, info, _ := send(t, "POST", ts.URL+"/v1/purge", token, "", purge); status != http.StatusBadRequest || info.Code != hub.CodeKeyRequired {
		t.Fatalf("no key: %d %+v", status, info)
	}
	key := ulid.Make().String()
	status, _, body := send(t, "POST", ts.URL+"/v1/purge", token, key, purge)
	var first hub.ErasureAnswer
	if status != http.StatusOK || json.Unmarshal(body, &first) != nil || len(first.Requests) != 2 || first.Again {
		t.Fatalf("purge: %d %s", status, body)
	}
	seq := lastSeq(t, st)
	status, _, body = send(t, "POST", ts.URL+"/v1/purge", token, key, purge)
	var replay hub.ErasureAnswer
	if status != http.StatusOK || json.Unmarshal(body, &replay) != nil || !replay.Again || len(replay.Requests) != 2 ||
		replay.Requests[0].ID != first.Requests[0].ID {
		t.Fatalf("the same key again: %d %s", status, body)
	}
	if status, info, _ := send(t, "POST", ts.URL+"/v1/purge", token, key, `{"clerk":"Sari","before":"2026-03-04"}`); status != http.StatusConflict || info.Code != hub.CodeKeyMismatch {
		t.Fatalf("the same key, another body: %d %+v", status, info)
	}
	if n := lastSeq(t, st); n != seq {
		t.Fatalf("the replay wrote %d events", n-seq)
	}

	forget := `{"clerk":"Sari","nik":"` + nik + `","note":"permintaan pemohon"}`
	status, _, body = send(t, "POST", ts.URL+"/v1/forget", token, ulid.Make().String(), forget)
	var f hub.ErasureAnswer
	if status != http.StatusOK || json.Unmarshal(body, &f) != nil || len(f.Requests) != 1 {
		t.Fatalf("forget: %d %s", status, body)
	}
	if status, info, _ := send(t, "POST", ts.URL+"/v1/forget", token, ulid.Make().String(), `{"clerk":"Sari","nik":"1234","note":"x"}`); status != http.StatusUnprocessableEntity || info.Code != hub.CodeInvalid {
		t.Fatalf("bad NIK: %d %+v", status, info)
	}
	for _, b := range [][]byte{body} {
		if bytes.Contains(b, []byte(nik)) || bytes.Contains(b, []byte("Siti")) {
			t.Errorf("an answer holds personal data: %s", b)
		}
	}
	log := logs.String()
	if strings.Contains(log, nik) || strings.Contains(log, "Siti") {
		t.Errorf("the hub's log holds personal data:\n%s", log)
	}
	if !strings.Contains(log, "op=purge") || !strings.Contains(log, "op=forget") || !strings.Contains(log, "requests=2") {
		t.Errorf("the hub's log does not say what was erased:\n%s", log)
	}
}
