// Package surveypage is the satisfaction survey's web form (package skm),
// one HTML page served by the office hub's tablet (waitingroom, /survey)
// and by the central server for phones (/skm/{code}): a field for the
// tracking code, the nine elements on the four-point scale as large touch
// targets, the respondent data from skm's closed lists, an optional
// comment, and the answers (thanks, refused). Indonesian first, English on
// a link. Plain HTML forms with no script: it works on any phone browser
// and the server renders every state, so the two servers share it whole
// and each only decides what the page says (View).
package surveypage

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"regexp"
	"strconv"
	"strings"

	"github.com/loket-id/loket/i18n"
	"github.com/loket-id/loket/internal/errtext"
	"github.com/loket-id/loket/queue"
	"github.com/loket-id/loket/skm"
)

//go:embed page.html
var pageFS embed.FS

var tmpl = template.Must(template.ParseFS(pageFS, "page.html"))

// View is what the page shows.
type View int

// The page's views.
const (
	Enter    View = iota // the field for the tracking code (the tablet's start)
	Form                 // the survey for one request
	Thanks               // the answer was stored
	Answered             // refused: the request has an answer already
	Unknown              // refused: no request has that code
	NotDone              // refused: the request is not done yet
	Busy                 // refused: too many requests from this address or device
	Failed               // the server could not store it
)

// Page is one rendering of the form.
type Page struct {
	Lang   string // "id" or "en"
	Office string // the office's name, at the top
	View   View
	// Action is where the form is sent: the code's GET in the Enter view
	// (the code in the field "code"), the answer's POST in the Form view.
	Action string
	// Other is this page in the other language; Back the page to go back
	// to from a message (the tablet's start; "" shows no link).
	Other, Back string
	// Restart, when set, sends the browser back to Back after that many
	// seconds on the thanks and refusal views (the tablet, for the next
	// applicant).
	Restart int
	Code    string // the tracking code of the Form view
	Service string // the name of the request's service, shown above the form
	Key     string // the idempotency key the form sends back (a hidden field)
	// Answer refills the form after a refusal of one of its fields; Err
	// is that refusal, already in the page's language.
	Answer skm.Answer
	Err    string
}

type option struct {
	Value    string
	Label    string
	Selected bool
}

type element struct {
	Code, Name, Field string
	Options           []option
}

type choice struct {
	Field, Label string
	Options      []option
}

type view struct {
	Page
	T                                  map[string]string
	Title, Message, For                string
	Elements                           []element
	Choices                            []choice
	IsEnter, IsForm, IsThanks, IsError bool
}

