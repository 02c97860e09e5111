package queue

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"
)

// Schema and protocol v2: the personal part of a request kept apart.
//
// A request is two parts. Its facts (service, ticket, times, counter, clerk,
// status) are what the queue, the statistics and the central server need,
// for ever. Its personal part (the applicant's name, NIK, phone and the
// clerk's notes) is the applicant's, under UU PDP 27/2022: kept only as long
// as its purpose needs, and erasable.
//
// An event that sets the personal part (request.created, request.identified)
// carries it beside the event, in Event.Personal, and not in the event's
// Data. Data carries instead the personal part's digest: an HMAC-SHA-256,
// keyed by a random key that is stored only with the personal part
// (PersonalDigest). The sync protocol's hash covers Data, so it covers the
// facts and the digest; it never covers the personal part itself. Erasing
// the personal part (and its key with it) therefore changes no event's hash:
// a retry after an erasure is a duplicate, not a conflict, and what remains
// (the digest) cannot be tied to a NIK without the erased key.
//
// Events written by v1 (their Data is the whole request, or the identity)
// are converted once, deterministically, by UpgradeEvent: on the counter when
// its file is migrated, at the central server when a v1 counter sends them.
// A converted event's digest is empty (the v1 event had none): its personal
// part is accepted as sent.

// Personal is the personal part of a request as one event set it.
type Personal struct {
	// Key keys the digest (PersonalKeySize random bytes); empty for a
	// personal part converted from v1, which has no digest.
	Key   []byte `json:"key,omitempty"`
	Name  string `json:"name,omitempty"`
	NIK   string `json:"nik,omitempty"`
	Phone string `json:"phone,omitempty"`
	Notes string `json:"notes,omitempty"`
}

// PersonalKeySize is the size of a personal part's digest key.
const PersonalKeySize = 16

// Digest is the personal part's keyed digest, as an event's Data carries it:
// the first 128 bits of HMAC-SHA-256 over the four fields, each
// length-prefixed, in hex. A personal part without a key has no digest ("").
func (p Personal) Digest() string {
	if len(p.Key) == 0 {
		return ""
	}
	m := hmac.New(sha256.New, p.Key)
	var n [4]byte
	for _, s := range []string{p.Name, p.NIK, p.Phone, p.Notes} {
		binary.BigEndian.PutUint32(n[:], uint32(len(s)))
		m.Write(n[:])
		m.Write([]byte(s))
	}
	return hex.EncodeToString(m.Sum(nil)[:16])
}

// Empty reports whether p holds no personal data.
func (p Personal) Empty() bool { return p.Name == "" && p.NIK == "" && p.Phone == "" && p.Notes == "" }

// PersonalOf is the personal part a request holds now, keyed by key.
func PersonalOf(r Request, key []byte) Personal {
	return Personal{Key: key, Name: r.Name, NIK: r.NIK, Phone: r.Phone, Notes: r.Notes}
}

// WithPersonal is r with the personal part p.
func (r Request) WithPersonal(p Personal) Request {
	r.Name, r.NIK, r.Phone, r.Notes = p.Name, p.NIK, p.Phone, p.Notes
	return r
}

// WithoutPersonal is r with its personal part cleared (its facts only).
func (r Request) WithoutPersonal() Request { return r.WithPersonal(Personal{}) }

// CreatedData is the Data of a v2 request.created event: the new request's
// facts and the digest of its personal part. Its fields and their order are
// part of the protocol (the hash covers these bytes): never change them.
type CreatedData struct {
	ID                string    `json:"id"`
	TrackingCode      string    `json:"tracking_code"`
	Ticket            string    `json:"ticket"`
	Day               string    `json:"day"`
	Service           string    `json:"service"`
	FirstService      string    `json:"first_service"`
	Status            Status    `json:"status"`
	Priority          Priority  `json:"priority"`
	Station           string    `json:"station"`
	ArrivedAt         time.Time `json:"arrived_at"`
	QueuedAt          time.Time `json:"queued_at,omitzero"`
	UpdatedAt         time.Time `json:"updated_at"`
	Counter           string    `json:"counter"`
	Clerk             string    `json:"clerk"`
	DocumentsReceived []string  `json:"documents_received,omitempty"`
	PersonalDigest    string    `json:"personal_digest"`
}

