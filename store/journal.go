package store

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/oklog/ulid/v2"
	bolt "go.etcd.io/bbolt"

	"github.com/loket-id/loket/queue"
)

// The journal (schema 4; its own bucket since schema 5).
//
// A request's random search keys (its tracking code and the code's last
// group, its NIK and the NIK's last four digits, its name words) would
// each land on a leaf page of its own in idx, with that leaf's branch
// pages: most of what a registration wrote. So a request of today keeps
// them, its ticket's key and, while it waits, its place in the waiting
// line in one journal entry instead, right after the request itself
// (<request id>j -> its keys), so that a registration writes the request
// and its keys on one leaf and nothing in idx, and a call or a requeue
// rewrites the entry on the leaf it rewrites anyway.
//
// Since schema 5 the journal has a bucket of its own (journal), which
// holds, until the merge, the requests of today with their entries and
// every event written since the merge with its personal record (e<seq>,
// e<seq>p: eventlog.go). A year's requests and events are trees of three
// levels, and bbolt writes every page of the path to each key it changes:
// a registration wrote six pages of them. The journal holds a day: two
// levels, so that a registration writes three (the leaf of its request,
// the leaf of its event, their branch), however long the history
// (BENCHMARKS.md). Every read
// of a request (by ID, or by ID range: requestCursor) or of the event log
// (logCursor, eventValue) reads the journal too.
//
// Every lookup reads the journal as well as the keys in their places
// (eachSearchKey, eachJournalKey, keyValue; the waiting line's in
// NextWaiting, WaitingCounts and WaitingAhead): the journal holds at most
// journalBound keys, so a lookup reads at most that many more. A new
// tracking code's uniqueness and the day's last ticket come from a copy
// of the journal's codes and last tickets kept in memory (journalCache).
//
// The journal is merged into the places (mergeJournal, in one
// transaction: a crash leaves it whole or merged): its keys into idx, its
// requests into requests, its events and personal records into events
// (after every event there: appended); its bucket is then made anew. So:
//
//   - by the first registration of a request of today that finds the
//     journal holding another day's keys (so about once a day, in that
//     registration's transaction);
//   - by the nightly purge (erase.go), so that the morning's first
//     registration rarely pays for it (and the purge's compaction takes
//     the pages it freed);
//   - when adding a request's keys would take it past journalBound;
//   - by a recovery's import, before it writes in the places (recover.go).
//
// A request's keys are all in its journal entry or all in their places,
// never some in each and never one in both, and a request is in the
// journal exactly when its entry is (Check verifies both). A request
// of another day (history written after the fact, a demo) is written in
// requests with its keys in their places at once. Any change to a request
// with a journal entry (identified, corrected, erased, called, put back)
// rewrites it and its entry in the journal; one without is rewritten in
// requests and moves its keys in their places, as before.

// kJournalFrom (meta, schema 4) was the first request ID the journal might
// hold an entry of; schema 5's journal is its own bucket.
var kJournalFrom = []byte("journal_from")

// journalBound is how many keys the journal may hold before it is merged,
// and how many events (a variable for tests).
var journalBound = 10_000

// journalEvents is how many events the journal holds (they are the last
// of the event log, contiguous).
func (tx *Tx) journalEvents() uint64 {
	k, _ := tx.tx.Bucket(bJournal).Cursor().Seek([]byte{ePrefix})
	if k == nil || len(k) < 9 {
		return 0
	}
	return tx.LastSeq() - getU64(k[1:9]) + 1
}

// journalKey is the key of request id's journal entry in the journal's
// bucket: the ID and a j, which sorts right after the request's own key
// and before the next request's (IDs are ULIDs, all 26 characters).
func journalKey(id string) []byte { return append([]byte(id), 'j') }

// isJournalKey reports whether k, a key of the journal's bucket, is a journal entry's.
func isJournalKey(k []byte) bool { return len(k) == 27 && k[26] == 'j' }

// decodeEntry decodes the journal entry v of request id (decodeTerms); an
// entry that does not decode is damage (ErrDamaged, recorded).
func (tx *Tx) decodeEntry(id, v []byte, fn func(kind byte, text []byte) bool) error {
	if err := decodeTerms(v, fn); err != nil {
		return tx.damaged(fmt.Sprintf("journal entry of request %s does not decode", id), err)
	}
	return nil
}

