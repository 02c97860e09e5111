package central

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"

	"github.com/loket-id/loket/queue"
	"github.com/loket-id/loket/sync/protocol"
	bolt "go.etcd.io/bbolt"
)

// The layout of central.db, every bucket and key shape. A test
// (TestLayoutIsDocumented) works a fresh database and compares its buckets
// and meta keys with this drawing; change both together, and the layout
// only through a migration (migrations, below).
//
//	meta
//	└── schema_version    -> uint64 BE
//	stations
//	└── <OFFICE/STATION>  -> Station JSON (binding, high-water mark, last seen, skew)
//	tokens
//	└── <token SHA-256, hex> -> OFFICE/STATION
//	events
//	└── <OFFICE/STATION>\x00<generation uint32 BE><seq uint64 BE> -> storedEvent JSON (the event as sent, and when it was received)
//	requests
//	└── <request ID>      -> storedRequest JSON (office, station, the request as its events made it)
//	catalog
//	└── current           -> protocol.Catalog JSON (version, services)
//	supervisors
//	└── <token SHA-256, hex> -> supervisor JSON (office, "" for all)
//	personal
//	└── <request ID>\x00<OFFICE/STATION>\x00<generation uint32 BE><seq uint64 BE> -> queue.Personal JSON (the personal part that event set)
//	surveys
//	└── <request ID>      -> skm.Answer JSON (the request's satisfaction survey answer: by phone, or a station's survey.answered; the first kept)
//	tracking
//	└── <tracking code, XXXX-XXXX-XXXX> -> request ID (the first request stored with that code; for Track)
//	byday
//	└── <office>\x00<day YYYY-MM-DD>\x00<request ID> -> empty (the requests of an office's day)
//
// A station's events are one key range of events, in sequence order, so
// its history and its high-water mark are one cursor walk; an office's days
// are one key range of byday, so its export and statistics read only the
// requests of those days.

var (
	bMeta     = []byte("meta")
	bStations = []byte("stations")
	bTokens   = []byte("tokens")
	bEvents   = []byte("events")
	bRequests = []byte("requests")
	bCatalog  = []byte("catalog")
	bSupers   = []byte("supervisors")
	bPersonal = []byte("personal")
	bSurveys  = []byte("surveys")
	bTracking = []byte("tracking")
	bByDay    = []byte("byday")

	kSchemaVersion = []byte("schema_version")
)

// ErrNewerSchema is a central database written by a newer version of
// loket-central: refused, never modified.
var ErrNewerSchema = fmt.Errorf("central database was written by a newer version of loket-central")

// migrations are the schema's versions in order; each runs once, in the
// transaction that records its version. Never change one that has shipped:
// add the next.
var migrations = []struct {
	version uint64
	what    string
	run     func(tx *bolt.Tx) error
}{
	{1, "the buckets of the first release (a database made before there was a schema version is at 1 already)", func(tx *bolt.Tx) error {
		for _, b := range [][]byte{bStations, bTokens, bEvents, bRequests, bCatalog, bSupers} {
			if _, err := tx.CreateBucketIfNotExists(b); err != nil {
				return err
			}
		}
		return nil
	}},
	{2, "the personal bucket: the personal part of events, apart from the facts (protocol v2)", func(tx *bolt.Tx) error {
		_, err := tx.CreateBucketIfNotExists(bPersonal)
		return err
	}},
	{3, "protocol v2 form: every event stored in v1 form converted, its personal part moved to the personal bucket", toV2Form},
	{4, "the surveys bucket: one satisfaction survey answer per request (package skm)", func(tx *bolt.Tx) error {
		_, err := tx.CreateBucketIfNotExists(bSurveys)
		return err
	}},
	{5, "the tracking bucket: tracking code to request ID, for the applicant's tracking page, built from the requests stored", buildTracking},
	{6, "the byday index: an office's requests by day", func(tx *bolt.Tx) error {
		idx, err := tx.CreateBucketIfNotExists(bByDay)
		if err != nil {
			return err
		}
		idx.FillPercent = 0.9
		return tx.Bucket(bRequests).ForEach(func(k, v []byte) error {
			var sr storedRequest
			if err := json.Unmarshal(v, &sr); err != nil {
				return fmt.Errorf("request %s does not decode: %w", k, err)
			}
			return idx.Put(dayKey(sr.Office, sr.Request.Day, string(k)), nil)
		})
	}},
}

// buildTracking creates the tracking bucket and indexes every stored
// request's tracking code (ingest keeps it from then on: PutRequest).
func buildTracking(tx *bolt.Tx) error {
	tb, err := tx.CreateBucketIfNotExists(bTracking)
	if err != nil {
		return err
	}
	return tx.Bucket(bRequests).ForEach(func(k, v []byte) error {
		var sr storedRequest
		if err := json.Unmarshal(v, &sr); err != nil {
			return fmt.Errorf("request %s does not decode: %w", k, err)
		}
		return indexTracking(tb, sr.Request)
	})
}

