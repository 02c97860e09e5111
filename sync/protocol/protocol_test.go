package protocol

import (
	"strings"
	"testing"
	"time"
)

func valid() Event {
	e := Event{Station: strings.Repeat("a", 32), Epoch: strings.Repeat("b", 32), Seq: 7, ID: "01KB0000000000000000000001",
		Type: "request.called", RequestID: "01KB0000000000000000000000", At: time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC),
		Counter: "L1", Clerk: "Sari"}
	e.Hash = Hash(e)
	return e
}

// TestHashIsFixed pins the hash of one event: it is part of the protocol,
// and a change to it would make every stored event a conflict.
func TestHashIsFixed(t *testing.T) {
	if got, want := valid().Hash, "9fc1c51c07da05d731f73fb56ea9ca4d51c233d4e9d0cddf206531ae3d37bc97"; got != want {
		t.Fatalf("the hash of the pinned event changed: %s, was %s (PROTOCOL.md defines it)", got, want)
	}
	a, b := valid(), valid()
	b.At = b.At.In(time.FixedZone("WIB", 7*3600)) // the same instant in another zone
	if Hash(a) != Hash(b) {
		t.Fatal("the hash depends on the time zone of the same instant")
	}
	for name, change := range map[string]func(*Event){
		"seq": func(e *Event) { e.Seq++ }, "type": func(e *Event) { e.Type = "request.done" },
		"clerk": func(e *Event) { e.Clerk = "Budi" }, "data": func(e *Event) { e.Data = []byte(`{}`) },
		"shifted": func(e *Event) { e.Counter, e.Clerk = "L1S", "ari" }, // length prefixes keep fields apart
	} {
		e := valid()
		change(&e)
		if Hash(e) == valid().Hash {
			t.Errorf("changing %s does not change the hash", name)
		}
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name   string
		change func(*Event)
		errHas string
	}{
		{"valid", func(*Event) {}, ""},
		{"seq 0", func(e *Event) { e.Seq = 0 }, "seq must be 1 or more"},
		{"short station", func(e *Event) { e.Station = "abc" }, "station must be 32 hex digits"},
		{"epoch not hex", func(e *Event) { e.Epoch = strings.Repeat("z", 32) }, "epoch must be 32 hex digits"},
		{"unknown type", func(e *Event) { e.Type = "request.teleported" }, "unknown type"},
		{"no request", func(e *Event) { e.RequestID = "" }, "request_id"},
		{"no time", func(e *Event) { e.At = time.Time{} }, "at is missing"},
		{"data not JSON", func(e *Event) { e.Data = []byte("{") }, "data is not JSON"},
		{"tampered", func(e *Event) { e.Clerk = "Mallory" }, "hash does not match"},
	}
	for _, tt := range tests {
		e := valid()
		tt.change(&e)
		if tt.name != "tampered" { // every other case has a hash that matches its content
			e.Hash = Hash(e)
		}
		err := e.Validate()
		if tt.errHas == "" {
			if err != nil {
				t.Errorf("%s: %v", tt.name, err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), tt.errHas) {
			t.Errorf("%s: err = %v, want %q", tt.name, err, tt.errHas)
		}
	}
}
