package store

import (
	"encoding/json"
	"fmt"

	bolt "go.etcd.io/bbolt"

	"github.com/loket-id/loket/queue"
)

// migrateV2 builds the search keys that schema 2 added to idx for every
// request stored before: the last four NIK digits (l) and the last group
// of the tracking code (g). It reads each request's ID, NIK and tracking
// code only; nothing else changes.
func migrateV2(_ *Store, tx *bolt.Tx, _ []queue.Service) error {
	idx := tx.Bucket(bIdx)
	return tx.Bucket(bRequests).ForEach(func(k, v []byte) error {
		var r struct {
			ID           string `json:"id"`
			NIK          string `json:"nik"`
			TrackingCode string `json:"tracking_code"`
		}
		if err := json.Unmarshal(v, &r); err != nil {
			return fmt.Errorf("decode request %s: %w", k, err)
		}
		var keys [][]byte
		if r.NIK != "" {
			keys = append(keys, nikLastKey(r.NIK, r.ID))
		}
		if k := trackingEndKey(r.TrackingCode, r.ID); k != nil {
			keys = append(keys, k)
		}
		for _, key := range keys {
			if err := idx.Put(key, nil); err != nil {
				return fmt.Errorf("index request %s: %w", r.ID, err)
			}
		}
		return nil
	})
}
