package store

import (
	"bytes"
	"fmt"

	bolt "go.etcd.io/bbolt"

	"github.com/loket-id/loket/queue"
)

// Schema 4: the journal of recent search keys (journal.go); the waiting
// line's keys led by w instead of q, so that a registration's ticket,
// journal and waiting-line keys are the last three regions of idx (t, u,
// w) and share their branch pages; the personal records beside their
// events in the events bucket (eventlog.go) instead of a bucket of their
// own, so that a registration's event and personal record share a leaf.
//
// A file of schema 3 has no journal (every search key in its place, which
// schema 4 reads as it is); its waiting-line keys are renamed and its
// personal records moved, in the migration's transaction.
func migrateV4(_ *Store, tx *bolt.Tx, _ []queue.Service) error {
	if err := renameWaiting(tx); err != nil {
		return err
	}
	return movePersonal(tx)
}

// movePersonal moves every record of the personal bucket into the events
// bucket, beside its event, and deletes the personal bucket.
func movePersonal(tx *bolt.Tx) error {
	p := tx.Bucket(bPersonal)
	if p == nil {
		return nil
	}
	events := tx.Bucket(bEvents)
	events.FillPercent = 0.9 // as Tx.bucket fills it: its keys append
	if err := p.ForEach(func(k, v []byte) error {
		if len(k) != 8 {
			return fmt.Errorf("personal record %q: its key is not a sequence number", k)
		}
		if err := events.Put(personalKey(getU64(k)), v); err != nil {
			return fmt.Errorf("move the personal record of event %d: %w", getU64(k), err)
		}
		return nil
	}); err != nil {
		return err
	}
	if err := tx.DeleteBucket(bPersonal); err != nil {
		return fmt.Errorf("delete bucket %s: %w", bPersonal, err)
	}
	return nil
}

// renameWaiting renames the waiting line's keys from q to w.
func renameWaiting(tx *bolt.Tx) error {
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
