package hub_test

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/oklog/ulid/v2"

	"github.com/loket-id/loket/hub"
	"github.com/loket-id/loket/hub/hubtest"
	"github.com/loket-id/loket/queue"
	"github.com/loket-id/loket/store"
)

var bg = context.Background()

func lastSeq(t *testing.T, st *store.Store) uint64 {
	t.Helper()
	var n uint64
	if err := st.View(bg, func(tx *store.Tx) error { n = tx.LastSeq(); return nil }); err != nil {
		t.Fatal(err)
	}
	return n
}

// send makes one raw call and decodes its answer's error, if any.
func send(t *testing.T, method, url, token, key, body string, hdr ...string) (int, hub.ErrorInfo, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if key != "" {
		req.Header.Set(hub.HeaderKey, key)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var eb hub.ErrorBody
	if resp.StatusCode >= 400 {
		if err := json.Unmarshal(b, &eb); err != nil || eb.Error.Code == "" || eb.Error.Message == "" {
			t.Errorf("%s %s: answer %d is not a JSON error: %q", method, url, resp.StatusCode, b)
		}
		if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
			t.Errorf("%s %s: error with Content-Type %q", method, url, ct)
		}
	}
	return resp.StatusCode, eb.Error, b
}

const walkIn = `{"clerk":"Sari","service":"A","name":"Siti Aminah","nik":"3201014107900001","phone":"0812-3456-7890"}`

// TestAuth: no token, a wrong one, a revoked one: 401 and nothing written,
// on every endpoint.
func TestAuth(t *testing.T) {
	h := hubtest.Start(t, hub.Options{})
	good := h.AddCounter(t, "L1")
	revoked := h.AddCounter(t, "L2")
	if _, err := h.Store.RevokeCounter(bg, "L2"); err != nil {
		t.Fatal(err)
	}
	wrong := store.TokenPrefix + strings.Repeat("ab", 32)
	endpoints := []struct{ method, path, body string }{
		{"GET", "/v1/hello", ""}, {"POST", "/v1/requests", walkIn}, {"POST", "/v1/call", `{}`},
		{"POST", "/v1/requests/A-001/actions", `{"action":"serve"}`}, {"PUT", "/v1/catalog", `{"services":[]}`},
		{"GET", "/v1/requests/A-001", ""}, {"GET", "/v1/queue", ""}, {"GET", "/v1/find?q=siti", ""},
		{"GET", "/v1/services", ""}, {"GET", "/v1/between", ""}, {"GET", "/v1/changes", ""},
		{"POST", "/v1/purge", `{"before":"2099-01-01"}`}, {"POST", "/v1/forget", `{"nik":"3201014107900001","note":"x"}`},
	}
	for _, tok := range []struct{ name, token string }{{"none", ""}, {"wrong", wrong}, {"revoked", revoked},
		{"not a token", "hello"}, {"station token", "lkt_" + strings.Repeat("ab", 32)}} {
		for _, e := range endpoints {
			status, info, _ := send(t, e.method, h.URL+e.path, tok.token, ulid.Make().String(), e.body)
			if status != http.StatusUnauthorized || info.Code != hub.CodeUnauthorized {
				t.Errorf("%s token, %s %s: %d %s", tok.name, e.method, e.path, status, info.Code)
			}
		}
	}
	// Basic auth or a token in the query are not the protocol's.
	status, _, _ := send(t, "GET", h.URL+"/v1/hello?token="+good, "", "", "", "Authorization", "Basic "+good)
	if status != http.StatusUnauthorized {
		t.Errorf("basic auth: %d", status)
	}
	if n := lastSeq(t, h.Store); n != 0 {
		t.Fatalf("%d events written by refused calls", n)
	}
	if status, _, _ := send(t, "GET", h.URL+"/v1/hello", good, "", ""); status != http.StatusOK {
		t.Fatalf("the good token: %d", status)
	}
}

