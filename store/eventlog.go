package store

import bolt "go.etcd.io/bbolt"

// The events bucket holds the event log and, since schema 4, the personal
// parts beside it: event seq under <seq uint64 BE>, the personal record it
// set under <seq uint64 BE>p, which sorts right after the event and before
// the next one. A registration's event and personal record then go on one
// leaf, where a bucket of their own wrote a leaf and its branch pages more
// (BENCHMARKS.md). Whatever walks the event log walks it with an
// eventCursor, which skips the personal records (or, as a personal
// cursor, shows only them).

// personalKey is the key of event seq's personal record in the events bucket.
func personalKey(seq uint64) []byte { return append(u64(seq), 'p') }

// eventCursor walks the events bucket's events only (personal false) or
// its personal records only (personal true; their keys given as the
// event's, without the p).
type eventCursor struct {
	c        *bolt.Cursor
	personal bool
}

func eventsOf(b *bolt.Bucket) eventCursor   { return eventCursor{c: b.Cursor()} }
func personalOf(b *bolt.Bucket) eventCursor { return eventCursor{c: b.Cursor(), personal: true} }

func (c eventCursor) wanted(k []byte) bool { return (len(k) == 9) == c.personal }

func (c eventCursor) out(k, v []byte) ([]byte, []byte) {
	if c.personal && k != nil {
		k = k[:8]
	}
	return k, v
}

func (c eventCursor) forward(k, v []byte) ([]byte, []byte) {
	for k != nil && !c.wanted(k) {
		k, v = c.c.Next()
	}
	return c.out(k, v)
}

func (c eventCursor) backward(k, v []byte) ([]byte, []byte) {
	for k != nil && !c.wanted(k) {
		k, v = c.c.Prev()
	}
	return c.out(k, v)
}

func (c eventCursor) First() ([]byte, []byte)        { return c.forward(c.c.First()) }
func (c eventCursor) Next() ([]byte, []byte)         { return c.forward(c.c.Next()) }
func (c eventCursor) Seek(k []byte) ([]byte, []byte) { return c.forward(c.c.Seek(k)) }
func (c eventCursor) Last() ([]byte, []byte)         { return c.backward(c.c.Last()) }
func (c eventCursor) Prev() ([]byte, []byte)         { return c.backward(c.c.Prev()) }

// eventScan is eventCursor's forward half over the check's cursors (which
// read the file without bbolt's map): the events only, or the personal
// records only.
type eventScan struct {
	c        kvCursor
	personal bool
}

func (s eventScan) First() ([]byte, []byte) { return s.skip(s.c.First()) }
func (s eventScan) Next() ([]byte, []byte)  { return s.skip(s.c.Next()) }

func (s eventScan) skip(k, v []byte) ([]byte, []byte) {
	ec := eventCursor{personal: s.personal}
	for k != nil && !ec.wanted(k) {
		k, v = s.c.Next()
	}
	return ec.out(k, v)
}