// indexTracking records r's tracking code, unless the code is empty or
// already leads to a request (the first request stored with a code keeps
// it: codes are random, a second one is vanishingly unlikely, and it must
// not take over the first one's page).
func indexTracking(tb *bolt.Bucket, r queue.Request) error {
	if r.TrackingCode == "" || tb.Get([]byte(r.TrackingCode)) != nil {
		return nil
	}
	return tb.Put([]byte(r.TrackingCode), []byte(r.ID))
}

// dayKey is a request's key in the byday index.
func dayKey(office, day, id string) []byte {
	return []byte(office + "\x00" + day + "\x00" + id)
}

// toV2Form converts the events stored by a v1 centre to the form a v2
// centre stores: a request.created or request.identified whose data holds
// the personal part is converted as a v2 centre converts what a v1 counter
// sends (protocol.UpgradeV1: the same bytes, so the same hash, the counter's
// own migrated file gives it), its personal part goes to the personal bucket
// (an identification keeps the request's notes, as ingest does), and every
// request record loses its personal fields. One transaction: the file is
// either converted or not.
func toV2Form(tx *bolt.Tx) error {
	evb, reqb, pb := tx.Bucket(bEvents), tx.Bucket(bRequests), tx.Bucket(bPersonal)
	err := rewrite(evb, func(k, v []byte) ([]byte, error) {
		var se storedEvent
		if err := json.Unmarshal(v, &se); err != nil {
			return nil, fmt.Errorf("event %x does not decode: %w", k, err)
		}
		if !queue.IsV1Event(se.ToStore()) {
			return nil, nil
		}
		up, err := protocol.UpgradeV1(se.Event)
		if err != nil {
			return nil, err
		}
		if p := up.Personal; p != nil {
			if up.Type == queue.EventIdentified {
				var sr storedRequest
				if v := reqb.Get([]byte(up.RequestID)); v != nil && json.Unmarshal(v, &sr) == nil {
					p.Notes = sr.Request.Notes
				}
			}
			data, err := json.Marshal(p)
			if err != nil {
				return nil, err
			}
			if err := pb.Put(append(personalPrefix(up.RequestID), k...), data); err != nil {
				return nil, err
			}
		}
		up.Personal = nil
		se.Event = up
		return json.Marshal(se)
	})
	if err != nil {
		return err
	}
	return rewrite(reqb, func(k, v []byte) ([]byte, error) {
		var sr storedRequest
		if err := json.Unmarshal(v, &sr); err != nil {
			return nil, fmt.Errorf("request %s does not decode: %w", k, err)
		}
		if sr.Request.Anonymous() {
			return nil, nil
		}
		sr.Request = sr.Request.WithoutPersonal()
		return json.Marshal(sr)
	})
}

// rewrite replaces the value of every key of b for which fn returns one
// (nil: left as it is). A cursor must not walk a bucket while it is
// written, so the changes are made a batch of keys at a time and the walk
// resumes after them.
func rewrite(b *bolt.Bucket, fn func(k, v []byte) ([]byte, error)) error {
	type kv struct{ k, v []byte }
	var after []byte
	for {
		var batch []kv
		c := b.Cursor()
		k, v := c.First()
		if after != nil {
			k, v = c.Seek(after)
			if k != nil && bytes.Equal(k, after) {
				k, v = c.Next()
			}
		}
		for ; k != nil && len(batch) < 1024; k, v = c.Next() {
			after = append(after[:0], k...)
			nv, err := fn(k, v)
			if err != nil {
				return err
			}
			if nv != nil {
				batch = append(batch, kv{append([]byte(nil), k...), nv})
			}
		}
		for _, x := range batch {
			if err := b.Put(x.k, x.v); err != nil {
				return err
			}
		}
		if k == nil {
			return nil
		}
	}
}

// SchemaVersion is the schema this build writes.
func SchemaVersion() uint64 { return migrations[len(migrations)-1].version }

// schemaVersion reads the recorded version: 0 for a new file, 1 for one made
// before versions were recorded (it has the buckets of version 1).
func schemaVersion(tx *bolt.Tx) uint64 {
	if m := tx.Bucket(bMeta); m != nil {
		if v := m.Get(kSchemaVersion); len(v) == 8 {
			return binary.BigEndian.Uint64(v)
		}
	}
	if tx.Bucket(bStations) != nil {
		return 1
	}
	return 0
}

// migrate brings the file to SchemaVersion, refusing a newer one untouched.
func migrate(tx *bolt.Tx) error {
	current := schemaVersion(tx)
	if current > SchemaVersion() {
		return fmt.Errorf("schema version %d, this build knows up to %d: %w", current, SchemaVersion(), ErrNewerSchema)
	}
	for _, m := range migrations {
		if m.version <= current {
			continue
		}
		if err := m.run(tx); err != nil {
			return fmt.Errorf("migrate to schema %d (%s): %w", m.version, m.what, err)
		}
	}
	meta, err := tx.CreateBucketIfNotExists(bMeta)
	if err != nil {
		return err
	}
	if current == SchemaVersion() && meta.Get(kSchemaVersion) != nil {
		return nil
	}
	return meta.Put(kSchemaVersion, binary.BigEndian.AppendUint64(nil, SchemaVersion()))
}
