package store

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"

	"github.com/oklog/ulid/v2"
	"golang.org/x/text/unicode/norm"

	"github.com/loket-id/loket/queue"
)

// Register validates and records a new walk-in and returns it with its
// ticket and tracking code. It returns after the write is on disk.
func (s *Store) Register(ctx context.Context, in queue.NewRequest, by queue.Actor) (queue.Request, error) {
	var r queue.Request
	err := s.Update(ctx, func(tx *Tx) error {
		var err error
		r, err = tx.Register(in, by)
		return err
	})
	return r, err
}

// Act performs a clerk's action on the request that ref names (today's
// ticket, a ticket of another day as 2026-12-03/A-002, a tracking code or
// an ID). service is the target of a transfer. A call (queue.ActCall) of a
// named request is a call out of order, and its event records it
// ({"chosen":true}).
func (s *Store) Act(ctx context.Context, ref string, act queue.Action, service string, by queue.Actor) (queue.Request, error) {
	var r queue.Request
	err := s.Update(ctx, func(tx *Tx) error {
		cur, err := tx.Resolve(ref)
		if err != nil {
			return err
		}
		r, err = tx.actOn(cur, act, service, by)
		return err
	})
	return r, err
}

// actOn is an action on a request the clerk named (by ticket, tracking code
// or ID), now. A call of a named request is a call out of order, and its
// event says so ({"chosen":true}; see queue.CallData); call-next's does not.
func (tx *Tx) actOn(cur queue.Request, act queue.Action, service string, by queue.Actor) (queue.Request, error) {
	if act != queue.ActCall {
		return tx.Act(cur, act, service, by, time.Time{})
	}
	ev := queue.Event{Type: queue.EventCalled, RequestID: cur.ID, At: tx.s.clock(), Counter: by.Counter, Clerk: by.Clerk,
		Data: queue.ChosenCall}
	return tx.applyAndWrite(cur, ev)
}

// CallNext calls the next waiting request of today: priority requests first,
// then by arrival. With services, only those services' lines are considered.
func (s *Store) CallNext(ctx context.Context, services []string, by queue.Actor) (queue.Request, error) {
	var r queue.Request
	err := s.Update(ctx, func(tx *Tx) error {
		next, err := tx.NextWaiting(s.Today(), services)
		if err != nil {
			return err
		}
		r, err = tx.Act(next, queue.ActCall, "", by, time.Time{})
		return err
	})
	return r, err
}

// Get returns the request that ref names.
func (s *Store) Get(ctx context.Context, ref string) (queue.Request, error) {
	var r queue.Request
	err := s.View(ctx, func(tx *Tx) error {
		var err error
		r, err = tx.Resolve(ref)
		return err
	})
	return r, err
}

// Register records a new walk-in in this transaction.
func (tx *Tx) Register(in queue.NewRequest, by queue.Actor) (queue.Request, error) {
	in, err := in.Validate()
	if err != nil {
		return queue.Request{}, err
	}
	svc, err := tx.activeService(in.Service)
	if err != nil {
		return queue.Request{}, err
	}
	docs, err := receivedDocuments(svc, in.DocumentsReceived)
	if err != nil {
		return queue.Request{}, err
	}
	at := in.At
	if at.IsZero() {
		at = tx.s.clock()
	}
	// Kept in the office's zone: the stored time carries the office's UTC
	// offset, so whoever reads it (the central server) knows the office's
	// local hour without being told the zone.
	at = at.In(tx.s.loc)
	day := tx.s.DayOf(at)
	// The ticket number is one more than the day's last ticket of the
	// service in the index, which is written in this same transaction: a
	// ticket can never be handed out twice, crash or not.
	n, err := tx.lastTicket(day, in.Service)
	if err != nil {
		return queue.Request{}, err
	}
	n++
	tag := queue.StationTag(tx.ident().StationID)
	code := queue.NewTrackingCode(tag, tx.s.randomBytes(8))
	for {
		taken, err := tx.trackingTaken(code) // in its place or in the journal
		if err != nil {
			return queue.Request{}, err
		}
		if !taken {
			break
		}
		code = queue.NewTrackingCode(tag, tx.s.randomBytes(8))
	}
	r := queue.Request{
		ID:           tx.s.newULID(at),
		TrackingCode: code,
		Ticket:       queue.FormatTicket(in.Service, uint64(n)),
		Day:          day,
		Service:      in.Service,
		FirstService: in.Service,
		Status:       queue.StatusWaiting,
		Priority:     in.Priority,
		Station:      tx.ident().StationID,
		ArrivedAt:    at,
		QueuedAt:     at,
		UpdatedAt:    at,
		Counter:      by.Counter,
		Clerk:        by.Clerk,

		DocumentsReceived: docs,
	}
	// The personal part goes beside the event, its keyed digest into the
	// event's data (queue/personal.go). A kiosk walk-in has none.
	ev := queue.Event{Type: queue.EventCreated, RequestID: r.ID, At: at, Counter: by.Counter, Clerk: by.Clerk}
	var digest string
	if p := (queue.Personal{Name: in.Name, NIK: in.NIK, Phone: in.Phone, Notes: in.Notes}); !p.Empty() {
		p.Key = newPersonalKey()
		digest, ev.Personal = p.Digest(), &p
	}
	data, err := json.Marshal(queue.CreatedFacts(r, digest))
	if err != nil {
		return queue.Request{}, err
	}
	ev.Data = data
	return tx.applyAndWrite(queue.Request{}, ev)
}

