package queue

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"
)

func v1Created(t *testing.T) (Request, Event) {
	t.Helper()
	at := time.Date(2026, 12, 4, 9, 30, 0, 0, time.FixedZone("WIB", 7*3600))
	r := Request{ID: "01M8ZZM7Z2ZEE71C8D0KFWYM0N", TrackingCode: "HPRN-RVQC-ZSGW", Ticket: "B-001", Day: "2026-12-04",
		Service: "B", FirstService: "B", Status: StatusWaiting, Name: "Intan Simanjuntak", NIK: "5202280705001004",
		Phone: "+6283821160361", Notes: "bawa KTP", Station: strings.Repeat("ab", 16), ArrivedAt: at, QueuedAt: at,
		UpdatedAt: at, Counter: "L1", Clerk: "Sari", DocumentsReceived: []string{"KTP"}, EventSeqs: []uint64{}}
	data, err := json.Marshal(r) // exactly what v1 wrote
	if err != nil {
		t.Fatal(err)
	}
	return r, Event{Seq: 1, Type: EventCreated, RequestID: r.ID, At: at, Counter: "L1", Clerk: "Sari", Data: data}
}

func TestUpgradeEventIsDeterministicAndKeepsTheRequest(t *testing.T) {
	want, e := v1Created(t)
	if !IsV1Event(e) {
		t.Fatal("a v1 request.created is not recognised as v1")
	}
	a, err := UpgradeEvent(e)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := UpgradeEvent(e)
	if string(a.Data) != string(b.Data) {
		t.Fatalf("two conversions differ:\n%s\n%s", a.Data, b.Data)
	}
	for _, secret := range []string{want.Name, want.NIK, want.Phone, want.Notes} {
		if strings.Contains(string(a.Data), secret) {
			t.Errorf("converted data still holds %q: %s", secret, a.Data)
		}
	}
	if IsV1Event(a) {
		t.Error("a converted event is still v1")
	}
	if again, _ := UpgradeEvent(a); string(again.Data) != string(a.Data) {
		t.Error("converting a v2 event changed it")
	}
	got, err := Apply(Request{}, a)
	if err != nil {
		t.Fatal(err)
	}
	want.EventSeqs = nil
	gj, _ := json.Marshal(got)
	wj, _ := json.Marshal(want)
	if string(gj) != string(wj) {
		t.Errorf("applying the converted event:\n got %s\nwant %s", gj, wj)
	}
	// Applying the v1 event itself gives the same request.
	if v1, err := Apply(Request{}, e); err != nil {
		t.Fatal(err)
	} else if j, _ := json.Marshal(v1); string(j) != string(wj) {
		t.Errorf("applying the v1 event:\n got %s\nwant %s", j, wj)
	}
	// Erased before it is sent: the facts alone.
	a.Personal = nil
	facts, err := Apply(Request{}, a)
	if err != nil || !facts.Anonymous() || facts.Ticket != "B-001" {
		t.Errorf("facts alone: %+v, %v", facts, err)
	}
}

func TestPersonalDigestChecked(t *testing.T) {
	r, _ := v1Created(t)
	p := PersonalOf(r, []byte("0123456789abcdef"))
	data, _ := json.Marshal(CreatedFacts(r, p.Digest()))
	e := Event{Seq: 1, Type: EventCreated, RequestID: r.ID, At: r.ArrivedAt, Data: data, Personal: &p}
	if got, err := Apply(Request{}, e); err != nil || got.NIK != r.NIK || got.Notes != r.Notes {
		t.Fatalf("v2 created: %+v, %v", got, err)
	}
	for name, change := range map[string]func(*Personal){
		"another NIK":   func(p *Personal) { p.NIK = "5202280705001005" },
		"another name":  func(p *Personal) { p.Name = "Intan S" },
		"another notes": func(p *Personal) { p.Notes = "" },
		"another key":   func(p *Personal) { p.Key = []byte("0123456789abcdeX") },
		"a short key":   func(p *Personal) { p.Key = []byte("short") },
	} {
		forged := p
		change(&forged)
		e.Personal = &forged
		if _, err := Apply(Request{}, e); !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: err = %v, want ErrInvalid", name, err)
		}
	}
	if p.Digest() == (Personal{Key: p.Key, Name: p.Name + p.NIK}).Digest() {
		t.Error("the digest does not separate its fields")
	}
}

func TestErasedKeepsTheFacts(t *testing.T) {
	r, e := v1Created(t)
	cur, err := Apply(Request{}, e)
	if err != nil {
		t.Fatal(err)
	}
	called, err := Apply(cur, Event{Type: EventCalled, RequestID: r.ID, At: r.ArrivedAt.Add(time.Minute), Counter: "L2", Clerk: "Ani"})
	if err != nil {
		t.Fatal(err)
	}
	data, _ := json.Marshal(ErasedData{Reason: ErasedOnRequest, Note: "permintaan pemohon"})
	erased, err := Apply(called, Event{Type: EventErased, RequestID: r.ID, At: r.ArrivedAt.Add(time.Hour), Counter: "L9", Clerk: "Admin", Data: data})
	if err != nil {
		t.Fatal(err)
	}
	want := called.WithoutPersonal()
	want.Erased = true
	if gj, wj := mustJSON(erased), mustJSON(want); gj != wj {
		t.Errorf("erased:\n got %s\nwant %s", gj, wj)
	}
	if !erased.Identified() {
		t.Error("an erased request counts as not identified: finishing it would ask for an identity again")
	}
	for _, bad := range []string{`{"reason":"whim"}`, `{"reason":"request","note":"a\u0007b"}`, `nope`} {
		if _, err := Apply(called, Event{Type: EventErased, RequestID: r.ID, At: r.ArrivedAt, Data: json.RawMessage(bad)}); !errors.Is(err, ErrInvalid) {
			t.Errorf("erased with %s: err = %v, want ErrInvalid", bad, err)
		}
	}
}

func TestUpgradeIdentifiedKeepsNotes(t *testing.T) {
	r, _ := v1Created(t)
	r.Name, r.NIK, r.Phone = "", "", ""
	data, _ := json.Marshal(Identity{Name: "Joko Widodo", NIK: "3578010101900003", Phone: "+6281298765432"})
	e := Event{Type: EventIdentified, RequestID: r.ID, At: r.ArrivedAt, Counter: "L3", Clerk: "Sari", Data: data}
	a, err := UpgradeEvent(e)
	if err != nil || strings.Contains(string(a.Data), "3578") || a.Personal == nil || a.Personal.NIK != "3578010101900003" {
		t.Fatalf("upgrade identified: %+v %s, %v", a.Personal, a.Data, err)
	}
	got, err := Apply(r, a)
	if err != nil || got.NIK != "3578010101900003" || got.Notes != r.Notes {
		t.Fatalf("identified: %+v, %v", got, err)
	}
}

func mustJSON(v any) string { b, _ := json.Marshal(v); return string(b) }
