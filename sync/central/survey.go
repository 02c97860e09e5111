package central

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/loket-id/loket/queue"
	"github.com/loket-id/loket/skm"
	"github.com/loket-id/loket/sync/protocol"
)

// Surveys is the satisfaction survey at the centre (package skm): the
// answers applicants give on the centre's /skm/{code} page and those the
// stations send as survey.answered events (the hub's tablet), one answer
// per request, kept beside the requests. What every storage must do:
//
//   - SurveyFor(code) finds the request whose tracking code is code (in its
//     stored form, XXXX-XXXX-XXXX; queue.NormalizeTrackingCode gives it) and
//     says what the survey page needs: the request's ID, its service, its
//     status, when it was done, the office code and station key
//     (OFFICE/STATION) of the station that created it, and whether an
//     answer is held for it (from either source). found is false (err nil) when no request has the code.
//     It never returns personal data.
//   - AnswerSurvey(code, a) stores a as the answer of the request whose
//     tracking code is code, in one transaction: ErrSurveyUnknown when no
//     request has the code, ErrSurveyNotDone when its status is not done,
//     ErrSurveyed when an answer is held for it already (by phone or from a
//     station's survey.answered: the first one stands). It fills in the
//     answer's RequestID, TrackingCode and Service from the request and
//     its Office and Station from the station that created it (the office
//     code and the station code of its key), then validates it
//     (skm.Answer.Validate, whose *queue.FieldError is returned as is, so
//     it matches queue.ErrInvalid), and returns the answer as stored. It
//     does not change the request (Request.Surveyed is the station's own,
//     set by its events), so a station's later survey.answered still
//     applies.
//   - Surveys(f, fn) calls fn for every stored answer f picks (skm.Filter:
//     days by the answer's own date, service, office code), in request ID
//     order, the comment included (it is free text: the caller shows it
//     to supervisors only).
//
// A station's survey.answered goes through the ingest rules (IngestBatch
// calls IngestTx.PutSurvey); an erasure of the request's personal part
// (request.erased, the centre's Purge; IngestTx.ErasePersonal) clears the
// answer's comment and keeps the rest.
type Surveys interface {
	SurveyFor(code string) (t SurveyRequest, found bool, err error)
	AnswerSurvey(code string, a skm.Answer) (skm.Answer, error)
	Surveys(f skm.Filter, fn func(skm.Answer) error) error
}

// SurveyRequest is what the survey page needs of a request (SurveyFor).
type SurveyRequest struct {
	ID       string
	Service  string
	Status   queue.Status
	Office   string // the office code of the station that created it
	Station  string // that station's key, OFFICE/STATION
	Answered bool   // an answer is held for it
	// DoneAt is when it was done (zero if it is not), in the zone its
	// station stamped it: the answer's day is counted in that zone when
	// the server has none of its own.
	DoneAt time.Time
}

// Errors of the survey.
var (
	ErrSurveyed      = errors.New("the survey of this request has been answered already")
	ErrSurveyUnknown = errors.New("no request has this tracking code")
	ErrSurveyNotDone = errors.New("the request is not done yet")
)

// stationCode is the station code of a station key OFFICE/STATION.
func stationCode(key string) string {
	if i := bytes.IndexByte([]byte(key), '/'); i >= 0 {
		return key[i+1:]
	}
	return key
}

// surveyFromEvent is the answer a station's survey.answered event e
// records, as the centre stores it: its data, the comment beside it, the
// office and station those of the station that sent it.
func surveyFromEvent(st Station, e protocol.Event) (skm.Answer, error) {
	a, err := skm.FromEvent(e.Data, e.Personal)
	if err != nil {
		return a, err
	}
	if a.RequestID != e.RequestID {
		return a, fmt.Errorf("the answer is for request %s, its event for %s: %w", a.RequestID, e.RequestID, queue.ErrInvalid)
	}
	a.Office, a.Station = st.Office, st.Code
	return a.Validate()
}

// ---- bbolt ----

