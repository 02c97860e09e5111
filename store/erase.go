package store

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/loket-id/loket/queue"
)

// Erasure of personal parts (UU PDP 27/2022): Purge at the end of the
// retention period, Forget on the applicant's request.
//
// Each erased request gets one request.erased event (queue.ErasedData: the
// reason, and the clerk's note for Forget); applying it deletes the
// personal records of every event of the request (records.go) and its
// index keys that hold personal data (n, l, m). The events themselves, the
// facts, the tickets and the statistics stay. All of it is one
// transaction: a crash leaves every request of the call erased, or none.
//
// Erased means gone from the file: bbolt keeps a freed page's old bytes
// until it reuses the page, so the same transaction records that the file
// must be compacted (meta compact_pending), and the store then rewrites the
// file with only the pages in use (Compact, rewrite.go). A crash before the
// compaction is done leaves the mark, and the next Open compacts.

var kCompactPending = []byte("compact_pending")

// Purge erases the personal part of every request closed (done, no-show or
// cancelled) on a local day before before (YYYY-MM-DD) and not erased yet,
// each with a request.erased event of reason "retention" written by by,
// then compacts the file. A request that never had a personal part (a
// kiosk walk-in never identified) has nothing to erase and is left alone.
// With dryRun it writes nothing and says what it would erase. Run again, it
// erases nothing more.
func (s *Store) Purge(ctx context.Context, before string, dryRun bool, by queue.Actor) (queue.Erasure, error) {
	day, err := time.ParseInLocation(time.DateOnly, strings.TrimSpace(before), s.loc)
	if err != nil {
		return queue.Erasure{}, queue.Invalid("before", fmt.Sprintf("%q is not a date YYYY-MM-DD", before))
	}
	data := queue.ErasedData{Reason: queue.ErasedRetention}
	pick := func(tx *Tx) ([]queue.Request, error) {
		var out []queue.Request
		// Closed before the day means arrived before it too.
		last := day.AddDate(0, 0, -1).Format(time.DateOnly)
		err := tx.Between("", last, func(r queue.Request) error {
			if err := ctx.Err(); err != nil {
				return err
			}
			if r.ClosedAt == nil || r.Erased || !r.ClosedAt.Before(day) {
				return nil
			}
			if has, err := tx.hasPersonal(r); err != nil || !has {
				return err
			}
			out = append(out, r)
			return nil
		})
		return out, err
	}
	return s.erase(ctx, pick, data, dryRun, by)
}

// Forget erases, at once, the personal part of every request that holds
// the NIK nik (now, or in an earlier identification that a correction
// replaced), whatever its status, each with a request.erased event of
// reason "request" and the clerk's note (why; never the NIK), then
// compacts the file. The NIK itself is not recorded anywhere.
func (s *Store) Forget(ctx context.Context, nik, note string, by queue.Actor) (queue.Erasure, error) {
	nik, err := queue.ValidateNIK(nik)
	if err != nil {
		return queue.Erasure{}, err
	}
	data, err := queue.ErasedData{Reason: queue.ErasedOnRequest, Note: note}.Validate()
	if err != nil {
		return queue.Erasure{}, err
	}
	pick := func(tx *Tx) ([]queue.Request, error) {
		ids := map[string]bool{}
		prefix := nikKey(nik, "")
		err := tx.eachSearchKey(func(k, _ []byte) { ids[string(k[len(prefix):])] = true }, prefix) // in their places and in the journal
		if err != nil {
			return nil, err
		}
		// Earlier personal parts (an identification corrected since).
		pc := tx.personalLog()
		for k, v := pc.First(); k != nil; k, v = pc.Next() {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			p, err := decodePersonal(v)
			if err != nil {
				return nil, tx.damaged(fmt.Sprintf("personal record of event %d does not decode", getU64(k)), err)
			}
			if p.NIK != nik {
				continue
			}
			e, err := tx.decodeEvent(getU64(k), tx.eventValue(getU64(k)))
			if err != nil {
				return nil, err
			}
			ids[e.RequestID] = true
		}
		var out []queue.Request
		for id := range ids {
			r, err := tx.byID(id)
			if err != nil {
				return nil, err
			}
			out = append(out, r)
		}
		return out, nil
	}
	return s.erase(ctx, pick, data, false, by)
}

// hasPersonal reports whether r has a personal part, now or in one of its
// events, to erase.
func (tx *Tx) hasPersonal(r queue.Request) (bool, error) {
	if !queue.PersonalOf(r, nil).Empty() {
		return true, nil
	}
	b := tx.tx.Bucket(bPersonal)
	for _, seq := range r.EventSeqs {
		if b.Get(u64(seq)) != nil {
			return true, nil
		}
	}
	return false, nil
}

