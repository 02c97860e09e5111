package store

import (
	"bytes"
	"crypto/rand"
	"encoding/json"
	"fmt"

	bolt "go.etcd.io/bbolt"

	"github.com/loket-id/loket/queue"
)

// Requests and their personal parts on disk (schema 3).
//
// A request is stored without its personal part: the record holds the
// facts and the sequence number of the event whose personal part is the
// request's now (refs.personal). The personal part itself is beside the
// event and not in it, under <seq>p in the events bucket (eventlog.go; in
// a personal bucket of its own before schema 4), so an erasure deletes it
// without touching the event.
// Reading a request joins the two again: queue.Request keeps its Name, NIK,
// Phone and Notes in memory, and nothing above the store sees the split.

// bPersonal is the personal bucket of schema 3 (migrate_v4.go moves its records into events).
var bPersonal = []byte("personal")

// refs are the personal records a request reads its personal part from.
type refs struct {
	personal uint64 // the event whose personal part is current; 0: none (never given, or erased)
	// notes is the event whose personal part holds the notes, when it is not
	// personal: a request.identified event converted from v1 sets the
	// name, NIK and phone and keeps the notes the request had.
	notes uint64
}

// after is the refs of a request after event e (written at e.Seq).
func (r refs) after(e queue.Event) refs {
	switch {
	case e.Type == queue.EventErased:
		return refs{}
	case e.Personal == nil, e.Type == queue.EventSurveyed:
		// A survey's comment is its own personal part (survey.go), never
		// the request's.
		return r
	case e.Type == queue.EventIdentified && legacyDigest(e):
		src := r.notes
		if src == 0 {
			src = r.personal
		}
		return refs{personal: e.Seq, notes: src}
	default:
		return refs{personal: e.Seq}
	}
}

// legacyDigest reports whether e's data has an empty personal_digest: an
// event converted from v1, whose personal part is not covered by a digest.
func legacyDigest(e queue.Event) bool {
	var d struct {
		Digest string `json:"personal_digest"`
	}
	return json.Unmarshal(e.Data, &d) == nil && d.Digest == ""
}

// newPersonalKey is a fresh key for a personal part's digest. It always
// comes from crypto/rand, never from Options.Random (a seeded source in
// tests would make the digest guessable).
func newPersonalKey() []byte {
	k := make([]byte, queue.PersonalKeySize)
	if _, err := rand.Read(k); err != nil {
		panic(fmt.Sprintf("random source: %v", err)) // crypto/rand does not fail on supported platforms
	}
	return k
}

// personalAt is the personal record of event seq (false when there is none).
func (tx *Tx) personalAt(seq uint64) (queue.Personal, bool, error) {
	if seq == 0 {
		return queue.Personal{}, false, nil
	}
	v := tx.personalValue(seq)
	if v == nil {
		return queue.Personal{}, false, nil
	}
	p, err := decodePersonal(v)
	if err != nil {
		return p, false, tx.damaged(fmt.Sprintf("personal record of event %d does not decode", seq), err)
	}
	return p, true, nil
}

// join gives r (facts only) its personal part.
func (tx *Tx) join(r queue.Request, rf refs) (queue.Request, error) {
	p, ok, err := tx.personalAt(rf.personal)
	if err != nil || !ok {
		return r, err
	}
	if rf.notes != 0 {
		n, _, err := tx.personalAt(rf.notes)
		if err != nil {
			return r, err
		}
		p.Notes = n.Notes
	}
	return r.WithPersonal(p), nil
}

// loadRequest reads the stored request id: its facts and refs, not joined.
func (tx *Tx) loadRequest(id string) (queue.Request, refs, bool, error) {
	v := tx.requestValue([]byte(id))
	if v == nil {
		return queue.Request{}, refs{}, false, nil
	}
	r, rf, err := decodeRequest([]byte(id), v, tx.ident().StationID)
	if err != nil {
		return r, rf, false, tx.damaged(fmt.Sprintf("request %s does not decode", id), err)
	}
	return r, rf, true, nil
}

// decodeJoined decodes a stored request and joins its personal part.
func (tx *Tx) decodeJoined(k, v []byte) (queue.Request, error) {
	r, rf, err := decodeRequest(k, v, tx.ident().StationID)
	if err != nil {
		return r, tx.damaged(fmt.Sprintf("request %s does not decode", k), err)
	}
	return tx.join(r, rf)
}

// requestValue is the stored request id: in the journal's bucket (a request
// of today, journal.go) or in requests (nil when there is none).
func (tx *Tx) requestValue(id []byte) []byte { return tx.journalOr(id, bRequests, id) }

// requestCursor walks the stored requests by ID: those of requests and
// those of the journal's bucket merged (a request is in one of them).
type requestCursor struct {
	a, b   *bolt.Cursor // requests; the journal's bucket
	ka, va []byte
	kb, vb []byte
}

func (tx *Tx) requestCursor() *requestCursor {
	return &requestCursor{a: tx.tx.Bucket(bRequests).Cursor(), b: tx.tx.Bucket(bJournal).Cursor()}
}

// isRequestKey reports whether k, a key of requests or of the journal's
// bucket, is a request's (not a journal entry's, an event's or a personal
// record's).
func isRequestKey(k []byte) bool { return len(k) == 26 }

// bSkip moves b past what is not a request, to nil past the requests.
func (c *requestCursor) bSkip(k, v []byte) {
	for k != nil && k[0] != ePrefix && !isRequestKey(k) {
		k, v = c.b.Next()
	}
	if k != nil && k[0] == ePrefix {
		k, v = nil, nil
	}
	c.kb, c.vb = k, v
}

func (c *requestCursor) pick() ([]byte, []byte) {
	switch {
	case c.kb == nil:
		return c.ka, c.va
	case c.ka == nil || bytes.Compare(c.kb, c.ka) <= 0:
		return c.kb, c.vb
	default:
		return c.ka, c.va
	}
}

func (c *requestCursor) First() ([]byte, []byte) { return c.Seek(nil) }

// Seek moves to the first request whose ID is at or after id (nil: the first).
func (c *requestCursor) Seek(id []byte) ([]byte, []byte) {
	if id == nil {
		c.ka, c.va = c.a.First()
	} else {
		c.ka, c.va = c.a.Seek(id)
	}
	if id == nil {
		c.bSkip(c.b.First())
	} else {
		c.bSkip(c.b.Seek(id))
	}
	return c.pick()
}

// Next moves past the request the cursor is at.
func (c *requestCursor) Next() ([]byte, []byte) {
	k, _ := c.pick()
	if k == nil {
		return nil, nil
	}
	inA, inB := c.ka != nil && bytes.Equal(c.ka, k), c.kb != nil && bytes.Equal(c.kb, k)
	if inA {
		c.ka, c.va = c.a.Next()
	}
	if inB {
		c.bSkip(c.b.Next())
	}
	return c.pick()
}
