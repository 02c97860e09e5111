package store

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/loket-id/loket/queue"
)

// Recovery: a database restored from a backup, or a new one on a
// reinstalled counter, gets back the history the central server holds for
// its station (sync/PROTOCOL.md, "Recovery"). The server's events are
// imported as they are, so the log is again the one the server holds, and
// this database's own events made since it parted from that history are
// replayed after them as new events.

// Renumbered is a request of this database whose ticket the recovered
// history had already given to another applicant of the same day: it keeps
// its ID and tracking code and gets the next free ticket.
type Renumbered struct {
	RequestID    string `json:"request_id"`
	TrackingCode string `json:"tracking_code"`
	Day          string `json:"day"`
	From         string `json:"from"`
	To           string `json:"to"`
}

// Recovery is what ImportHistory did.
type Recovery struct {
	// Fork is the first sequence at which this database's log differed
	// from the imported history (its last sequence + 1 when it was behind).
	Fork     uint64 `json:"fork"`
	Imported int    `json:"imported"` // events of the server's history written here
	Replayed int    `json:"replayed"` // own events written again after them
	// Adopted is set when the history was another database's (a reinstalled
	// counter): this database took over its station ID and epoch.
	Adopted    bool         `json:"adopted_identity"`
	Renumbered []Renumbered `json:"renumbered,omitempty"`
	// SetAside are own events that contradict the recovered history (an
	// action on a request the history had already moved on): they are not
	// applied, and kept in meta under set_aside.
	SetAside []queue.Event `json:"set_aside,omitempty"`
}

var kSetAside = []byte("set_aside")

// ImportHistory makes the server's history this database's own, in one
// transaction: history holds the server's events fork, fork+1, … (one
// station ID and epoch), and every event of this log before fork is the
// same as the server's. This log's events from fork on are undone, the
// history is written and applied with the queue's rules, and those own
// events are then applied again on top as new events (renumbering a ticket
// the history already gave that day; setting aside what the history
// contradicts). The server is recorded as holding the whole history.
//
// A history of another identity (fork 1, a reinstalled counter) is adopted
// with its station ID and epoch.
func (tx *Tx) ImportHistory(history []queue.Event) (Recovery, error) {
	var rec Recovery
	if len(history) == 0 {
		return rec, nil
	}
	// The journal of search keys merged into the places first, and the
	// requests written here indexed in their places: the checks of
	// tickets and tracking codes below read the places (journal.go).
	if _, err := tx.mergeJournal(); err != nil {
		return rec, err
	}
	tx.noJournal = true
	fork := history[0].Seq
	rec.Fork = fork
	for i, e := range history {
		if e.Seq != fork+uint64(i) || e.Station != history[0].Station || e.Epoch != history[0].Epoch {
			return rec, queue.Invalid("history", fmt.Sprintf("event %d: the history must be consecutive events of one station and epoch", e.Seq))
		}
	}
	if last := tx.LastSeq(); fork == 0 || fork > last+1 {
		return rec, queue.Invalid("history", fmt.Sprintf("the history starts at event %d, but this database's log ends at %d", fork, last))
	}
	own, err := tx.Events(fork-1, 0)
	if err != nil {
		return rec, err
	}
	if err := tx.undoFrom(fork, own); err != nil {
		return rec, fmt.Errorf("recover: undo own events from %d: %w", fork, err)
	}
	if id := tx.ident(); history[0].Station != id.StationID || history[0].Epoch != id.Epoch {
		if fork != 1 {
			return rec, fmt.Errorf("recover: the history shares events 1-%d with this database but has another identity: %w", fork-1, queue.ErrConflict)
		}
		m := tx.tx.Bucket(bMeta)
		if err := m.Put(kStationID, []byte(history[0].Station)); err != nil {
			return rec, err
		}
		if err := m.Put(kEpoch, []byte(history[0].Epoch)); err != nil {
			return rec, err
		}
		tx.id = &Identity{StationID: history[0].Station, Epoch: history[0].Epoch, CreatedAt: id.CreatedAt}
		rec.Adopted = true
	}
	for _, e := range history {
		if err := tx.importEvent(e); err != nil {
			return rec, fmt.Errorf("recover: event %d of the server's history: %w", e.Seq, err)
		}
		rec.Imported++
	}
	// The next sequence is counted here: bbolt's Cursor.Last loops for ever
	// on a bucket whose pages this transaction emptied.
	next := history[len(history)-1].Seq + 1
	for _, e := range own {
		done, err := tx.replay(e, next, &rec)
		if err != nil {
			return rec, fmt.Errorf("recover: own event %d (%s): %w", e.Seq, e.Type, err)
		}
		if done {
			rec.Replayed++
			next++
		} else {
			rec.SetAside = append(rec.SetAside, e)
		}
	}
	m := tx.tx.Bucket(bMeta)
	if len(rec.SetAside) > 0 {
		var kept []queue.Event
		if v := m.Get(kSetAside); v != nil {
			if err := json.Unmarshal(v, &kept); err != nil {
				return rec, fmt.Errorf("recover: decode set-aside events: %w", err)
			}
		}
		if err := putJSON(m, kSetAside, append(kept, rec.SetAside...)); err != nil {
			return rec, err
		}
	}
	return rec, m.Put(kSyncAcked, u64(history[len(history)-1].Seq))
}

