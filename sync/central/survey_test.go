package central

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/loket-id/loket/queue"
	"github.com/loket-id/loket/skm"
	"github.com/loket-id/loket/store"
	"github.com/loket-id/loket/sync/protocol"
)

// doneRequest registers a request at st and finishes it.
func doneRequest(t *testing.T, st *store.Store) queue.Request {
	t.Helper()
	ctx := context.Background()
	by := queue.Actor{Counter: "L1", Clerk: "Ani"}
	r, err := st.Register(ctx, queue.NewRequest{Service: "A", Name: "Siti Rahayu", NIK: "3273010101900042", Phone: "081234567890"}, by)
	if err != nil {
		t.Fatal(err)
	}
	for _, act := range []queue.Action{queue.ActCall, queue.ActServe, queue.ActDone} {
		if r, err = st.Act(ctx, r.ID, act, "", by); err != nil {
			t.Fatal(err)
		}
	}
	return r
}

// surveyForm is a posted survey: every element scored s, the respondent
// data and a comment.
func surveyForm(scores [skm.NumElements]int, comment string) url.Values {
	v := url.Values{"age": {"30-39"}, "sex": {"f"}, "education": {"s1"}, "occupation": {"swasta"}, "comment": {comment}}
	for _, e := range skm.Elements {
		if scores[e] != 0 {
			v.Set(strings.ToLower(e.Code()), strconv.Itoa(scores[e]))
		}
	}
	return v
}

