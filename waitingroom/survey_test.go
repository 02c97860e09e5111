package waitingroom

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/oklog/ulid/v2"

	"github.com/loket-id/loket/queue"
	"github.com/loket-id/loket/skm"
)

// TestSurveyTablet: the survey pages take a survey tablet's token only
// (none or an unknown one 401, a board's or a kiosk's 403); an answer for a
// done request is stored once (the same form sent again with its key is
// the same answer; another answer is refused with 409), with the office
// and station of the config; a request not done, an unknown code, a form
// without every score and a comment with a phone number are refused with
// what is wrong, and nothing is stored for them.
func TestSurveyTablet(t *testing.T) {
	e := newEnv(t, Config{OfficeCode: "3273", StationCode: "HUB"})
	by := queue.Actor{Counter: "L1", Clerk: "Sari"}
	done, err := e.st.Register(context.Background(), queue.NewRequest{Service: "A", Name: "Siti Rahasia", NIK: "3273014107900456"}, by)
	if err != nil {
		t.Fatal(err)
	}
	for _, act := range []queue.Action{queue.ActCall, queue.ActDone} {
		if done, err = e.st.Act(context.Background(), done.ID, act, "", by); err != nil {
			t.Fatal(err)
		}
	}
	waiting, err := e.st.Register(context.Background(), queue.NewRequest{Service: "A", Name: "Budi", NIK: "3273014107900457"}, by)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		token string
		want  int
	}{{"", 401}, {"nope", 401}, {boardToken, 403}, {kioskToken, 403}, {tabToken, 303}} {
		if resp := e.client(tc.token).get("/survey"); resp.StatusCode != tc.want {
			t.Errorf("GET /survey with %q: %d, want %d", tc.token, resp.StatusCode, tc.want)
		}
	}
	tab := e.client(tabToken)
	if resp := tab.get("/survey/" + done.TrackingCode); resp.StatusCode != 303 {
		t.Fatalf("the form: %d", resp.StatusCode)
	}
	body := func(resp *http.Response) string {
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		return string(b)
	}
	resp, err := tab.c.Get(e.url("/survey/" + done.TrackingCode)) // with the cookie
	if err != nil {
		t.Fatal(err)
	}
	if page := body(resp); resp.StatusCode != 200 || strings.Contains(page, "Siti") || strings.Contains(page, "0456") || !strings.Contains(page, `name="key"`) {
		t.Fatalf("the form: %d\n%s", resp.StatusCode, page)
	}
	form := func(score string, key, comment string) url.Values {
		v := url.Values{"key": {key}, "lang": {"id"}, "comment": {comment}, "sex": {"f"}}
		for _, el := range skm.Elements {
			v.Set(strings.ToLower(el.Code()), score)
		}
		return v
	}
	post := func(code string, v url.Values) (int, string) {
		resp, err := tab.c.PostForm(e.url("/survey/"+code), v)
		if err != nil {
			t.Fatal(err)
		}
		return resp.StatusCode, body(resp)
	}
	key := ulid.Make().String()
	noScore := form("3", key, "")
	noScore.Del("u7")
	for _, tc := range []struct {
		name, code string
		form       url.Values
		want       int
		says       string
	}{
		{"not done", waiting.TrackingCode, form("3", ulid.Make().String(), ""), 409, "selesai"},
		{"unknown", "ABCD-EFGH-JKLM", form("3", ulid.Make().String(), ""), 404, "tidak ditemukan"},
		{"a score missing", done.TrackingCode, noScore, 400, "U7"},
		{"a phone number", done.TrackingCode, form("3", key, "telepon saya 081234567890"), 422, "NIK"},
		{"the answer", done.TrackingCode, form("3", key, "Cepat"), 200, "Terima kasih"},
		{"again with its key", done.TrackingCode, form("3", key, "Cepat"), 200, "Terima kasih"},
		{"another answer", done.TrackingCode, form("1", ulid.Make().String(), ""), 409, "sudah dijawab"},
		{"another answer with the first key", done.TrackingCode, form("1", key, ""), 409, "sudah dijawab"},
	} {
		code, page := post(tc.code, tc.form)
		if code != tc.want || !strings.Contains(page, tc.says) {
			t.Errorf("%s: %d, want %d saying %q:\n%s", tc.name, code, tc.want, tc.says, page)
		}
	}
	var got []skm.Answer
	if err := e.st.Surveys(context.Background(), skm.Filter{}, func(a skm.Answer) error { got = append(got, a); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].Office != "3273" || got[0].Station != "HUB" || got[0].Comment != "Cepat" || got[0].Scores[0] != 3 || got[0].Sex != "f" {
		t.Fatalf("stored: %+v", got)
	}
}
