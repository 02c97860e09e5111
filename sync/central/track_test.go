package central

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
	"golang.org/x/time/rate"

	"github.com/loket-id/loket/queue"
	"github.com/loket-id/loket/store"
	"github.com/loket-id/loket/sync/protocol"
)

// trackRig is a central server on loopback with the tracking limit given
// (0: the default), station 3273/L1 whose counter registered a request in
// each stage on 17 March 2026 (the week of Nyepi and Idul Fitri), and
// station 3273/L2 whose one request was erased.
type trackRig struct {
	*rig
	reqs   map[string]queue.Request // by case name
	people map[string]queue.NewRequest
}

// The applicants' data, which no answer may carry.
var trackPeople = map[string]queue.NewRequest{
	"waiting":     {Service: "C", Name: "Siti Rahayu", NIK: "3273014107900042", Phone: "081234567801", Notes: "Catatan rahasia satu"},
	"called":      {Service: "A", Name: "Budi Santoso", NIK: "3273010101850077", Phone: "081234567802"},
	"serving":     {Service: "A", Name: "Dewi Lestari", NIK: "3273015508920013", Phone: "081234567803"},
	"done":        {Service: "C", Name: "Agus Wibowo", NIK: "3273011212880391", Phone: "081234567804", Notes: "Catatan rahasia dua"},
	"no_show":     {Service: "D", Name: "Rina Marlina", NIK: "3273016302950024", Phone: "081234567805"},
	"cancelled":   {Service: "D", Name: "Joko Susilo", NIK: "3273010707700056", Phone: "081234567806"},
	"transferred": {Service: "A", Name: "Wulan Sari", NIK: "3273014404990068", Phone: "081234567807"},
	"erased":      {Service: "C", Name: "Hendra Gunawan", NIK: "3273010303930085", Phone: "081234567808"},
}

func newTrackRig(t testing.TB, per rate.Limit, burst int) *trackRig {
	t.Helper()
	cs, err := OpenBolt(t.TempDir(), time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cs.Close() })
	r := &trackRig{rig: &rig{t: t, cs: cs, tokens: map[string]string{}}, reqs: map[string]queue.Request{}, people: trackPeople}
	for _, k := range []string{"3273/L1", "3273/L2"} {
		office, code, _ := strings.Cut(k, "/")
		_, tok, err := cs.AddStation(office, code, "", time.Now())
		if err != nil {
			t.Fatal(err)
		}
		r.tokens[k] = tok
	}
	if _, err := cs.PublishCatalog(queue.DefaultCatalog()); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer((&Server{Storage: cs, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Rate: 1e9, Burst: 1e9,
		TrackRate: per, TrackBurst: burst}).Handler())
	t.Cleanup(srv.Close)
	r.url = srv.URL

	now := time.Date(2026, 3, 17, 9, 0, 0, 0, wib)
	clock := func() time.Time { now = now.Add(time.Minute); return now }
	open := func() *store.Store {
		st, err := store.Open(filepath.Join(t.TempDir(), store.FileName), store.Options{Location: wib, Clock: clock})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		return st
	}
	ctx := context.Background()
	ani := queue.Actor{Counter: "L1", Clerk: "Ani"}
	st := open()
	for _, name := range []string{"waiting", "called", "serving", "done", "no_show", "cancelled", "transferred"} {
		q, err := st.Register(ctx, r.people[name], ani)
		if err != nil {
			t.Fatal(err)
		}
		r.reqs[name] = q
	}
	act := func(name string, a queue.Action, svc string) {
		t.Helper()
		q, err := st.Act(ctx, r.reqs[name].ID, a, svc, ani)
		if err != nil {
			t.Fatalf("%s %s: %v", a, name, err)
		}
		r.reqs[name] = q
	}
	act("called", queue.ActCall, "")
	act("serving", queue.ActCall, "")
	act("serving", queue.ActServe, "")
	act("done", queue.ActCall, "")
	act("done", queue.ActServe, "")
	act("done", queue.ActDone, "")
	act("no_show", queue.ActCall, "")
	act("no_show", queue.ActNoShow, "")
	act("cancelled", queue.ActCancel, "")
	act("transferred", queue.ActTransfer, "B")
	walkin, _, _, err := st.RegisterWalkIn(ctx, "01KB0000000000000000000WK1", "A", queue.PriorityNone, queue.Actor{Counter: "K1", Clerk: "kiosk"})
	if err != nil {
		t.Fatal(err)
	}
	r.reqs["walkin"] = walkin
	r.sync("3273/L1", st)

	st2 := open()
	q, err := st2.Register(ctx, r.people["erased"], queue.Actor{Counter: "L2", Clerk: "Eko"})
	if err != nil {
		t.Fatal(err)
	}
	r.reqs["erased"] = q
	r.sync("3273/L2", st2)
	erasure, _ := json.Marshal(queue.ErasedData{Reason: queue.ErasedOnRequest})
	ev := next(t, st2, queue.EventErased, q.ID, erasure)
	if code, body := r.pushAt(protocol.Prefix, "3273/L2", ev); code != http.StatusOK {
		t.Fatalf("erasure: %d %s", code, body)
	}
	return r
}

