package centraltest

// The satisfaction survey at the centre (central.Surveys): the phone's
// page and a station's survey.answered, on any storage.

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
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

// DoneRequest registers a request at st and finishes it.
func DoneRequest(t *testing.T, st *store.Store) queue.Request {
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

// SurveyForm is a posted survey: every element scored s, the respondent
// data and a comment.
func SurveyForm(scores [skm.NumElements]int, comment string) url.Values {
	v := url.Values{"age": {"30-39"}, "sex": {"f"}, "education": {"s1"}, "occupation": {"swasta"}, "comment": {comment}}
	for _, e := range skm.Elements {
		if scores[e] != 0 {
			v.Set(strings.ToLower(e.Code()), strconv.Itoa(scores[e]))
		}
	}
	return v
}

// Page gets or posts (a form) a page of the server.
func (r *Rig) Page(method, path string, form url.Values) (int, string) {
	r.T.Helper()
	var resp *http.Response
	var err error
	if method == http.MethodPost {
		resp, err = http.PostForm(r.URL+path, form)
	} else {
		resp, err = http.Get(r.URL + path)
	}
	if err != nil {
		r.T.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// Answers are the stored survey answers.
func (r *Rig) Answers() []skm.Answer {
	r.T.Helper()
	var out []skm.Answer
	if err := r.S.Surveys(skm.Filter{}, func(a skm.Answer) error { out = append(out, a); return nil }); err != nil {
		r.T.Fatal(err)
	}
	return out
}

// SurveyEvent is st's next event: a survey.answered for r with the
// comment beside it, as the hub's tablet records it.
func SurveyEvent(t *testing.T, st *store.Store, r queue.Request, scores [skm.NumElements]int, comment string) protocol.Event {
	t.Helper()
	a := skm.Answer{RequestID: r.ID, TrackingCode: r.TrackingCode, Service: r.Service, Office: "Kantor", Station: "L1",
		AnsweredAt: time.Now().In(WIB), Scores: scores, Comment: comment}
	a, err := a.Validate()
	if err != nil {
		t.Fatal(err)
	}
	p, digest := skm.CommentPart(a.Comment, []byte("0123456789abcdef"))
	data, err := skm.EventData(a, digest)
	if err != nil {
		t.Fatal(err)
	}
	e := Next(t, st, queue.EventSurveyed, r.ID, data)
	e.Personal = &p
	e.Hash = protocol.Hash(e)
	return e
}

// testSurveys: the centre's /skm/{code} page takes one answer per
// done request, refuses a second one (by phone or after a station's), an
// unknown code and a request not done; a station's later survey.answered
// for the same request is taken without refusing its batch, the first
// answer standing; an erasure takes the comment and leaves the scores.
func testSurveys(t *testing.T, open Open) {
	r := newRig(t, open, "3273/L1")
	st := Counter(t)
	req := DoneRequest(t, st)
	ctx := context.Background()
	waiting, err := st.Register(ctx, queue.NewRequest{Service: "A", Name: "Budi", NIK: "3273010101900043"}, queue.Actor{Counter: "L1", Clerk: "Ani"})
	if err != nil {
		t.Fatal(err)
	}
	r.Sync("3273/L1", st)
	if _, err := r.S.PublishCatalog([]queue.Service{{Code: "A", NameID: "Izin Usaha", NameEN: "Business permit", Active: true}}); err != nil {
		t.Fatal(err)
	}
	path := "/skm/" + req.TrackingCode

	code, body := r.Page("GET", path, nil)
	if code != 200 || !strings.Contains(body, "A Izin Usaha") || !strings.Contains(body, `name="u9"`) || strings.Contains(body, "Siti") {
		t.Fatalf("GET %s: %d\n%s", path, code, body)
	}
	if code, body := r.Page("GET", path+"?lang=en", nil); code != 200 || !strings.Contains(body, "Business permit") || !strings.Contains(body, "very good") {
		t.Fatalf("GET in English: %d", code)
	}
	// The code typed in lower case with spaces leads to the same page.
	if code, body := r.Page("GET", "/skm?code="+url.QueryEscape(strings.ToLower(strings.ReplaceAll(req.TrackingCode, "-", " "))), nil); code != 200 || !strings.Contains(body, `name="u1"`) {
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
		if code, body := r.Page("GET", tc.path, nil); code != tc.want || !strings.Contains(body, tc.text) {
			t.Errorf("%s: %d, want %d with %q", tc.name, code, tc.want, tc.text)
		}
	}

	scores := [skm.NumElements]int{4, 3, 3, 3, 3, 3, 3, 3, 3}
	for _, tc := range []struct {
		name string
		form url.Values
		text string
	}{
		{"a score missing", SurveyForm([skm.NumElements]int{4, 3, 3, 3, 0, 3, 3, 3, 3}, ""), "U5"},
		{"a score of 5", SurveyForm([skm.NumElements]int{5, 3, 3, 3, 3, 3, 3, 3, 3}, ""), "U1"},
		{"a phone number in the comment", SurveyForm(scores, "hubungi 0812 3456 7890"), "nomor panjang"},
		{"a control character", SurveyForm(scores, "bagus\x1b[2J"), "Saran atau masukan"},
		{"an occupation not on the list", func() url.Values { v := SurveyForm(scores, ""); v.Set("occupation", "astronaut"); return v }(), "Pekerjaan"},
	} {
		code, body := r.Page("POST", path, tc.form)
		if code != 400 || !strings.Contains(body, tc.text) {
			t.Errorf("%s: %d, want 400 with %q\n%s", tc.name, code, tc.text, body)
		}
	}
	if got := r.Answers(); len(got) != 0 {
		t.Fatalf("refused answers were stored: %+v", got)
	}

	if code, body := r.Page("POST", path, SurveyForm(scores, "Ruang tunggu nyaman")); code != 200 || !strings.Contains(body, "Terima kasih") {
		t.Fatalf("the answer: %d\n%s", code, body)
	}
	got := r.Answers()
	if len(got) != 1 || got[0].RequestID != req.ID || got[0].Office != "3273" || got[0].Station != "L1" || got[0].Service != "A" ||
		got[0].Scores != scores || got[0].Comment != "Ruang tunggu nyaman" || got[0].Occupation != "swasta" {
		t.Fatalf("stored: %+v", got)
	}
	if code, body := r.Page("POST", path, SurveyForm([skm.NumElements]int{1, 1, 1, 1, 1, 1, 1, 1, 1}, "")); code != 409 || !strings.Contains(body, "sudah dijawab") {
		t.Fatalf("a second answer: %d\n%s", code, body)
	}
	if code, _ := r.Page("GET", path, nil); code != 409 {
		t.Fatalf("the page after the answer: %d", code)
	}

	// The hub's tablet took an answer too before it synced: its batch is
	// taken (sync never stalls), the phone's answer stands.
	ev := SurveyEvent(t, st, req, [skm.NumElements]int{1, 1, 1, 1, 1, 1, 1, 1, 1}, "tablet")
	if code, body := r.PushAt(protocol.Prefix, "3273/L1", ev); code != 200 {
		t.Fatalf("the station's survey.answered: %d %s", code, body)
	}
	if got := r.Answers(); len(got) != 1 || got[0].Comment != "Ruang tunggu nyaman" {
		t.Fatalf("after the station's answer: %+v", got)
	}

	// The request's erasure takes the comment, not the scores.
	erasure, _ := json.Marshal(queue.ErasedData{Reason: queue.ErasedRetention})
	ee := Next(t, st, queue.EventErased, req.ID, erasure)
	ee.Seq = ev.Seq + 1
	ee.Hash = protocol.Hash(ee)
	if code, body := r.PushAt(protocol.Prefix, "3273/L1", ee); code != 200 {
		t.Fatalf("erasure: %d %s", code, body)
	}
	if got := r.Answers(); len(got) != 1 || got[0].Comment != "" || got[0].Scores != scores {
		t.Fatalf("after the erasure: %+v", got)
	}
	r.CheckClean()
}

// testSurveyFromStation: a station's survey.answered is stored with its
// comment (from beside the event), after which the phone is refused; a
// survey.answered whose data names another request is refused.
func testSurveyFromStation(t *testing.T, open Open) {
	r := newRig(t, open, "3273/L1")
	st := Counter(t)
	req := DoneRequest(t, st)
	r.Sync("3273/L1", st)
	scores := [skm.NumElements]int{3, 3, 3, 3, 3, 3, 3, 3, 4}

	bad := SurveyEvent(t, st, req, scores, "")
	var m map[string]any
	_ = json.Unmarshal(bad.Data, &m)
	m["request_id"] = "01KB00000000000000000000ZZ"
	bad.Data, _ = json.Marshal(m)
	bad.Hash = protocol.Hash(bad)
	if code, body := r.PushAt(protocol.Prefix, "3273/L1", bad); code != 400 || !strings.Contains(body, "survey.answered") {
		t.Fatalf("an answer for another request: %d %s", code, body)
	}

	ev := SurveyEvent(t, st, req, scores, "Petugas ramah")
	if code, body := r.PushAt(protocol.Prefix, "3273/L1", ev); code != 200 {
		t.Fatalf("the station's survey.answered: %d %s", code, body)
	}
	got := r.Answers()
	if len(got) != 1 || got[0].Comment != "Petugas ramah" || got[0].Office != "3273" || got[0].Station != "L1" {
		t.Fatalf("stored: %+v", got)
	}
	if h := r.History(protocol.Prefix, "3273/L1"); strings.Contains(string(h.Events[len(h.Events)-1].Data), "Petugas") {
		t.Fatalf("the comment is in the stored event's data: %s", h.Events[len(h.Events)-1].Data)
	}
	if code, body := r.Page("POST", "/skm/"+req.TrackingCode, SurveyForm(scores, "")); code != 409 || !strings.Contains(body, "sudah dijawab") {
		t.Fatalf("the phone after the tablet: %d", code)
	}
	// A resend is a duplicate.
	if code, body := r.PushAt(protocol.Prefix, "3273/L1", ev); code != 200 || !strings.Contains(body, `"duplicate":1`) {
		t.Fatalf("resend: %d %s", code, body)
	}
	r.CheckClean()
}