// CreatedFacts is the Data of the request.created event of r, a request as
// registered, whose personal part has the digest digest.
func CreatedFacts(r Request, digest string) CreatedData {
	return CreatedData{ID: r.ID, TrackingCode: r.TrackingCode, Ticket: r.Ticket, Day: r.Day, Service: r.Service,
		FirstService: r.FirstService, Status: r.Status, Priority: r.Priority, Station: r.Station, ArrivedAt: r.ArrivedAt,
		QueuedAt: r.QueuedAt, UpdatedAt: r.UpdatedAt, Counter: r.Counter, Clerk: r.Clerk,
		DocumentsReceived: r.DocumentsReceived, PersonalDigest: digest}
}

// Request is the new request the facts describe, without a personal part.
func (d CreatedData) Request() Request {
	return Request{ID: d.ID, TrackingCode: d.TrackingCode, Ticket: d.Ticket, Day: d.Day, Service: d.Service,
		FirstService: d.FirstService, Status: d.Status, Priority: d.Priority, Station: d.Station, ArrivedAt: d.ArrivedAt,
		QueuedAt: d.QueuedAt, UpdatedAt: d.UpdatedAt, Counter: d.Counter, Clerk: d.Clerk,
		DocumentsReceived: d.DocumentsReceived}
}

// IdentifiedData is the Data of a v2 request.identified event: the digest of
// the personal part it sets (name, NIK and phone from the identity, the
// notes the request had).
type IdentifiedData struct {
	PersonalDigest string `json:"personal_digest"`
}

// EventErased is the event that erases a request's personal part: on the
// applicant's request (loket forget) or at the end of the retention period
// (loket purge). Its facts and every other event stay.
const EventErased = "request.erased"

// Reasons of an erasure.
const (
	ErasedRetention = "retention" // the retention period ended (loket purge)
	ErasedOnRequest = "request"   // the applicant asked (loket forget)
)

// ErasedData is the Data of request.erased: why (a reason code, and the
// clerk's note for an erasure on request, which never holds the NIK).
type ErasedData struct {
	Reason string `json:"reason"`
	Note   string `json:"note,omitempty"`
}

// Validate checks an erasure's reason and note.
func (d ErasedData) Validate() (ErasedData, error) {
	if d.Reason != ErasedRetention && d.Reason != ErasedOnRequest {
		return d, Invalid("reason", fmt.Sprintf("unknown erasure reason %q (want %s or %s)", d.Reason, ErasedRetention, ErasedOnRequest))
	}
	note, err := validateText("reason", d.Note, MaxNameLen, false)
	if err != nil {
		return d, err
	}
	d.Note = note
	return d, nil
}

// digestOf reads the personal_digest of a v2 created or identified payload;
// ok is false for a v1 payload (which has no such field).
func digestOf(data []byte) (digest string, ok bool) {
	var probe struct {
		Digest *string `json:"personal_digest"`
	}
	if json.Unmarshal(data, &probe) != nil || probe.Digest == nil {
		return "", false
	}
	return *probe.Digest, true
}

// IsV1Event reports whether e is a request.created or request.identified
// event written by v1: its Data holds the personal part itself.
func IsV1Event(e Event) bool {
	if e.Type != EventCreated && e.Type != EventIdentified {
		return false
	}
	_, v2 := digestOf(e.Data)
	return !v2
}

// UpgradeEvent converts a v1 event to its v2 form: Data becomes the facts
// (CreatedData or IdentifiedData) with an empty digest, and the personal part
// moves to Personal (without a key). It is deterministic: the counter's file
// migration and the central server make the same bytes, so the converted
// event has the same hash on both. Any other event is returned as it is. For
// request.identified the personal part holds no notes: apply it to the
// request to learn the notes it keeps (Apply does).
func UpgradeEvent(e Event) (Event, error) {
	if !IsV1Event(e) {
		return e, nil
	}
	var (
		data []byte
		p    Personal
		err  error
	)
	switch e.Type {
	case EventCreated:
		var r Request
		if err := json.Unmarshal(e.Data, &r); err != nil {
			return e, fmt.Errorf("decode v1 request.created payload: %v: %w", err, ErrInvalid)
		}
		p = PersonalOf(r, nil)
		data, err = json.Marshal(CreatedFacts(r, ""))
	case EventIdentified:
		var id Identity
		if err := json.Unmarshal(e.Data, &id); err != nil {
			return e, fmt.Errorf("decode v1 request.identified payload: %v: %w", err, ErrInvalid)
		}
		p = Personal{Name: id.Name, NIK: id.NIK, Phone: id.Phone}
		data, err = json.Marshal(IdentifiedData{})
	}
	if err != nil {
		return e, err
	}
	e.Data = data
	if !p.Empty() {
		e.Personal = &p
	} else {
		e.Personal = nil
	}
	return e, nil
}