// get fetches path with the headers given, and returns the status, the
// body and the answer's headers.
func (r *trackRig) get(method, path string, form url.Values, hdr ...string) (int, string, http.Header) {
	r.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, _ := http.NewRequest(method, r.url+path, body)
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Do(req)
	if err != nil {
		r.t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(data), resp.Header
}

// noPersonal fails when body holds any applicant's name, NIK, phone or notes.
func (r *trackRig) noPersonal(what, body string) {
	r.t.Helper()
	for _, p := range r.people {
		for _, bad := range []string{p.Name, p.NIK, p.Phone, p.Notes, strings.Fields(p.Name)[0]} {
			if bad != "" && strings.Contains(body, bad) {
				r.t.Errorf("%s: the answer holds %q", what, bad)
			}
		}
	}
}

// TestTrackJSON: each stage as anyone with the code sees it, the second
// factor, and the one not-found answer for an unknown code, a wrong
// factor, a walk-in without a NIK and an erased request.
func TestTrackJSON(t *testing.T) {
	r := newTrackRig(t, 0, 1000)
	last4 := func(name string) string { n := r.people[name].NIK; return n[len(n)-4:] }
	code := func(name string) string { return r.reqs[name].TrackingCode }
	_, notFound, _ := r.get("GET", "/v1/track/"+"ZZZZ-ZZZZ-ZZZZ", nil)
	if !strings.Contains(notFound, trackNotFound) || !strings.Contains(notFound, protocol.CodeNotFound) {
		t.Fatalf("the not-found answer: %s", notFound)
	}
	cases := []struct {
		name, path string
		status     int
		stage      string
		service    string // the service's name in the answer
		due        string
		unlocked   bool
	}{
		{"waiting", "/v1/track/" + code("waiting"), 200, StageWaiting, "Izin Praktik Tenaga Kesehatan (SIP)", "2026-03-31", false},
		{"called", "/v2/track/" + code("called"), 200, StageInService, "Bantuan Perizinan Berusaha (NIB/OSS)", "2026-03-25", false},
		{"serving", "/v1/track/" + code("serving"), 200, StageInService, "Bantuan Perizinan Berusaha (NIB/OSS)", "2026-03-25", false},
		{"done", "/v1/track/" + code("done"), 200, StageDone, "Izin Praktik Tenaga Kesehatan (SIP)", "2026-03-31", false},
		{"no_show", "/v1/track/" + code("no_show"), 200, StageNoShow, "Izin Reklame", "", false},
		{"cancelled", "/v1/track/" + code("cancelled"), 200, StageCancelled, "Izin Reklame", "", false},
		{"transferred", "/v1/track/" + code("transferred"), 200, StageTransferred, "Persetujuan Bangunan Gedung (PBG)", "2026-05-05", false},
		{"walkin", "/v1/track/" + code("walkin"), 200, StageWaiting, "Bantuan Perizinan Berusaha (NIB/OSS)", "2026-03-25", false},
		{"english", "/v1/track/" + code("waiting") + "?lang=en", 200, StageWaiting, "Health-worker practice permit (SIP)", "2026-03-31", false},
		{"typed as on paper", "/v1/track/" + strings.ToLower(strings.ReplaceAll(code("done"), "-", "")), 200, StageDone, "Izin Praktik Tenaga Kesehatan (SIP)", "2026-03-31", false},
		{"right factor", "/v1/track/" + code("done") + "?nik4=" + last4("done"), 200, StageDone, "Izin Praktik Tenaga Kesehatan (SIP)", "2026-03-31", true},
		{"right factor, waiting", "/v2/track/" + code("waiting") + "?nik4=" + last4("waiting"), 200, StageWaiting, "Izin Praktik Tenaga Kesehatan (SIP)", "2026-03-31", true},
		{"wrong factor", "/v1/track/" + code("done") + "?nik4=0000", 404, "", "", "", false},
		{"another's factor", "/v1/track/" + code("done") + "?nik4=" + last4("waiting"), 404, "", "", "", false},
		{"factor too long", "/v1/track/" + code("done") + "?nik4=" + last4("done") + "1", 404, "", "", "", false},
		{"a walk-in has no NIK", "/v1/track/" + code("walkin") + "?nik4=0000", 404, "", "", "", false},
		{"erased", "/v1/track/" + code("erased"), 404, "", "", "", false},
		{"erased, its digits", "/v1/track/" + code("erased") + "?nik4=" + last4("erased"), 404, "", "", "", false},
		{"unknown", "/v1/track/HPRN-2345-6789", 404, "", "", "", false},
		{"unknown, digits", "/v2/track/HPRN-2345-6789?nik4=1234", 404, "", "", "", false},
		{"not a code", "/v1/track/hello", 404, "", "", "", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			status, body, hdr := r.get("GET", c.path, nil)
			r.noPersonal(c.name, body)
			if status != c.status {
				t.Fatalf("%s: %d %s, want %d", c.path, status, body, c.status)
			}
			if hdr.Get("Cache-Control") != "no-store" {
				t.Errorf("Cache-Control %q", hdr.Get("Cache-Control"))
			}
			if c.status == 404 {
				if body != notFound {
					t.Errorf("not the one not-found answer:\n%s\nwant\n%s", body, notFound)
				}
				return
			}
			var a TrackAnswer
			var raw map[string]any
			if err := json.Unmarshal([]byte(body), &a); err != nil {
				t.Fatal(err)
			}
			_ = json.Unmarshal([]byte(body), &raw)
			if a.Stage != c.stage || a.ServiceName != c.service || a.Due != c.due || a.Unlocked != c.unlocked ||
				a.Office != "3273" || a.Registered != "2026-03-17" {
				t.Errorf("answer %+v, want stage %s service %q due %q unlocked %v", a, c.stage, c.service, c.due, c.unlocked)
			}
			for _, k := range []string{"ticket", "counter", "called_at", "serving_at", "done_at"} {
				if _, ok := raw[k]; ok && !c.unlocked {
					t.Errorf("locked answer shows %s: %s", k, body)
				}
			}
			for _, k := range []string{"name", "nik", "phone", "notes", "clerk", "id"} {
				if _, ok := raw[k]; ok {
					t.Errorf("the answer has a field %s", k)
				}
			}
		})
	}
	// Unlocked: the ticket, counter and times, in the office's zone.
	_, body, _ := r.get("GET", "/v1/track/"+code("done")+"?nik4="+last4("done"), nil)
	var a TrackAnswer
	_ = json.Unmarshal([]byte(body), &a)
	d := r.reqs["done"]
	if a.Ticket != d.Ticket || a.Counter != "L1" || a.CalledAt == nil || !a.CalledAt.Equal(*d.CalledAt) || a.DoneAt == nil ||
		!a.DoneAt.Equal(*d.DoneAt) || a.ServingAt == nil || !strings.HasSuffix(a.DoneAt.Format(time.RFC3339), "+07:00") {
		t.Errorf("unlocked answer %s, want ticket %s and its times", body, d.Ticket)
	}
	_, body, _ = r.get("GET", "/v1/track/"+code("transferred"), nil)
	if !strings.Contains(body, `"first_service":"A"`) || !strings.Contains(body, "Dialihkan ke layanan lain: Persetujuan Bangunan Gedung (PBG)") {
		t.Errorf("transferred: %s", body)
	}
	// The language from the browser's Accept-Language.
	_, body, _ = r.get("GET", "/v1/track/"+code("waiting"), nil, "Accept-Language", "en-GB,en;q=0.9,id;q=0.5")
	if !strings.Contains(body, `"stage_text":"Waiting"`) {
		t.Errorf("Accept-Language en: %s", body)
	}

	// The centre's own retention purges the done request: from then on its
	// code and digits answer not found too.
	if _, err := r.cs.Purge("2999-01-01", false); err != nil {
		t.Fatal(err)
	}
	if status, body, _ := r.get("GET", "/v1/track/"+code("done")+"?nik4="+last4("done"), nil); status != 404 || body != notFound {
		t.Errorf("purged: %d %s", status, body)
	}
}

