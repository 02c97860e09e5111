package store

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"

	bolt "go.etcd.io/bbolt"

	"github.com/loket-id/loket/queue"
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
// reachable from each of its index entries, the index holds nothing else (so
// no ticket is used twice on a day), the event log is contiguous from 1, and
// every request's list of events names its own events. It reads only.
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
	reqs := map[string]queue.Request{}
	_ = b(bRequests).ForEach(func(k, v []byte) error {
		var r queue.Request
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

	// Every request is reachable from each of its index entries...
	idx := b(bIdx)
	want := map[string]string{} // index key -> the request it must name
	for id, r := range reqs {
		for _, kv := range indexKeys(r) {
			want[string(kv[0])] = id
		}
		if r.Status == queue.StatusWaiting {
			want[string(waitingKey(r))] = id
		}
	}
	for key, id := range want {
		v := idx.Get([]byte(key))
		r := reqs[id]
		switch key[0] {
		case pTicket, pTracking:
			if string(v) != id {
				bad("index entry %c for request %s (%s) names %q", key[0], id, r.Ticket, v)
			}
		case pWaiting:
			if string(v) != r.Service {
				bad("waiting request %s (%s) is missing from the waiting line", id, r.Ticket)
			}
		default:
			if v == nil && !keyExists(idx, []byte(key)) {
				bad("index entry %c for request %s (%s) is missing", key[0], id, r.Ticket)
			}
		}
	}
	// ...and the index has nothing else: no entry for a request that does
	// not exist, no second ticket on a day, no stale waiting entry.
	_ = idx.ForEach(func(k, _ []byte) error {
		if _, ok := want[string(k)]; !ok {
			bad("stray index entry %q", k)
		}
		return nil
	})

	// The event log: contiguous from 1, each event decoding to its own
	// sequence number.
	rep.Events = tx.LastSeq()
	var next uint64 = 1
	_ = b(bEvents).ForEach(func(k, v []byte) error {
		seq := getU64(k)
		if seq != next {
			bad("event log jumps from %d to %d", next-1, seq)
		}
		next = seq + 1
		var e queue.Event
		if err := json.Unmarshal(v, &e); err != nil || e.Seq != seq {
			bad("event %d does not decode or has the wrong sequence", seq)
		}
		return nil
	})
	// Each request's own list of events points to its events.
	events := b(bEvents)
	for id, r := range reqs {
		if len(r.EventSeqs) == 0 {
			bad("request %s (%s) has no events", id, r.Ticket)
		}
		for _, seq := range r.EventSeqs {
			var e queue.Event
			if v := events.Get(u64(seq)); v == nil || json.Unmarshal(v, &e) != nil || e.RequestID != id {
				bad("request %s (%s) lists event %d, which is not its own", id, r.Ticket, seq)
			}
		}
	}
}

func keyExists(b *bolt.Bucket, key []byte) bool {
	k, _ := b.Cursor().Seek(key)
	return bytes.Equal(k, key)
}
