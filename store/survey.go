package store

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/loket-id/loket/queue"
	"github.com/loket-id/loket/skm"
)

// The satisfaction survey (SKM, package skm) on the counter's or hub's
// database: the answer an applicant gives on the hub's tablet for a request
// that is done, one per request, as a survey.answered event in the
// request's event log (synced like every other event).
//
// The event's data is skm.EventData: the answer without its comment, and
// the digest of the comment's personal part. The comment (when there is
// one) is stored like the other personal parts, in the personal bucket
// under the event's sequence number with a fresh 16-byte key, so the
// request's erasure (Purge, Forget: request.erased deletes the personal
// records of every event of the request) takes it, and the scores stay.
// It is never the request's own personal part (refs.after leaves the
// request's refs as they were): the request keeps its name, NIK and phone.
// A request whose personal part was erased already takes an answer, but
// no comment (nothing would erase it any more).
//
// The request record carries Surveyed (the record's flag rfSurveyed), so
// a second answer is refused by queue.Apply without reading the log. There
// is no index of answers: Surveys walks the requests (their facts only,
// not joined with their personal parts) that arrived up to the filter's
// last day (an answer comes after its request's arrival) and reads the
// survey.answered event of those that are Surveyed.

// Errors of the survey, beside the *queue.FieldError (codes survey.done,
// survey.once, survey.erased) that the refusal also matches, for the
// applicant's page in their language.
var (
	// ErrSurveyed is a second answer for a request.
	ErrSurveyed = errors.New("the survey of this request has been answered already")
	// ErrSurveyNotDone is an answer for a request that is not done.
	ErrSurveyNotDone = errors.New("the request is not done yet")
)

// AnswerSurvey records a as the survey answer of the request whose
// tracking code is code, under an idempotency key ("" for none; see
// RegisterOnce), and returns the request as the answer left it (again:
// the key was applied before, nothing written now).
//
// a brings the nine scores, the respondent data, the comment, and the
// office and station it is given at (the caller's config); the store fills
// in the request's ID, its tracking code and service, and the time (the
// store's clock, in the office's zone). It is refused, writing nothing:
// with queue.ErrNotFound when no request has the code; ErrSurveyNotDone
// (and the FieldError survey.done) when the request is not done;
// ErrSurveyed (and survey.once) when it was answered already; a
// *queue.FieldError (queue.ErrInvalid) naming a bad field of the answer
// (skm.Answer.Validate), or the comment (survey.erased) when the request's
// personal part has been erased.
func (s *Store) AnswerSurvey(ctx context.Context, key, code string, a skm.Answer, by queue.Actor) (r queue.Request, again bool, err error) {
	norm, ok := queue.NormalizeTrackingCode(code)
	if !ok {
		return r, false, &queue.FieldError{Field: "tracking_code", Code: "skm.tracking", Reason: fmt.Sprintf("%q is not a tracking code", code)}
	}
	a.AnsweredAt = time.Time{}
	digest := payloadDigest("survey", norm, a, by)
	err = s.Update(ctx, func(tx *Tx) error {
		r, again, err = tx.onceRequest(key, digest, func() (queue.Request, error) {
			cur, err := tx.Resolve(norm)
			if err != nil {
				return cur, err
			}
			return tx.AnswerSurvey(cur, a, by, time.Time{})
		})
		return err
	})
	if err != nil {
		return r, again, fmt.Errorf("survey of %s: %w", norm, err)
	}
	return r, again, nil
}