// TestTrackPage: the HTML pages say the same as the JSON, never a personal
// datum, and give one not-found page for the three cases.
func TestTrackPage(t *testing.T) {
	r := newTrackRig(t, 0, 1000)
	code := r.reqs["done"].TrackingCode
	nik := r.people["done"].NIK
	status, form, hdr := r.get("GET", "/lacak", nil)
	if status != 200 || !strings.Contains(form, `<form id="lookup" class="card" method="get" action="/lacak">`) || !strings.Contains(form, "Masukkan kode lacak") ||
		!strings.Contains(hdr.Get("Content-Security-Policy"), "default-src 'none'") {
		t.Fatalf("/lacak: %d %s", status, form)
	}
	if _, en, _ := r.get("GET", "/lacak", nil, "Accept-Language", "en-US,en"); !strings.Contains(en, "Enter the tracking code") {
		t.Errorf("/lacak in English: %s", en)
	}
	// The form's GET leads to the answer page of the normalised code.
	status, _, hdr = r.get("GET", "/lacak?code="+url.QueryEscape(strings.ToLower(code)), nil)
	if status != http.StatusSeeOther || hdr.Get("Location") != "/lacak/"+code {
		t.Fatalf("/lacak?code=: %d %s", status, hdr.Get("Location"))
	}
	status, page, _ := r.get("GET", "/lacak/"+code, nil)
	r.noPersonal("answer page", page)
	for _, want := range []string{"Selesai", "Izin Praktik Tenaga Kesehatan (SIP)", "Selasa, 17 Maret 2026", "Selasa, 31 Maret 2026", "3273", `name="nik4"`} {
		if !strings.Contains(page, want) {
			t.Errorf("the answer page lacks %q", want)
		}
	}
	if status != 200 || strings.Contains(page, r.reqs["done"].Ticket) {
		t.Errorf("answer page: %d, or the ticket shows without the second factor", status)
	}
	// The second factor, posted or in the query.
	for _, how := range []struct {
		method, path string
		form         url.Values
	}{{"POST", "/lacak/" + code, url.Values{"nik4": {nik[12:]}}}, {"GET", "/lacak/" + code + "?nik4=" + nik[12:], nil}} {
		status, page, _ := r.get(how.method, how.path, how.form)
		r.noPersonal("unlocked page", page)
		if status != 200 || !strings.Contains(page, `<dd id="ticket" class="big">`+r.reqs["done"].Ticket) || !strings.Contains(page, `id="done"`) {
			t.Errorf("%s %s: %d %s", how.method, how.path, status, page)
		}
	}
	// One not-found page.
	_, notFound, _ := r.get("GET", "/lacak/HPRN-2345-6789", nil)
	if !strings.Contains(notFound, "Tidak ditemukan, atau 4 digit terakhir NIK tidak cocok.") {
		t.Fatalf("not found: %s", notFound)
	}
	for _, c := range []struct {
		what, method, path string
		form               url.Values
	}{
		{"wrong factor posted", "POST", "/lacak/" + code, url.Values{"nik4": {"0000"}}},
		{"empty factor posted", "POST", "/lacak/" + code, url.Values{"nik4": {""}}},
		{"wrong factor", "GET", "/lacak/" + code + "?nik4=9999", nil},
		{"erased", "GET", "/lacak/" + r.reqs["erased"].TrackingCode, nil},
		{"erased, its digits", "POST", "/lacak/" + r.reqs["erased"].TrackingCode, url.Values{"nik4": {r.people["erased"].NIK[12:]}}},
		{"walk-in with digits", "POST", "/lacak/" + r.reqs["walkin"].TrackingCode, url.Values{"nik4": {"0000"}}},
		{"not a code", "GET", "/lacak/%3Cscript%3E", nil},
	} {
		status, page, _ := r.get(c.method, c.path, c.form)
		if status != 404 || page != notFound {
			t.Errorf("%s: %d, a page that differs from the not-found one:\n%s", c.what, status, page)
		}
	}
}

