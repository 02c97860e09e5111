package store

import (
	"encoding/json"
	"errors"
	"testing"
	"time"
)

// TestValidateCreated: what Register writes (its request.created payload)
// passes ValidateCreated, whatever the applicant's fields; every request
// after any action still passes ValidateRecord; and a request the counter
// could never have made is refused, naming the field.
func TestValidateCreated(t *testing.T) {
	s, clk := openTest(t)
	ins := []NewRequest{
		walkIn("A", "Siti Aminah"),
		{Service: "b", Name: "  Budi  ", NIK: "3201 0141 0790 0001", Phone: "+62 812.3456.7890", Notes: " catatan ", Priority: "elderly"},
		{Service: "H", Name: "Ñoño Wijaya", NIK: "3201014107900001"},
	}
	var created []Request
	for _, in := range ins {
		r := mustRegister(t, s, in)
		var evs []Event
		_ = s.View(ctx, func(tx *Tx) error { evs, _ = tx.Events(r.EventSeqs[0]-1, 1); return nil })
		var payload Request
		if err := json.Unmarshal(evs[0].Data, &payload); err != nil {
			t.Fatal(err)
		}
		if err := ValidateCreated(payload); err != nil {
			t.Fatalf("Register's own request.created %s is refused: %v", r.Ticket, err)
		}
		created = append(created, payload)
	}
	for _, act := range []Action{ActCall, ActServe, ActDone} {
		clk.Add(time.Minute)
		r, err := s.Act(ctx, created[0].ID, act, "", clerk)
		if err != nil {
			t.Fatal(err)
		}
		if err := ValidateRecord(r); err != nil {
			t.Fatalf("after %s: %v", act, err)
		}
	}
	if r, err := s.Act(ctx, created[1].ID, ActTransfer, "C", clerk); err != nil || ValidateRecord(r) != nil {
		t.Fatalf("after a transfer: %v %v", err, ValidateRecord(r))
	}

	good := created[0]
	ts := func(y int) time.Time { return time.Date(y, 1, 2, 3, 4, 5, 0, jakarta) }
	tests := []struct {
		name  string
		edit  func(*Request)
		field string
	}{
		{"created done", func(r *Request) { r.Status = StatusDone }, "status"},
		{"unknown status", func(r *Request) { r.Status = "gone" }, "status"},
		{"ticket ../../etc", func(r *Request) { r.Ticket = "../../etc" }, "ticket"},
		{"ticket of another service", func(r *Request) { r.Ticket = "B-001" }, "ticket"},
		{"ticket zero", func(r *Request) { r.Ticket = "A-000" }, "ticket"},
		{"ticket without padding", func(r *Request) { r.Ticket = "A-7" }, "ticket"},
		{"service ../x", func(r *Request) { r.Service, r.FirstService = "../x", "../x" }, "service"},
		{"service lower-case", func(r *Request) { r.Service = "a" }, "service"},
		{"service not the first", func(r *Request) { r.Service = "B" }, "service"},
		{"NUL in the name", func(r *Request) { r.Name = "Siti\x00Aminah" }, "name"},
		{"escape in the name", func(r *Request) { r.Name = "Siti\x1b[2J" }, "name"},
		{"no name", func(r *Request) { r.Name = "" }, "name"},
		{"untrimmed name", func(r *Request) { r.Name = " Siti" }, "name"},
		{"bad NIK", func(r *Request) { r.NIK = "1234" }, "nik"},
		{"NIK with spaces", func(r *Request) { r.NIK = "3201 014107900001" }, "nik"},
		{"bad phone", func(r *Request) { r.Phone = "12345" }, "phone"},
		{"phone not normalised", func(r *Request) { r.Phone = "081234567890" }, "phone"},
		{"control in notes", func(r *Request) { r.Notes = "a\x07" }, "notes"},
		{"unknown priority", func(r *Request) { r.Priority = "vip" }, "priority"},
		{"bad ID", func(r *Request) { r.ID = "../../etc" }, "id"},
		{"bad tracking code", func(r *Request) { r.TrackingCode = "0000-0000-0000" }, "tracking_code"},
		{"no arrival", func(r *Request) { r.ArrivedAt, r.UpdatedAt = time.Time{}, time.Time{} }, "arrived_at"},
		{"day not the arrival's", func(r *Request) { r.ArrivedAt, r.UpdatedAt = ts(2026), ts(2026) }, "day"},
		{"already called", func(r *Request) { at := r.ArrivedAt; r.CalledAt, r.Calls = &at, 1 }, "status"},
		{"already transferred", func(r *Request) { r.Transfers = 1 }, "status"},
		{"changed after arrival", func(r *Request) { r.UpdatedAt = r.ArrivedAt.Add(time.Hour) }, "updated_at"},
		{"with events", func(r *Request) { r.EventSeqs = []uint64{1} }, "event_seqs"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := good
			tt.edit(&r)
			err := ValidateCreated(r)
			var fe *FieldError
			if !errors.As(err, &fe) || !errors.Is(err, ErrInvalid) || fe.Field != tt.field {
				t.Fatalf("got %v, want an invalid %s", err, tt.field)
			}
		})
	}
}

// TestTransferServiceShape: Apply refuses a transfer to a service code the
// counter could never have (the central server materialises with Apply).
func TestTransferServiceShape(t *testing.T) {
	r := Request{ID: "01KB0000000000000000000000", Ticket: "A-001", Service: "A", FirstService: "A", Status: StatusWaiting}
	for _, svc := range []string{"../x", "", "a", "ABC", "Z\x00"} {
		data, _ := json.Marshal(TransferData{From: "A", Service: svc})
		if _, err := Apply(r, Event{Type: EventTransferred, RequestID: r.ID, At: time.Now(), Data: data}); !errors.Is(err, ErrInvalid) {
			t.Errorf("transfer to %q: %v", svc, err)
		}
	}
	data, _ := json.Marshal(TransferData{From: "A", Service: "B"})
	if got, err := Apply(r, Event{Type: EventTransferred, RequestID: r.ID, At: time.Now(), Data: data}); err != nil || got.Service != "B" {
		t.Fatalf("a good transfer: %v %v", got.Service, err)
	}
}
