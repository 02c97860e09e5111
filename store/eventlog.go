package store

import (
	"fmt"

	bolt "go.etcd.io/bbolt"

	"github.com/loket-id/loket/queue"
)

// The events bucket holds the event log and, since schema 4, the personal
// parts beside it: event seq under <seq uint64 BE>, the personal record it
// set under <seq uint64 BE>p, which sorts right after the event and before
// the next one. A registration's event and personal record then go on one
// leaf, where a bucket of their own wrote a leaf and its branch pages more
// (BENCHMARKS.md).
//
// Since schema 5 the events written since the journal's last merge are in
// the journal's bucket (journal.go) instead, under e<seq> and e<seq>p:
// every one of them after every event of the events bucket (the merge
// moves them all at once, and a new event is always the last), so the
// event log is the events bucket, then the journal's e-region. A
// registration then writes its event on the small journal's pages, not on
// a year's three levels. Whatever walks the event log walks it with a
// logCursor (tx.eventLog), which shows both as one, with the keys of the
// events bucket, and skips the personal records (or, as a personal
// cursor, shows only them); whatever reads one event or personal record
// reads it with tx.eventValue or tx.personalValue.

// personalKey is the key of event seq's personal record in the events bucket.
func personalKey(seq uint64) []byte { return append(u64(seq), 'p') }

// ePrefix starts the keys of the events and personal records in the
// journal's bucket: after every request ID (ULIDs are upper case) and
// journal entry.
const ePrefix = 'e'

// journalEventKey is the key of event seq in the journal's bucket.
func journalEventKey(seq uint64) []byte { return append([]byte{ePrefix}, u64(seq)...) }

// journalPersonalKey is the key of event seq's personal record in the journal's bucket.
func journalPersonalKey(seq uint64) []byte { return append(journalEventKey(seq), 'p') }

// logCursor walks the event log: the events bucket's keys, then the
// journal's e-region's without their e, as one sequence; only the events
// (personal false) or only the personal records (personal true; their
// keys given as the event's, without the p).
type logCursor struct {
	a, b     *bolt.Cursor // the events bucket; the journal's bucket
	inB      bool
	personal bool
}

// eventLog is a cursor over the event log's events.
func (tx *Tx) eventLog() *logCursor { return tx.logCursor(false) }

// personalLog is a cursor over the event log's personal records.
func (tx *Tx) personalLog() *logCursor { return tx.logCursor(true) }

func (tx *Tx) logCursor(personal bool) *logCursor {
	return &logCursor{a: tx.tx.Bucket(bEvents).Cursor(), b: tx.tx.Bucket(bJournal).Cursor(), personal: personal}
}

func (c *logCursor) wanted(k []byte) bool { return (len(k) == 9) == c.personal }

// fromB is a key of the journal's bucket as the events bucket's, or nil
// past the e-region.
func fromB(k, v []byte) ([]byte, []byte) {
	if k == nil || k[0] != ePrefix {
		return nil, nil
	}
	return k[1:], v
}

func (c *logCursor) bFirst() ([]byte, []byte) {
	c.inB = true
	return fromB(c.b.Seek([]byte{ePrefix}))
}

func (c *logCursor) rawFirst() ([]byte, []byte) {
	if k, v := c.a.First(); k != nil {
		c.inB = false
		return k, v
	}
	return c.bFirst()
}

func (c *logCursor) rawNext() ([]byte, []byte) {
	if !c.inB {
		if k, v := c.a.Next(); k != nil {
			return k, v
		}
		return c.bFirst()
	}
	return fromB(c.b.Next())
}

func (c *logCursor) rawSeek(seek []byte) ([]byte, []byte) {
	if k, v := c.a.Seek(seek); k != nil {
		c.inB = false
		return k, v
	}
	c.inB = true
	return fromB(c.b.Seek(append([]byte{ePrefix}, seek...)))
}

func (c *logCursor) rawLast() ([]byte, []byte) {
	if k, v := fromB(c.b.Last()); k != nil {
		c.inB = true
		return k, v
	}
	c.inB = false
	return c.a.Last()
}

func (c *logCursor) rawPrev() ([]byte, []byte) {
	if c.inB {
		if k, v := fromB(c.b.Prev()); k != nil {
			return k, v
		}
		c.inB = false
		return c.a.Last()
	}
	return c.a.Prev()
}

func (c *logCursor) out(k, v []byte) ([]byte, []byte) {
	if c.personal && k != nil {
		k = k[:8]
	}
	return k, v
}

func (c *logCursor) forward(k, v []byte) ([]byte, []byte) {
	for k != nil && !c.wanted(k) {
		k, v = c.rawNext()
	}
	return c.out(k, v)
}

func (c *logCursor) backward(k, v []byte) ([]byte, []byte) {
	for k != nil && !c.wanted(k) {
		k, v = c.rawPrev()
	}
	return c.out(k, v)
}

func (c *logCursor) First() ([]byte, []byte) { return c.forward(c.rawFirst()) }
func (c *logCursor) Next() ([]byte, []byte)  { return c.forward(c.rawNext()) }