// receivedDocuments checks the documents a clerk ticked against the
// service's list, and returns them in the list's order, each once.
func receivedDocuments(svc queue.Service, got []string) ([]string, error) {
	ticked := map[string]bool{}
	for _, d := range got {
		if !slices.Contains(svc.Documents, d) {
			return nil, queue.Invalid("documents", fmt.Sprintf("service %s does not require a document %q", svc.Code, d))
		}
		ticked[d] = true
	}
	var out []string
	for _, d := range svc.Documents {
		if ticked[d] {
			out = append(out, d)
		}
	}
	return out, nil
}

// Act performs action act on request cur in this transaction; at zero means now.
//
// Done on a called request finishes it in one go: the station writes two
// events at the same moment, request.serving then request.done, so the
// history shows both and the service time is zero, not invented (queue.Apply
// itself keeps done to serving requests, and the central server replays
// the two events like any others).
func (tx *Tx) Act(cur queue.Request, act queue.Action, service string, by queue.Actor, at time.Time) (queue.Request, error) {
	if !act.Valid() {
		return cur, queue.Invalid("action", fmt.Sprintf("unknown action %q", act))
	}
	if at.IsZero() {
		at = tx.s.clock()
	}
	if err := tx.checkIdentity(cur, act); err != nil {
		return cur, err
	}
	if act == queue.ActDone && cur.Status == queue.StatusCalled {
		serving, err := tx.applyAndWrite(cur, queue.Event{Type: queue.EventServing, RequestID: cur.ID, At: at, Counter: by.Counter, Clerk: by.Clerk})
		if err != nil {
			return cur, err
		}
		cur = serving
	}
	ev := queue.Event{Type: act.EventType(), RequestID: cur.ID, At: at, Counter: by.Counter, Clerk: by.Clerk}
	if act == queue.ActTransfer {
		service = strings.ToUpper(strings.TrimSpace(service))
		if service == "" {
			return cur, queue.Invalid("service", "a transfer needs the service to move to")
		}
		if _, err := tx.activeService(service); err != nil {
			return cur, err
		}
		data, err := json.Marshal(queue.TransferData{From: cur.Service, Service: service})
		if err != nil {
			return cur, err
		}
		ev.Data = data
	}
	return tx.applyAndWrite(cur, ev)
}

// applyAndWrite applies ev to cur with the queue's rules, then writes the
// event, the new request and the index changes.
func (tx *Tx) applyAndWrite(cur queue.Request, ev queue.Event) (queue.Request, error) {
	next, err := queue.Apply(cur, ev)
	if err != nil {
		return cur, err
	}
	ev, err = tx.appendEvent(ev)
	if err != nil {
		return cur, err
	}
	next.EventSeqs = append(append([]uint64(nil), cur.EventSeqs...), ev.Seq)
	if err := tx.putAfter(cur, next, ev); err != nil {
		return cur, err
	}
	return next, nil
}

// putAfter writes next, the request cur became by event e (already
// written), with its refs; an erasure deletes the personal records of
// every event of the request.
func (tx *Tx) putAfter(cur, next queue.Request, e queue.Event) error {
	var rf refs
	if cur.ID != "" {
		_, old, _, err := tx.loadRequest(cur.ID)
		if err != nil {
			return err
		}
		rf = old
	}
	if e.Type == queue.EventErased {
		if err := tx.deletePersonal(cur.EventSeqs); err != nil {
			return err
		}
	}
	return tx.putRequest(cur, next, rf.after(e))
}