// eachJournalEntry calls fn with the request ID and value of every journal
// entry, by ID, until fn returns false. id and v are valid only during
// the call.
func (tx *Tx) eachJournalEntry(fn func(id, v []byte) bool) {
	c := tx.tx.Bucket(bJournal).Cursor()
	for k, v := c.First(); k != nil && k[0] != ePrefix; k, v = c.Next() {
		if isJournalKey(k) && !fn(k[:26], v) {
			return
		}
	}
}

// term is one key of a request in the journal without the request's ID:
// its kind (pTicket, pTracking, pTrackEnd, pNIK, pNIKLast, pName) and its
// text (for a ticket, <day>/<code>\x00<n uint32 BE>).
type term struct {
	kind byte
	text string
}

// journalTerms are the keys a request keeps in its journal entry: its
// ticket's, its tracking code's, its identity's and, while it waits, its
// place in the waiting line.
func journalTerms(r queue.Request) []term {
	code, n, _ := parseTicket(r.Ticket)
	ts := []term{{pTicket, string(ticketKey(r.Day, code, n)[1:])}}
	ts = append(append(ts, trackingTerms(r)...), identityTerms(r)...)
	if r.Status == queue.StatusWaiting {
		// The waiting key without its w and the ID (<day><0|1><queued ns>),
		// then its value, the service.
		ts = append(ts, term{pWaiting, string(waitingKey(r)[1:1+waitingHead]) + r.Service})
	}
	return ts
}

// waitingHead is the length of a waiting key between its w and the ID.
const waitingHead = 10 + 1 + 8

// trackingTerms are the search keys of r's tracking code (which never changes).
func trackingTerms(r queue.Request) []term {
	ts := []term{{pTracking, r.TrackingCode}}
	if len(r.TrackingCode) == 14 {
		ts = append(ts, term{pTrackEnd, r.TrackingCode[10:]})
	}
	return ts
}

// identityTerms are the search keys of r's identity: its NIK, the NIK's
// last four digits and its name words (none for a walk-in without identity).
func identityTerms(r queue.Request) []term {
	var ts []term
	if r.NIK != "" {
		ts = append(ts, term{pNIK, r.NIK}, term{pNIKLast, nikLast(r.NIK)})
	}
	for _, w := range nameTokens(r.Name) {
		ts = append(ts, term{pName, w})
	}
	return ts
}

// appendTermKey appends the index key of the term (kind, text) of request
// id to dst and returns it with the key's value: the ID for a tracking
// code, nothing for the others (the ID ends their key).
func appendTermKey(dst []byte, kind byte, text, id []byte) (k, v []byte) {
	if kind == pWaiting { // its text holds the key's head and the value (journalTerms)
		return append(append(append(dst, kind), text[:waitingHead]...), id...), text[waitingHead:]
	}
	dst = append(append(dst, kind), text...)
	switch kind {
	case pTracking, pTicket:
		return dst, id
	case pName:
		dst = append(dst, 0)
	default:
		dst = append(dst, '/')
	}
	return append(dst, id...), nil
}

// termKeys are the index entries of terms ts of request id.
func termKeys(id string, ts []term) [][2][]byte {
	out := make([][2][]byte, 0, len(ts))
	for _, t := range ts {
		k, v := appendTermKey(nil, t.kind, []byte(t.text), []byte(id))
		out = append(out, [2][]byte{k, v})
	}
	return out
}

// encodeTerms is a journal entry's value: the number of terms, then each
// term's kind, the length of its text and the text.
func encodeTerms(ts []term) []byte {
	n := 1
	for _, t := range ts {
		n += 2 + len(t.text)
	}
	b := binary.AppendUvarint(make([]byte, 0, n), uint64(len(ts)))
	for _, t := range ts {
		b = append(b, t.kind)
		b = binary.AppendUvarint(b, uint64(len(t.text)))
		b = append(b, t.text...)
	}
	return b
}

var errJournalEntry = errors.New("journal entry does not decode")

// decodeTerms calls fn with every term of a journal entry's value, until
// fn returns false. The text is a slice of v.
func decodeTerms(v []byte, fn func(kind byte, text []byte) bool) error {
	n, w := binary.Uvarint(v)
	if w <= 0 || n > uint64(len(v)) {
		return errJournalEntry
	}
	v = v[w:]
	for range n {
		if len(v) < 2 {
			return errJournalEntry
		}
		kind := v[0]
		switch kind {
		case pTicket, pTracking, pTrackEnd, pNIK, pNIKLast, pName, pWaiting:
		default:
			return fmt.Errorf("%w: a key of kind %q", errJournalEntry, kind)
		}
		l, w := binary.Uvarint(v[1:])
		if w <= 0 || l > uint64(len(v)-1-w) || l == 0 || kind == pWaiting && l <= waitingHead {
			return errJournalEntry
		}
		text := v[1+w : 1+w+int(l)]
		v = v[1+w+int(l):]
		if !fn(kind, text) {
			return nil
		}
	}
	if len(v) != 0 {
		return fmt.Errorf("%w: %d bytes after its keys", errJournalEntry, len(v))
	}
	return nil
}

