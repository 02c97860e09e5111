package store

import (
	"bytes"
	"fmt"

	bolt "go.etcd.io/bbolt"

	"github.com/loket-id/loket/queue"
)

// Schema 4: the journal of recent search keys (journal.go), and the
// waiting line's keys led by w instead of q, so that a registration's
// ticket, journal and waiting-line keys are the last three regions of idx
// (t, u, w) and share their branch pages.
//
// A file of schema 3 has no journal (every search key in its place, which
// schema 4 reads as it is); its waiting-line keys are renamed, in the
// migration's transaction.
func migrateV4(_ *Store, tx *bolt.Tx, _ []queue.Service) error {
	const oldWaiting = 'q'
	idx := tx.Bucket(bIdx)
	var keys, values [][]byte
	c := idx.Cursor()
	for k, v := c.Seek([]byte{oldWaiting}); k != nil && k[0] == oldWaiting; k, v = c.Next() {
		keys, values = append(keys, bytes.Clone(k)), append(values, bytes.Clone(v))
	}
	for i, k := range keys {
		if err := idx.Delete(k); err != nil {
			return fmt.Errorf("rename waiting key %q: %w", k, err)
		}
		nk := append([]byte{pWaiting}, k[1:]...)
		if err := idx.Put(nk, values[i]); err != nil {
			return fmt.Errorf("rename waiting key %q: %w", k, err)
		}
	}
	return nil
}
