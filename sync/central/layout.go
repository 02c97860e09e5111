package central

import (
	"encoding/binary"
	"fmt"

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
//	└── <OFFICE/STATION>\x00<generation uint32 BE><seq uint64 BE> -> personalRecord JSON (request ID, the personal part of that event)
//
// A station's events are one key range of events, in sequence order, so
// its history and its high-water mark are one cursor walk.

var (
	bMeta     = []byte("meta")
	bStations = []byte("stations")
	bTokens   = []byte("tokens")
	bEvents   = []byte("events")
	bRequests = []byte("requests")
	bCatalog  = []byte("catalog")
	bSupers   = []byte("supervisors")
	bPersonal = []byte("personal")

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
