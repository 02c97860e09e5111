package waitingroom

import (
	"errors"
	"net/http"
	"net/url"

	"github.com/oklog/ulid/v2"

	"github.com/loket-id/loket/queue"
	"github.com/loket-id/loket/store"
	"github.com/loket-id/loket/surveypage"
)

// The satisfaction survey's tablet (package skm, the form of package
// surveypage), a device of role survey in the office:
//
//	GET  /survey           the field for the tracking code, typed or scanned
//	                       from the receipt's QR code (?code= goes on)
//	GET  /survey/{code}    the survey of that request (?lang=en)
//	POST /survey/{code}    the answer (a form with an idempotency key)
//
// The answer is a survey.answered event in the hub's own database
// (store.AnswerSurvey): the tablet works with the WAN down, and the sync
// takes the answer to the central server later like every other event.
// One answer per request, once it is done; the code proves the request.
// After an answer or a refusal the page goes back to the start by itself
// (Restart), for the next applicant. Nothing on the page is personal: the
// request's service and code only.

// surveyRestart is how many seconds the thanks and refusal views stay.
const surveyRestart = 12

// surveyLang is the page's language: ?lang= (the form's hidden field on a
// POST), else the office's.
func (s *Server) surveyLang(r *http.Request) string {
	switch l := r.FormValue("lang"); l {
	case "id", "en":
		return l
	}
	return s.cfg.Lang
}

// surveyPage is the start of a page in lang, with its link to the other
// language and back to the start.
func (s *Server) surveyPage(r *http.Request, lang string) surveypage.Page {
	other := "en"
	if lang == "en" {
		other = "id"
	}
	u := url.URL{Path: r.URL.Path, RawQuery: url.Values{"lang": {other}}.Encode()}
	return surveypage.Page{Lang: lang, Office: s.cfg.Office, Other: u.String(), Back: "/survey?lang=" + lang, Restart: surveyRestart}
}

// surveyStart is the field for the code; with ?code= it goes on to the
// survey of the code found in it (a scanner may type the QR's whole URL).
func (s *Server) surveyStart(w http.ResponseWriter, r *http.Request) {
	lang := s.surveyLang(r)
	p := s.surveyPage(r, lang)
	p.View, p.Action, p.Back, p.Restart = surveypage.Enter, "/survey", "", 0
	if in := r.URL.Query().Get("code"); in != "" {
		if code, ok := surveypage.Code(in); ok {
			http.Redirect(w, r, "/survey/"+code+"?lang="+lang, http.StatusSeeOther)
			return
		}
		p.Err, p.Code = surveypage.Message(lang, surveypage.Unknown), in
		surveypage.Render(w, http.StatusNotFound, p)
		return
	}
	surveypage.Render(w, http.StatusOK, p)
}

// surveyTarget finds the request of the path's code and renders the
// refusal when it cannot be answered; ok is false then.
func (s *Server) surveyTarget(w http.ResponseWriter, r *http.Request, p *surveypage.Page) (string, bool) {
	code, ok := surveypage.Code(r.PathValue("code"))
	var req queue.Request
	var name string
	if ok {
		err := s.store.View(r.Context(), func(tx *store.Tx) error {
			var err error
			if req, err = tx.Resolve(code); err != nil {
				return err
			}
			name = req.Service
			if sv, err := tx.Service(req.Service); err == nil {
				name = sv.Code + " " + sv.Name(p.Lang)
			}
			return nil
		})
		switch {
		case errors.Is(err, queue.ErrNotFound):
			ok = false
		case err != nil:
			s.log.Error("waitingroom: survey: find the request", "err", err)
			p.View = surveypage.Failed
			surveypage.Render(w, http.StatusInternalServerError, *p)
			return "", false
		}
	}
	if !surveypage.Refused(w, *p, ok, req.Surveyed, req.Status) {
		p.Code, p.Action, p.Service = code, "/survey/"+code, name
		return code, true
	}
	return "", false
}

func (s *Server) surveyForm(w http.ResponseWriter, r *http.Request) {
	p := s.surveyPage(r, s.surveyLang(r))
	if _, ok := s.surveyTarget(w, r, &p); !ok {
		return
	}
	p.View, p.Key = surveypage.Form, ulid.Make().String()
	surveypage.Render(w, http.StatusOK, p)
}

func (s *Server) surveyAnswer(w http.ResponseWriter, r *http.Request) {
	dev := deviceOf(r)
	r.Body = http.MaxBytesReader(w, r.Body, surveypage.MaxBody) // before the language's field is read
	lang := s.surveyLang(r)
	p := s.surveyPage(r, lang)
	a, key, perr := surveypage.Parse(w, r, lang)
	if store.ValidateKey(key) != nil {
		key = "" // a form not from this page: no key, still once per request
	}
	code, ok := surveypage.Code(r.PathValue("code"))
	if !ok {
		p.View = surveypage.Unknown
		surveypage.Render(w, http.StatusNotFound, p)
		return
	}
	refill := func(status int, msg string) {
		// The form again with what was chosen, the message above it.
		if _, ok := s.surveyTarget(w, r, &p); !ok {
			return
		}
		p.View, p.Answer, p.Err, p.Key = surveypage.Form, a, msg, key
		surveypage.Render(w, status, p)
	}
	if perr != nil {
		refill(http.StatusBadRequest, perr.Error())
		return
	}
	a.Office, a.Station = s.cfg.OfficeCode, s.cfg.StationCode
	req, again, err := s.store.AnswerSurvey(r.Context(), key, code, a, queue.Actor{Counter: dev.ID, Clerk: "survey"})
	switch {
	case err == nil:
		s.log.Info("waitingroom: survey answered", "device", dev.ID, "request", req.ID, "again", again)
		p.View = surveypage.Thanks
		surveypage.Render(w, http.StatusOK, p)
	case errors.Is(err, store.ErrSurveyed), errors.Is(err, store.ErrKeyReused):
		p.View = surveypage.Answered
		surveypage.Render(w, http.StatusConflict, p)
	case errors.Is(err, store.ErrSurveyNotDone):
		p.View = surveypage.NotDone
		surveypage.Render(w, http.StatusConflict, p)
	case errors.Is(err, queue.ErrNotFound):
		p.View = surveypage.Unknown
		surveypage.Render(w, http.StatusNotFound, p)
	case errors.Is(err, queue.ErrInvalid):
		refill(http.StatusUnprocessableEntity, surveypage.ErrorText(lang, err))
	default:
		s.log.Error("waitingroom: survey: store the answer", "device", dev.ID, "err", err)
		p.View = surveypage.Failed
		surveypage.Render(w, http.StatusInternalServerError, p)
	}
}
