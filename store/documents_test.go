package store

import (
	"slices"
	"testing"

	"github.com/loket-id/loket/queue"
)

// TestRegisterDocumentsReceived: the documents a clerk ticks are kept, in
// the service's order; one the service does not list is refused, and
// nothing is written.
func TestRegisterDocumentsReceived(t *testing.T) {
	s, _ := openTest(t)
	svcs, err := s.Services(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var a queue.Service
	for _, sv := range svcs {
		if sv.Code == "A" {
			a = sv
		}
	}
	if len(a.Documents) < 2 {
		t.Fatalf("service A lists %v", a.Documents)
	}
	in := walkIn("A", "Budi")
	in.DocumentsReceived = []string{a.Documents[1], a.Documents[0], a.Documents[1]}
	r := mustRegister(t, s, in)
	if want := []string{a.Documents[0], a.Documents[1]}; !slices.Equal(r.DocumentsReceived, want) {
		t.Fatalf("received %v, want %v", r.DocumentsReceived, want)
	}
	if got, err := s.Get(ctx, r.ID); err != nil || !slices.Equal(got.DocumentsReceived, r.DocumentsReceived) {
		t.Fatalf("stored %v, %v", got.DocumentsReceived, err)
	}
	in.DocumentsReceived = []string{"Surat sakti"}
	if _, err := s.Register(ctx, in, clerk); err == nil {
		t.Fatal("a document the service does not list was taken")
	}
	if rs, _ := s.DayQueue(ctx, ""); len(rs) != 1 {
		t.Fatalf("%d requests after a refused registration", len(rs))
	}
}