// journalCache is what the store knows of the journal as a committed
// transaction left it: the tracking codes in it (so that a registration
// finds whether its new code is taken without scanning the journal), how
// many keys it holds and its oldest and newest request. It describes the
// file only when db and txid are the file's and its last committed
// transaction's; otherwise the journal is scanned again. Every write
// transaction of Store.Update hands its own view on as it commits
// (Tx.handOnJournal); one that rolls back leaves it as it was, and one
// written otherwise (a migration, a test's) leaves it describing an older
// transaction, so it is read again.
type journalCache struct {
	db           *bolt.DB
	txid         int
	codes        map[string]struct{}
	tickets      map[string]uint32 // <day>/<code> -> the last ticket number of that day and service in the journal
	keys         int
	minID, maxID string
}

// journalState is what this write transaction knows of the journal: the
// cache it started from (or a scan of its own view), and what it changed.
type journalState struct {
	base         *journalCache
	cleared      bool                // merged: base's codes are in their places now
	added        map[string]struct{} // tracking codes this transaction added
	addedTickets map[string]uint32   // the last tickets this transaction added, as journalCache.tickets
	keys         int
	minID, maxID string
}

func (st *journalState) hasCode(code string) bool {
	if _, ok := st.added[code]; ok {
		return true
	}
	_, ok := st.base.codes[code]
	return ok && !st.cleared
}

// lastTicket is the last ticket number of dayCode (<day>/<code>) in the journal.
func (st *journalState) lastTicket(dayCode string) uint32 {
	n := st.addedTickets[dayCode]
	if !st.cleared {
		n = max(n, st.base.tickets[dayCode])
	}
	return n
}

func (st *journalState) add(r queue.Request, keys int) {
	id := r.ID
	if st.added == nil {
		st.added, st.addedTickets = map[string]struct{}{}, map[string]uint32{}
	}
	st.added[r.TrackingCode] = struct{}{}
	code, n, _ := parseTicket(r.Ticket)
	dc := r.Day + "/" + code
	st.addedTickets[dc] = max(st.addedTickets[dc], n)
	st.keys += keys
	if st.minID == "" || id < st.minID {
		st.minID = id
	}
	if id > st.maxID {
		st.maxID = id
	}
}

// stale reports whether the journal holds a key of another day than the
// one whose request IDs are [lo, hi).
func (st *journalState) stale(lo, hi []byte) bool {
	return st.keys > 0 && (st.minID < string(lo) || st.maxID >= string(hi))
}

// todayIDs is the range of request IDs (ULIDs) of today's local day: [lo, hi).
func (tx *Tx) todayIDs() (lo, hi []byte) {
	t, err := time.ParseInLocation(time.DateOnly, tx.s.Today(), tx.s.loc)
	if err != nil { // cannot be: Today formats a date
		return nil, nil
	}
	return ulidPrefix(t), ulidPrefix(t.AddDate(0, 0, 1))
}

// journal is the journal's state in this write transaction: from the
// store's cache when it describes the last commit, else read once.
func (tx *Tx) journal() (*journalState, error) {
	if tx.jst != nil {
		return tx.jst, nil
	}
	tx.s.jmu.Lock()
	c := tx.s.jcache
	tx.s.jmu.Unlock()
	if !tx.tx.Writable() || tx.jdirty || c == nil || c.db != tx.tx.DB() || c.txid != tx.tx.ID()-1 {
		var err error
		if c, err = tx.scanJournal(); err != nil {
			return nil, err
		}
	}
	tx.jst = &journalState{base: c, keys: c.keys, minID: c.minID, maxID: c.maxID}
	return tx.jst, nil
}

