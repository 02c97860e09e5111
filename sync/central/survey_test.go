package central

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/loket-id/loket/queue"
	"github.com/loket-id/loket/skm"
	"github.com/loket-id/loket/sync/protocol"
)

// TestSurveyCommentApart: on bbolt a survey answer's comment is held in
// the surveys bucket only (never in the stored event), and the request's
// erasure removes it from there.
func TestSurveyCommentApart(t *testing.T) {
	r := newRig(t, "3273/L1")
	st := counter(t)
	ctx := context.Background()
	by := queue.Actor{Counter: "L1", Clerk: "Ani"}
	req, err := st.Register(ctx, queue.NewRequest{Service: "A", Name: "Siti", NIK: "3273010101900042"}, by)
	if err != nil {
		t.Fatal(err)
	}
	for _, act := range []queue.Action{queue.ActCall, queue.ActServe, queue.ActDone} {
		if req, err = st.Act(ctx, req.ID, act, "", by); err != nil {
			t.Fatal(err)
		}
	}
	r.sync("3273/L1", st)
	a, err := skm.Answer{RequestID: req.ID, TrackingCode: req.TrackingCode, Service: "A", AnsweredAt: time.Now().In(wib),
		Scores: [skm.NumElements]int{3, 3, 3, 3, 3, 3, 3, 3, 3}, Comment: "Petugas ramah"}.Validate()
	if err != nil {
		t.Fatal(err)
	}
	p, digest := skm.CommentPart(a.Comment, []byte("0123456789abcdef"))
	data, _ := skm.EventData(a, digest)
	ev := next(t, st, queue.EventSurveyed, req.ID, data)
	ev.Personal = &p
	ev.Hash = protocol.Hash(ev)
	if code, body := r.pushAt(protocol.Prefix, "3273/L1", ev); code != 200 {
		t.Fatalf("survey.answered: %d %s", code, body)
	}
	if b := r.bucketsHolding("Petugas ramah"); len(b) != 1 || b[0] != "surveys" {
		t.Fatalf("the comment is held in %v, want only the surveys bucket", b)
	}
	erasure, _ := json.Marshal(queue.ErasedData{Reason: queue.ErasedRetention})
	ee := next(t, st, queue.EventErased, req.ID, erasure)
	ee.Seq = ev.Seq + 1
	ee.Hash = protocol.Hash(ee)
	if code, body := r.pushAt(protocol.Prefix, "3273/L1", ee); code != 200 {
		t.Fatalf("erasure: %d %s", code, body)
	}
	if b := r.bucketsHolding("Petugas ramah"); len(b) != 0 {
		t.Fatalf("the erased comment is still in %v", b)
	}
	if n, err := r.cs.ErasedPending(); err != nil || n < 2 {
		t.Fatalf("erasures pending %d (%v): the comment's must count for the compaction", n, err)
	}
	r.checkClean()
}

// TestSurveyRateLimit: the survey pages limit each client address (429
// with Retry-After beyond the burst).
func TestSurveyRateLimit(t *testing.T) {
	cs, err := OpenBolt(t.TempDir(), time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer cs.Close()
	h := (&Server{Storage: cs, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), SurveyRate: 0.001, SurveyBurst: 2}).Handler()
	get := func(addr string) *httptest.ResponseRecorder {
		r := httptest.NewRequest(http.MethodGet, "/skm/AAAA-BBBB-CCCC", nil)
		r.RemoteAddr = addr
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		return w
	}
	for i, want := range []int{404, 404, 429, 429} {
		if w := get("192.0.2.1:5000"); w.Code != want || want == 429 && w.Header().Get("Retry-After") == "" {
			t.Fatalf("request %d: %d (Retry-After %q), want %d", i+1, w.Code, w.Header().Get("Retry-After"), want)
		}
	}
	if w := get("192.0.2.1:6000"); w.Code != 429 {
		t.Fatalf("another port of the same address: %d, want 429", w.Code)
	}
	if w := get("192.0.2.2:5000"); w.Code != 404 {
		t.Fatalf("another address was limited too: %d", w.Code)
	}
}
