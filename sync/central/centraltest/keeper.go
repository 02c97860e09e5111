package centraltest

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"net/http"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/loket-id/loket/queue"
	"github.com/loket-id/loket/store"
	"github.com/loket-id/loket/sync/protocol"
)

// CounterAt is a fresh counter database whose clock is clock.
func CounterAt(t *testing.T, clock func() time.Time) *store.Store {
	t.Helper()
	st, err := store.Open(filepath.Join(t.TempDir(), store.FileName), store.Options{Location: WIB, Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// Person is an applicant's name and NIK found nowhere else: another test's
// database on the same server, or another run, cannot hold them, so a
// search of the raw bytes finds only this test's.
func Person(t *testing.T) (name, nik string) {
	t.Helper()
	n := func(max int64) int64 {
		v, err := rand.Int(rand.Reader, big.NewInt(max))
		if err != nil {
			t.Fatal(err)
		}
		return v.Int64()
	}
	word := func() string {
		b := []byte{byte('A' + n(26))}
		for range 9 {
			b = append(b, byte('a'+n(26)))
		}
		return string(b)
	}
	// 32 73 01: a regency of West Java; then the birth date DDMMYY and a
	// serial number.
	nik = fmt.Sprintf("327301%02d%02d%02d%04d", 1+n(28), 1+n(12), n(100), 1+n(9999))
	return word() + " " + word(), nik
}

// testErasedGone: after an erasure arrives (as an event) and after the
// centre's own purge, the storage holds neither the NIK nor the name
// anywhere in its bytes at rest once compacted; the erasures are counted
// until the compaction; the facts are whole, the check is clean, and a
// counter that still holds the personal data syncs on without a conflict
// and without bringing it back. The purge: a dry run writes nothing, a
// non-date is refused, a second purge finds nothing.
func testErasedGone(t *testing.T, open Open, raw Raw) {
	r := newRig(t, open, "3273/L1")
	st := Counter(t)
	ctx := context.Background()
	by := queue.Actor{Counter: "L1", Clerk: "Ani"}
	type person struct{ name, nik string }
	var people []person // erased on request (an event); closed: the centre's purge; still waiting: kept
	for range 3 {
		name, nik := Person(t)
		people = append(people, person{name, nik})
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
	r.Sync("3273/L1", st)
	holds := func(s string) bool {
		t.Helper()
		return raw(t, r.S, s)
	}
	if raw == nil {
		t.Log("the storage's bytes at rest cannot be read here: the raw-bytes checks are left out")
		holds = nil
	}
	if holds != nil {
		for _, p := range people {
			if !holds(p.nik) || !holds(p.name) {
				t.Fatalf("the NIK %s or name %q never reached the storage's files", p.nik, p.name)
			}
		}
	}
	if n, err := r.S.ErasedPending(); err != nil || n != 0 {
		t.Fatalf("erasures pending before any: %d %v", n, err)
	}
	erasure, _ := json.Marshal(queue.ErasedData{Reason: queue.ErasedOnRequest})
	ev := Next(t, st, queue.EventErased, reqs[0].ID, erasure)
	ev.Seq = r.Station("3273/L1").HighWater + 1
	ev.Hash = protocol.Hash(ev)
	if code, body := r.PushAt(protocol.Prefix, "3273/L1", ev); code != http.StatusOK {
		t.Fatalf("erasure: %d %s", code, body)
	}
	if n, err := r.S.ErasedPending(); err != nil || n != 1 {
		t.Fatalf("erasures pending compaction: %d %v, want 1", n, err)
	}
	if _, _, err := r.S.Compact(); err != nil {
		t.Fatal(err)
	}
	if holds != nil && (holds(people[0].nik) || holds(people[0].name)) {
		t.Fatal("the erased NIK or name is still in the compacted storage's files")
	}
	if n, err := r.S.ErasedPending(); err != nil || n != 0 {
		t.Fatalf("erasures pending after compaction: %d %v", n, err)
	}

	// The centre's own retention.
	tomorrow := time.Now().AddDate(0, 0, 2).Format(time.DateOnly)
	dry, err := r.S.Purge(tomorrow, true)
	if err != nil || len(dry.Requests) != 1 || dry.Requests[0].ID != reqs[1].ID || !dry.DryRun {
		t.Fatalf("dry run: %+v %v", dry, err)
	}
	if got := r.request(reqs[1].ID); got.NIK != people[1].nik || got.Erased {
		t.Fatal("a dry run erased")
	}
	if n, _ := r.S.ErasedPending(); n != 0 {
		t.Fatalf("a dry run counted %d erasures", n)
	}
	if _, err := r.S.Purge("yesterday", false); !errors.Is(err, queue.ErrInvalid) {
		t.Fatalf("purge before a non-date: %v", err)
	}
	done, err := r.S.Purge(tomorrow, false)
	want := queue.ErasedRequest{ID: reqs[1].ID, Ticket: reqs[1].Ticket, Day: reqs[1].Day, TrackingCode: reqs[1].TrackingCode}
	if err != nil || done.DryRun || len(done.Requests) != 1 || done.Requests[0] != want {
		t.Fatalf("purge: %+v %v, want %+v", done, err, want)
	}
	if again, err := r.S.Purge(tomorrow, false); err != nil || len(again.Requests) != 0 {
		t.Fatalf("a second purge: %+v %v", again, err)
	}
	if n, _ := r.S.ErasedPending(); n != 0 {
		t.Fatalf("erasures pending after the purge (which compacts): %d", n)
	}
	if holds != nil {
		if holds(people[1].nik) || holds(people[1].name) {
			t.Fatal("the purged NIK or name is still in the storage's files")
		}
		if !holds(people[2].nik) {
			t.Fatal("the purge took a request still waiting")
		}
	}
	if got := r.request(reqs[1].ID); !got.Erased || !got.Anonymous() || got.Status != queue.StatusDone || got.DoneAt == nil || got.Clerk != "Ani" {
		t.Fatalf("purged request's facts: %+v", got)
	}
	if got := r.request(reqs[2].ID); got.NIK != people[2].nik || got.Erased {
		t.Fatalf("the waiting request: %+v", got)
	}
	// The counter still holds everything and resends its whole log: all
	// duplicates, nothing comes back.
	var all []protocol.Event
	_ = st.View(ctx, func(tx *store.Tx) error {
		evs, err := tx.Events(0, 0)
		for _, e := range evs {
			out, _ := protocol.Outgoing(e)
			all = append(all, out)
		}
		return err
	})
	if code, body := r.PushAt(protocol.Prefix, "3273/L1", all...); code != http.StatusOK || strings.Contains(body, `"received"`) {
		t.Fatalf("the counter's resend after the centre's purge: %d %s", code, body)
	}
	if got := r.request(reqs[1].ID); !got.Anonymous() {
		t.Fatalf("a resend brought the purged personal part back: %+v", got)
	}
	if holds != nil && holds(people[1].nik) {
		t.Fatal("a resend brought the purged NIK back into the files")
	}
	r.CheckClean()
}

// testPurgeDays: the purge takes a request by the day it closed in its
// own offset (not the server's zone, not UTC), only when it is closed (done,
// no-show, cancelled) and not erased yet; it reports in ID order and leaves
// every fact.
func testPurgeDays(t *testing.T, open Open) {
	r := newRig(t, open, "3273/L1")
	var mu sync.Mutex
	now := time.Date(2026, 3, 8, 9, 0, 0, 0, WIB)
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	set := func(t time.Time) { mu.Lock(); now = t; mu.Unlock() }
	st := CounterAt(t, clock)
	ctx := context.Background()
	by := queue.Actor{Counter: "L1", Clerk: "Ani"}
	reg := func() queue.Request {
		t.Helper()
		name, nik := Person(t)
		q, err := st.Register(ctx, queue.NewRequest{Service: "A", Name: name, NIK: nik}, by)
		if err != nil {
			t.Fatal(err)
		}
		return q
	}
	act := func(q queue.Request, acts ...queue.Action) {
		t.Helper()
		for _, a := range acts {
			if _, err := st.Act(ctx, q.ID, a, "", by); err != nil {
				t.Fatalf("%s %s: %v", a, q.Ticket, err)
			}
		}
	}
	// Registered on 8 March, each closed (or not) later.
	late := reg()    // done 9 March 23:30 WIB (16:30 UTC, 9 March)
	early := reg()   // done 10 March 05:00 WIB (22:00 UTC, 9 March)
	noShow := reg()  // no-show 9 March 10:00 WIB
	cancel := reg()  // cancelled 9 March 10:00 WIB
	serving := reg() // serving since 9 March: not closed
	waiting := reg() // never called
	erased := reg()  // done 9 March, then erased at its counter's request
	set(time.Date(2026, 3, 9, 10, 0, 0, 0, WIB))
	act(noShow, queue.ActCall, queue.ActNoShow)
	act(cancel, queue.ActCancel)
	act(serving, queue.ActCall, queue.ActServe)
	act(erased, queue.ActCall, queue.ActServe, queue.ActDone)
	set(time.Date(2026, 3, 9, 23, 30, 0, 0, WIB))
	act(late, queue.ActCall, queue.ActServe, queue.ActDone)
	set(time.Date(2026, 3, 10, 5, 0, 0, 0, WIB))
	act(early, queue.ActCall, queue.ActServe, queue.ActDone)
	r.Sync("3273/L1", st)
	data, _ := json.Marshal(queue.ErasedData{Reason: queue.ErasedOnRequest})
	ev := Next(t, st, queue.EventErased, erased.ID, data)
	ev.Hash = protocol.Hash(ev)
	if code, body := r.PushAt(protocol.Prefix, "3273/L1", ev); code != http.StatusOK {
		t.Fatalf("erasure: %d %s", code, body)
	}

	ids := func(e queue.Erasure) []string {
		var out []string
		for _, q := range e.Requests {
			out = append(out, q.ID)
		}
		return out
	}
	for _, c := range []struct {
		before string
		want   []queue.Request
	}{
		{"2026-03-09", nil},
		{"2026-03-10", []queue.Request{late, noShow, cancel}}, // early closed on the 10th in its own offset
		{"2026-03-11", []queue.Request{late, early, noShow, cancel}},
	} {
		var want []string
		for _, q := range c.want {
			want = append(want, q.ID)
		}
		got, err := r.S.Purge(c.before, true)
		if err != nil {
			t.Fatal(err)
		}
		same(t, "dry run before "+c.before, ids(got), sortedIDs(want))
	}
	before := ExportRows(t, r.S, "")
	got, err := r.S.Purge("2026-03-10", false)
	if err != nil {
		t.Fatal(err)
	}
	same(t, "purge before 2026-03-10", ids(got), sortedIDs([]string{late.ID, noShow.ID, cancel.ID}))
	after := ExportRows(t, r.S, "")
	if len(after) != len(before) {
		t.Fatalf("%d requests after the purge, %d before", len(after), len(before))
	}
	for _, q := range []queue.Request{late, noShow, cancel} {
		g := r.request(q.ID)
		if !g.Erased || !g.Anonymous() || !g.Status.Final() || g.ClosedAt == nil || g.Ticket != q.Ticket {
			t.Fatalf("purged %s: %+v", q.Ticket, g)
		}
	}
	for _, q := range []queue.Request{early, serving, waiting} {
		if g := r.request(q.ID); g.Erased || g.NIK != q.NIK {
			t.Fatalf("%s was purged: %+v", q.Ticket, g)
		}
	}
	got, err = r.S.Purge("2026-03-11", false)
	if err != nil || len(got.Requests) != 1 || got.Requests[0].ID != early.ID {
		t.Fatalf("purge before 2026-03-11: %+v %v", got, err)
	}
	r.CheckClean()
}

func sortedIDs(ids []string) []string {
	out := slices.Clone(ids)
	slices.Sort(out)
	return out
}

// testCounterErasures: a counter that purged (Store.Purge) and one that
// forgot a NIK (Store.Forget) sync their request.erased events to a centre
// that still holds the personal data: no conflict, and once the centre has
// compacted, its storage holds neither NIK, name nor notes.
func testCounterErasures(t *testing.T, open Open, raw Raw) {
	r := newRig(t, open, "3273/L1")
	st := Counter(t)
	ctx := context.Background()
	by := queue.Actor{Counter: "L1", Clerk: "Ani"}
	oldName, oldNIK := Person(t)
	askedName, askedNIK := Person(t)
	notes := "kuasa " + askedName
	old, err := st.Register(ctx, queue.NewRequest{Service: "A", Name: oldName, NIK: oldNIK}, by)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.Act(ctx, old.ID, queue.ActCancel, "", by); err != nil {
		t.Fatal(err)
	}
	asked, err := st.Register(ctx, queue.NewRequest{Service: "A", Name: askedName, NIK: askedNIK, Notes: notes}, by)
	if err != nil {
		t.Fatal(err)
	}
	r.Sync("3273/L1", st)
	if !raw(t, r.S, oldNIK) {
		t.Fatal("the NIK never reached the storage's files: the check below would prove nothing")
	}
	tomorrow := time.Now().In(WIB).AddDate(0, 0, 1).Format(time.DateOnly)
	if out, err := st.Purge(ctx, tomorrow, false, by); err != nil || len(out.Requests) != 1 || out.Requests[0].ID != old.ID {
		t.Fatalf("purge: %+v %v", out, err)
	}
	if out, err := st.Forget(ctx, askedNIK, "permintaan pemohon", by); err != nil || len(out.Requests) != 1 {
		t.Fatalf("forget: %+v %v", out, err)
	}
	r.Sync("3273/L1", st)
	if _, _, err := r.S.Compact(); err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{oldNIK, oldName, askedNIK, askedName, notes} {
		if raw(t, r.S, s) {
			t.Errorf("the centre still holds %q after the counter's erasure", s)
		}
	}
	if got := r.request(asked.ID); !got.Erased || got.Status != queue.StatusWaiting || got.Ticket != asked.Ticket {
		t.Fatalf("forgotten request at the centre: %+v", got)
	}
	r.CheckClean()
}
