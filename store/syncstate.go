package store

import (
	"context"
	"fmt"
	"time"

	"github.com/loket-id/loket/queue"
)

// Sync bookkeeping in meta. It is not part of the event log: it records
// what the central server has acknowledged, not a change to the queue.
var (
	kSyncAcked      = []byte("sync_acked")
	kSyncAt         = []byte("sync_at")
	kCatalogVersion = []byte("catalog_version")
)

// SyncState is what the station knows of its sync.
type SyncState struct {
	Acked    uint64    `json:"acked"`     // the highest event the server acknowledged
	LastSeq  uint64    `json:"last_seq"`  // the newest event here
	LastSync time.Time `json:"last_sync"` // the last successful sync
	Catalog  int       `json:"catalog_version"`
}

// Pending is the number of events not yet acknowledged.
func (s SyncState) Pending() uint64 {
	if s.LastSeq < s.Acked {
		return 0
	}
	return s.LastSeq - s.Acked
}

// SyncState reads the sync bookkeeping.
func (tx *Tx) SyncState() SyncState {
	m := tx.tx.Bucket(bMeta)
	st := SyncState{Acked: getU64(m.Get(kSyncAcked)), LastSeq: tx.LastSeq(), Catalog: int(getU64(m.Get(kCatalogVersion)))}
	st.LastSync, _ = time.Parse(time.RFC3339Nano, string(m.Get(kSyncAt)))
	return st
}

// SetSynced records that the server holds every event up to acked.
// Acknowledged events stay in the log (they are the station's history, and
// a server restored from a backup gets them again); see the sync protocol
// on retention.
func (tx *Tx) SetSynced(acked uint64, at time.Time) error {
	m := tx.tx.Bucket(bMeta)
	if err := m.Put(kSyncAcked, u64(acked)); err != nil {
		return err
	}
	return m.Put(kSyncAt, []byte(at.UTC().Format(time.RFC3339Nano)))
}

// AdoptCatalog replaces the catalog with the central office's version, if
// it is newer than the one adopted last; it reports whether it did.
func (tx *Tx) AdoptCatalog(version int, svcs []queue.Service, by queue.Actor, at time.Time) (bool, error) {
	m := tx.tx.Bucket(bMeta)
	if version <= int(getU64(m.Get(kCatalogVersion))) {
		return false, nil
	}
	if _, err := tx.ReplaceCatalog(svcs, by, at); err != nil {
		return false, fmt.Errorf("adopt catalog version %d: %w", version, err)
	}
	return true, m.Put(kCatalogVersion, u64(uint64(version)))
}

// SyncState reads the sync bookkeeping.
func (s *Store) SyncState(ctx context.Context) (SyncState, error) {
	var st SyncState
	err := s.View(ctx, func(tx *Tx) error {
		st = tx.SyncState()
		return nil
	})
	return st, err
}
