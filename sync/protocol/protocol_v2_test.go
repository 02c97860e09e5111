package protocol

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/loket-id/loket/queue"
)

// A v1 event converted at the centre has the hash the counter's migrated
// file gives it, and keeps no personal data in what the hash covers.
func TestUpgradeV1MatchesTheCountersConversion(t *testing.T) {
	at := time.Date(2026, 12, 4, 9, 30, 0, 0, time.FixedZone("WIB", 7*3600))
	r := queue.Request{ID: "01M8ZZM7Z2ZEE71C8D0KFWYM0N", TrackingCode: "HPRN-RVQC-ZSGW", Ticket: "B-001", Day: "2026-12-04",
		Service: "B", FirstService: "B", Status: queue.StatusWaiting, Name: "Intan", NIK: "5202280705001004",
		Station: strings.Repeat("ab", 16), ArrivedAt: at, UpdatedAt: at}
	data, _ := json.Marshal(r)
	se := queue.Event{Seq: 1, ID: "01M8ZZM7Z2ZEE71C8D0P7YADTR", Type: queue.EventCreated, RequestID: r.ID, At: at,
		Station: r.Station, Epoch: strings.Repeat("cd", 16), Data: data}
	v1 := FromStore(se)
	if err := v1.Validate(); err != nil {
		t.Fatal(err)
	}
	up, err := UpgradeV1(v1)
	if err != nil {
		t.Fatal(err)
	}
	migrated, _ := queue.UpgradeEvent(se)
	if want := FromStore(migrated).Hash; up.Hash != want || up.Hash == v1.Hash {
		t.Errorf("v2 hash %s, the counter's %s (v1 %s)", up.Hash, want, v1.Hash)
	}
	if strings.Contains(string(up.Data), r.NIK) || up.Personal == nil || up.Personal.NIK != r.NIK {
		t.Errorf("converted: data %s, personal %+v", up.Data, up.Personal)
	}
	if err := up.Validate(); err != nil {
		t.Errorf("the converted event does not validate: %v", err)
	}
	// Erasing the personal part changes no hash.
	up.Personal = nil
	if err := up.Validate(); err != nil {
		t.Errorf("without its personal part: %v", err)
	}
	// A v2-form event passes unchanged; a v1 event has nothing beside it.
	if same, err := UpgradeV1(up); err != nil || same.Hash != up.Hash {
		t.Errorf("a v2-form event through UpgradeV1: %v", err)
	}
	v1.Personal = &queue.Personal{NIK: r.NIK}
	if _, err := UpgradeV1(v1); !errors.Is(err, ErrInvalid) {
		t.Errorf("a v1 event with a personal part: %v", err)
	}
	called := FromStore(queue.Event{Seq: 2, ID: "01M8ZZM7Z2ZEE71C8D0P7YADTS", Type: queue.EventCalled, RequestID: r.ID, At: at,
		Station: r.Station, Epoch: se.Epoch, Personal: &queue.Personal{NIK: r.NIK}})
	if err := called.Validate(); !errors.Is(err, ErrInvalid) {
		t.Errorf("a request.called with a personal part: %v", err)
	}
}
