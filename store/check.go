package store

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// CheckReport is what Check found.
type CheckReport struct {
	Requests int      `json:"requests"`
	Events   uint64   `json:"events"`
	Problems []string `json:"problems"`
}

// OK reports whether no problem was found.
func (r CheckReport) OK() bool { return len(r.Problems) == 0 }

// Check verifies the database: bbolt's own consistency check (pages,
// freelist), then the store's invariants: every request decodes and is
// reachable from each of its indexes, every index entry points to a request
// that matches it, a ticket is never used twice on a day, and the event log
// is contiguous from 1 to the event counter. It reads only.
func (s *Store) Check(ctx context.Context) (CheckReport, error) {
	var rep CheckReport
	err := s.db.View(func(btx *bolt.Tx) error {
		for err := range btx.Check() {
			rep.Problems = append(rep.Problems, "bbolt: "+err.Error())
			if ctx.Err() != nil {
				return ctx.Err()
			}
		}
		tx := &Tx{s: s, tx: btx}
		tx.checkInvariants(&rep)
		return ctx.Err()
	})
	return rep, err
}

func (tx *Tx) checkInvariants(rep *CheckReport) {
	bad := func(format string, args ...any) {
		if len(rep.Problems) < 100 {
			rep.Problems = append(rep.Problems, fmt.Sprintf(format, args...))
		}
	}
	b := func(name []byte) *bolt.Bucket { return tx.tx.Bucket(name) }
	reqs := map[string]Request{}
	_ = b(bRequests).ForEach(func(k, v []byte) error {
		var r Request
		if err := json.Unmarshal(v, &r); err != nil {
			bad("request %s does not decode: %v", k, err)
			return nil
		}
		if r.ID != string(k) {
			bad("request stored under %s has id %s", k, r.ID)
		}
		reqs[r.ID] = r
		return nil
	})
	rep.Requests = len(reqs)

	waiting := 0
	for id, r := range reqs {
		if b(bIdxDay).Get(append([]byte(r.Day), id...)) == nil {
			bad("request %s (%s) is missing from idx_day", id, r.Ticket)
		}
		if got := b(bIdxTicket).Get([]byte(r.Day + "/" + r.Ticket)); string(got) != id {
			bad("ticket %s on %s points to %q, want request %s", r.Ticket, r.Day, got, id)
		}
		if got := b(bIdxTracking).Get([]byte(r.TrackingCode)); string(got) != id {
			bad("tracking code %s points to %q, want request %s", r.TrackingCode, got, id)
		}
		if b(bIdxNIK).Get([]byte(r.NIK+"/"+id)) == nil {
			bad("request %s (%s) is missing from idx_nik", id, r.Ticket)
		}
		for _, w := range nameTokens(r.Name) {
			if b(bIdxName).Get([]byte(w+"\x00"+id)) == nil {
				bad("request %s (%s) is missing from idx_name", id, r.Ticket)
				break
			}
		}
		if r.Status == StatusWaiting {
			waiting++
			if v := b(bIdxWaiting).Get(waitingKey(r)); string(v) != r.Service {
				bad("waiting request %s (%s) is missing from idx_waiting", id, r.Ticket)
			}
		}
	}
	// Every index entry points to a request (counts equal means no strays).
	count := func(name []byte) int { return b(name).Stats().KeyN }
	for _, name := range [][]byte{bIdxDay, bIdxTicket, bIdxTracking, bIdxNIK} {
		if n := count(name); n != len(reqs) {
			bad("%s has %d entries for %d requests", name, n, len(reqs))
		}
	}
	if n := count(bIdxWaiting); n != waiting {
		bad("idx_waiting has %d entries for %d waiting requests", n, waiting)
	}
	_ = b(bIdxName).ForEach(func(k, _ []byte) error {
		if i := bytes.IndexByte(k, 0); i < 0 || reqs[string(k[i+1:])].ID == "" {
			bad("idx_name entry %q points to no request", k)
		}
		return nil
	})

	// The event log: contiguous from 1 to the counter, each event decodes.
	last := tx.LastSeq()
	rep.Events = last
	var want uint64 = 1
	_ = b(bEvents).ForEach(func(k, v []byte) error {
		seq := getU64(k)
		if seq != want {
			bad("event log jumps from %d to %d", want-1, seq)
		}
		want = seq + 1
		var e Event
		if err := json.Unmarshal(v, &e); err != nil || e.Seq != seq {
			bad("event %d does not decode or has the wrong sequence", seq)
		}
		return nil
	})
	if want-1 != last {
		bad("event log ends at %d but the event counter is %d", want-1, last)
	}
	if n := count(bIdxReqEvents); n > int(last) {
		bad("idx_req_events has %d entries for %d events", n, last)
	}
}
