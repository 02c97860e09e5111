package skm

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/loket-id/loket/queue"
)

// An answer goes into a survey.answered event without its comment, which
// travels beside it under a digest the queue checks, and comes back whole;
// with the personal part erased it comes back without the comment only.
func TestEventRoundTrip(t *testing.T) {
	a, err := valid().Validate()
	if err != nil {
		t.Fatal(err)
	}
	key := bytes.Repeat([]byte{7}, 16)
	p, digest := CommentPart(a.Comment, key)
	data, err := EventData(a, digest)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(data, []byte("ruang tunggu")) || bytes.Contains(data, []byte(`"comment"`)) {
		t.Fatalf("the event's data holds the comment: %s", data)
	}
	var m map[string]any
	if err := json.Unmarshal(data, &m); err != nil || m["personal_digest"] != digest {
		t.Fatalf("data %s: no personal_digest %s (%v)", data, digest, err)
	}
	// The queue takes it for a done request, with the comment beside it.
	r := queue.Request{ID: a.RequestID, Ticket: "A-001", Status: queue.StatusDone}
	if _, err := queue.Apply(r, queue.Event{Type: EventType, RequestID: r.ID, Data: data, Personal: &p}); err != nil {
		t.Fatalf("queue.Apply: %v", err)
	}
	other := queue.Personal{Key: key, Notes: "another comment"}
	if _, err := queue.Apply(r, queue.Event{Type: EventType, RequestID: r.ID, Data: data, Personal: &other}); err == nil {
		t.Fatal("queue.Apply took a comment that is not the digest's")
	}
	back, err := FromEvent(data, &p)
	if back.AnsweredAt.Equal(a.AnsweredAt) { // the zone's name does not travel in JSON
		back.AnsweredAt = a.AnsweredAt
	}
	if err != nil || back != a {
		t.Fatalf("FromEvent = %+v, %v; want %+v", back, err, a)
	}
	erased, err := FromEvent(data, nil)
	want := a
	want.Comment = ""
	if erased.AnsweredAt.Equal(a.AnsweredAt) {
		erased.AnsweredAt = a.AnsweredAt
	}
	if err != nil || erased != want {
		t.Fatalf("FromEvent without its personal part = %+v, %v; want %+v", erased, err, want)
	}
	if _, err := FromEvent([]byte("{"), nil); err == nil {
		t.Fatal("FromEvent took broken data")
	}
}