// SetAside lists the own events that earlier recoveries could not apply.
func (tx *Tx) SetAside() ([]queue.Event, error) {
	var out []queue.Event
	if v := tx.tx.Bucket(bMeta).Get(kSetAside); v != nil {
		if err := json.Unmarshal(v, &out); err != nil {
			return nil, fmt.Errorf("decode set-aside events: %w", err)
		}
	}
	return out, nil
}

// undoFrom removes events fork… (own) from the log and puts every request
// they touched back as it was before fork (removing those they created).
func (tx *Tx) undoFrom(fork uint64, own []queue.Event) error {
	touched := map[string]bool{}
	for _, e := range own {
		if e.RequestID != "" {
			touched[e.RequestID] = true
		}
	}
	for id := range touched {
		cur, err := tx.byID(id)
		if err != nil {
			return err
		}
		var keep []uint64
		for _, seq := range cur.EventSeqs {
			if seq < fork {
				keep = append(keep, seq)
			}
		}
		if len(keep) == 0 {
			if err := tx.deleteRequest(cur); err != nil {
				return err
			}
			continue
		}
		prev, rf, err := tx.rebuild(keep)
		if err != nil {
			return fmt.Errorf("request %s: %w", id, err)
		}
		if err := tx.putRequest(cur, prev, rf); err != nil {
			return err
		}
	}
	for _, e := range own {
		if err := tx.deleteEvent(e.Seq); err != nil {
			return err
		}
	}
	return nil
}

// rebuild is a request as its events (by sequence) make it, and its refs.
func (tx *Tx) rebuild(seqs []uint64) (queue.Request, refs, error) {
	var r queue.Request
	var rf refs
	for _, seq := range seqs {
		e, err := tx.decodeEvent(seq, tx.eventValue(seq))
		if err != nil {
			return r, rf, err
		}
		if r, err = queue.Apply(r, e); err != nil {
			return r, rf, err
		}
		rf = rf.after(e)
	}
	r.EventSeqs = append([]uint64(nil), seqs...)
	return r, rf, nil
}

func (tx *Tx) deleteRequest(r queue.Request) error {
	if err := tx.dropJournalEntry(r.ID); err != nil {
		return err
	}
	idx := tx.bucket(bIdx)
	for _, kv := range indexKeys(r) {
		if err := idx.Delete(kv[0]); err != nil {
			return err
		}
	}
	if r.Status == queue.StatusWaiting {
		if err := idx.Delete(waitingKey(r)); err != nil {
			return err
		}
	}
	if err := tx.tx.Bucket(bJournal).Delete([]byte(r.ID)); err != nil {
		return err
	}
	return tx.bucket(bRequests).Delete([]byte(r.ID))
}

// setServices makes the catalog exactly the one a catalog.replaced event
// carries (the whole catalog after the replacement, inactive services too).
func (tx *Tx) setServices(data []byte) error {
	var svcs []queue.Service
	if err := json.Unmarshal(data, &svcs); err != nil {
		return fmt.Errorf("decode catalog.replaced payload: %w", err)
	}
	b := tx.tx.Bucket(bServices)
	var old [][]byte
	_ = b.ForEach(func(k, _ []byte) error {
		old = append(old, bytes.Clone(k))
		return nil
	})
	for _, k := range old {
		if err := b.Delete(k); err != nil {
			return err
		}
	}
	for _, s := range svcs {
		if err := putJSON(b, []byte(s.Code), s); err != nil {
			return err
		}
	}
	return nil
}

