package pgstore

import (
	"errors"

	"github.com/loket-id/loket/queue"
)

// errNotYet: the centre's own retention and compaction on PostgreSQL are
// still to come (the commands refuse them with --db).
var errNotYet = errors.New("not available on PostgreSQL yet")

// Purge is the centre's own retention (central.Keeper).
func (s *Store) Purge(before string, dryRun bool) (queue.Erasure, error) {
	return queue.Erasure{}, errNotYet
}

// ErasedPending counts erasures not yet compacted away (central.Keeper).
func (s *Store) ErasedPending() (uint64, error) { return 0, errNotYet }

// Compact makes erased bytes gone (central.Keeper).
func (s *Store) Compact() (int64, int64, error) { return 0, 0, errNotYet }
