package queue

import (
	"strings"
	"time"
)

// NewRequest is a walk-in as the clerk registers it. Fields are validated by
// Register; nothing is written when one is invalid.
type NewRequest struct {
	Service  string
	Name     string
	NIK      string
	Phone    string
	Notes    string
	Priority Priority
	// Anonymous registers a walk-in without identity (a kiosk's one touch):
	// Name, NIK and Phone must be empty; the clerk adds them later (identify).
	Anonymous bool
	// DocumentsReceived are the service's required documents (as its
	// catalog entry names them) that the clerk ticked as received; the
	// store refuses a name the service does not list.
	DocumentsReceived []string
	// At is the arrival time; zero means the store's clock. (Used by the
	// demo generator and tests; clerks never set it.)
	At time.Time
}

// Validate checks every field of a new request except the service, and
// returns it normalised. The first invalid field is reported.
func (in NewRequest) Validate() (NewRequest, error) {
	var err error
	if in.Anonymous {
		if in.Name != "" || in.NIK != "" || in.Phone != "" {
			return in, invalidCode("identity", "identity.anonymous", "a walk-in without identity has no name, NIK or phone")
		}
	} else {
		id, err := Identity{Name: in.Name, NIK: in.NIK, Phone: in.Phone}.Validate()
		if err != nil {
			return in, err
		}
		in.Name, in.NIK, in.Phone = id.Name, id.NIK, id.Phone
	}
	if in.Notes, err = ValidateNotes(in.Notes); err != nil {
		return in, err
	}
	if in.Priority, err = ParsePriority(string(in.Priority)); err != nil {
		return in, err
	}
	in.Service = strings.ToUpper(strings.TrimSpace(in.Service))
	if err := ValidateServiceCode(in.Service); err != nil {
		return in, err
	}
	return in, nil
}

// Recorder records the queue's actions, all of them or none: a station's
// database transaction is one. The demo generator writes through it.
type Recorder interface {
	Register(in NewRequest, by Actor) (Request, error)
	Act(cur Request, act Action, service string, by Actor, at time.Time) (Request, error)
}

// DayClose is what closing a day did, or (a dry run) would do.
type DayClose struct {
	Day string `json:"day"`
	// As is the status the open requests were closed as: no_show or cancelled.
	As Status `json:"as"`
	// Closed are the requests that were waiting or called, now closed as
	// As (in a dry run: that would be), in arrival order, as they are after
	// the close.
	Closed []Request `json:"closed"`
	// Serving are the requests still being served: left open, as neither
	// a no-show nor a cancellation would be true of them and done would
	// invent a service time. A clerk finishes each by hand (done or
	// transfer), by its dated ticket (2026-12-03/A-002).
	Serving []Request `json:"serving"`
}