// Render writes the page with status.
func Render(w http.ResponseWriter, status int, p Page) {
	t := i18n.For(p.Lang)
	v := view{Page: p, Title: t.S("survey.title"), T: map[string]string{
		"intro": t.S("survey.intro"), "code": t.S("survey.code"), "codeHelp": t.S("survey.code.help"),
		"start": t.S("survey.start"), "question": t.S("survey.question"), "respondent": t.S("survey.respondent"),
		"comment": t.S("survey.comment"), "commentHelp": t.S("survey.comment.help"), "submit": t.S("survey.submit"),
		"back": t.S("survey.back"), "other": t.S("survey.other"), "thanks": t.S("survey.thanks"),
		"next": t.S("survey.next"),
	}}
	switch p.View {
	case Enter:
		v.IsEnter = true
		v.Message = p.Err
	case Form:
		v.IsForm = true
		v.Message = p.Err
		v.For = t.S("survey.for", p.Service)
		for _, e := range skm.Elements {
			el := element{Code: e.Code(), Name: skm.ElementName(t, e), Field: strings.ToLower(e.Code())}
			for pt := skm.MinScore; pt <= skm.MaxScore; pt++ {
				el.Options = append(el.Options, option{strconv.Itoa(pt), skm.ScaleName(t, pt), p.Answer.Scores[e] == pt})
			}
			v.Elements = append(v.Elements, el)
		}
		for _, f := range []struct {
			field, cur string
			list       []string
		}{{"age", p.Answer.Age, skm.AgeGroups}, {"sex", p.Answer.Sex, skm.Sexes}, {"education", p.Answer.Education, skm.Educations},
			{"occupation", p.Answer.Occupation, skm.Occupations}} {
			c := choice{Field: f.field, Label: skm.FieldName(t, f.field), Options: []option{{"", t.S("survey.unstated"), f.cur == ""}}}
			for _, code := range f.list {
				c.Options = append(c.Options, option{code, skm.ChoiceName(t, f.field, code), f.cur == code})
			}
			v.Choices = append(v.Choices, c)
		}
	case Thanks:
		v.IsThanks = true
		v.Message = t.S("survey.thanks.text")
	default:
		v.IsError = true
		v.Message = Message(p.Lang, p.View)
	}
	var b bytes.Buffer
	if err := tmpl.Execute(&b, v); err != nil {
		http.Error(w, "500: "+err.Error(), http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer") // the code is in the URL
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'")
	w.WriteHeader(status)
	_, _ = w.Write(b.Bytes())
}

// MaxBody is the most a form's POST may hold.
const MaxBody = 16 << 10

// Parse reads a posted form into an answer's scores, respondent data and
// comment (the rest is the server's to fill), and the form's idempotency
// key. A missing or unreadable score is an error naming the elements (in
// lang) that lack one; everything else is for skm.Answer.Validate.
func Parse(w http.ResponseWriter, r *http.Request, lang string) (skm.Answer, string, error) {
	var a skm.Answer
	r.Body = http.MaxBytesReader(w, r.Body, MaxBody)
	if err := r.ParseForm(); err != nil {
		return a, "", fmt.Errorf("read the form: %w", err)
	}
	var missing []string
	for _, e := range skm.Elements {
		n, err := strconv.Atoi(r.PostForm.Get(strings.ToLower(e.Code())))
		if err != nil || n < skm.MinScore || n > skm.MaxScore {
			missing = append(missing, e.Code())
			continue
		}
		a.Scores[e] = n
	}
	a.Age, a.Sex = r.PostForm.Get("age"), r.PostForm.Get("sex")
	a.Education, a.Occupation = r.PostForm.Get("education"), r.PostForm.Get("occupation")
	a.Comment = r.PostForm.Get("comment")
	if len(missing) > 0 {
		return a, r.PostForm.Get("key"), &MissingError{Elements: missing, text: i18n.For(lang).S("survey.missing", strings.Join(missing, ", "))}
	}
	return a, r.PostForm.Get("key"), nil
}

// MissingError is a form without a score for some elements.
type MissingError struct {
	Elements []string
	text     string
}

func (e *MissingError) Error() string { return e.text }

var codeIn = regexp.MustCompile(`(?i)[0-9A-Z]{4}[- ]?[0-9A-Z]{4}[- ]?[0-9A-Z]{4}`)

// Code finds the tracking code in what was typed or scanned: the code
// itself ("qshx nzdt q7km") or a URL that ends in it (a receipt's QR code
// read by a scanner that types, e.g. https://…/lacak/QSHX-NZDT-Q7KM);
// false when there is none.
func Code(input string) (string, bool) {
	input = strings.TrimSpace(input)
	if c, ok := normalize(input); ok {
		return c, true
	}
	if i := strings.LastIndexByte(strings.TrimRight(input, "/"), '/'); i >= 0 {
		if c, ok := normalize(strings.TrimRight(input[i+1:], "/")); ok {
			return c, true
		}
	}
	if m := codeIn.FindAllString(input, -1); len(m) > 0 {
		return normalize(m[len(m)-1])
	}
	return "", false
}

func normalize(s string) (string, bool) { return queue.NormalizeTrackingCode(s) }

// Message is the text of a refusal view in lang (for the Enter view's
// Err).
func Message(lang string, v View) string {
	t := i18n.For(lang)
	switch v {
	case Answered:
		return t.S("survey.again")
	case Unknown:
		return t.S("survey.unknown")
	case NotDone:
		return t.S("survey.notdone")
	case Busy:
		return t.S("survey.busy")
	}
	return t.S("survey.error")
}

// ErrorText is the page's text for an answer's refused field, in lang: the
// field's name and what is wrong.
func ErrorText(lang string, err error) string {
	t := i18n.For(lang)
	var fe *queue.FieldError
	if !errors.As(err, &fe) {
		return t.S("survey.invalid", err.Error())
	}
	reason, _ := errtext.Field(t, fe)
	name := fe.Field
	switch fe.Field {
	case "comment":
		name = t.S("survey.comment")
	case "age", "sex", "education", "occupation":
		name = skm.FieldName(t, fe.Field)
	}
	return t.S("survey.invalid", name+": "+reason)
}

// Refused renders the page that turns a survey away, for a request that is
// unknown (found false), answered already, or not done yet, and reports
// whether it did; for a request that may be surveyed it writes nothing.
// The centre's phone page and the hub's tablet page answer alike.
func Refused(w http.ResponseWriter, p Page, found, answered bool, status queue.Status) bool {
	switch {
	case !found:
		p.View = Unknown
		Render(w, http.StatusNotFound, p)
	case answered:
		p.View = Answered
		Render(w, http.StatusConflict, p)
	case status != queue.StatusDone:
		p.View = NotDone
		Render(w, http.StatusConflict, p)
	default:
		return false
	}
	return true
}