// scanJournal reads the whole journal as this transaction sees it.
func (tx *Tx) scanJournal() (*journalCache, error) {
	c := &journalCache{codes: map[string]struct{}{}, tickets: map[string]uint32{}}
	var err error
	tx.eachJournalEntry(func(idb, v []byte) bool {
		id := string(idb)
		if c.minID == "" {
			c.minID = id
		}
		c.maxID = id
		err = tx.decodeEntry(idb, v, func(kind byte, text []byte) bool {
			c.keys++
			switch {
			case kind == pTracking:
				c.codes[string(text)] = struct{}{}
			case kind == pTicket && len(text) > 5:
				dc := string(text[:len(text)-5])
				c.tickets[dc] = max(c.tickets[dc], binary.BigEndian.Uint32(text[len(text)-4:]))
			}
			return true
		})
		return err == nil
	})
	return c, err
}

// handOnJournal hands this transaction's view of the journal on to the
// store, as the transaction is about to commit (Store.Update). Should the
// commit fail, the next write transaction has the same ID as this one, not
// the next, and so reads the journal again.
func (tx *Tx) handOnJournal() {
	s := tx.s
	s.jmu.Lock()
	defer s.jmu.Unlock()
	id := tx.tx.ID()
	switch {
	case tx.jst != nil:
		st := tx.jst
		c := st.base
		if st.cleared {
			c = &journalCache{codes: map[string]struct{}{}, tickets: map[string]uint32{}}
		}
		for code := range st.added {
			c.codes[code] = struct{}{}
		}
		for dc, n := range st.addedTickets {
			c.tickets[dc] = max(c.tickets[dc], n)
		}
		c.db, c.txid, c.keys, c.minID, c.maxID = tx.tx.DB(), id, st.keys, st.minID, st.maxID
		s.jcache = c
	case tx.jdirty:
		s.jcache = nil
	case s.jcache != nil && s.jcache.db == tx.tx.DB() && s.jcache.txid == id-1:
		s.jcache.txid = id // the journal untouched: every change to it goes through tx.journal
	}
}

// trackingTaken reports whether a request has tracking code code, in its
// place or in the journal.
func (tx *Tx) trackingTaken(code string) (bool, error) {
	if tx.tx.Bucket(bIdx).Get(trackingKey(code)) != nil {
		return true, nil
	}
	st, err := tx.journal()
	if err != nil {
		return false, err
	}
	return st.hasCode(code), nil
}

// trackingID is the ID of the request with tracking code code (nil if none).
func (tx *Tx) trackingID(code string) []byte { return tx.keyValue(trackingKey(code)) }

// ticketID is the ID of the request with ticket n of service code on day (nil if none).
func (tx *Tx) ticketID(day, code string, n uint32) []byte {
	return tx.keyValue(ticketKey(day, code, n))
}

// keyValue is the value of index key k (a ticket's or a tracking code's,
// whose value is the request's ID), in its place or in the journal.
func (tx *Tx) keyValue(key []byte) []byte {
	if id := tx.tx.Bucket(bIdx).Get(key); id != nil {
		return id
	}
	var out []byte
	_ = tx.eachJournalKey(key[0], func(k, v []byte) bool {
		if bytes.Equal(k, key) {
			out = bytes.Clone(v)
			return false
		}
		return true
	})
	return out
}

// eachJournalKey calls fn with every key of kind held in the journal, as
// its index key and value would be in its place, until fn returns false.
// k and v are valid only during the call.
func (tx *Tx) eachJournalKey(kind byte, fn func(k, v []byte) bool) error {
	var buf []byte
	more := true
	var err error
	tx.eachJournalEntry(func(id, v []byte) bool {
		err = tx.decodeEntry(id, v, func(kd byte, text []byte) bool {
			if kd != kind {
				return true
			}
			key, val := appendTermKey(buf[:0], kd, text, id)
			buf = key
			more = fn(key, val)
			return more
		})
		return more && err == nil
	})
	return err
}

// eachSearchKey calls fn with every search key that starts with one of
// prefixes (each a one-letter kind and more), in its place or in the
// journal: those in their places first, in key order, then the journal's,
// by arrival, in one pass over the journal; a key that starts with two of
// them once. k and v are valid only during the call.
func (tx *Tx) eachSearchKey(fn func(k, v []byte), prefixes ...[]byte) error {
	c := tx.tx.Bucket(bIdx).Cursor()
	for _, prefix := range prefixes {
		for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
			fn(k, v)
		}
	}
	var buf []byte
	var err error
	tx.eachJournalEntry(func(id, v []byte) bool {
		err = tx.decodeEntry(id, v, func(kind byte, text []byte) bool {
			for _, p := range prefixes {
				// The term's text and the prefix's agree as far as both go
				// (cheap), then the whole key is built and compared.
				if p[0] != kind || !bytes.HasPrefix(text, p[1:min(len(p), 1+len(text))]) {
					continue
				}
				key, val := appendTermKey(buf[:0], kind, text, id)
				buf = key
				if bytes.HasPrefix(key, p) {
					fn(key, val)
					break
				}
			}
			return true
		})
		return err == nil
	})
	return err
}

