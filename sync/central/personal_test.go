package central

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

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
	full := req.WithPersonal(queue.Personal{Name: "Budi", NIK: "3273010101900043"})
	full.ID, full.TrackingCode, full.Ticket = "01KB00000000000000000000AB", "HPRN-AAAA-BBBC", "A-002"
	v1data, _ := json.Marshal(full) // what a v1 counter sends: the whole request
	v1 := next(t, st, queue.EventCreated, full.ID, v1data)
	v1.Seq, v1.At, v1.Counter, v1.Clerk = 2, req.ArrivedAt, req.Counter, req.Clerk
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

// rawHolds reports whether the central file's raw bytes hold s.
func (r *rig) rawHolds(s string) bool {
	r.t.Helper()
	b, err := os.ReadFile(r.cs.Path())
	if err != nil {
		r.t.Fatal(err)
	}
	return bytes.Contains(b, []byte(s))
}

// TestErasedIsGoneFromTheFile: after an erasure arrives (as an event) and
// after the centre's own purge, the compacted file holds neither the NIK
// nor the name anywhere in its raw bytes, the facts are whole, the check is
// clean, and a counter that still holds the personal data syncs on without
// a conflict and without bringing it back.
func TestErasedIsGoneFromTheFile(t *testing.T) {
	r := newRig(t, "3273/L1")
	st := counter(t)
	ctx := context.Background()
	by := queue.Actor{Counter: "L1", Clerk: "Ani"}
	people := []struct{ name, nik string }{
		{"Zulkarnaen Wiryaatmadja", "3273010101900071"}, // erased on request (an event)
		{"Yohanes Kristiantoro", "3273010101900072"},    // closed: the centre's purge
		{"Xaverius Pramudito", "3273010101900073"},      // still waiting: kept
	}
	var reqs []queue.Request
	for _, p := range people {
		q, err := st.Register(ctx, queue.NewRequest{Service: "A", Name: p.name, NIK: p.nik}, by)
		if err != nil {
			t.Fatal(err)
		}
		reqs = append(reqs, q)
	}
	for _, act := range []queue.Action{queue.ActCall, queue.ActServe, queue.ActDone} {
		if _, err := st.Act(ctx, reqs[1].ID, act, "", by); err != nil {
			t.Fatal(err)
		}
	}
	r.sync("3273/L1", st)
	for _, p := range people {
		if !r.rawHolds(p.nik) {
			t.Fatalf("the NIK %s never reached the file", p.nik)
		}
	}
	erasure, _ := json.Marshal(queue.ErasedData{Reason: queue.ErasedOnRequest})
	ev := next(t, st, queue.EventErased, reqs[0].ID, erasure)
	ev.Seq = r.highWater("3273/L1") + 1
	ev.Hash = protocol.Hash(ev)
	if code, body := r.pushAt(protocol.Prefix, "3273/L1", ev); code != http.StatusOK {
		t.Fatalf("erasure: %d %s", code, body)
	}
	if n, _ := r.cs.ErasedPending(); n != 1 {
		t.Fatalf("erasures pending compaction: %d, want 1", n)
	}
	if _, _, err := r.cs.Compact(); err != nil {
		t.Fatal(err)
	}
	if r.rawHolds(people[0].nik) || r.rawHolds(people[0].name) {
		t.Fatal("the erased NIK or name is still in the compacted file's bytes")
	}
	if n, _ := r.cs.ErasedPending(); n != 0 {
		t.Fatalf("erasures pending after compaction: %d", n)
	}

	// The centre's own retention: a dry run writes nothing, the purge
	// erases the closed request only.
	tomorrow := time.Now().AddDate(0, 0, 2).Format(time.DateOnly)
	dry, err := r.cs.Purge(tomorrow, true)
	if err != nil || len(dry.Requests) != 1 || dry.Requests[0].ID != reqs[1].ID || !dry.DryRun {
		t.Fatalf("dry run: %+v %v", dry, err)
	}
	if got := r.person(reqs[1].ID); got.NIK != people[1].nik {
		t.Fatal("a dry run erased")
	}
	if _, err := r.cs.Purge("yesterday", false); !errors.Is(err, queue.ErrInvalid) {
		t.Fatalf("purge before a non-date: %v", err)
	}
	done, err := r.cs.Purge(tomorrow, false)
	if err != nil || len(done.Requests) != 1 || done.Requests[0].Ticket != reqs[1].Ticket {
		t.Fatalf("purge: %+v %v", done, err)
	}
	if again, err := r.cs.Purge(tomorrow, false); err != nil || len(again.Requests) != 0 {
		t.Fatalf("a second purge: %+v %v", again, err)
	}
	if r.rawHolds(people[1].nik) || r.rawHolds(people[1].name) {
		t.Fatal("the purged NIK or name is still in the file's bytes")
	}
	if !r.rawHolds(people[2].nik) {
		t.Fatal("the purge took a request still waiting")
	}
	if got := r.person(reqs[1].ID); !got.Erased || got.Status != queue.StatusDone || got.DoneAt == nil || got.Clerk != "Ani" {
		t.Fatalf("purged request's facts: %+v", got)
	}
	// The counter still holds everything and resends its whole log.
	if code, body := r.pushAt(protocol.Prefix, "3273/L1", r.history(protocol.Prefix, "3273/L1").Events...); code != http.StatusOK {
		t.Fatalf("resend: %d %s", code, body)
	}
	var all []protocol.Event
	for _, e := range lastEvents(t, st, 0) {
		out, _ := protocol.Outgoing(e.ToStore())
		all = append(all, out)
	}
	if code, body := r.pushAt(protocol.Prefix, "3273/L1", all...); code != http.StatusOK || strings.Contains(body, `"received"`) {
		t.Fatalf("the counter's resend after the centre's purge: %d %s", code, body)
	}
	if r.rawHolds(people[1].nik) || r.bucketsHolding(people[1].nik) != nil {
		t.Fatal("a resend brought the purged NIK back")
	}
	r.checkClean()
}