// erase writes a request.erased event for every request pick chooses, in
// one transaction, then compacts the file.
func (s *Store) erase(ctx context.Context, pick func(*Tx) ([]queue.Request, error), data queue.ErasedData, dryRun bool, by queue.Actor) (queue.Erasure, error) {
	out := queue.Erasure{DryRun: dryRun, Requests: []queue.ErasedRequest{}}
	payload, err := json.Marshal(data)
	if err != nil {
		return out, err
	}
	run := func(tx *Tx) error {
		if !dryRun { // the nightly purge merges yesterday's journal of search keys (journal.go)
			if err := tx.mergeStaleJournal(); err != nil {
				return err
			}
		}
		rs, err := pick(tx)
		if err != nil {
			return err
		}
		sort.Slice(rs, func(i, j int) bool { return rs[i].ID < rs[j].ID })
		at := s.clock()
		erased := map[string]bool{}
		erasedSeqs := map[uint64]bool{}
		for _, r := range rs {
			out.Requests = append(out.Requests, queue.ErasedRequest{ID: r.ID, Ticket: r.Ticket, Day: r.Day, TrackingCode: r.TrackingCode})
			if dryRun {
				continue
			}
			ev := queue.Event{Type: queue.EventErased, RequestID: r.ID, At: at, Counter: by.Counter, Clerk: by.Clerk, Data: payload}
			if _, err := tx.applyAndWrite(r, ev); err != nil {
				return fmt.Errorf("erase the personal part of %s of %s: %w", r.Ticket, r.Day, err)
			}
			erased[r.ID] = true
			for _, seq := range r.EventSeqs {
				erasedSeqs[seq] = true
			}
		}
		if len(erased) == 0 {
			return nil
		}
		if err := tx.eraseSetAside(erased); err != nil {
			return err
		}
		if err := tx.unbindKeys(erasedSeqs); err != nil {
			return err
		}
		return tx.tx.Bucket(bMeta).Put(kCompactPending, []byte(at.UTC().Format(time.RFC3339Nano)))
	}
	if dryRun {
		return out, s.View(ctx, run)
	}
	if err := s.Update(ctx, run); err != nil {
		return queue.Erasure{Requests: []queue.ErasedRequest{}}, err
	}
	// Compact even when nothing was erased now, if an earlier erasure's
	// compaction was interrupted, or the night's merge of the journal left
	// the file loose.
	if err := s.Tidy(ctx); err != nil {
		return out, fmt.Errorf("the personal parts are erased, but the file is not compacted yet (the next open does it): %w", err)
	}
	return out, nil
}

// unbindKeys drops the payload digest of every idempotency key recorded
// with an event of seqs (the events of the requests erased), keeping the
// key and its event. The digest is a SHA-256 of the action's payload, which
// for a registration or an identification holds the NIK, name and phone:
// with the person erased, a NIK's known structure (region, birth date,
// serial) makes it small enough to find again by trying every candidate
// against the digest. Without it, a retry under the key still gets the
// first answer (the request, erased); only a reuse of the key for another
// payload is no longer told apart. Keys are not indexed by event, so the
// bucket is read once (an erasure is rare: nightly, or on request).
func (tx *Tx) unbindKeys(seqs map[uint64]bool) error {
	b := tx.tx.Bucket(bKeys)
	if b == nil || len(seqs) == 0 {
		return nil
	}
	var bound [][2][]byte
	c := b.Cursor()
	for k, v := c.First(); k != nil; k, v = c.Next() {
		if len(v) > 8 && seqs[getU64(v[:8])] {
			bound = append(bound, [2][]byte{bytes.Clone(k), bytes.Clone(v[:8])})
		}
	}
	for _, kv := range bound {
		if err := b.Put(kv[0], kv[1]); err != nil {
			return fmt.Errorf("unbind idempotency key %s from an erased payload: %w", kv[0], err)
		}
	}
	return nil
}

// eraseSetAside drops the personal parts of the erased requests' events that
// an earlier recovery set aside (meta set_aside).
func (tx *Tx) eraseSetAside(erased map[string]bool) error {
	kept, err := tx.SetAside()
	if err != nil || len(kept) == 0 {
		return err
	}
	changed := false
	for i := range kept {
		if erased[kept[i].RequestID] && kept[i].Personal != nil {
			kept[i].Personal = nil
			changed = true
		}
	}
	if !changed {
		return nil
	}
	return putJSON(tx.tx.Bucket(bMeta), kSetAside, kept)
}

// Tidy compacts the file when an erasure asked for it, or when it is
// loose, as the nightly purge does after its erasures and its merge of the
// journal (`loket demo` too, after the history it writes: the file is then
// as an office's is in the morning). Whether either is so is read first
// under the shared lock: a purge that erased nothing and merged nothing
// (every hub start, the nights after a day without registrations) never
// stops the readers.
func (s *Store) Tidy(ctx context.Context) error {
	var due bool
	if err := s.View(ctx, func(tx *Tx) error {
		due = tx.tx.Bucket(bMeta).Get(kCompactPending) != nil || s.loose()
		return nil
	}); err != nil || !due {
		return err
	}
	s.swap.Lock()
	defer s.swap.Unlock()
	if s.loose() {
		return s.compactLocked(ctx)
	}
	return s.compactPendingLocked(ctx)
}

// loose reports whether the file's free pages are worth a compaction.
// bbolt writes its whole list of free pages at every commit: once the list
// takes more than one page, every registration writes the pages more, and
// its new pages come from all over the file. A day's merge of the journal
// (journal.go) frees one or two thousand (the list holds 511 in a 4 KB
// page), and nothing else gives them back but a compaction: the nightly
// purge, which merges the journal, compacts right after.
func (s *Store) loose() bool {
	return s.db.Stats().FreelistInuse > s.db.Info().PageSize
}

func (s *Store) compactPendingLocked(ctx context.Context) error {
	var pending bool
	if err := s.db.View(func(tx *bolt.Tx) error {
		pending = tx.Bucket(bMeta).Get(kCompactPending) != nil
		return nil
	}); err != nil || !pending {
		return err
	}
	return s.compactLocked(ctx)
}

// finishErasure completes an erasure a crash interrupted between its
// commit and the compaction that makes its bytes unrecoverable (Open).
func (s *Store) finishErasure() error { return s.compactPendingLocked(context.Background()) }