// indexNew writes the index keys of a new request r but its place in the
// waiting line: into the journal when r is of today (merging the journal
// first when it holds another day's keys or would grow past its bound),
// and then its place in the waiting line too, and reports true; in their
// places otherwise.
func (tx *Tx) indexNew(r queue.Request) (bool, error) {
	ts := journalTerms(r)
	idx := tx.tx.Bucket(bIdx)
	if r.Day != tx.s.Today() || tx.noJournal {
		for _, kv := range termKeys(r.ID, ts) {
			if kv[0][0] == pWaiting {
				continue // the caller's
			}
			if err := idx.Put(kv[0], kv[1]); err != nil {
				return false, err
			}
		}
		return false, nil
	}
	st, err := tx.journal()
	if err != nil {
		return false, err
	}
	if lo, hi := tx.todayIDs(); st.stale(lo, hi) || st.keys+len(ts) > journalBound || tx.journalEvents() >= uint64(journalBound) {
		if _, err := tx.mergeJournal(); err != nil {
			return false, err
		}
		st = tx.jst
	}
	if err := tx.bucket(bJournal).Put(journalKey(r.ID), encodeTerms(ts)); err != nil {
		return false, err
	}
	st.add(r, len(ts))
	return true, nil
}

// rewriteJournal rewrites the journal entry of next's request as next
// makes it (its identity, its place in the waiting line), and reports
// whether it had one (false: its keys are in their places).
func (tx *Tx) rewriteJournal(next queue.Request) (bool, error) {
	requests := tx.bucket(bJournal)
	key := journalKey(next.ID)
	old := requests.Get(key)
	if old == nil {
		return false, nil
	}
	st, err := tx.journal()
	if err != nil {
		return true, err
	}
	had := 0
	if err := decodeTerms(old, func(byte, []byte) bool { had++; return true }); err != nil {
		return true, tx.damaged(fmt.Sprintf("journal entry of request %s does not decode", next.ID), err)
	}
	ts := journalTerms(next)
	v := encodeTerms(ts)
	if bytes.Equal(v, old) {
		return true, nil
	}
	if err := requests.Put(key, v); err != nil {
		return true, err
	}
	st.keys += len(ts) - had
	return true, nil
}

// dropJournalEntry deletes the journal entry of request id (if any).
func (tx *Tx) dropJournalEntry(id string) error {
	tx.jst, tx.jdirty = nil, true // read again if needed
	return tx.tx.Bucket(bJournal).Delete(journalKey(id))
}

// mergeJournal moves everything in the journal's bucket to its place, in
// this transaction: every key of the journal's entries into idx, the
// requests into requests, the events and their personal records into
// events; the journal's bucket is then made anew (its pages freed, for the
// night's compaction). It returns how many search keys it moved.
func (tx *Tx) mergeJournal() (int, error) {
	st, err := tx.journal()
	if err != nil {
		return 0, err
	}
	var puts [][2][]byte
	tx.eachJournalEntry(func(idb, v []byte) bool {
		id := bytes.Clone(idb)
		err = tx.decodeEntry(idb, v, func(kind byte, text []byte) bool {
			key, val := appendTermKey(nil, kind, text, id)
			puts = append(puts, [2][]byte{key, val})
			return true
		})
		return err == nil
	})
	if err != nil {
		return 0, err
	}
	slices.SortFunc(puts, func(a, b [2][]byte) int { return bytes.Compare(a[0], b[0]) })
	idx := tx.tx.Bucket(bIdx)
	for _, kv := range puts {
		if err := idx.Put(kv[0], kv[1]); err != nil {
			return 0, fmt.Errorf("merge the journal: %w", err)
		}
	}
	if err := tx.moveJournalRecords(); err != nil {
		return 0, fmt.Errorf("merge the journal: %w", err)
	}
	st.cleared, st.added, st.keys, st.minID, st.maxID = true, nil, 0, "", ""
	return len(puts), nil
}