// TestTrackRateLimit: past the burst an address gets 429 with Retry-After,
// on the page and in JSON; the stylesheet is not counted.
func TestTrackRateLimit(t *testing.T) {
	r := newTrackRig(t, rate.Every(time.Minute/30), 3)
	for i := 0; i < 5; i++ {
		r.get("GET", "/lacak/assets/track.css", nil)
	}
	code := r.reqs["waiting"].TrackingCode
	for i := 0; i < 3; i++ {
		if status, body, _ := r.get("GET", "/v1/track/"+code, nil); status != 200 {
			t.Fatalf("lookup %d: %d %s", i+1, status, body)
		}
	}
	status, body, hdr := r.get("GET", "/v1/track/"+code, nil)
	if status != http.StatusTooManyRequests || hdr.Get("Retry-After") != "2" || !strings.Contains(body, protocol.CodeRateLimited) {
		t.Errorf("past the burst: %d Retry-After %q %s", status, hdr.Get("Retry-After"), body)
	}
	status, body, hdr = r.get("GET", "/lacak/"+code, nil)
	if status != http.StatusTooManyRequests || hdr.Get("Retry-After") == "" || !strings.Contains(body, "Terlalu banyak permintaan") {
		t.Errorf("the page past the burst: %d Retry-After %q %s", status, hdr.Get("Retry-After"), body)
	}
}