func (r *rig) page(method, path string, form url.Values) (int, string) {
	r.t.Helper()
	var resp *http.Response
	var err error
	if method == http.MethodPost {
		resp, err = http.PostForm(r.url+path, form)
	} else {
		resp, err = http.Get(r.url + path)
	}
	if err != nil {
		r.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func (r *rig) answers() []skm.Answer {
	r.t.Helper()
	var out []skm.Answer
	if err := r.cs.Surveys(skm.Filter{}, func(a skm.Answer) error { out = append(out, a); return nil }); err != nil {
		r.t.Fatal(err)
	}
	return out
}

// surveyEvent is st's next event: a survey.answered for r with the
// comment beside it, as the hub's tablet records it.
func surveyEvent(t *testing.T, st *store.Store, r queue.Request, scores [skm.NumElements]int, comment string) protocol.Event {
	t.Helper()
	a := skm.Answer{RequestID: r.ID, TrackingCode: r.TrackingCode, Service: r.Service, Office: "Kantor", Station: "L1",
		AnsweredAt: time.Now().In(wib), Scores: scores, Comment: comment}
	a, err := a.Validate()
	if err != nil {
		t.Fatal(err)
	}
	p, digest := skm.CommentPart(a.Comment, []byte("0123456789abcdef"))
	data, err := skm.EventData(a, digest)
	if err != nil {
		t.Fatal(err)
	}
	e := next(t, st, queue.EventSurveyed, r.ID, data)
	e.Personal = &p
	e.Hash = protocol.Hash(e)
	return e
}

// TestSurveyByPhone: the centre's /skm/{code} page takes one answer per
// done request, refuses a second one (by phone or after a station's), an
// unknown code and a request not done; a station's later survey.answered
// for the same request is taken without refusing its batch, the first
// answer standing; an erasure takes the comment and leaves the scores.
func TestSurveyByPhone(t *testing.T) {
	r := newRig(t, "3273/L1")
	st := counter(t)
	req := doneRequest(t, st)
	ctx := context.Background()
	waiting, err := st.Register(ctx, queue.NewRequest{Service: "A", Name: "Budi", NIK: "3273010101900043"}, queue.Actor{Counter: "L1", Clerk: "Ani"})
	if err != nil {
		t.Fatal(err)
	}
	r.sync("3273/L1", st)
	if _, err := r.cs.PublishCatalog([]queue.Service{{Code: "A", NameID: "Izin Usaha", NameEN: "Business permit", Active: true}}); err != nil {
		t.Fatal(err)
	}
	path := "/skm/" + req.TrackingCode

	code, body := r.page("GET", path, nil)
	if code != 200 || !strings.Contains(body, "A Izin Usaha") || !strings.Contains(body, `name="u9"`) || strings.Contains(body, "Siti") {
		t.Fatalf("GET %s: %d\n%s", path, code, body)
	}
	if code, body := r.page("GET", path+"?lang=en", nil); code != 200 || !strings.Contains(body, "Business permit") || !strings.Contains(body, "very good") {
		t.Fatalf("GET in English: %d", code)
	}
	// The code typed in lower case with spaces leads to the same page.
	if code, body := r.page("GET", "/skm?code="+url.QueryEscape(strings.ToLower(strings.ReplaceAll(req.TrackingCode, "-", " "))), nil); code != 200 || !strings.Contains(body, `name="u1"`) {
		t.Fatalf("GET /skm?code=: %d", code)
	}
	for _, tc := range []struct {
		name, path string
		want       int
		text       string
	}{
		{"unknown code", "/skm/AAAA-BBBB-CCCC", 404, "tidak ditemukan"},
		{"not a code", "/skm/hello", 404, "tidak ditemukan"},
		{"not done", "/skm/" + waiting.TrackingCode, 409, "belum selesai"},
	} {
		if code, body := r.page("GET", tc.path, nil); code != tc.want || !strings.Contains(body, tc.text) {
			t.Errorf("%s: %d, want %d with %q", tc.name, code, tc.want, tc.text)
		}
	}

	scores := [skm.NumElements]int{4, 3, 3, 3, 3, 3, 3, 3, 3}
	for _, tc := range []struct {
		name string
		form url.Values
		text string
	}{
		{"a score missing", surveyForm([skm.NumElements]int{4, 3, 3, 3, 0, 3, 3, 3, 3}, ""), "U5"},
		{"a score of 5", surveyForm([skm.NumElements]int{5, 3, 3, 3, 3, 3, 3, 3, 3}, ""), "U1"},
		{"a phone number in the comment", surveyForm(scores, "hubungi 0812 3456 7890"), "nomor panjang"},
		{"a control character", surveyForm(scores, "bagus\x1b[2J"), "Saran atau masukan"},
		{"an occupation not on the list", func() url.Values { v := surveyForm(scores, ""); v.Set("occupation", "astronaut"); return v }(), "Pekerjaan"},
	} {
		code, body := r.page("POST", path, tc.form)
		if code != 400 || !strings.Contains(body, tc.text) {
			t.Errorf("%s: %d, want 400 with %q\n%s", tc.name, code, tc.text, body)
		}
	}
	if got := r.answers(); len(got) != 0 {
		t.Fatalf("refused answers were stored: %+v", got)
	}

	if code, body := r.page("POST", path, surveyForm(scores, "Ruang tunggu nyaman")); code != 200 || !strings.Contains(body, "Terima kasih") {
		t.Fatalf("the answer: %d\n%s", code, body)
	}
	got := r.answers()
	if len(got) != 1 || got[0].RequestID != req.ID || got[0].Office != "3273" || got[0].Station != "L1" || got[0].Service != "A" ||
		got[0].Scores != scores || got[0].Comment != "Ruang tunggu nyaman" || got[0].Occupation != "swasta" {
		t.Fatalf("stored: %+v", got)
	}
	if code, body := r.page("POST", path, surveyForm([skm.NumElements]int{1, 1, 1, 1, 1, 1, 1, 1, 1}, "")); code != 409 || !strings.Contains(body, "sudah dijawab") {
		t.Fatalf("a second answer: %d\n%s", code, body)
	}
	if code, _ := r.page("GET", path, nil); code != 409 {
		t.Fatalf("the page after the answer: %d", code)
	}

	// The hub's tablet took an answer too before it synced: its batch is
	// taken (sync never stalls), the phone's answer stands.
	ev := surveyEvent(t, st, req, [skm.NumElements]int{1, 1, 1, 1, 1, 1, 1, 1, 1}, "tablet")
	if code, body := r.pushAt(protocol.Prefix, "3273/L1", ev); code != 200 {
		t.Fatalf("the station's survey.answered: %d %s", code, body)
	}
	if got := r.answers(); len(got) != 1 || got[0].Comment != "Ruang tunggu nyaman" {
		t.Fatalf("after the station's answer: %+v", got)
	}

	// The request's erasure takes the comment, not the scores.
	erasure, _ := json.Marshal(queue.ErasedData{Reason: queue.ErasedRetention})
	ee := next(t, st, queue.EventErased, req.ID, erasure)
	ee.Seq = ev.Seq + 1
	ee.Hash = protocol.Hash(ee)
	if code, body := r.pushAt(protocol.Prefix, "3273/L1", ee); code != 200 {
		t.Fatalf("erasure: %d %s", code, body)
	}
	if got := r.answers(); len(got) != 1 || got[0].Comment != "" || got[0].Scores != scores {
		t.Fatalf("after the erasure: %+v", got)
	}
	if b := r.bucketsHolding("Ruang tunggu"); len(b) != 0 {
		t.Fatalf("the erased comment is still in %v", b)
	}
	r.checkClean()
}

// TestSurveyFromStation: a station's survey.answered is stored with its
// comment (from beside the event), after which the phone is refused; a
// survey.answered whose data names another request is refused.
func TestSurveyFromStation(t *testing.T) {
	r := newRig(t, "3273/L1")
	st := counter(t)
	req := doneRequest(t, st)
	r.sync("3273/L1", st)
	scores := [skm.NumElements]int{3, 3, 3, 3, 3, 3, 3, 3, 4}

	bad := surveyEvent(t, st, req, scores, "")
	var m map[string]any
	_ = json.Unmarshal(bad.Data, &m)
	m["request_id"] = "01KB00000000000000000000ZZ"
	bad.Data, _ = json.Marshal(m)
	bad.Hash = protocol.Hash(bad)
	if code, body := r.pushAt(protocol.Prefix, "3273/L1", bad); code != 400 || !strings.Contains(body, "survey.answered") {
		t.Fatalf("an answer for another request: %d %s", code, body)
	}

	ev := surveyEvent(t, st, req, scores, "Petugas ramah")
	if code, body := r.pushAt(protocol.Prefix, "3273/L1", ev); code != 200 {
		t.Fatalf("the station's survey.answered: %d %s", code, body)
	}
	got := r.answers()
	if len(got) != 1 || got[0].Comment != "Petugas ramah" || got[0].Office != "3273" || got[0].Station != "L1" {
		t.Fatalf("stored: %+v", got)
	}
	if b := r.bucketsHolding("Petugas ramah"); len(b) != 1 || b[0] != "surveys" {
		t.Fatalf("the comment is held in %v, want only surveys (never in the event)", b)
	}
	if code, body := r.page("POST", "/skm/"+req.TrackingCode, surveyForm(scores, "")); code != 409 || !strings.Contains(body, "sudah dijawab") {
		t.Fatalf("the phone after the tablet: %d", code)
	}
	// A resend is a duplicate.
	if code, body := r.pushAt(protocol.Prefix, "3273/L1", ev); code != 200 || !strings.Contains(body, `"duplicate":1`) {
		t.Fatalf("resend: %d %s", code, body)
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