// moveJournalRecords moves the journal's requests into requests and its
// events and personal records into events (each after the events bucket's
// last: appended), then makes the journal's bucket anew.
func (tx *Tx) moveJournalRecords() error {
	j := tx.tx.Bucket(bJournal)
	requests, events := tx.bucket(bRequests), tx.bucket(bEvents)
	c := j.Cursor()
	for k, v := c.First(); k != nil; k, v = c.Next() {
		var err error
		switch {
		case isRequestKey(k):
			err = requests.Put(bytes.Clone(k), bytes.Clone(v))
		case k[0] == ePrefix && (len(k) == 9 || len(k) == 10 && k[9] == 'p'):
			err = events.Put(bytes.Clone(k[1:]), bytes.Clone(v))
		case isJournalKey(k): // moved to idx by the caller
		default:
			return tx.damaged("the journal", fmt.Errorf("a key of no known form: %q", k))
		}
		if err != nil {
			return err
		}
	}
	if err := tx.tx.DeleteBucket(bJournal); err != nil {
		return err
	}
	_, err := tx.tx.CreateBucket(bJournal)
	return err
}

// mergeStaleJournal merges the journal when it holds keys of another day
// than today (the nightly purge calls it).
func (tx *Tx) mergeStaleJournal() error {
	st, err := tx.journal()
	if err != nil {
		return err
	}
	// Events with no request of today in the journal (actions on older
	// requests only) are merged too.
	k, _ := tx.tx.Bucket(bJournal).Cursor().Last()
	if lo, hi := tx.todayIDs(); !st.stale(lo, hi) && (st.keys > 0 || k == nil) {
		return nil
	}
	_, err = tx.mergeJournal()
	return err
}

// MergeJournal moves every key of the journal into its place, in one
// transaction, and returns how many it moved.
func (s *Store) MergeJournal(ctx context.Context) (int, error) {
	var n int
	err := s.Update(ctx, func(tx *Tx) error {
		var err error
		n, err = tx.mergeJournal()
		return err
	})
	return n, err
}

// journalCheck is Check's pass over the journal's requests and entries.
type journalCheck struct {
	requests, journal, idx *bolt.Bucket
	tickets                map[string]bool // the ticket keys of the journal's entries
}

func newJournalCheck(tx *Tx) *journalCheck {
	return &journalCheck{requests: tx.tx.Bucket(bRequests), journal: tx.tx.Bucket(bJournal), idx: tx.tx.Bucket(bIdx),
		tickets: map[string]bool{}}
}

// request checks that a request of the journal's bucket (k) has its
// journal entry beside it and is not in requests too.
func (jc *journalCheck) request(k []byte, bad func(string, ...any)) {
	if jc.journal.Get(journalKey(string(k))) == nil {
		bad("request %s is in the journal without its journal entry", k)
	}
	if jc.requests.Get(k) != nil {
		bad("request %s is both in the journal and in requests", k)
	}
}

// entry checks one journal entry (k, v): it decodes, names a request that
// is in the journal, none of its keys is also in its place, and its
// ticket is no other entry's; each key is added to have as it would be in
// its place.
func (jc *journalCheck) entry(k, v []byte, have *indexSum, kb *[]byte, bad func(string, ...any)) {
	idx := jc.idx
	id := k[:26]
	if _, err := ulid.ParseStrict(string(id)); err != nil {
		bad("journal entry %q does not name a request ID", k)
	} else if jc.journal.Get(id) == nil {
		bad("journal entry of request %s, which is not in the journal", id)
	}
	err := decodeTerms(v, func(kind byte, text []byte) bool {
		key, val := appendTermKey((*kb)[:0], kind, text, id)
		*kb = key
		have.add(key, val)
		if idx.Get(key) != nil {
			bad("search key %q is both in the journal and in its place", key)
		}
		if kind == pTicket {
			if jc.tickets[string(key)] {
				bad("ticket key %q is in two journal entries (a ticket handed out twice)", key)
			}
			jc.tickets[string(key)] = true
		}
		return true
	})
	if err != nil {
		bad("journal entry of request %s: %v", id, err)
	}
}

// eachIndexEntry calls fn with every entry of idx, then every key of the
// journal's entries (all of them, wherever they are) as it would be in its
// place (inJournal set).
func (tx *Tx) eachIndexEntry(fn func(k, v []byte, inJournal bool)) {
	var buf []byte
	_ = tx.tx.Bucket(bIdx).ForEach(func(k, v []byte) error {
		fn(k, v, false)
		return nil
	})
	tx.eachJournalEntry(func(id, v []byte) bool {
		_ = decodeTerms(v, func(kind byte, text []byte) bool {
			key, val := appendTermKey(buf[:0], kind, text, id)
			buf = key
			fn(key, val, true)
			return true
		})
		return true
	})
}