// AnswerSurvey writes the survey.answered event of cur (see
// Store.AnswerSurvey); at zero means now.
func (tx *Tx) AnswerSurvey(cur queue.Request, a skm.Answer, by queue.Actor, at time.Time) (queue.Request, error) {
	switch {
	case cur.Surveyed:
		return cur, fmt.Errorf("%w: %w", ErrSurveyed, &queue.FieldError{Field: "status", Code: "survey.once",
			Reason: fmt.Sprintf("the survey of request %s was answered already", cur.Ticket)})
	case cur.Status != queue.StatusDone:
		return cur, fmt.Errorf("%w: %w", ErrSurveyNotDone, &queue.FieldError{Field: "status", Code: "survey.done",
			Reason: fmt.Sprintf("request %s is %s: the survey is answered once it is done", cur.Ticket, cur.Status)})
	}
	if at.IsZero() {
		at = tx.s.clock()
	}
	a.RequestID, a.TrackingCode, a.Service, a.AnsweredAt = cur.ID, cur.TrackingCode, cur.Service, at.In(tx.s.loc)
	a, err := a.Validate()
	if err != nil {
		return cur, err
	}
	var p *queue.Personal
	var pd string
	if a.Comment != "" {
		if cur.Erased {
			return cur, &queue.FieldError{Field: "comment", Code: "survey.erased",
				Reason: "the personal data of this request has been erased, so a comment cannot be kept with it: leave it empty"}
		}
		part, d := skm.CommentPart(a.Comment, newPersonalKey())
		p, pd = &part, d
	}
	data, err := skm.EventData(a, pd)
	if err != nil {
		return cur, err
	}
	ev := queue.Event{Type: queue.EventSurveyed, RequestID: cur.ID, At: at, Counter: by.Counter, Clerk: by.Clerk, Data: data, Personal: p}
	return tx.applyAndWrite(cur, ev)
}

// Surveys calls fn with every survey answer f picks (skm.Filter: the
// answer's day, service, office), its comment included unless erased, in
// the order of the requests' arrival. It stops at fn's first error and
// returns it.
func (s *Store) Surveys(ctx context.Context, f skm.Filter, fn func(skm.Answer) error) error {
	if err := f.Check(); err != nil {
		return queue.Invalid("filter", err.Error())
	}
	return s.View(ctx, func(tx *Tx) error { return tx.Surveys(ctx, f, fn) })
}

// Surveys is Store.Surveys in a transaction.
func (tx *Tx) Surveys(ctx context.Context, f skm.Filter, fn func(skm.Answer) error) error {
	var end []byte
	if f.To != "" {
		t, err := time.ParseInLocation(time.DateOnly, f.To, tx.s.loc)
		if err != nil {
			return queue.Invalid("to", fmt.Sprintf("%q is not a date YYYY-MM-DD", f.To))
		}
		end = ulidPrefix(t.AddDate(0, 0, 1))
	}
	c := tx.requestCursor()
	n := 0
	for k, v := c.First(); k != nil && (end == nil || bytes.Compare(k, end) < 0); k, v = c.Next() {
		if n++; n%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		r, _, err := decodeRequest(k, v, tx.ident().StationID)
		if err != nil {
			return tx.damaged(fmt.Sprintf("request %s does not decode", k), err)
		}
		if !r.Surveyed {
			continue
		}
		a, err := tx.surveyOf(r)
		if err != nil {
			return err
		}
		if !f.Match(a) {
			continue
		}
		if err := fn(a); err != nil {
			return err
		}
	}
	return nil
}

// surveyOf is the answer the survey.answered event of r (Surveyed) records.
func (tx *Tx) surveyOf(r queue.Request) (skm.Answer, error) {
	for i := len(r.EventSeqs) - 1; i >= 0; i-- {
		seq := r.EventSeqs[i]
		v := tx.eventValue(seq)
		if v == nil {
			return skm.Answer{}, tx.damaged(fmt.Sprintf("request %s lists event %d", r.ID, seq), errors.New("no such event"))
		}
		e, err := tx.decodeEvent(seq, v)
		if err != nil {
			return skm.Answer{}, err
		}
		if e.Type != queue.EventSurveyed {
			continue
		}
		a, err := skm.FromEvent(e.Data, e.Personal)
		if err != nil {
			return a, tx.damaged(fmt.Sprintf("the survey answer of request %s (event %d)", r.ID, seq), err)
		}
		return a, nil
	}
	return skm.Answer{}, tx.damaged(fmt.Sprintf("request %s is surveyed", r.ID), fmt.Errorf("it has no %s event", queue.EventSurveyed))
}