// deletePersonal deletes the personal records of events seqs.
func (tx *Tx) deletePersonal(seqs []uint64) error {
	for _, seq := range seqs {
		if err := tx.deletePersonalRecord(seq); err != nil {
			return fmt.Errorf("erase the personal part of event %d: %w", seq, err)
		}
	}
	return nil
}

// appendEvent gives e the next sequence number and an ID and appends it.
func (tx *Tx) appendEvent(e queue.Event) (queue.Event, error) {
	e.Seq = tx.LastSeq() + 1
	e.ID = tx.s.newULID(e.At)
	return tx.putEvent(e)
}

// putEvent writes e at its sequence number, which the caller has made the next one.
func (tx *Tx) putEvent(e queue.Event) (queue.Event, error) {
	id := tx.ident()
	if e.Station == "" && e.Epoch == "" {
		e.Station, e.Epoch = id.StationID, id.Epoch
	}
	// Station and epoch are the same for every event of this database: they
	// are left out on disk and filled in by decodeEvent (codec.go). The
	// personal part is kept apart, under the event's sequence number.
	var p []byte
	if e.Personal != nil {
		p = encodePersonal(*e.Personal)
	}
	v, err := encodeEvent(e, id)
	if err != nil {
		return e, fmt.Errorf("encode event %d: %w", e.Seq, err)
	}
	return e, tx.putEventRecords(e, v, p)
}

func (tx *Tx) decodeEvent(seq uint64, v []byte) (queue.Event, error) {
	e, err := decodeStoredEvent(seq, v, tx.ident())
	if err != nil {
		return e, tx.damaged(fmt.Sprintf("event %d does not decode", seq), err)
	}
	if e.Type == queue.EventCreated || e.Type == queue.EventIdentified || e.Type == queue.EventSurveyed {
		p, ok, err := tx.personalAt(seq)
		if err != nil {
			return e, err
		}
		if ok {
			e.Personal = &p
		}
	}
	return e, nil
}

// putRequest writes next (its facts, and rf for its personal part) and
// moves its index entries from what cur had: in its journal entry, beside
// it, when it has one (journal.go), in their places otherwise.
func (tx *Tx) putRequest(cur, next queue.Request, rf refs) error {
	// First the journal entry (a new request's may merge the journal
	// first), then the request beside it, or in requests.
	var journaled bool
	var err error
	if cur.ID == "" { // new request
		journaled, err = tx.indexNew(next)
	} else {
		journaled, err = tx.rewriteJournal(next)
	}
	if err != nil {
		return err
	}
	home := bRequests
	if journaled {
		home = bJournal
	}
	if err := tx.bucket(home).Put([]byte(next.ID), encodeRequest(next, rf, tx.ident().StationID)); err != nil {
		return err
	}
	if journaled {
		return nil
	}
	w := tx.bucket(bIdx)
	if err := tx.moveIdentityIndex(cur, next); err != nil {
		return err
	}
	if cur.Status == queue.StatusWaiting {
		if err := w.Delete(waitingKey(cur)); err != nil {
			return err
		}
	}
	if next.Status == queue.StatusWaiting {
		if err := w.Put(waitingKey(next), []byte(next.Service)); err != nil {
			return err
		}
	}
	return nil
}

// nameTokens are the words of a name as the name index keeps them:
// NFC-normalised, lower case, split on anything that is not a letter or digit.
func nameTokens(name string) []string {
	seen := map[string]bool{}
	var out []string
	for _, w := range strings.FieldsFunc(strings.ToLower(norm.NFC.String(name)), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r) && !unicode.Is(unicode.Mn, r)
	}) {
		if !seen[w] {
			seen[w] = true
			out = append(out, w)
		}
	}
	return out
}

// NextWaiting is the request call-next would call on day: the first in the
// waiting index (priority first, then arrival) whose service is in services
// (any service when services is empty).
func (tx *Tx) NextWaiting(day string, services []string) (queue.Request, error) {
	allowed := map[string]bool{}
	for _, s := range services {
		allowed[strings.ToUpper(strings.TrimSpace(s))] = true
	}
	// The first in the places, then any earlier in the journal (journal.go).
	var first []byte
	c := tx.bucket(bIdx).Cursor()
	prefix := waitingPrefix(day)
	for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
		if len(allowed) > 0 && !allowed[string(v)] {
			continue
		}
		first = bytes.Clone(k)
		break
	}
	err := tx.eachJournalKey(pWaiting, func(k, v []byte) bool {
		if bytes.HasPrefix(k, prefix) && (len(allowed) == 0 || allowed[string(v)]) && (first == nil || bytes.Compare(k, first) < 0) {
			first = bytes.Clone(k)
		}
		return true
	})
	if err != nil {
		return queue.Request{}, err
	}
	if first != nil {
		return tx.byID(string(first[len(prefix)+1+8:]))
	}
	if len(services) > 0 {
		return queue.Request{}, fmt.Errorf("no request of service %s is waiting today: %w", strings.Join(services, ","), queue.ErrQueueEmpty)
	}
	return queue.Request{}, fmt.Errorf("no request is waiting today: %w", queue.ErrQueueEmpty)
}

