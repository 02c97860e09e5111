package store

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"time"

	"github.com/loket-id/loket/queue"
)

// Walk-ins without identity, and what the waiting room's board and kiosk
// read. A kiosk registers a walk-in with one touch (no name, NIK or phone);
// the clerk identifies it at the counter (event request.identified), which
// indexes its NIK and name words then. A service whose IdentityRequired is
// set (the default) refuses done on a request that has no identity.

// RegisterWalkIn registers a walk-in without identity under an idempotency
// key (see RegisterOnce) and returns it with the number of requests of its
// service waiting ahead of it (priority first, then arrival), counted in
// the same transaction.
func (s *Store) RegisterWalkIn(ctx context.Context, key, service string, prio queue.Priority, by queue.Actor) (r queue.Request, ahead int, again bool, err error) {
	err = s.Update(ctx, func(tx *Tx) error {
		in := queue.NewRequest{Service: service, Priority: prio, Anonymous: true}
		r, again, err = tx.onceRequest(key, payloadDigest("register", in, by), func() (queue.Request, error) {
			return tx.Register(in, by)
		})
		if err == nil {
			ahead = tx.WaitingAhead(r)
		}
		return err
	})
	return r, ahead, again, err
}

// Identify adds the applicant's identity to the request ref names, under an
// idempotency key ("" for none).
func (s *Store) Identify(ctx context.Context, key, ref string, id queue.Identity, by queue.Actor) (r queue.Request, again bool, err error) {
	err = s.Update(ctx, func(tx *Tx) error {
		r, again, err = tx.onceRequest(key, payloadDigest("identify", strings.TrimSpace(ref), id, by), func() (queue.Request, error) {
			cur, err := tx.Resolve(ref)
			if err != nil {
				return cur, err
			}
			return tx.Identify(cur, id, by, time.Time{})
		})
		return err
	})
	return r, again, err
}

// Identify adds (or corrects) the applicant's name, NIK and phone on cur,
// validated as at registration; at zero means now. It is allowed while the
// request is waiting, called or serving.
func (tx *Tx) Identify(cur queue.Request, id queue.Identity, by queue.Actor, at time.Time) (queue.Request, error) {
	id, err := id.Validate()
	if err != nil {
		return cur, err
	}
	if at.IsZero() {
		at = tx.s.clock()
	}
	// The personal part the event sets: the identity and the notes the
	// request has, beside the event; its digest in the event's data.
	p := queue.Personal{Key: newPersonalKey(), Name: id.Name, NIK: id.NIK, Phone: id.Phone, Notes: cur.Notes}
	data, err := json.Marshal(queue.IdentifiedData{PersonalDigest: p.Digest()})
	if err != nil {
		return cur, err
	}
	ev := queue.Event{Type: queue.EventIdentified, RequestID: cur.ID, At: at, Counter: by.Counter, Clerk: by.Clerk, Data: data, Personal: &p}
	return tx.applyAndWrite(cur, ev)
}

// checkIdentity refuses done on a request without identity when its service
// requires one.
func (tx *Tx) checkIdentity(cur queue.Request, act queue.Action) error {
	if act != queue.ActDone || cur.Identified() {
		return nil
	}
	svc, err := tx.Service(cur.Service)
	if err != nil {
		return err
	}
	if svc.NeedsIdentity() {
		return queue.IdentityMissing(cur)
	}
	return nil
}

// identityKeys are the index entries of a request's identity: its NIK and
// name words (none for a walk-in without identity).
func identityKeys(r queue.Request) [][2][]byte { return termKeys(r.ID, identityTerms(r)) }

// moveIdentityIndex moves the NIK and name entries in their places of a
// stored request whose identity changed (identified, corrected, erased,
// or undone by a recovery) and that has no journal entry (journal.go).
func (tx *Tx) moveIdentityIndex(cur, next queue.Request) error {
	if cur.ID == "" || cur.NIK == next.NIK && cur.Name == next.Name {
		return nil
	}
	w := tx.bucket(bIdx)
	for _, kv := range identityKeys(cur) {
		if err := w.Delete(kv[0]); err != nil {
			return err
		}
	}
	for _, kv := range identityKeys(next) {
		if err := w.Put(kv[0], kv[1]); err != nil {
			return err
		}
	}
	return nil
}

// WaitingCounts is the number of requests of day waiting, by service code
// (read from the waiting line's index and the journal, no request decoded).
func (tx *Tx) WaitingCounts(day string) map[string]int {
	out := map[string]int{}
	prefix := waitingPrefix(day)
	c := tx.bucket(bIdx).Cursor()
	for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
		out[string(v)]++
	}
	_ = tx.eachJournalKey(pWaiting, func(k, v []byte) bool { // a damaged entry: Check names it
		if bytes.HasPrefix(k, prefix) {
			out[string(v)]++
		}
		return true
	})
	return out
}

// WaitingAhead is the number of requests of r's service waiting before r in
// its day's line (priority first, then arrival); 0 when r is not waiting.
func (tx *Tx) WaitingAhead(r queue.Request) int {
	if r.Status != queue.StatusWaiting {
		return 0
	}
	n := 0
	prefix, mine := waitingPrefix(r.Day), waitingKey(r)
	c := tx.bucket(bIdx).Cursor()
	for k, v := c.Seek(prefix); k != nil && bytes.Compare(k, mine) < 0; k, v = c.Next() {
		if string(v) == r.Service {
			n++
		}
	}
	_ = tx.eachJournalKey(pWaiting, func(k, v []byte) bool { // a damaged entry: Check names it
		if bytes.HasPrefix(k, prefix) && bytes.Compare(k, mine) < 0 && string(v) == r.Service {
			n++
		}
		return true
	})
	return n
}

// EventsBackward calls fn with the events before sequence number before
// (every event when before is 0), newest first, until fn returns false.
func (tx *Tx) EventsBackward(before uint64, fn func(queue.Event) (bool, error)) error {
	c := tx.eventLog()
	var k, v []byte
	if before == 0 {
		k, v = c.Last()
	} else {
		k, v = c.Seek(u64(before))
		if k == nil {
			k, v = c.Last()
		} else {
			k, v = c.Prev()
		}
	}
	for ; k != nil; k, v = c.Prev() {
		e, err := tx.decodeEvent(getU64(k), v)
		if err != nil {
			return err
		}
		more, err := fn(e)
		if err != nil || !more {
			return err
		}
	}
	return nil
}

// Request returns the request with ID id.
func (tx *Tx) Request(id string) (queue.Request, error) { return tx.byID(id) }