// Seek moves to the first event (or personal record) at or after seq's key k.
func (c *logCursor) Seek(k []byte) ([]byte, []byte) { return c.forward(c.rawSeek(k)) }
func (c *logCursor) Last() ([]byte, []byte)         { return c.backward(c.rawLast()) }
func (c *logCursor) Prev() ([]byte, []byte)         { return c.backward(c.rawPrev()) }

// eventValue is the stored event seq, in the journal or in the events
// bucket (nil when there is none).
func (tx *Tx) eventValue(seq uint64) []byte {
	return tx.journalOr(journalEventKey(seq), bEvents, u64(seq))
}

// personalValue is the stored personal record of event seq, wherever it is
// (nil when there is none).
func (tx *Tx) personalValue(seq uint64) []byte {
	return tx.journalOr(journalPersonalKey(seq), bEvents, personalKey(seq))
}

// journalOr is the value of jk in the journal's bucket, or else of k in
// bucket, its place after the merge (nil when neither has one).
func (tx *Tx) journalOr(jk, bucket, k []byte) []byte {
	if v := tx.tx.Bucket(bJournal).Get(jk); v != nil {
		return v
	}
	return tx.tx.Bucket(bucket).Get(k)
}

// putEventRecords writes event e's stored form v and, when p is not nil,
// its personal record. An event of today goes to the journal, and so does
// any event once the journal holds one (the journal's events follow every
// event of the events bucket); an event of another day (history written
// after the fact, a demo's) goes to the events bucket while the journal
// holds none, and so does every event of a recovery's import (written in
// the places, after merging).
func (tx *Tx) putEventRecords(e queue.Event, v, p []byte) error {
	seq := e.Seq
	b, ek, pk := tx.bucket(bEvents), u64(seq), personalKey(seq)
	if !tx.noJournal && (tx.s.DayOf(e.At) == tx.s.Today() || tx.journalHasEvents()) {
		b, ek, pk = tx.bucket(bJournal), journalEventKey(seq), journalPersonalKey(seq)
	}
	if p != nil {
		if err := b.Put(pk, p); err != nil {
			return fmt.Errorf("write the personal record of event %d: %w", seq, err)
		}
	}
	if err := b.Put(ek, v); err != nil {
		return fmt.Errorf("write event %d: %w", seq, err)
	}
	return nil
}

// journalHasEvents reports whether the journal holds an event.
func (tx *Tx) journalHasEvents() bool { return tx.journalEvents() > 0 }

// deletePersonalRecord deletes the personal record of event seq,
// wherever it is.
func (tx *Tx) deletePersonalRecord(seq uint64) error {
	return tx.deleteBoth(personalKey(seq), journalPersonalKey(seq))
}

// deleteEvent deletes event seq and its personal record, wherever they are.
func (tx *Tx) deleteEvent(seq uint64) error {
	if err := tx.deletePersonalRecord(seq); err != nil {
		return err
	}
	return tx.deleteBoth(u64(seq), journalEventKey(seq))
}

// deleteBoth deletes ek from the events bucket and jk from the journal's.
func (tx *Tx) deleteBoth(ek, jk []byte) error {
	if err := tx.tx.Bucket(bEvents).Delete(ek); err != nil {
		return err
	}
	return tx.tx.Bucket(bJournal).Delete(jk)
}

// eventScan is logCursor's forward half over the check's cursors (which
// read the file without bbolt's map): the events only, or the personal
// records only. a is the events bucket's cursor, b the journal's bucket's,
// whose e-region follows a's keys.
type eventScan struct {
	a, b     kvCursor
	inB      bool
	personal bool
}

func (s *eventScan) First() ([]byte, []byte) {
	s.inB = false
	k, v := s.a.First()
	if k == nil {
		k, v = s.bFirst()
	}
	return s.skip(k, v)
}

func (s *eventScan) Next() ([]byte, []byte) { return s.skip(s.raw()) }

func (s *eventScan) raw() ([]byte, []byte) {
	if s.inB {
		return s.bNext()
	}
	if k, v := s.a.Next(); k != nil {
		return k, v
	}
	return s.bFirst()
}

// bFirst is the journal's first key in its e-region, as the events
// bucket's.
func (s *eventScan) bFirst() ([]byte, []byte) {
	s.inB = true
	if k, v := s.b.First(); k == nil || k[0] == ePrefix {
		return fromB(k, v)
	}
	return s.bNext()
}

// bNext is the journal's next key in its e-region, as the events bucket's
// (the region is the bucket's last: keys before it are skipped).
func (s *eventScan) bNext() ([]byte, []byte) {
	for {
		k, v := s.b.Next()
		if k == nil || k[0] == ePrefix {
			return fromB(k, v)
		}
	}
}

func (s *eventScan) skip(k, v []byte) ([]byte, []byte) {
	ec := logCursor{personal: s.personal}
	for k != nil && !ec.wanted(k) {
		k, v = s.raw()
	}
	return ec.out(k, v)
}
