package queue

import (
	"encoding/json"
	"errors"
	"testing"
	"time"
)

func anonymousRequest(status Status) Request {
	at := time.Date(2026, 11, 27, 9, 0, 0, 0, time.FixedZone("WIB", 7*3600))
	return Request{ID: "01KB0000000000000000000000", TrackingCode: "KG2K-RVRU-2RN7", Ticket: "A-001", Day: "2026-11-27",
		Service: "A", FirstService: "A", Status: status, ArrivedAt: at, UpdatedAt: at}
}

func identifiedEvent(t *testing.T, id Identity) Event {
	t.Helper()
	data, err := json.Marshal(id)
	if err != nil {
		t.Fatal(err)
	}
	return Event{Type: EventIdentified, RequestID: "01KB0000000000000000000000", Counter: "L2", Clerk: "Sari",
		At: time.Date(2026, 11, 27, 9, 30, 0, 0, time.UTC), Data: data}
}

// TestApplyIdentified: identify is allowed while the request is waiting,
// called or serving, leaves the status, and takes only an identity in its
// normal form, which the central server's replay relies on.
func TestApplyIdentified(t *testing.T) {
	good := Identity{Name: "Siti Aminah", NIK: "3201014107900001", Phone: "+6281234567890"}
	for _, tc := range []struct {
		name   string
		status Status
		id     Identity
		ok     bool
	}{
		{"waiting", StatusWaiting, good, true},
		{"called", StatusCalled, good, true},
		{"serving", StatusServing, good, true},
		{"no phone", StatusServing, Identity{Name: "Siti", NIK: "3201014107900001"}, true},
		{"done", StatusDone, good, false},
		{"no_show", StatusNoShow, good, false},
		{"cancelled", StatusCancelled, good, false},
		{"no NIK", StatusWaiting, Identity{Name: "Siti"}, false},
		{"no name", StatusWaiting, Identity{NIK: "3201014107900001"}, false},
		{"bad NIK", StatusWaiting, Identity{Name: "Siti", NIK: "1234"}, false},
		{"phone not normal", StatusWaiting, Identity{Name: "Siti", NIK: "3201014107900001", Phone: "0812-3456-7890"}, false},
		{"NIK not normal", StatusWaiting, Identity{Name: "Siti", NIK: "3201 0141 0790 0001"}, false},
		{"formula name", StatusWaiting, Identity{Name: "=HYPERLINK()", NIK: "3201014107900001"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := anonymousRequest(tc.status)
			next, err := Apply(r, identifiedEvent(t, tc.id))
			if !tc.ok {
				if err == nil || !errors.Is(err, ErrInvalid) {
					t.Fatalf("Apply = %v, want an ErrInvalid refusal", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if next.Status != tc.status || next.Name != tc.id.Name || next.NIK != tc.id.NIK || next.Phone != tc.id.Phone ||
				next.Counter != "L2" || !next.Identified() {
				t.Fatalf("identified request = %+v", next)
			}
			if err := ValidateRecord(next); err != nil {
				t.Fatalf("identified request is not a valid record: %v", err)
			}
		})
	}
}

// TestAnonymousRecord: a walk-in without identity is a valid record and a
// valid new request; half an identity is not.
func TestAnonymousRecord(t *testing.T) {
	r := anonymousRequest(StatusWaiting)
	if err := ValidateCreated(r); err != nil {
		t.Fatalf("an anonymous walk-in is refused: %v", err)
	}
	for _, half := range []func(*Request){
		func(r *Request) { r.Name = "Siti" },
		func(r *Request) { r.Phone = "+6281234567890" },
	} {
		h := r
		half(&h)
		if err := ValidateRecord(h); err == nil {
			t.Errorf("a request with half an identity %+v is accepted", h)
		}
	}
}

func TestNewRequestAnonymous(t *testing.T) {
	in, err := NewRequest{Service: "a", Anonymous: true, Priority: "elderly"}.Validate()
	if err != nil || in.Service != "A" {
		t.Fatalf("anonymous walk-in: %+v, %v", in, err)
	}
	if _, err := (NewRequest{Service: "A", Anonymous: true, Name: "Siti"}).Validate(); !errors.Is(err, ErrInvalid) {
		t.Fatalf("an anonymous walk-in with a name: %v", err)
	}
	if _, err := (NewRequest{Service: "A"}).Validate(); !errors.Is(err, ErrInvalid) {
		t.Fatalf("a registration without identity that is not anonymous: %v", err)
	}
}

func TestServiceNeedsIdentity(t *testing.T) {
	no, yes := false, true
	for _, tc := range []struct {
		v    *bool
		want bool
	}{{nil, true}, {&yes, true}, {&no, false}} {
		if got := (Service{IdentityRequired: tc.v}).NeedsIdentity(); got != tc.want {
			t.Errorf("IdentityRequired %v: NeedsIdentity = %v", tc.v, got)
		}
	}
	svcs, err := ParseCatalog([]byte("[[service]]\ncode = \"A\"\nname_id = \"Konsultasi\"\nname_en = \"Consultation\"\nidentity_required = false\n"), "toml")
	if err != nil || svcs[0].NeedsIdentity() {
		t.Fatalf("catalog with identity_required = false: %+v, %v", svcs, err)
	}
}
