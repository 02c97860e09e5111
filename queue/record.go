package queue

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// The rules of a request as a counter stores it. The central server checks
// what stations send with these same functions, so a request the counter
// could never have made is refused there too.

var storedTicketRe = regexp.MustCompile(`^([A-Z]{1,2})-([0-9]{3,10})$`)

// ValidateTicket checks a ticket as the counter makes it for a request of
// service: the service code, a dash and the day's number, at least three
// digits and not zero (A-007, B-1234).
func ValidateTicket(ticket, service string) error {
	m := storedTicketRe.FindStringSubmatch(ticket)
	if m == nil {
		return invalidCode("ticket", "ticket.form", fmt.Sprintf("%q is not a ticket like A-007", ticket))
	}
	n, err := strconv.ParseUint(m[2], 10, 64)
	if err != nil || n == 0 || FormatTicket(m[1], n) != ticket {
		return invalidCode("ticket", "ticket.form", fmt.Sprintf("%q is not a ticket like A-007", ticket))
	}
	if m[1] != service {
		return invalidCode("ticket", "ticket.service", fmt.Sprintf("ticket %s is not of service %s", ticket, service))
	}
	return nil
}

// ValidateRecord checks the fields of a request that no action changes, as
// Register writes them: its ID, tracking code, ticket (of its first
// service), day (the date of its arrival, in the arrival's own offset),
// service codes, status, priority, and the applicant's name, NIK, phone and
// notes, valid and in their normal form (or no name, NIK and phone at all: a
// walk-in without identity). It holds in every status.
func ValidateRecord(r Request) error {
	if !LooksLikeID(r.ID) {
		return invalidCode("id", "id.form", fmt.Sprintf("%q is not a request ID", r.ID))
	}
	if !isTrackingCode(r.TrackingCode) {
		return invalidCode("tracking_code", "tracking.form", fmt.Sprintf("%q is not a tracking code", r.TrackingCode))
	}
	for _, f := range [][2]string{{"service", r.Service}, {"first_service", r.FirstService}} {
		if ValidateServiceCode(f[1]) != nil {
			return invalidCode(f[0], "service.code", fmt.Sprintf("code %q must be one or two capital letters", f[1]))
		}
	}
	if err := ValidateTicket(r.Ticket, r.FirstService); err != nil {
		return err
	}
	if _, err := ParseStatus(string(r.Status)); err != nil {
		return err
	}
	if _, err := ParsePriority(string(r.Priority)); err != nil || r.Priority == "none" {
		return invalidCode("priority", "priority.unknown", fmt.Sprintf("unknown priority %q", r.Priority))
	}
	if r.ArrivedAt.IsZero() {
		return invalidCode("arrived_at", "required", "required")
	}
	if day := r.ArrivedAt.Format("2006-01-02"); r.Day != day {
		return invalidCode("day", "day.arrival", fmt.Sprintf("day %q is not the day of the arrival (%s)", r.Day, day))
	}
	fields := []struct {
		field, v string
		check    func(string) (string, error)
	}{{"name", r.Name, storedName}, {"nik", r.NIK, storedNIK}, {"phone", r.Phone, NormalizePhone}, {"notes", r.Notes, ValidateNotes}}
	if r.Anonymous() { // a walk-in without identity (see identify.go)
		fields = fields[3:]
	}
	for _, f := range fields {
		norm, err := f.check(f.v)
		if err != nil {
			return err
		}
		if norm != f.v {
			return invalidCode(f.field, "text.normal", "is not in its normal form")
		}
	}
	return nil
}

// storedName checks a name as a stored request may hold it: the text rules
// of ValidateName without the rule against a leading = + - @, which came
// later. Names registered before it are still synced (their events are
// hashed and cannot change); every CSV writer neutralises them.
func storedName(s string) (string, error) { return validateText("name", s, MaxNameLen, true) }

// ValidateCreated checks a request as Register makes it: ValidateRecord,
// and new: waiting in the line of its first service, never called, served,
// closed or transferred, last changed at its arrival, with no events yet.
func ValidateCreated(r Request) error {
	if err := ValidateRecord(r); err != nil {
		return err
	}
	switch {
	case r.Status != StatusWaiting:
		return invalidCode("status", "status.created", fmt.Sprintf("a new request is waiting, not %s", r.Status))
	case r.Service != r.FirstService:
		return invalidCode("service", "service.created", fmt.Sprintf("a new request is in the line of its first service %s, not %s", r.FirstService, r.Service))
	case r.CalledAt != nil || r.ServingAt != nil || r.DoneAt != nil || r.ClosedAt != nil || r.Calls != 0 || r.Transfers != 0:
		return invalidCode("status", "status.created", "a new request has not been called, served, closed or transferred")
	case !r.UpdatedAt.Equal(r.ArrivedAt):
		return invalidCode("updated_at", "updated.created", "a new request was last changed at its arrival")
	case !r.QueuedAt.IsZero() && !r.QueuedAt.Equal(r.ArrivedAt):
		return invalidCode("queued_at", "queued.created", "a new request queues at its arrival")
	case r.Reopens != 0:
		return invalidCode("status", "status.created", "a new request has not been reopened")
	case len(r.EventSeqs) != 0:
		return invalidCode("event_seqs", "events.created", "a new request has no events yet")
	}
	return nil
}

// isTrackingCode reports whether s is a tracking code in its stored form,
// XXXX-XXXX-XXXX (what NormalizeTrackingCode returns, without its cost).
func isTrackingCode(s string) bool {
	if len(s) != 14 || s[4] != '-' || s[9] != '-' {
		return false
	}
	for i := 0; i < len(s); i++ {
		if i != 4 && i != 9 && strings.IndexByte(trackingAlphabet, s[i]) < 0 {
			return false
		}
	}
	return true
}
