package store

import (
	"bytes"
	"context"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/loket-id/loket/queue"
)

// migration moves the database from version-1 to version. Migrations run in
// order, each in the same transaction that records the new version.
type migration struct {
	version     uint64
	description string
	apply       func(s *Store, tx *bolt.Tx, catalog []queue.Service) error
}

var migrations = []migration{
	{1, "initial layout: buckets, station identity, default catalog", migrateV1},
	{2, "search keys: last four NIK digits, later groups of tracking codes", migrateV2},
	{3, "personal parts apart from the facts (v2), compact records", migrateV3},
	{4, "a journal of recent search keys, the waiting line after the tickets", migrateV4},
	{5, "the journal's own bucket, with today's requests and the events since its merge", migrateV5},
}

// SchemaVersion is the schema this build writes.
func SchemaVersion() uint64 { return migrations[len(migrations)-1].version }

func (s *Store) migrate(catalog []queue.Service) error {
	var current uint64
	if err := s.db.View(func(tx *bolt.Tx) error {
		if m := tx.Bucket(bMeta); m != nil {
			current = getU64(m.Get(kSchemaVersion))
		}
		return nil
	}); err != nil {
		return err
	}
	if current > SchemaVersion() {
		return fmt.Errorf("schema version %d, this build knows up to %d: %w", current, SchemaVersion(), ErrNewerSchema)
	}
	if current == SchemaVersion() {
		return s.finishErasure()
	}
	// A file with data of schema 1 or 2 is brought to schema 2 in place,
	// then converted into a new file (migrate_v3.go), then brought to the
	// current schema in place; a new file is made at the current schema
	// in place.
	// A file of schema 3 is converted into a new file (migrate_v4.go).
	upTo := SchemaVersion()
	switch {
	case current > 0 && current < 3:
		upTo = 2
	case current == 3:
		upTo = 3
	}
	if err := s.applyMigrations(current, upTo, catalog); err != nil {
		return err
	}
	if upTo < 3 {
		if err := s.convertV3(context.Background()); err != nil {
			return fmt.Errorf("migrate to schema 3 (%s): %w", migrations[2].description, err)
		}
	}
	if upTo < 4 {
		if err := s.convertV4(context.Background()); err != nil {
			return fmt.Errorf("migrate to schema 4 (%s): %w", migrations[3].description, err)
		}
		// Then in place, as a file of schema 4.
		return s.applyMigrations(4, SchemaVersion(), catalog)
	}
	return nil
}

// applyMigrations runs the migrations after current up to upTo, in one
// transaction.
func (s *Store) applyMigrations(current, upTo uint64, catalog []queue.Service) error {
	return s.db.Update(func(tx *bolt.Tx) error {
		for _, m := range migrations {
			if m.version <= current || m.version > upTo {
				continue
			}
			if err := m.apply(s, tx, catalog); err != nil {
				return fmt.Errorf("migrate to schema %d (%s): %w", m.version, m.description, err)
			}
			meta, err := tx.CreateBucketIfNotExists(bMeta)
			if err != nil {
				return err
			}
			if err := meta.Put(kSchemaVersion, u64(m.version)); err != nil {
				return err
			}
		}
		return nil
	})
}

// requiredBuckets are the buckets of the current schema; Open refuses a
// file that lacks one.
var requiredBuckets = [][]byte{bMeta, bServices, bRequests, bEvents, bIdx, bJournal}

func migrateV1(s *Store, tx *bolt.Tx, catalog []queue.Service) error {
	for _, b := range requiredBuckets {
		if _, err := tx.CreateBucketIfNotExists(b); err != nil {
			return fmt.Errorf("create bucket %s: %w", b, err)
		}
	}
	meta := tx.Bucket(bMeta)
	if meta.Get(kStationID) == nil {
		for _, kv := range [][2]string{
			{string(kStationID), s.randomHex(16)},
			{string(kEpoch), s.randomHex(16)},
			{string(kCreatedAt), s.clock().UTC().Format(time.RFC3339Nano)},
		} {
			if err := meta.Put([]byte(kv[0]), []byte(kv[1])); err != nil {
				return err
			}
		}
	}
	if catalog == nil {
		catalog = queue.DefaultCatalog()
	}
	if err := queue.ValidateCatalog(catalog); err != nil {
		return err
	}
	sb := tx.Bucket(bServices)
	for _, svc := range catalog {
		if err := putJSON(sb, []byte(svc.Code), svc); err != nil {
			return err
		}
	}
	return nil
}

// migrateV5 gives the journal a bucket of its own (journal.go): the
// journal entries of schema 4 (<id>j, beside their requests in requests)
// move there with their requests; the events stay where they are (the
// journal's then holds none, so the event log stays in order), and the
// meta key journal_from goes (the journal's bucket is the journal).
func migrateV5(_ *Store, tx *bolt.Tx, _ []queue.Service) error {
	j, err := tx.CreateBucketIfNotExists(bJournal)
	if err != nil {
		return err
	}
	meta, requests := tx.Bucket(bMeta), tx.Bucket(bRequests) // a new file's made by migrateV1
	start := meta.Get(kJournalFrom)
	if start == nil { // no journal entry
		return nil
	}
	var move [][]byte
	c := requests.Cursor()
	for k, _ := c.Seek(start); k != nil; k, _ = c.Next() {
		if isJournalKey(k) {
			move = append(move, bytes.Clone(k[:26]), bytes.Clone(k))
		}
	}
	for _, k := range move {
		v := requests.Get(k)
		if v == nil {
			return fmt.Errorf("journal entry of request %s, which does not exist", k[:26])
		}
		if err := j.Put(k, bytes.Clone(v)); err != nil {
			return err
		}
	}
	for _, k := range move {
		if err := requests.Delete(k); err != nil {
			return err
		}
	}
	return meta.Delete(kJournalFrom)
}
