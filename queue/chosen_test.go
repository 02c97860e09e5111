package queue

import (
	"encoding/json"
	"errors"
	"testing"
	"time"
)

// TestChosenCall: a call out of order carries {"chosen":true}, which Apply
// accepts like a call-next's empty payload; a payload that is not that
// shape is refused.
func TestChosenCall(t *testing.T) {
	at := time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)
	waiting := Request{ID: "01KB0000000000000000000000", Ticket: "A-001", Status: StatusWaiting}
	for _, tc := range []struct {
		name   string
		data   json.RawMessage
		chosen bool
		err    bool
	}{
		{"call-next", nil, false, false},
		{"chosen", ChosenCall, true, false},
		{"chosen false", json.RawMessage(`{"chosen":false}`), false, false},
		{"not an object", json.RawMessage(`[1]`), false, true},
		{"wrong type", json.RawMessage(`{"chosen":"yes"}`), false, true},
	} {
		e := Event{Type: EventCalled, RequestID: waiting.ID, At: at, Data: tc.data}
		r, err := Apply(waiting, e)
		if tc.err {
			if !errors.Is(err, ErrInvalid) {
				t.Errorf("%s: %v, want ErrInvalid", tc.name, err)
			}
			continue
		}
		if err != nil || r.Status != StatusCalled || r.Calls != 1 {
			t.Errorf("%s: %+v %v", tc.name, r, err)
		}
		if IsChosenCall(e) != tc.chosen {
			t.Errorf("%s: IsChosenCall %v", tc.name, !tc.chosen)
		}
	}
}
