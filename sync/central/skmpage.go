package central

import (
	"errors"
	"net/http"
	"net/url"
	"time"

	"golang.org/x/time/rate"

	"github.com/loket-id/loket/queue"
	"github.com/loket-id/loket/surveypage"
)

// The applicant's satisfaction survey on a phone (package surveypage):
//
//	GET  /skm              a field for the tracking code (?code= goes on to /skm/{code})
//	GET  /skm/{code}       the survey of that request (?lang=en)
//	POST /skm/{code}       the answer (a form); once per request
//
// No login: the tracking code proves the request. Requests per address are
// limited (surveyLimit); beyond it 429 with Retry-After.

// surveyAllow takes one request of the client's address (its /64 for
// IPv6, as the tracking page counts) from the survey pages' limiters:
// SurveyRate a second with a burst of SurveyBurst (zero: one every 3
// seconds, burst 20: a person answering, not a script trying codes).
func (s *Server) surveyAllow(r *http.Request) bool {
	s.mu.Lock()
	if s.surveyLimits == nil {
		lim, burst := s.SurveyRate, s.SurveyBurst
		if lim == 0 {
			lim, burst = rate.Every(3*time.Second), 20
		}
		s.surveyLimits = &addrLimits{rate: lim, burst: burst, now: s.Now}
	}
	l := s.surveyLimits
	s.mu.Unlock()
	return l.take(clientAddr(r)) == 0
}

func surveyLang(r *http.Request) string {
	if r.FormValue("lang") == "en" {
		return "en"
	}
	return "id"
}

// surveyPage is the start of a page for the request's language with its
// link to the other language.
func surveyPage(r *http.Request, lang string) surveypage.Page {
	other := "en"
	if lang == "en" {
		other = "id"
	}
	u := url.URL{Path: r.URL.Path, RawQuery: url.Values{"lang": {other}}.Encode()}
	return surveypage.Page{Lang: lang, Other: u.String(), Back: "/skm?lang=" + lang}
}

func (s *Server) surveyBusy(w http.ResponseWriter, p surveypage.Page) {
	w.Header().Set("Retry-After", "3")
	p.View = surveypage.Busy
	surveypage.Render(w, http.StatusTooManyRequests, p)
}

// skmStart is the field for the code; with ?code= it goes on to the
// survey of that code.
func (s *Server) skmStart(w http.ResponseWriter, r *http.Request) {
	lang := surveyLang(r)
	p := surveyPage(r, lang)
	p.View, p.Action, p.Back = surveypage.Enter, "/skm", ""
	if in := r.URL.Query().Get("code"); in != "" {
		code, ok := surveypage.Code(in)
		if ok {
			http.Redirect(w, r, "/skm/"+code+"?lang="+lang, http.StatusSeeOther)
			return
		}
		p.Err, p.Code = surveypage.Message(lang, surveypage.Unknown), in
		surveypage.Render(w, http.StatusNotFound, p)
		return
	}
	surveypage.Render(w, http.StatusOK, p)
}

// skmTarget finds the request of the path's code and renders the refusal
// when there is none to answer; ok is false then.
func (s *Server) skmTarget(w http.ResponseWriter, r *http.Request, p *surveypage.Page) (string, SurveyRequest, bool) {
	code, ok := surveypage.Code(r.PathValue("code"))
	var t SurveyRequest
	var err error
	if ok {
		t, ok, err = s.Storage.SurveyFor(code)
		if err != nil {
			s.Log.Error("survey: find the request", "err", err)
			p.View = surveypage.Failed
			surveypage.Render(w, http.StatusInternalServerError, *p)
			return "", t, false
		}
	}
	if !surveypage.Refused(w, *p, ok, t.Answered, t.Status) {
		p.Code, p.Action = code, "/skm/"+code
		p.Service = s.serviceName(t.Service, p.Lang)
		return code, t, true
	}
	return "", t, false
}

// serviceName is the catalog's name of a service, else its code.
func (s *Server) serviceName(code, lang string) string {
	if svcs, err := Services(s.Storage); err == nil {
		for _, sv := range svcs {
			if sv.Code == code {
				return sv.Code + " " + sv.Name(lang)
			}
		}
	}
	return code
}

func (s *Server) skmForm(w http.ResponseWriter, r *http.Request) {
	p := surveyPage(r, surveyLang(r))
	if !s.surveyAllow(r) {
		s.surveyBusy(w, p)
		return
	}
	if _, _, ok := s.skmTarget(w, r, &p); !ok {
		return
	}
	p.View = surveypage.Form
	surveypage.Render(w, http.StatusOK, p)
}

func (s *Server) skmAnswer(w http.ResponseWriter, r *http.Request) {
	lang := surveyLang(r)
	p := surveyPage(r, lang)
	if !s.surveyAllow(r) {
		s.surveyBusy(w, p)
		return
	}
	code, t, ok := s.skmTarget(w, r, &p)
	if !ok {
		return
	}
	a, _, err := surveypage.Parse(w, r, lang)
	p.Answer, p.View = a, surveypage.Form
	if err != nil {
		p.Err = err.Error()
		surveypage.Render(w, http.StatusBadRequest, p)
		return
	}
	loc := s.Location
	if loc == nil {
		loc = t.DoneAt.Location()
	}
	a.AnsweredAt = s.Now().In(loc)
	stored, err := s.Storage.AnswerSurvey(code, a)
	switch {
	case err == nil:
		s.Log.Info("survey answered", "via", "phone", "station", t.Station, "request", stored.RequestID)
		p.View = surveypage.Thanks
		surveypage.Render(w, http.StatusOK, p)
	case errors.Is(err, ErrSurveyed):
		p.View = surveypage.Answered
		surveypage.Render(w, http.StatusConflict, p)
	case errors.Is(err, ErrSurveyNotDone):
		p.View = surveypage.NotDone
		surveypage.Render(w, http.StatusConflict, p)
	case errors.Is(err, ErrSurveyUnknown):
		p.View = surveypage.Unknown
		surveypage.Render(w, http.StatusNotFound, p)
	case errors.Is(err, queue.ErrInvalid):
		p.Err = surveypage.ErrorText(lang, err)
		surveypage.Render(w, http.StatusBadRequest, p)
	default:
		s.Log.Error("survey: store the answer", "err", err)
		p.View = surveypage.Failed
		surveypage.Render(w, http.StatusInternalServerError, p)
	}
}
