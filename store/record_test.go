package store

import (
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/loket-id/loket/queue"
)

// TestValidateCreated: what Register writes (its request.created payload)
// passes ValidateCreated, whatever the applicant's fields; every request
// after any action still passes ValidateRecord; and a request the counter
// could never have made is refused, naming the field.
func TestValidateCreated(t *testing.T) {
	s, clk := openTest(t)
	ins := []queue.NewRequest{
		walkIn("A", "Siti Aminah"),
		{Service: "b", Name: "  Budi  ", NIK: "3201 0141 0790 0001", Phone: "+62 812.3456.7890", Notes: " catatan ", Priority: "elderly"},
		{Service: "H", Name: "Ñoño Wijaya", NIK: "3201014107900001"},
	}
	var created []queue.Request
	for _, in := range ins {
		r := mustRegister(t, s, in)
		var evs []queue.Event
		_ = s.View(ctx, func(tx *Tx) error { evs, _ = tx.Events(r.EventSeqs[0]-1, 1); return nil })
		// The request as the event makes it: its facts, and the personal
		// part beside the event.
		var facts queue.CreatedData
		if err := json.Unmarshal(evs[0].Data, &facts); err != nil {
			t.Fatal(err)
		}
		payload := facts.Request()
		if evs[0].Personal != nil {
			payload = payload.WithPersonal(*evs[0].Personal)
		}
		if err := queue.ValidateCreated(payload); err != nil {
			t.Fatalf("Register's own request.created %s is refused: %v", r.Ticket, err)
		}
		created = append(created, payload)
	}
	for _, act := range []queue.Action{queue.ActCall, queue.ActServe, queue.ActDone} {
		clk.Add(time.Minute)
		r, err := s.Act(ctx, created[0].ID, act, "", clerk)
		if err != nil {
			t.Fatal(err)
		}
		if err := queue.ValidateRecord(r); err != nil {
			t.Fatalf("after %s: %v", act, err)
		}
	}
	if r, err := s.Act(ctx, created[1].ID, queue.ActTransfer, "C", clerk); err != nil || queue.ValidateRecord(r) != nil {
		t.Fatalf("after a transfer: %v %v", err, queue.ValidateRecord(r))
	}

	good := created[0]
	ts := func(y int) time.Time { return time.Date(y, 1, 2, 3, 4, 5, 0, jakarta) }
	tests := []struct {
		name  string
		edit  func(*queue.Request)
		field string
	}{
		{"created done", func(r *queue.Request) { r.Status = queue.StatusDone }, "status"},
		{"unknown status", func(r *queue.Request) { r.Status = "gone" }, "status"},
		{"ticket ../../etc", func(r *queue.Request) { r.Ticket = "../../etc" }, "ticket"},
		{"ticket of another service", func(r *queue.Request) { r.Ticket = "B-001" }, "ticket"},
		{"ticket zero", func(r *queue.Request) { r.Ticket = "A-000" }, "ticket"},
		{"ticket without padding", func(r *queue.Request) { r.Ticket = "A-7" }, "ticket"},
		{"service ../x", func(r *queue.Request) { r.Service, r.FirstService = "../x", "../x" }, "service"},
		{"service lower-case", func(r *queue.Request) { r.Service = "a" }, "service"},
		{"service not the first", func(r *queue.Request) { r.Service = "B" }, "service"},
		{"NUL in the name", func(r *queue.Request) { r.Name = "Siti\x00Aminah" }, "name"},
		{"escape in the name", func(r *queue.Request) { r.Name = "Siti\x1b[2J" }, "name"},
		{"no name", func(r *queue.Request) { r.Name = "" }, "name"},
		{"untrimmed name", func(r *queue.Request) { r.Name = " Siti" }, "name"},
		{"bad NIK", func(r *queue.Request) { r.NIK = "1234" }, "nik"},
		{"NIK with spaces", func(r *queue.Request) { r.NIK = "3201 014107900001" }, "nik"},
		{"bad phone", func(r *queue.Request) { r.Phone = "12345" }, "phone"},
		{"phone not normalised", func(r *queue.Request) { r.Phone = "081234567890" }, "phone"},
		{"control in notes", func(r *queue.Request) { r.Notes = "a\x07" }, "notes"},
		{"unknown priority", func(r *queue.Request) { r.Priority = "vip" }, "priority"},
		{"bad ID", func(r *queue.Request) { r.ID = "../../etc" }, "id"},
		{"bad tracking code", func(r *queue.Request) { r.TrackingCode = "0000-0000-0000" }, "tracking_code"},
		{"no arrival", func(r *queue.Request) { r.ArrivedAt, r.UpdatedAt = time.Time{}, time.Time{} }, "arrived_at"},
		{"day not the arrival's", func(r *queue.Request) { r.ArrivedAt, r.UpdatedAt = ts(2026), ts(2026) }, "day"},
		{"already called", func(r *queue.Request) { at := r.ArrivedAt; r.CalledAt, r.Calls = &at, 1 }, "status"},
		{"already transferred", func(r *queue.Request) { r.Transfers = 1 }, "status"},
		{"changed after arrival", func(r *queue.Request) { r.UpdatedAt = r.ArrivedAt.Add(time.Hour) }, "updated_at"},
		{"with events", func(r *queue.Request) { r.EventSeqs = []uint64{1} }, "event_seqs"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := good
			tt.edit(&r)
			err := queue.ValidateCreated(r)
			var fe *queue.FieldError
			if !errors.As(err, &fe) || !errors.Is(err, queue.ErrInvalid) || fe.Field != tt.field {
				t.Fatalf("got %v, want an invalid %s", err, tt.field)
			}
		})
	}
}

// TestTransferServiceShape: Apply refuses a transfer to a service code the
// counter could never have (the central server materialises with Apply).
func TestTransferServiceShape(t *testing.T) {
	r := queue.Request{ID: "01KB0000000000000000000000", Ticket: "A-001", Service: "A", FirstService: "A", Status: queue.StatusWaiting}
	for _, svc := range []string{"../x", "", "a", "ABC", "Z\x00"} {
		data, _ := json.Marshal(queue.TransferData{From: "A", Service: svc})
		if _, err := queue.Apply(r, queue.Event{Type: queue.EventTransferred, RequestID: r.ID, At: time.Now(), Data: data}); !errors.Is(err, queue.ErrInvalid) {
			t.Errorf("transfer to %q: %v", svc, err)
		}
	}
	data, _ := json.Marshal(queue.TransferData{From: "A", Service: "B"})
	if got, err := queue.Apply(r, queue.Event{Type: queue.EventTransferred, RequestID: r.ID, At: time.Now(), Data: data}); err != nil || got.Service != "B" {
		t.Fatalf("a good transfer: %v %v", got.Service, err)
	}
}