// write applies e (whose sequence is the next) to its request and writes
// both. An event of v1 (its personal part in its data) is converted to v2
// first (queue.UpgradeEvent), as the central server converts it.
func (tx *Tx) write(e queue.Event) error {
	e, err := queue.UpgradeEvent(e)
	if err != nil {
		return err
	}
	if e.Type == queue.EventCatalog {
		if err := tx.setServices(e.Data); err != nil {
			return err
		}
		_, err := tx.putEvent(e)
		return err
	}
	cur, err := tx.byID(e.RequestID)
	if err != nil && !errors.Is(err, queue.ErrNotFound) {
		return err
	}
	next, err := queue.Apply(cur, e)
	if err != nil {
		return err
	}
	if e.Type == queue.EventCreated {
		idx := tx.bucket(bIdx)
		code, n, _ := parseTicket(next.Ticket)
		if v := idx.Get(ticketKey(next.Day, code, n)); v != nil {
			return fmt.Errorf("ticket %s of %s is already request %s's: %w", next.Ticket, next.Day, v, queue.ErrConflict)
		}
		if v := tx.trackingID(next.TrackingCode); v != nil {
			return fmt.Errorf("tracking code %s is already request %s's: %w", next.TrackingCode, v, queue.ErrConflict)
		}
	}
	next.EventSeqs = append(append([]uint64(nil), cur.EventSeqs...), e.Seq)
	if _, err := tx.putEvent(e); err != nil {
		return err
	}
	return tx.putAfter(cur, next, e)
}

func (tx *Tx) importEvent(e queue.Event) error { return tx.write(e) }

// maxTicket is lastTicket by a forward scan, which bbolt's cursor gets
// right on pages this transaction emptied (its Prev and Last do not).
func (tx *Tx) maxTicket(day, code string) uint32 {
	prefix := ticketPrefix(day, code)
	var n uint32
	c := tx.bucket(bIdx).Cursor()
	for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
		if len(k) == len(prefix)+4 {
			n = max(n, binary.BigEndian.Uint32(k[len(prefix):]))
		}
	}
	return n
}

// replay writes an own event again after the history, as event seq.
// It reports false when the event contradicts the history (set aside).
func (tx *Tx) replay(e queue.Event, seq uint64, rec *Recovery) (bool, error) {
	id := tx.ident()
	e.Seq, e.Station, e.Epoch = seq, id.StationID, id.Epoch
	switch e.Type {
	case queue.EventCatalog:
		return true, tx.write(e)
	case queue.EventCreated:
		e, err := queue.UpgradeEvent(e)
		if err != nil {
			return false, err
		}
		var r queue.CreatedData
		if err := json.Unmarshal(e.Data, &r); err != nil {
			return false, fmt.Errorf("decode request.created payload: %w", err)
		}
		changed := r.Station != id.StationID
		r.Station = id.StationID
		code, n, _ := parseTicket(r.Ticket)
		if tx.bucket(bIdx).Get(ticketKey(r.Day, code, n)) != nil {
			to := queue.FormatTicket(code, uint64(tx.maxTicket(r.Day, code))+1)
			rec.Renumbered = append(rec.Renumbered, Renumbered{RequestID: r.ID, TrackingCode: r.TrackingCode, Day: r.Day, From: r.Ticket, To: to})
			r.Ticket, changed = to, true
		}
		if changed {
			data, err := json.Marshal(r)
			if err != nil {
				return false, err
			}
			e.Data = data
		}
		return true, tx.write(e)
	}
	cur, err := tx.byID(e.RequestID)
	if err != nil {
		if errors.Is(err, queue.ErrNotFound) {
			return false, nil
		}
		return false, err
	}
	if _, err := queue.Apply(cur, e); err != nil {
		return false, nil
	}
	return true, tx.write(e)
}

// ImportHistory runs Tx.ImportHistory in one transaction.
func (s *Store) ImportHistory(ctx context.Context, history []queue.Event) (Recovery, error) {
	var rec Recovery
	err := s.Update(ctx, func(tx *Tx) error {
		var err error
		rec, err = tx.ImportHistory(history)
		return err
	})
	if err == nil && rec.Adopted {
		s.idMu.Lock()
		s.id.StationID, s.id.Epoch = history[0].Station, history[0].Epoch
		s.idMu.Unlock()
	}
	return rec, err
}