// TestPurgedCounterSyncs: a counter that purged (Store.Purge) syncs its
// request.erased events to a centre that still holds the personal data: no
// conflict, and after the centre's compaction the NIK and name are gone from
// its file too; a counter that forgets a NIK (Store.Forget) likewise.
func TestPurgedCounterSyncs(t *testing.T) {
	r := newRig(t, "3273/L1")
	st := counter(t)
	ctx := context.Background()
	by := queue.Actor{Counter: "L1", Clerk: "Ani"}
	old, err := st.Register(ctx, queue.NewRequest{Service: "A", Name: "Theresia Anggraini", NIK: "3273010101900091"}, by)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.Act(ctx, old.ID, queue.ActCancel, "", by); err != nil {
		t.Fatal(err)
	}
	asked, err := st.Register(ctx, queue.NewRequest{Service: "A", Name: "Sulastri Handayani", NIK: "3273010101900092", Notes: "kuasa dari suami"}, by)
	if err != nil {
		t.Fatal(err)
	}
	r.sync("3273/L1", st)
	tomorrow := time.Now().In(wib).AddDate(0, 0, 1).Format(time.DateOnly)
	if out, err := st.Purge(ctx, tomorrow, false, by); err != nil || len(out.Requests) != 1 || out.Requests[0].ID != old.ID {
		t.Fatalf("purge: %+v %v", out, err)
	}
	if out, err := st.Forget(ctx, "3273010101900092", "permintaan pemohon", by); err != nil || len(out.Requests) != 1 {
		t.Fatalf("forget: %+v %v", out, err)
	}
	r.sync("3273/L1", st)
	if _, _, err := r.cs.Compact(); err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"3273010101900091", "Theresia", "3273010101900092", "Sulastri", "kuasa dari suami"} {
		if r.rawHolds(s) {
			t.Errorf("the centre's file still holds %q after the counter's erasure", s)
		}
	}
	if got := r.person(asked.ID); !got.Erased || got.Status != queue.StatusWaiting || got.Ticket != asked.Ticket {
		t.Fatalf("forgotten request at the centre: %+v", got)
	}
	r.checkClean()
}
