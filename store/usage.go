package store

import (
	"context"
	"fmt"
	"os"

	bolt "go.etcd.io/bbolt"
)

// Usage is how the database file's bytes are spent: the file's size, and
// for each top-level bucket the bytes of its pages and of the keys and
// values in them (see BENCHMARKS.md, "A smaller store").
type Usage struct {
	FileBytes int64         `json:"file_bytes"`
	FreePages int           `json:"free_pages"`
	PageSize  int           `json:"page_size"`
	Buckets   []BucketUsage `json:"buckets"`
}

// BucketUsage is one bucket's share of the file.
type BucketUsage struct {
	Name      string `json:"name"`
	Keys      int    `json:"keys"`
	PageBytes int    `json:"page_bytes"` // pages allocated (branch, leaf, overflow)
	UsedBytes int    `json:"used_bytes"` // bytes in use in them
}

// Usage reports how the file's bytes are spent.
func (s *Store) Usage(ctx context.Context) (Usage, error) {
	var u Usage
	defer s.shared()()
	fi, err := os.Stat(s.path)
	if err != nil {
		return u, fmt.Errorf("usage of %s: %w", s.path, err)
	}
	u.FileBytes = fi.Size()
	u.PageSize = s.db.Info().PageSize
	u.FreePages = s.db.Stats().FreePageN
	err = s.db.View(func(tx *bolt.Tx) error {
		return tx.ForEach(func(name []byte, b *bolt.Bucket) error {
			if err := ctx.Err(); err != nil {
				return err
			}
			st := b.Stats()
			u.Buckets = append(u.Buckets, BucketUsage{Name: string(name), Keys: st.KeyN,
				PageBytes: st.BranchAlloc + st.LeafAlloc, UsedBytes: st.BranchInuse + st.LeafInuse})
			return nil
		})
	})
	return u, err
}
