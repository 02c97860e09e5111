package queue

import (
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
