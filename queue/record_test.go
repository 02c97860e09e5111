package queue

import (
	"strings"
	"testing"
	"time"
)

// TestLegacyNameStillSyncs: a name registered before the rule against a
// leading = + - @ is refused at registration but still valid in a stored
// record, so the centre keeps accepting the old events that carry it.
func TestLegacyNameStillSyncs(t *testing.T) {
	at := time.Date(2026, 11, 27, 9, 0, 0, 0, time.FixedZone("WIB", 7*3600))
	r := Request{ID: "01KB0000000000000000000000", TrackingCode: "KG2K-RVRU-2RN7", Ticket: "A-001", Day: "2026-11-27",
		Service: "A", FirstService: "A", Status: StatusWaiting, Name: "=1+1", NIK: "3201014107900001",
		ArrivedAt: at, UpdatedAt: at}
	if _, err := ValidateName(r.Name); err == nil {
		t.Fatal("ValidateName accepts a name beginning with =")
	}
	if err := ValidateCreated(r); err != nil {
		t.Fatalf("a stored request with a legacy name is refused: %v", err)
	}
	r.Name = "Siti\x00"
	if err := ValidateCreated(r); err == nil {
		t.Fatal("a NUL in a stored name is accepted")
	}
}

// TestLegacyNIKStillSyncs: a NIK with a date that does not exist (31
// February), registered before that rule, is refused at registration but
// still valid in a stored record, so its events keep syncing.
func TestLegacyNIKStillSyncs(t *testing.T) {
	at := time.Date(2026, 11, 27, 9, 0, 0, 0, time.FixedZone("WIB", 7*3600))
	r := Request{ID: "01KB0000000000000000000000", TrackingCode: "KG2K-RVRU-2RN7", Ticket: "A-001", Day: "2026-11-27",
		Service: "A", FirstService: "A", Status: StatusWaiting, Name: "Siti", NIK: "3273013102800001",
		ArrivedAt: at, UpdatedAt: at}
	if _, err := ValidateNIK(r.NIK); err == nil {
		t.Fatal("ValidateNIK accepts 31 February")
	}
	if err := ValidateCreated(r); err != nil {
		t.Fatalf("a stored request with a legacy NIK is refused: %v", err)
	}
	r.NIK = "3273013202800001" // day 32 was never valid
	if err := ValidateCreated(r); err == nil {
		t.Fatal("birth day 32 in a stored NIK is accepted")
	}
}

// TestCreatedQueuedAt: a new request queues at its arrival (or, stored
// before the field, carries none) and has never been reopened.
func TestCreatedQueuedAt(t *testing.T) {
	at := time.Date(2026, 11, 27, 9, 0, 0, 0, time.FixedZone("WIB", 7*3600))
	base := Request{ID: "01KB0000000000000000000000", TrackingCode: "KG2K-RVRU-2RN7", Ticket: "A-001", Day: "2026-11-27",
		Service: "A", FirstService: "A", Status: StatusWaiting, Name: "Siti", NIK: "3201014107900001",
		ArrivedAt: at, UpdatedAt: at}
	tests := []struct {
		name string
		edit func(*Request)
		ok   bool
	}{
		{"no queued_at (older station)", func(*Request) {}, true},
		{"queued at arrival", func(r *Request) { r.QueuedAt = at.UTC() }, true},
		{"queued later", func(r *Request) { r.QueuedAt = at.Add(time.Minute) }, false},
		{"reopened", func(r *Request) { r.Reopens = 1 }, false},
	}
	for _, tt := range tests {
		r := base
		tt.edit(&r)
		if err := ValidateCreated(r); (err == nil) != tt.ok {
			t.Errorf("%s: %v", tt.name, err)
		}
	}
}

// TestTransitionErrorWords: every action reads as English in the error a
// refused action gives ("cannot finish", never "cannot done").
func TestTransitionErrorWords(t *testing.T) {
	for _, a := range Actions() {
		msg := (&TransitionError{Ticket: "A-001", Status: StatusDone, Action: a}).Error()
		if strings.Contains(msg, "cannot  ") || strings.Contains(msg, "cannot done") || strings.Contains(msg, "cannot no_show") {
			t.Errorf("%s: %q", a, msg)
		}
	}
	if got := (&TransitionError{Ticket: "A-002", Status: StatusDone, Action: ActDone}).Error(); got != "cannot finish request A-002: it is done" {
		t.Errorf("got %q", got)
	}
}
