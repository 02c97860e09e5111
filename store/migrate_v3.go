package store

import (
	"fmt"

	bolt "go.etcd.io/bbolt"

	"github.com/loket-id/loket/queue"
)

// migrateV3 makes the personal bucket.
func migrateV3(_ *Store, tx *bolt.Tx, _ []queue.Service) error {
	if _, err := tx.CreateBucketIfNotExists(bPersonal); err != nil {
		return fmt.Errorf("create bucket %s: %w", bPersonal, err)
	}
	return nil
}