// TestAddrLimitsSweep: the map of addresses does not grow without end.
func TestAddrLimitsSweep(t *testing.T) {
	now := time.Date(2026, 3, 17, 9, 0, 0, 0, time.UTC)
	a := &addrLimits{rate: rate.Every(2 * time.Second), burst: 10, now: func() time.Time { return now }}
	for i := 0; i < addrLimitsSweep; i++ {
		a.take("10.0." + string(rune('a'+i%26)) + "." + time.Duration(i).String())
	}
	now = now.Add(time.Hour)
	a.take("192.0.2.1")
	if len(a.byIP) != 1 {
		t.Errorf("after an hour %d addresses are kept, want 1", len(a.byIP))
	}
}

// TestClientAddr: IPv4 by address, IPv6 by /64.
func TestClientAddr(t *testing.T) {
	for in, want := range map[string]string{
		"192.0.2.7:5555":                      "192.0.2.7",
		"[2001:db8:1:2:aaaa::1]:443":          "2001:db8:1:2::/64",
		"[2001:db8:1:2:bbbb:cccc:dddd:1]:443": "2001:db8:1:2::/64",
	} {
		if got := clientAddr(&http.Request{RemoteAddr: in}); got != want {
			t.Errorf("%s: %s, want %s", in, got, want)
		}
	}
}