// TestBadInput: malformed, oversized or incomplete calls get a 4xx with a
// JSON error, never a 5xx, and write nothing.
func TestBadInput(t *testing.T) {
	h := hubtest.Start(t, hub.Options{})
	tok := h.AddCounter(t, "L1")
	key := func() string { return ulid.Make().String() }
	big := `{"clerk":"` + strings.Repeat("x", hub.MaxBody) + `"}`
	cases := []struct {
		name, method, path, key, body string
		status                        int
		code                          string
	}{
		{"no key", "POST", "/v1/requests", "", walkIn, 400, hub.CodeKeyRequired},
		{"bad key", "POST", "/v1/requests", "not-a-ulid", walkIn, 400, hub.CodeBadKey},
		{"not JSON", "POST", "/v1/requests", key(), `{"name":`, 400, hub.CodeBadRequest},
		{"an array", "POST", "/v1/requests", key(), `[1,2]`, 400, hub.CodeBadRequest},
		{"unknown field", "POST", "/v1/requests", key(), `{"counter":"L2","name":"x"}`, 400, hub.CodeBadRequest},
		{"two values", "POST", "/v1/requests", key(), walkIn + walkIn, 400, hub.CodeBadRequest},
		{"wrong type", "POST", "/v1/call", key(), `{"services":"A"}`, 400, hub.CodeBadRequest},
		{"empty body", "POST", "/v1/call", key(), ``, 400, hub.CodeBadRequest},
		{"oversized", "POST", "/v1/requests", key(), big, 413, hub.CodeTooLarge},
		{"oversized catalog", "PUT", "/v1/catalog", key(), `{"services":[` + strings.Repeat(`{"code":"A"},`, hub.MaxCatalogBody/12) + `{}]}`, 403, hub.CodeForbidden},
		{"bad NIK", "POST", "/v1/requests", key(), strings.Replace(walkIn, "3201014107900001", "123", 1), 422, hub.CodeInvalid},
		{"unknown service", "POST", "/v1/requests", key(), strings.Replace(walkIn, `"A"`, `"Z"`, 1), 422, hub.CodeInvalid},
		{"bad service", "POST", "/v1/call", key(), `{"services":["A1"]}`, 422, hub.CodeInvalid},
		{"clerk with control", "POST", "/v1/call", key(), `{"clerk":"Sari\u001b[2J"}`, 422, hub.CodeInvalid},
		{"unknown action", "POST", "/v1/requests/A-001/actions", key(), `{"action":"explode"}`, 422, hub.CodeInvalid},
		{"bad ref", "POST", "/v1/requests/%3Cscript%3E/actions", key(), `{"action":"serve"}`, 422, hub.CodeInvalid},
		{"unknown ticket", "POST", "/v1/requests/A-999/actions", key(), `{"action":"serve"}`, 404, hub.CodeNotFound},
		{"nobody waiting", "POST", "/v1/call", key(), `{}`, 404, hub.CodeQueueEmpty},
		{"bad day", "GET", "/v1/queue?day=yesterday", "", ``, 400, hub.CodeBadRequest},
		{"bad after", "GET", "/v1/changes?after=-1", "", ``, 400, hub.CodeBadRequest},
		{"bad limit", "GET", "/v1/find?q=x&limit=1000000", "", ``, 400, hub.CodeBadRequest},
		{"long search", "GET", "/v1/find?q=" + strings.Repeat("x", 300), "", ``, 400, hub.CodeBadRequest},
		{"bad range", "GET", "/v1/between?from=2026-13-01", "", ``, 400, hub.CodeBadRequest},
		{"no endpoint", "GET", "/v1/nothing", "", ``, 404, hub.CodeNoEndpoint},
		{"wrong method", "DELETE", "/v1/requests/A-001", "", ``, 404, hub.CodeNoEndpoint},
	}
	for _, c := range cases {
		status, info, body := send(t, c.method, h.URL+c.path, tok, c.key, c.body)
		if status >= 500 {
			t.Errorf("%s: %d %s", c.name, status, body)
		}
		if status != c.status || (c.code != "" && info.Code != c.code) {
			t.Errorf("%s: %d %s, want %d %s (%s)", c.name, status, info.Code, c.status, c.code, info.Message)
		}
	}
	if n := lastSeq(t, h.Store); n != 0 {
		t.Fatalf("%d events written by refused calls", n)
	}
}

