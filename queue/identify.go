package queue

import (
	"encoding/json"
	"fmt"
)

// A walk-in without identity is a request registered at a kiosk with one
// touch: no name, NIK or phone. It waits and is called like any other; the
// clerk adds the applicant's identity at the counter with the identify
// action (event request.identified), with the rules of registration.
// Whether a request of a service may be finished without it is the
// service's IdentityRequired.

// EventIdentified is the event of the identify action: the applicant's
// name, NIK and phone added to (or corrected on) a request.
const EventIdentified = "request.identified"

// ActIdentify adds the applicant's identity to a request. It is not in the
// transition table because it does not move the request: it is allowed in
// waiting, called and serving, and leaves the status as it is.
const ActIdentify Action = "identify"

// identifyFrom are the statuses a request may be identified in.
var identifyFrom = []Status{StatusWaiting, StatusCalled, StatusServing}

// Identity is who a walk-in is: the payload of request.identified.
type Identity struct {
	Name  string `json:"name"`
	NIK   string `json:"nik"`
	Phone string `json:"phone,omitempty"`
}

// Validate checks an identity with the rules of registration (name and NIK
// required, phone optional) and returns it normalised.
func (id Identity) Validate() (Identity, error) {
	var err error
	if id.Name, err = ValidateName(id.Name); err != nil {
		return id, err
	}
	if id.NIK, err = ValidateNIK(id.NIK); err != nil {
		return id, err
	}
	if id.Phone, err = NormalizePhone(id.Phone); err != nil {
		return id, err
	}
	return id, nil
}

// Identified reports whether the request has the applicant's identity (a
// walk-in registered without one has no NIK until the clerk adds it).
// An erased request counts as identified: its identity was there, and is
// gone by law, not missing.
func (r Request) Identified() bool { return r.NIK != "" || r.Erased }

// Anonymous reports whether a request holds no identity at all: no name,
// NIK or phone, as a kiosk registers it.
func (r Request) Anonymous() bool { return r.Name == "" && r.NIK == "" && r.Phone == "" }

// NeedsIdentity reports whether a request of this service must be
// identified before it can be done: IdentityRequired, true when unset.
func (s Service) NeedsIdentity() bool { return s.IdentityRequired == nil || *s.IdentityRequired }

// applyIdentified is Apply for request.identified: the payload must be an
// identity in its normal form (the counter normalises before it writes, so
// the central server's replay refuses what a counter could not have made).
func applyIdentified(r Request, e Event) (Request, error) {
	if !statusIn(r.Status, identifyFrom) {
		return r, &TransitionError{Ticket: r.Ticket, Status: r.Status, Action: ActIdentify}
	}
	e, err := UpgradeEvent(e)
	if err != nil {
		return r, err
	}
	var d IdentifiedData
	if err := json.Unmarshal(e.Data, &d); err != nil {
		return r, fmt.Errorf("decode request.identified payload: %v: %w", err, ErrInvalid)
	}
	if e.Personal != nil {
		// The identity in its normal form (the counter normalises before
		// it writes); v2 carries the notes the request had beside it.
		id := Identity{Name: e.Personal.Name, NIK: e.Personal.NIK, Phone: e.Personal.Phone}
		norm, err := id.Validate()
		if err != nil {
			return r, err
		}
		if norm != id {
			return r, invalidCode("identity", "text.normal", "is not in its normal form")
		}
		if err := checkPersonal(e, d.PersonalDigest); err != nil {
			return r, err
		}
		notes := r.Notes
		if d.PersonalDigest != "" {
			notes = e.Personal.Notes
		}
		r = r.WithPersonal(Personal{Name: id.Name, NIK: id.NIK, Phone: id.Phone, Notes: notes})
		r.Erased = false
	}
	r.UpdatedAt = e.At
	r.Counter, r.Clerk = e.Counter, e.Clerk
	return r, nil
}

// IdentityMissing is the error of finishing a walk-in that has no identity
// while its service requires one.
func IdentityMissing(r Request) error {
	return invalidCode("identity", "identity.required",
		fmt.Sprintf("request %s has no name or NIK yet, and service %s requires them before it is done: identify the applicant first", r.Ticket, r.Service))
}