// findByCode is the stored request whose tracking code is code: one Get in
// the tracking index (the tracking page's), one in requests.
func findByCode(tx *bolt.Tx, code string) (storedRequest, bool, error) {
	id := tx.Bucket(bTracking).Get([]byte(code))
	if id == nil {
		return storedRequest{}, false, nil
	}
	v := tx.Bucket(bRequests).Get(id)
	if v == nil {
		return storedRequest{}, false, fmt.Errorf("tracking code %s leads to request %s, which is not stored", code, id)
	}
	var sr storedRequest
	if err := json.Unmarshal(v, &sr); err != nil {
		return storedRequest{}, false, fmt.Errorf("request %s does not decode: %w", id, err)
	}
	return sr, true, nil
}

// SurveyFor implements Surveys.
func (s *BoltStorage) SurveyFor(code string) (SurveyRequest, bool, error) {
	var t SurveyRequest
	var found bool
	err := s.view(func(tx *bolt.Tx) error {
		sr, ok, err := findByCode(tx, code)
		if err != nil || !ok {
			return err
		}
		found = true
		r := sr.Request
		t = SurveyRequest{ID: r.ID, Service: r.Service, Status: r.Status, Office: sr.Office, Station: sr.Station,
			Answered: tx.Bucket(bSurveys).Get([]byte(r.ID)) != nil}
		if r.DoneAt != nil {
			t.DoneAt = *r.DoneAt
		}
		return nil
	})
	if err != nil {
		return SurveyRequest{}, false, fmt.Errorf("survey of %s: %w", code, err)
	}
	return t, found, nil
}

// AnswerSurvey implements Surveys.
func (s *BoltStorage) AnswerSurvey(code string, a skm.Answer) (skm.Answer, error) {
	err := s.update(func(tx *bolt.Tx) error {
		sr, ok, err := findByCode(tx, code)
		switch {
		case err != nil:
			return err
		case !ok:
			return ErrSurveyUnknown
		case sr.Request.Status != queue.StatusDone:
			return ErrSurveyNotDone
		}
		b := tx.Bucket(bSurveys)
		if b.Get([]byte(sr.Request.ID)) != nil {
			return ErrSurveyed
		}
		a.RequestID, a.TrackingCode, a.Service = sr.Request.ID, code, sr.Request.Service
		a.Office, a.Station = sr.Office, stationCode(sr.Station)
		if a, err = a.Validate(); err != nil {
			return err
		}
		return putJSON(b, []byte(a.RequestID), a)
	})
	if err != nil {
		return skm.Answer{}, fmt.Errorf("answer the survey of %s: %w", code, err)
	}
	return a, nil
}

// Surveys implements Surveys.
func (s *BoltStorage) Surveys(f skm.Filter, fn func(skm.Answer) error) error {
	if err := f.Check(); err != nil {
		return err
	}
	return s.view(func(tx *bolt.Tx) error {
		return tx.Bucket(bSurveys).ForEach(func(k, v []byte) error {
			var a skm.Answer
			if err := json.Unmarshal(v, &a); err != nil {
				return s.damaged(fmt.Sprintf("the survey answer of request %s does not decode", k), err)
			}
			if !f.Match(a) {
				return nil
			}
			return fn(a)
		})
	})
}

// PutSurvey stores a station's answer unless the request has one.
func (b *boltIngest) PutSurvey(a skm.Answer) (bool, error) {
	sb := b.tx.Bucket(bSurveys)
	if sb.Get([]byte(a.RequestID)) != nil {
		return false, nil
	}
	return true, putJSON(sb, []byte(a.RequestID), a)
}

// eraseSurveyComment clears the comment of request id's answer, if any.
func eraseSurveyComment(tx *bolt.Tx, id string) (bool, error) {
	sb := tx.Bucket(bSurveys)
	v := sb.Get([]byte(id))
	if v == nil {
		return false, nil
	}
	var a skm.Answer
	if err := json.Unmarshal(v, &a); err != nil {
		return false, fmt.Errorf("the survey answer of request %s does not decode: %w", id, err)
	}
	if a.Comment == "" {
		return false, nil
	}
	a.Comment = ""
	return true, putJSON(sb, []byte(id), a)
}