// TestTrackingIndexMigration: a database at schema 3 (no tracking bucket)
// gets its index built from the requests it holds when opened.
func TestTrackingIndexMigration(t *testing.T) {
	r := newTrackRig(t, 0, 1000)
	dir := filepath.Dir(r.cs.Path())
	if err := r.cs.db.Update(func(tx *bolt.Tx) error {
		if err := tx.DeleteBucket(bTracking); err != nil {
			return err
		}
		return tx.Bucket(bMeta).Put(kSchemaVersion, []byte{0, 0, 0, 0, 0, 0, 0, 3})
	}); err != nil {
		t.Fatal(err)
	}
	r.cs.Close()
	cs, err := OpenBolt(dir, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer cs.Close()
	for name, q := range r.reqs {
		got, found, err := cs.Track(q.TrackingCode)
		if err != nil || !found || got.Request.ID != q.ID || got.Office != "3273" {
			t.Errorf("%s after the migration: %+v %v %v", name, got, found, err)
		}
		if name == "waiting" && got.Request.NIK != r.people[name].NIK {
			t.Errorf("Track does not join the personal part: %+v", got.Request)
		}
	}
	if _, found, err := cs.Track("HPRN-2345-6789"); found || err != nil {
		t.Errorf("an unknown code: %v %v", found, err)
	}
}

// BenchmarkTrackNotFound: the three not-found answers (an unknown code, a
// wrong second factor, an erased request) beside the anchor, a wrong
// factor's, in the same run; and a visible answer for scale. The ratios
// show what a timer could learn (BENCHMARKS.md).
func BenchmarkTrackNotFound(b *testing.B) {
	r := newTrackRig(b, 0, 1000)
	h := (&Server{Storage: r.cs, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), TrackRate: rate.Inf}).Handler()
	nik := r.people["done"].NIK
	for _, c := range []struct{ name, path string }{
		{"anchor_wrong_factor", "/lacak/" + r.reqs["done"].TrackingCode + "?nik4=0000"},
		{"unknown_code", "/lacak/HPRN-2345-6789?nik4=0000"},
		{"not_a_code", "/lacak/hello?nik4=0000"},
		{"erased", "/lacak/" + r.reqs["erased"].TrackingCode + "?nik4=0000"},
		{"json_wrong_factor", "/v1/track/" + r.reqs["done"].TrackingCode + "?nik4=0000"},
		{"json_unknown_code", "/v1/track/HPRN-2345-6789?nik4=0000"},
		{"right_factor", "/lacak/" + r.reqs["done"].TrackingCode + "?nik4=" + nik[12:]},
	} {
		b.Run(c.name, func(b *testing.B) {
			req := httptest.NewRequest("GET", c.path, nil)
			req.RemoteAddr = "192.0.2.1:1234"
			for range b.N {
				w := httptest.NewRecorder()
				h.ServeHTTP(w, req)
				if w.Code != 404 && c.name != "right_factor" {
					b.Fatalf("%s: %d", c.path, w.Code)
				}
			}
		})
	}
}

// TestTrackWithoutPublishedCatalog: before the central office publishes a
// catalog, the page names the service and gives its due date from the
// catalog the counters work on (their embedded default).
func TestTrackWithoutPublishedCatalog(t *testing.T) {
	r := newRig(t, "3273/L1")
	st := counter(t)
	q, err := st.Register(context.Background(), queue.NewRequest{Service: "B", Name: "Siti Aminah", NIK: "3578014405900002"}, queue.Actor{Counter: "L1", Clerk: "Ani"})
	if err != nil {
		t.Fatal(err)
	}
	r.sync("3273/L1", st)
	resp, err := http.Get(r.url + "/v2/track/" + q.TrackingCode)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var a TrackAnswer
	if err := json.NewDecoder(resp.Body).Decode(&a); err != nil || resp.StatusCode != 200 {
		t.Fatalf("track: %d %v", resp.StatusCode, err)
	}
	if a.ServiceName != "Persetujuan Bangunan Gedung (PBG)" || a.Due == "" {
		t.Fatalf("without a published catalog: %+v", a)
	}
}

// TestTrackPageLeadsToTheSurvey: the receipt's QR leads to the tracking
// page; once the request is done that page leads on to its survey.
func TestTrackPageLeadsToTheSurvey(t *testing.T) {
	r := newRig(t, "3273/L1")
	st := counter(t)
	ctx := context.Background()
	by := queue.Actor{Counter: "L1", Clerk: "Ani"}
	done, err := st.Register(ctx, queue.NewRequest{Service: "A", Name: "Siti Aminah", NIK: "3578014405900002"}, by)
	if err != nil {
		t.Fatal(err)
	}
	waiting, err := st.Register(ctx, queue.NewRequest{Service: "A", Name: "Budi", NIK: "3578014405900003"}, by)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range []queue.Action{queue.ActCall, queue.ActServe, queue.ActDone} {
		if _, err := st.Act(ctx, done.ID, a, "", by); err != nil {
			t.Fatal(err)
		}
	}
	r.sync("3273/L1", st)
	page := func(code string) string {
		resp, err := http.Get(r.url + "/lacak/" + code + "?lang=id")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return string(b)
	}
	if p := page(done.TrackingCode); !strings.Contains(p, `href="/skm/`+done.TrackingCode+`?lang=id"`) || !strings.Contains(p, "survei kepuasan") {
		t.Fatalf("a done request's page does not lead to its survey:\n%s", p)
	}
	if p := page(waiting.TrackingCode); strings.Contains(p, "/skm/") {
		t.Fatal("a waiting request's page offers the survey")
	}
}