func (tx *Tx) byID(id string) (queue.Request, error) {
	r, rf, ok, err := tx.loadRequest(id)
	if err != nil {
		return r, err
	}
	if !ok {
		return r, fmt.Errorf("request %s: %w", id, queue.ErrNotFound)
	}
	return tx.join(r, rf)
}

// Resolve finds the request that ref names: a ticket of today ("A-007"),
// a ticket of another day ("2026-12-03/A-007", the local date it was
// given out), a tracking code or a request ID.
func (tx *Tx) Resolve(ref string) (queue.Request, error) {
	ref = strings.TrimSpace(ref)
	if ref == "" {
		return queue.Request{}, queue.Invalid("ref", "empty reference (want a ticket, tracking code or ID)")
	}
	if t, ok := queue.NormalizeTicket(ref); ok {
		today := tx.s.Today()
		code, n, _ := parseTicket(t)
		id := tx.ticketID(today, code, n)
		if id == nil {
			return queue.Request{}, fmt.Errorf("no request with ticket %s today (%s; a ticket of another day is written %s/%s): %w",
				t, today, tx.s.DayOf(tx.s.clock().AddDate(0, 0, -1)), t, queue.ErrNotFound)
		}
		return tx.byID(string(id))
	}
	if day, t, ok := queue.NormalizeDatedTicket(ref); ok {
		code, n, _ := parseTicket(t)
		id := tx.ticketID(day, code, n)
		if id == nil {
			return queue.Request{}, fmt.Errorf("no request with ticket %s on %s: %w", t, day, queue.ErrNotFound)
		}
		return tx.byID(string(id))
	}
	if code, ok := queue.NormalizeTrackingCode(ref); ok {
		if id := tx.trackingID(code); id != nil {
			return tx.byID(string(id))
		}
		if !queue.LooksLikeID(ref) {
			return queue.Request{}, fmt.Errorf("no request with tracking code %s: %w", code, queue.ErrNotFound)
		}
	}
	if queue.LooksLikeID(ref) {
		r, err := tx.byID(strings.ToUpper(ref))
		if err != nil {
			return r, fmt.Errorf("no request with ID %s: %w", strings.ToUpper(ref), queue.ErrNotFound)
		}
		return r, nil
	}
	return queue.Request{}, queue.Invalid("ref", fmt.Sprintf("%q is not a ticket (A-007, or 2026-12-03/A-007 for another day), tracking code (XXXX-XXXX-XXXX) or request ID", ref))
}

// Day lists the requests that arrived on day (YYYY-MM-DD), in arrival order.
// It reads only that day's index entries.
func (tx *Tx) Day(day string) ([]queue.Request, error) {
	var out []queue.Request
	err := tx.Between(day, day, func(r queue.Request) error {
		out = append(out, r)
		return nil
	})
	return out, err
}

// Between calls fn for every request that arrived from day from to day to
// (inclusive, YYYY-MM-DD in the office's zone; "" leaves that end open), in
// arrival order. Request IDs are ULIDs, whose first characters are the
// arrival time, so only those days' keys are read.
func (tx *Tx) Between(from, to string, fn func(queue.Request) error) error {
	var start, end []byte
	if from != "" {
		t, err := time.ParseInLocation(time.DateOnly, from, tx.s.loc)
		if err != nil {
			return queue.Invalid("from", fmt.Sprintf("%q is not a date YYYY-MM-DD", from))
		}
		start = ulidPrefix(t)
	}
	if to != "" {
		t, err := time.ParseInLocation(time.DateOnly, to, tx.s.loc)
		if err != nil {
			return queue.Invalid("to", fmt.Sprintf("%q is not a date YYYY-MM-DD", to))
		}
		end = ulidPrefix(t.AddDate(0, 0, 1))
	}
	c := tx.requestCursor()
	for k, v := c.Seek(start); k != nil && (end == nil || bytes.Compare(k, end) < 0); k, v = c.Next() {
		r, err := tx.decodeJoined(k, v)
		if err != nil {
			return err
		}
		if err := fn(r); err != nil {
			return err
		}
	}
	return nil
}

