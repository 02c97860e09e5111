package central

// The tracking pages (track.go says what they show): plain HTML and CSS
// embedded from trackpage/, no script, so the form works on any phone.

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"net/http"
	"time"

	"github.com/loket-id/loket/i18n"
	"github.com/loket-id/loket/queue"
)

//go:embed trackpage
var trackFS embed.FS

var trackTemplate = template.Must(template.ParseFS(trackFS, "trackpage/track.html"))

// trackPageData is what the page's template gets.
type trackPageData struct {
	Lang, OtherLang, OtherHref, Home string
	Chosen                           bool   // the language came from ?lang=, which links keep
	Mode                             string // "form", "answer", "notfound", "busy"
	T                                map[string]string
	A                                TrackAnswer
	Action                           string // the second factor's form posts here
	Registered, Due                  string
	Called, Served, Done             string
	Busy                             string
	Survey                           string // the satisfaction survey of a request done, /skm/{code}
}

// trackTexts are the page's texts in lang.
func trackTexts(lang string) map[string]string {
	t := i18n.For(lang)
	return map[string]string{
		"title": t.S("track.title"), "intro": t.S("track.intro"), "code": t.S("track.code"), "submit": t.S("track.submit"),
		"notfound": t.S("track.not_found"), "service": t.S("track.service"), "from": t.S("track.from"),
		"office": t.S("track.office"), "registered": t.S("track.registered"), "due": t.S("track.due"),
		"more": t.S("track.more"), "nik4": t.S("track.nik4"), "unlock": t.S("track.unlock"),
		"ticket": t.S("track.ticket"), "counter": t.S("track.counter"), "called": t.S("track.called"),
		"served": t.S("track.served"), "done": t.S("track.done"), "again": t.S("track.again"),
		"privacy": t.S("track.privacy"), "other": t.S("track.other_language"), "survey": t.S("track.survey"),
	}
}

// trackPage renders the page with status.
func (s *Server) trackPage(w http.ResponseWriter, r *http.Request, status int, d trackPageData) {
	lang, chosen := trackLang(r)
	d.Lang, d.Chosen, d.T = lang, chosen, trackTexts(lang)
	d.OtherLang = map[string]string{"id": "en", "en": "id"}[lang]
	d.Home = "/lacak"
	if chosen {
		d.Home += "?lang=" + lang
	}
	d.OtherHref = r.URL.Path + "?lang=" + d.OtherLang
	t := i18n.For(lang)
	if d.Mode == "answer" {
		d.Action = trackHref(d.A.Code, lang, chosen)
		d.OtherHref = trackHref(d.A.Code, d.OtherLang, true)
		d.Registered = t.LongDate(d.A.registered)
		if d.A.Due != "" {
			d.Due = t.LongDate(d.A.due)
		}
		at := func(p *time.Time) string {
			if p == nil {
				return ""
			}
			return t.Date(*p) + ", " + p.Format("15.04")
		}
		d.Called, d.Served, d.Done = at(d.A.CalledAt), at(d.A.ServingAt), at(d.A.DoneAt)
		if d.A.Stage == StageDone {
			d.Survey = "/skm/" + d.A.Code + "?lang=" + lang
		}
	}
	if d.Mode == "notfound" || d.Mode == "busy" {
		d.OtherHref = "/lacak?lang=" + d.OtherLang
	}
	var buf bytes.Buffer
	if err := trackTemplate.Execute(&buf, d); err != nil {
		s.trackFailed(w, fmt.Errorf("%w: %w", errNoTemplate, err))
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// trackForm answers GET /lacak: the form, or with ?code= the way to its
// answer page.
func (s *Server) trackForm(w http.ResponseWriter, r *http.Request) {
	if code := r.URL.Query().Get("code"); code != "" {
		if norm, ok := queue.NormalizeTrackingCode(code); ok {
			code = norm
		}
		lang, chosen := trackLang(r)
		http.Redirect(w, r, trackHref(code, lang, chosen), http.StatusSeeOther)
		return
	}
	s.trackPage(w, r, http.StatusOK, trackPageData{Mode: "form"})
}

// trackAnswer answers GET and POST /lacak/{code}: the second factor is the
// query's or the posted form's nik4.
func (s *Server) trackAnswer(w http.ResponseWriter, r *http.Request) {
	if !s.allowTrack(w, r, func(wait int) {
		lang, _ := trackLang(r)
		s.trackPage(w, r, http.StatusTooManyRequests, trackPageData{Mode: "busy", Busy: i18n.For(lang).S("track.busy", wait)})
	}) {
		return
	}
	nik4 := r.URL.Query().Get("nik4")
	if r.Method == http.MethodPost {
		r.Body = http.MaxBytesReader(w, r.Body, 1<<10)
		if err := r.ParseForm(); err == nil {
			nik4 = r.PostForm.Get("nik4")
		}
		if nik4 == "" {
			nik4 = "-" // an empty posted factor is a wrong one, not none
		}
	}
	lang, _ := trackLang(r)
	a, ok, err := s.lookup(trackCode(r), nik4, lang)
	if err != nil {
		s.trackFailed(w, err)
		return
	}
	if !ok {
		s.trackPage(w, r, http.StatusNotFound, trackPageData{Mode: "notfound"})
		return
	}
	s.trackPage(w, r, http.StatusOK, trackPageData{Mode: "answer", A: a})
}

// trackAsset serves the page's stylesheet.
func (s *Server) trackAsset(w http.ResponseWriter, r *http.Request) {
	if r.PathValue("file") != "track.css" {
		http.NotFound(w, r)
		return
	}
	b, _ := trackFS.ReadFile("trackpage/track.css")
	h := w.Header()
	h.Set("Content-Type", "text/css; charset=utf-8")
	h.Set("Cache-Control", "public, max-age=3600")
	h.Set("X-Content-Type-Options", "nosniff")
	_, _ = w.Write(b)
}