// TestIdempotencyOverHTTP: the same key returns the first answer, marked
// replayed; the same key with another payload is refused with 409
// idempotency_mismatch; a key of another counter is refused too.
func TestIdempotencyOverHTTP(t *testing.T) {
	h := hubtest.Start(t, hub.Options{})
	l1, l2 := h.AddCounter(t, "L1"), h.AddCounter(t, "L2")
	k := ulid.Make().String()
	s1, _, b1 := send(t, "POST", h.URL+"/v1/requests", l1, k, walkIn)
	s2, _, b2 := send(t, "POST", h.URL+"/v1/requests", l1, k, walkIn)
	var a1, a2 hub.RequestAnswer
	json.Unmarshal(b1, &a1)
	json.Unmarshal(b2, &a2)
	if s1 != 200 || s2 != 200 || a1.Again || !a2.Again || a1.Request.ID != a2.Request.ID || a1.Request.Ticket != "A-001" {
		t.Fatalf("first %d %+v, again %d %+v", s1, a1, s2, a2)
	}
	other := strings.Replace(walkIn, "Siti Aminah", "Budi Santoso", 1)
	if status, info, _ := send(t, "POST", h.URL+"/v1/requests", l1, k, other); status != 409 || info.Code != hub.CodeKeyMismatch {
		t.Fatalf("another payload: %d %s", status, info.Code)
	}
	if status, info, _ := send(t, "POST", h.URL+"/v1/requests", l2, k, walkIn); status != 409 || info.Code != hub.CodeKeyMismatch {
		t.Fatalf("another counter's key: %d %s", status, info.Code)
	}
	if n := lastSeq(t, h.Store); n != 1 {
		t.Fatalf("%d events, want 1", n)
	}
	// The counter is the token's, whatever the body says: a field
	// "counter" is refused, and the event names L2.
	if status, _, _ := send(t, "POST", h.URL+"/v1/requests/A-001/actions", l2, ulid.Make().String(), `{"action":"call","counter":"L1"}`); status != 400 {
		t.Fatalf("a counter in the body: %d", status)
	}
	status, _, b := send(t, "POST", h.URL+"/v1/requests/A-001/actions", l2, ulid.Make().String(), `{"action":"call","clerk":"Budi"}`)
	var a hub.RequestAnswer
	json.Unmarshal(b, &a)
	if status != 200 || a.Request.Counter != "L2" || a.Request.Clerk != "Budi" {
		t.Fatalf("call by L2: %d %+v", status, a.Request)
	}
	_, hist, _ := h.Store.Detail(bg, "A-001")
	if e := hist[len(hist)-1]; e.Counter != "L2" || !queue.IsChosenCall(e) {
		t.Fatalf("the call's event: %+v", e)
	}
	// The catalog is the office's: no counter may replace it unless named.
	if status, info, _ := send(t, "PUT", h.URL+"/v1/catalog", l1, ulid.Make().String(), `{"services":[]}`); status != 403 || info.Code != hub.CodeForbidden {
		t.Fatalf("catalog by a counter: %d %s", status, info.Code)
	}
}

// TestStreamOutlivesTimeouts: a change stream stays open past the server's
// read and write timeouts, and carries a change made after them.
func TestStreamOutlivesTimeouts(t *testing.T) {
	h := hubtest.Start(t, hub.Options{WriteTimeout: 300 * time.Millisecond, ReadTimeout: 300 * time.Millisecond, Heartbeat: 50 * time.Millisecond})
	tok := h.AddCounter(t, "L1")
	req, _ := http.NewRequest("GET", h.URL+"/v1/changes?after=0", nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	lines := make(chan string, 100)
	go func() {
		sc := bufio.NewScanner(resp.Body)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	pings := 0
	deadline := time.After(time.Second) // three times each timeout
	for waiting := true; waiting; {
		select {
		case l, ok := <-lines:
			if !ok {
				t.Fatalf("the stream ended after %d pings", pings)
			}
			if l == ": ping" {
				pings++
			}
		case <-deadline:
			waiting = false
		}
	}
	if _, err := h.Store.Register(bg, queue.NewRequest{Service: "B", Name: "Wati", NIK: "3201014107900001"}, queue.Actor{Counter: "HUB"}); err != nil {
		t.Fatal(err)
	}
	for l := range lines {
		if strings.HasPrefix(l, "data: ") && strings.Contains(l, `"request.created"`) {
			var ch hub.Change
			if err := json.Unmarshal([]byte(l[6:]), &ch); err != nil || ch.Seq != 1 || ch.Request == nil || ch.Request.Ticket != "B-001" {
				t.Fatalf("change %s: %v", l, err)
			}
			if pings < 3 {
				t.Fatalf("%d pings", pings)
			}
			return
		}
	}
	t.Fatal("the stream ended before the change")
}

// TestRevokedStreamEnds: a counter revoked while its change stream is open
// gets no change made after the revocation: the stream ends.
func TestRevokedStreamEnds(t *testing.T) {
	h := hubtest.Start(t, hub.Options{Heartbeat: time.Hour})
	tok := h.AddCounter(t, "L1")
	req, _ := http.NewRequest("GET", h.URL+"/v1/changes?after=0", nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	if !sc.Scan() || sc.Text() != "event: hello" {
		t.Fatalf("first line %q", sc.Text())
	}
	if _, err := h.Store.RevokeCounter(bg, "L1"); err != nil {
		t.Fatal(err)
	}
	if _, err := h.Store.Register(bg, queue.NewRequest{Service: "A", Name: "Siti", NIK: "3201014107900001"}, queue.Actor{Counter: "HUB"}); err != nil {
		t.Fatal(err)
	}
	for sc.Scan() {
		if strings.Contains(sc.Text(), "request.created") {
			t.Fatal("a revoked counter received a change")
		}
	}
}
