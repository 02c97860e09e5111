package central

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	bolt "go.etcd.io/bbolt"

	"github.com/loket-id/loket/queue"
	"github.com/loket-id/loket/sync/protocol"
)

// pushAt posts events to prefix (protocol.Prefix or PrefixV1) as station key.
func (r *rig) pushAt(prefix, key string, events ...protocol.Event) (int, string) {
	r.t.Helper()
	body, _ := json.Marshal(protocol.Batch{Events: events})
	req, _ := http.NewRequest(http.MethodPost, r.url+prefix+"/sync/events", bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+r.tokens[key])
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		r.t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(data)
}

func (r *rig) history(prefix, key string) protocol.History {
	r.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, r.url+prefix+"/sync/events", nil)
	req.Header.Set("Authorization", "Bearer "+r.tokens[key])
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		r.t.Fatal(err)
	}
	defer resp.Body.Close()
	var h protocol.History
	if err := json.NewDecoder(resp.Body).Decode(&h); err != nil {
		r.t.Fatal(err)
	}
	return h
}

// bucketHolds reports which of the central file's buckets hold s in a value or key.
func (r *rig) bucketsHolding(s string) []string {
	r.t.Helper()
	var out []string
	_ = r.cs.db.View(func(tx *bolt.Tx) error {
		return tx.ForEach(func(name []byte, b *bolt.Bucket) error {
			return b.ForEach(func(k, v []byte) error {
				if bytes.Contains(k, []byte(s)) || bytes.Contains(v, []byte(s)) {
					out = append(out, string(name))
					return errStop
				}
				return nil
			})
		})
	})
	return out
}

func (r *rig) person(id string) queue.Request {
	r.t.Helper()
	var got queue.Request
	if err := r.cs.Export("", "", "", "", func(q queue.Request) error {
		if q.ID == id {
			got = q
		}
		return nil
	}); err != nil {
		r.t.Fatal(err)
	}
	return got
}

// TestPersonalApartAndErased: the centre keeps the personal part of a
// request only in its personal bucket (never in an event or request
// record), joins it back for export and history, checks it against the
// digest, and erases it when request.erased arrives; a resend of the
// creation afterwards is a duplicate that brings nothing back.
func TestPersonalApartAndErased(t *testing.T) {
	r := newRig(t, "3273/L1")
	st := counter(t)
	ctx := context.Background()
	nik, name := "3273010101900042", "Siti Rahayu"
	req, err := st.Register(ctx, queue.NewRequest{Service: "A", Name: name, NIK: nik, Phone: "081234567890"}, queue.Actor{Counter: "L1", Clerk: "Ani"})
	if err != nil {
		t.Fatal(err)
	}
	r.sync("3273/L1", st)
	if got := r.bucketsHolding(nik); len(got) != 1 || got[0] != "personal" {
		t.Fatalf("the NIK is held in %v, want only the personal bucket", got)
	}
	if got := r.person(req.ID); got.NIK != nik || got.Name != name || got.Phone == "" {
		t.Fatalf("export: %+v", got)
	}
	if h := r.history(protocol.Prefix, "3273/L1"); len(h.Events) != 1 || h.Events[0].Personal == nil || h.Events[0].Personal.NIK != nik {
		t.Fatalf("v2 history: %+v", h.Events)
	}
	if h := r.history(protocol.PrefixV1, "3273/L1"); len(h.Events) != 1 || h.Events[0].Personal != nil {
		t.Fatalf("v1 history carries a personal part: %+v", h.Events)
	}
	created := r.history(protocol.Prefix, "3273/L1").Events[0]

	// A personal part that does not match its digest is refused.
	p := queue.Personal{Key: []byte("0123456789abcdef"), Name: "Budi", NIK: "3273010101900043"}
	d := queue.CreatedFacts(req, p.Digest())
	d.ID, d.TrackingCode, d.Ticket = "01KB00000000000000000000AA", "HPRN-AAAA-BBBB", "A-002"
	data, _ := json.Marshal(d)
	e := next(t, st, queue.EventCreated, d.ID, data)
	e.Seq, e.At, e.Counter, e.Clerk = 2, req.ArrivedAt, req.Counter, req.Clerk
	forged := p
	forged.NIK = "3273010101900044"
	e.Personal = &forged
	e.Hash = protocol.Hash(e)
	if code, body := r.pushAt(protocol.Prefix, "3273/L1", e); code != http.StatusBadRequest || !strings.Contains(body, "digest") {
		t.Fatalf("a forged personal part: %d %s", code, body)
	}
	// A v1-form creation at /v2 is refused: its personal data would sit in
	// the event, where it could never be erased.
	v1 := lastEvents(t, st, 0)[0]
	v1.Seq = 2
	v1.Hash = protocol.Hash(v1)
	if code, body := r.pushAt(protocol.Prefix, "3273/L1", v1); code != http.StatusBadRequest || !strings.Contains(body, "version 1 form") {
		t.Fatalf("a v1-form event at /v2: %d %s", code, body)
	}

	// The erasure arrives as an event.
	erasure, _ := json.Marshal(queue.ErasedData{Reason: queue.ErasedOnRequest, Note: "permintaan pemohon"})
	ev := next(t, st, queue.EventErased, req.ID, erasure)
	ev.Seq = 2
	ev.Hash = protocol.Hash(ev)
	if code, body := r.pushAt(protocol.Prefix, "3273/L1", ev); code != http.StatusOK {
		t.Fatalf("erasure: %d %s", code, body)
	}
	if got := r.bucketsHolding(nik); len(got) != 0 {
		t.Fatalf("after the erasure the NIK is still in %v", got)
	}
	if got := r.person(req.ID); !got.Erased || !got.Anonymous() || got.Ticket != req.Ticket || got.Status != queue.StatusWaiting {
		t.Fatalf("erased request: %+v", got)
	}
	// The station resends its creation with the personal part (it has not
	// purged): a duplicate, and the centre stays erased.
	if code, body := r.pushAt(protocol.Prefix, "3273/L1", created, ev); code != http.StatusOK || !strings.Contains(body, `"duplicate":2`) {
		t.Fatalf("resend after the erasure: %d %s", code, body)
	}
	if got := r.bucketsHolding(nik); len(got) != 0 {
		t.Fatalf("a resend brought the NIK back into %v", got)
	}
	r.checkClean()
}
