package skm

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/loket-id/loket/queue"
)

// MaxCommentLen is the longest comment, in characters (a request's notes
// may be as long).
const MaxCommentLen = queue.MaxNotesLen

// maxPlaceLen is the longest office or station name.
const maxPlaceLen = 100

// Answer is one applicant's answer to the survey, for one request. It holds
// no personal data: see the package comment.
type Answer struct {
	RequestID    string `json:"request_id"`    // the request answered for (a ULID)
	TrackingCode string `json:"tracking_code"` // the code that proved it (XXXX-XXXX-XXXX)
	Service      string `json:"service"`       // the service the request ended in
	Office       string `json:"office,omitempty"`
	Station      string `json:"station,omitempty"` // the station the request was registered at
	// AnsweredAt is the moment of the answer, in the office's zone: its
	// date there is the answer's day (Day), which periods count by.
	AnsweredAt time.Time `json:"answered_at"`
	// Scores are the nine elements' scores, U1 first, each 1 to 4.
	Scores  [NumElements]int `json:"scores"`
	Comment string           `json:"comment,omitempty"`
	// The respondent data, each "" or a code of its list (AgeGroups,
	// Sexes, Educations, Occupations).
	Age        string `json:"age,omitempty"`
	Sex        string `json:"sex,omitempty"`
	Education  string `json:"education,omitempty"`
	Occupation string `json:"occupation,omitempty"`
}

// Day is the local date of the answer, YYYY-MM-DD, in the zone AnsweredAt
// was stamped in.
func (a Answer) Day() string { return a.AnsweredAt.Format(time.DateOnly) }

// Total is the sum of the nine scores.
func (a Answer) Total() int {
	n := 0
	for _, s := range a.Scores {
		n += s
	}
	return n
}

// invalidCode is a queue.FieldError (it matches queue.ErrInvalid) with the
// stable code of the rule that failed; i18n has a text for each code under
// "err." + code.
func invalidCode(field, code, reason string) error {
	return &queue.FieldError{Field: field, Code: code, Reason: reason}
}

// Validate checks every field of an answer and returns it in its stored
// form (codes trimmed and upper-cased, the comment trimmed), or the first
// invalid field as a *queue.FieldError naming it ("u3", "comment", "sex",
// ...), which matches queue.ErrInvalid with errors.Is.
func (a Answer) Validate() (Answer, error) {
	a.RequestID = strings.ToUpper(strings.TrimSpace(a.RequestID))
	switch {
	case a.RequestID == "":
		return a, invalidCode("request_id", "required", "required")
	case !queue.LooksLikeID(a.RequestID):
		return a, invalidCode("request_id", "skm.request", fmt.Sprintf("%q is not a request ID", a.RequestID))
	}
	if strings.TrimSpace(a.TrackingCode) == "" {
		return a, invalidCode("tracking_code", "required", "required")
	}
	code, ok := queue.NormalizeTrackingCode(a.TrackingCode)
	if !ok {
		return a, invalidCode("tracking_code", "skm.tracking", fmt.Sprintf("%q is not a tracking code", a.TrackingCode))
	}
	a.TrackingCode = code
	a.Service = strings.ToUpper(strings.TrimSpace(a.Service))
	if err := queue.ValidateServiceCode(a.Service); err != nil {
		return a, err
	}
	var err error
	if a.Office, err = queue.ValidateText("office", a.Office, maxPlaceLen); err != nil {
		return a, err
	}
	if a.Station, err = queue.ValidateText("station", a.Station, maxPlaceLen); err != nil {
		return a, err
	}
	if a.AnsweredAt.IsZero() {
		return a, invalidCode("answered_at", "required", "required")
	}
	for _, e := range Elements {
		if s := a.Scores[e]; s < MinScore || s > MaxScore {
			return a, invalidCode(strings.ToLower(e.Code()), "skm.score", fmt.Sprintf("score %d is not 1 to 4", s))
		}
	}
	if a.Comment, err = queue.ValidateText("comment", a.Comment, MaxCommentLen); err != nil {
		return a, err
	}
	if n := longestDigitRun(a.Comment); n >= 10 {
		return a, invalidCode("comment", "skm.comment.number",
			fmt.Sprintf("holds a number of %d digits (a NIK or phone number?): the survey takes no personal data", n))
	}
	for _, f := range []struct {
		field string
		v     *string
		list  []string
	}{{"age", &a.Age, AgeGroups}, {"sex", &a.Sex, Sexes}, {"education", &a.Education, Educations}, {"occupation", &a.Occupation, Occupations}} {
		*f.v = strings.ToLower(strings.TrimSpace(*f.v))
		if *f.v != "" && !slices.Contains(f.list, *f.v) {
			return a, invalidCode(f.field, "skm.choice", fmt.Sprintf("%q is not one of %s", *f.v, strings.Join(f.list, ", ")))
		}
	}
	return a, nil
}

// longestDigitRun is the most digits in s in a row, spaces, dots and
// dashes between two digits not breaking the row ("0812-3456 7890" is 12).
func longestDigitRun(s string) int {
	best, run := 0, 0
	pendingSep := false
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			run++
			pendingSep = false
			best = max(best, run)
		case (r == ' ' || r == '-' || r == '.') && run > 0 && !pendingSep:
			pendingSep = true
		default:
			run, pendingSep = 0, false
		}
	}
	return best
}