// checkPersonal checks the personal part an event carries against the
// digest its Data names ("" for a converted v1 event: not covered).
func checkPersonal(e Event, digest string) error {
	if e.Personal == nil || digest == "" {
		return nil
	}
	if len(e.Personal.Key) != PersonalKeySize {
		return fmt.Errorf("event %d: the personal part's key is %d bytes, want %d: %w", e.Seq, len(e.Personal.Key), PersonalKeySize, ErrInvalid)
	}
	if !hmac.Equal([]byte(e.Personal.Digest()), []byte(digest)) {
		return fmt.Errorf("event %d: the personal part does not match its digest: %w", e.Seq, ErrInvalid)
	}
	return nil
}

// applyCreated is Apply for request.created (v1 or v2 form).
func applyCreated(r Request, e Event) (Request, error) {
	if r.ID != "" {
		return r, fmt.Errorf("request %s already exists: %w", r.ID, ErrConflict)
	}
	// The v2 form (every event written since v2) in one decoding: the
	// digest's key is what tells it from v1's (IsV1Event).
	var v2 struct {
		CreatedData
		Digest *string `json:"personal_digest"` // shallower: CreatedData's is left ""
	}
	var d CreatedData
	if json.Unmarshal(e.Data, &v2) == nil && v2.Digest != nil {
		d = v2.CreatedData
		d.PersonalDigest = *v2.Digest
	} else {
		var err error
		if e, err = UpgradeEvent(e); err != nil {
			return r, err
		}
		if err := json.Unmarshal(e.Data, &d); err != nil {
			return r, fmt.Errorf("decode request.created payload: %v: %w", err, ErrInvalid)
		}
	}
	if err := checkPersonal(e, d.PersonalDigest); err != nil {
		return r, err
	}
	nr := d.Request()
	if nr.ID != e.RequestID {
		return r, fmt.Errorf("request.created payload id %q does not match event request %q: %w", nr.ID, e.RequestID, ErrInvalid)
	}
	if e.Personal != nil {
		nr = nr.WithPersonal(*e.Personal)
	}
	return nr, nil
}

// applyErased is Apply for request.erased: the personal part is cleared, the
// facts (status, times, counter and clerk) stay as they were.
func applyErased(r Request, e Event) (Request, error) {
	var d ErasedData
	if err := json.Unmarshal(e.Data, &d); err != nil {
		return r, fmt.Errorf("decode request.erased payload: %v: %w", err, ErrInvalid)
	}
	if _, err := d.Validate(); err != nil {
		return r, err
	}
	r = r.WithoutPersonal()
	r.Erased = true
	return r, nil
}

// Erasure is what an erasure of personal parts did (loket purge, loket
// forget), or would do (DryRun): the requests whose personal part went (or
// would go), oldest first. It never holds personal data.
type Erasure struct {
	DryRun   bool            `json:"dry_run,omitempty"`
	Requests []ErasedRequest `json:"requests"`
}

// ErasedRequest is one request an erasure cleared: enough to find its saved
// receipt and to report, nothing personal.
type ErasedRequest struct {
	ID           string `json:"id"`
	Ticket       string `json:"ticket"`
	Day          string `json:"day"`
	TrackingCode string `json:"tracking_code"`
}

// EventSurveyed is the applicant's answer to the satisfaction survey (SKM,
// package skm) for a request that is done: one per request. Its Data is the
// answer without its comment, plus the comment's digest
// ("personal_digest"); the comment, free text that may say anything, travels
// beside it in Personal.Notes, so that it is erased with the request's
// personal part. Package skm defines and validates the answer; the queue
// only keeps it to one answer per request that is done.
const EventSurveyed = "survey.answered"

// applySurveyed is Apply for survey.answered: the request must be done and
// not surveyed yet; the comment beside it must match its digest.
func applySurveyed(r Request, e Event) (Request, error) {
	if r.Status != StatusDone {
		return r, invalidCode("status", "survey.done", fmt.Sprintf("request %s is %s: the survey is answered once it is done", r.Ticket, r.Status))
	}
	if r.Surveyed {
		return r, invalidCode("status", "survey.once", fmt.Sprintf("the survey of request %s was answered already", r.Ticket))
	}
	digest, ok := digestOf(e.Data)
	if !ok {
		return r, fmt.Errorf("survey.answered payload has no personal_digest: %w", ErrInvalid)
	}
	if err := checkPersonal(e, digest); err != nil {
		return r, err
	}
	r.Surveyed = true
	return r, nil
}