// ulidPrefix is the smallest ULID of the millisecond t.
func ulidPrefix(t time.Time) []byte {
	var id ulid.ULID
	_ = id.SetTime(ulid.Timestamp(t))
	return []byte(id.String())
}

// Events returns up to limit events with sequence numbers above after.
func (tx *Tx) Events(after uint64, limit int) ([]queue.Event, error) {
	var out []queue.Event
	c := tx.eventLog()
	for k, v := c.Seek(u64(after + 1)); k != nil && (limit <= 0 || len(out) < limit); k, v = c.Next() {
		e, err := tx.decodeEvent(getU64(k), v)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, nil
}

// LastSeq is the sequence number of the newest event (0 when there is none).
func (tx *Tx) LastSeq() uint64 {
	k, _ := tx.eventLog().Last()
	return getU64(k)
}

// History returns the events of one request, oldest first.
func (tx *Tx) History(id string) ([]queue.Event, error) {
	r, err := tx.byID(id)
	if err != nil {
		return nil, err
	}
	out := make([]queue.Event, 0, len(r.EventSeqs))
	for _, seq := range r.EventSeqs {
		e, err := tx.decodeEvent(seq, tx.eventValue(seq))
		if err != nil {
			return nil, fmt.Errorf("history of request %s: %w", id, err)
		}
		out = append(out, e)
	}
	return out, nil
}

// lastTicket is the number of the day's last ticket of a service (0 if
// none), in the index's places or in the journal.
func (tx *Tx) lastTicket(day, code string) (uint32, error) {
	st, err := tx.journal()
	if err != nil {
		return 0, err
	}
	return max(tx.placedTicket(day, code), st.lastTicket(day+"/"+code)), nil
}

// placedTicket is the number of the day's last ticket of a service in the
// index's places (0 if none).
func (tx *Tx) placedTicket(day, code string) uint32 {
	prefix := ticketPrefix(day, code)
	c := tx.bucket(bIdx).Cursor()
	max := ticketKey(day, code, ^uint32(0))
	k, _ := c.Seek(max)
	switch {
	case k == nil:
		k, _ = c.Last()
	case !bytes.Equal(k, max):
		k, _ = c.Prev()
	}
	if !bytes.HasPrefix(k, prefix) || len(k) != len(prefix)+4 {
		return 0
	}
	return binary.BigEndian.Uint32(k[len(prefix):])
}

// HasRequests reports whether any request is stored.
func (tx *Tx) HasRequests() bool {
	k, _ := tx.requestCursor().First()
	return k != nil
}

// DayQueue returns the requests that arrived on day (today when day is "").
func (s *Store) DayQueue(ctx context.Context, day string) ([]queue.Request, error) {
	if day == "" {
		day = s.Today()
	}
	var rs []queue.Request
	err := s.View(ctx, func(tx *Tx) error {
		var err error
		rs, err = tx.Day(day)
		return err
	})
	return rs, err
}

// Detail returns the request that ref names and its history.
func (s *Store) Detail(ctx context.Context, ref string) (queue.Request, []queue.Event, error) {
	var r queue.Request
	var hist []queue.Event
	err := s.View(ctx, func(tx *Tx) error {
		var err error
		if r, err = tx.Resolve(ref); err != nil {
			return err
		}
		hist, err = tx.History(r.ID)
		return err
	})
	return r, hist, err
}

// Services lists the catalog.
func (s *Store) Services(ctx context.Context) ([]queue.Service, error) {
	var svcs []queue.Service
	err := s.View(ctx, func(tx *Tx) error {
		var err error
		svcs, err = tx.Services()
		return err
	})
	return svcs, err
}

// Between calls fn with every request that arrived on the local days from..to
// (inclusive, YYYY-MM-DD), in one read transaction.
func (s *Store) Between(ctx context.Context, from, to string, fn func(queue.Request) error) error {
	return s.View(ctx, func(tx *Tx) error { return tx.Between(from, to, fn) })
}

// HasRequests reports whether any request was ever registered.
func (s *Store) HasRequests(ctx context.Context) (bool, error) {
	var has bool
	err := s.View(ctx, func(tx *Tx) error { has = tx.HasRequests(); return nil })
	return has, err
}

// Record runs fn in one write transaction: everything fn records is
// written, or nothing is.
func (s *Store) Record(ctx context.Context, fn func(queue.Recorder) error) error {
	return s.Update(ctx, func(tx *Tx) error { return fn(tx) })
}
