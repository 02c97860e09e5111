package store

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Rewriting the whole file: the schema 3 migration converts a file into a
// new one, and Compact copies one after an erasure so that the erased bytes
// are gone (bbolt keeps a freed page's old bytes until it reuses the page).
//
// The new file is written beside the old one (path + RewriteSuffix, fsynced
// with every page full), then the old file is marked replaced (meta key
// replaced, committed), then the new file is renamed over it and the
// directory fsynced, and the store reopens it. A crash before the mark
// leaves the old file, whole (the half-written new one is removed by the
// next rewrite); a crash after it leaves a complete new file, which the
// next Open renames into place. A process that had opened the old file and
// waited for its lock finds the mark and opens the path again, so nobody
// ever writes into a file that was replaced.

// RewriteSuffix names the new file a rewrite builds beside the database.
const RewriteSuffix = ".rewrite"

var kReplaced = []byte("replaced")

// maxReopens bounds Open's retries on a file replaced under it.
const maxReopens = 5

// rewrite builds a new file with fill (reading the current one in src)
// and puts it in place of the current one. The caller holds s.swap.
func (s *Store) rewrite(ctx context.Context, fill func(src *bolt.Tx, dst *bolt.DB) error) error {
	tmp := s.path + RewriteSuffix
	if err := os.Remove(tmp); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("rewrite %s: remove an old %s: %w", s.path, tmp, err)
	}
	dst, err := bolt.Open(tmp, 0o600, &bolt.Options{NoSync: true, Timeout: time.Second})
	if err != nil {
		return fmt.Errorf("rewrite %s: %w", s.path, err)
	}
	// Grow the new file by 1 MB at a time, not bbolt's 16 MB: it is
	// written once, in order, and should end where its pages end.
	dst.AllocSize = 1 << 20
	err = s.db.View(func(src *bolt.Tx) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		return fill(src, dst)
	})
	if err == nil {
		err = dst.Sync()
	}
	if cerr := dst.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = syncFile(tmp)
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("rewrite %s (the file is unchanged): %w", s.path, err)
	}
	// From the mark on, the new file is the database.
	if err := s.db.Update(func(tx *bolt.Tx) error { return tx.Bucket(bMeta).Put(kReplaced, []byte(tmp)) }); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("rewrite %s (the file is unchanged): %w", s.path, err)
	}
	return s.swapIn(tmp)
}

// swapIn renames the complete new file tmp over the database and reopens it.
func (s *Store) swapIn(tmp string) error {
	if err := os.Rename(tmp, s.path); err != nil {
		return fmt.Errorf("put the rewritten %s in place: %w", s.path, err)
	}
	if err := syncDir(filepath.Dir(s.path)); err != nil {
		return fmt.Errorf("put the rewritten %s in place: %w", s.path, err)
	}
	if err := s.db.Close(); err != nil {
		return fmt.Errorf("close the replaced %s: %w", s.path, err)
	}
	db, err := bolt.Open(s.path, 0o600, &bolt.Options{Timeout: DefaultLockTimeout})
	if err != nil {
		return fmt.Errorf("reopen the rewritten %s: %w", s.path, err)
	}
	s.db = db
	return nil
}

// replacedBy reports whether the open file was replaced by a rewrite: it
// carries the mark. A complete new file left by a crash after the mark is
// renamed into place here. The caller then closes and opens the path again.
func (s *Store) replacedBy() (bool, error) {
	var mark []byte
	if err := s.db.View(func(tx *bolt.Tx) error {
		if m := tx.Bucket(bMeta); m != nil {
			mark = m.Get(kReplaced)
		}
		return nil
	}); err != nil || mark == nil {
		return false, err
	}
	tmp := s.path + RewriteSuffix
	if _, err := os.Stat(tmp); err == nil {
		// A crash came between the mark and the rename: finish it.
		if err := os.Rename(tmp, s.path); err != nil {
			return true, fmt.Errorf("put the rewritten %s in place: %w", s.path, err)
		}
		if err := syncDir(filepath.Dir(s.path)); err != nil {
			return true, err
		}
	}
	return true, nil
}

func syncFile(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return err
	}
	err = f.Sync()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	return err
}

// Compact rewrites the file with only the pages in use, full, so that
// nothing deleted (an erased personal part above all) is left in a freed
// page. The store stays open: calls wait while it runs. A year of a busy
// counter takes a few seconds.
func (s *Store) Compact(ctx context.Context) error {
	s.swap.Lock()
	defer s.swap.Unlock()
	return s.compactLocked(ctx)
}

func (s *Store) compactLocked(ctx context.Context) error {
	return s.rewrite(ctx, func(src *bolt.Tx, dst *bolt.DB) error {
		if err := copyAll(ctx, src, dst, nil); err != nil {
			return err
		}
		// The compaction an erasure asked for is this one.
		return dst.Update(func(tx *bolt.Tx) error { return tx.Bucket(bMeta).Delete(kCompactPending) })
	})
}

// copyAll copies every bucket of src into dst (their keys in order, pages
// full), in transactions of about batchBytes; skip names top-level buckets
// to leave out (the caller fills them).
func copyAll(ctx context.Context, src *bolt.Tx, dst *bolt.DB, skip map[string]bool) error {
	w := newBatchWriter(ctx, dst)
	err := src.ForEach(func(name []byte, b *bolt.Bucket) error {
		if skip[string(name)] {
			return nil
		}
		return copyBucket(w, [][]byte{name}, b)
	})
	return w.finish(err)
}

func copyBucket(w *batchWriter, path [][]byte, b *bolt.Bucket) error {
	if err := w.bucket(path); err != nil {
		return err
	}
	return b.ForEach(func(k, v []byte) error {
		if v == nil {
			return copyBucket(w, append(append([][]byte(nil), path...), k), b.Bucket(k))
		}
		return w.put(path, k, v)
	})
}

// batchWriter writes into dst in transactions of about batchBytes each.
type batchWriter struct {
	ctx context.Context
	db  *bolt.DB
	tx  *bolt.Tx
	n   int
}

const batchBytes = 32 << 20

func newBatchWriter(ctx context.Context, db *bolt.DB) *batchWriter {
	return &batchWriter{ctx: ctx, db: db}
}

func (w *batchWriter) begin() error {
	if w.tx != nil {
		return nil
	}
	if err := w.ctx.Err(); err != nil {
		return err
	}
	tx, err := w.db.Begin(true)
	if err != nil {
		return err
	}
	w.tx = tx
	return nil
}

// bucket makes the bucket at path (and its parents).
func (w *batchWriter) bucket(path [][]byte) error {
	_, err := w.get(path)
	return err
}

func (w *batchWriter) get(path [][]byte) (*bolt.Bucket, error) {
	if err := w.begin(); err != nil {
		return nil, err
	}
	b, err := w.tx.CreateBucketIfNotExists(path[0])
	if err != nil {
		return nil, err
	}
	for _, p := range path[1:] {
		if b, err = b.CreateBucketIfNotExists(p); err != nil {
			return nil, err
		}
	}
	b.FillPercent = 1.0 // keys come in order: every page full
	return b, nil
}

func (w *batchWriter) put(path [][]byte, k, v []byte) error {
	b, err := w.get(path)
	if err != nil {
		return err
	}
	if err := b.Put(k, v); err != nil {
		return err
	}
	if w.n += len(k) + len(v) + 16; w.n >= batchBytes {
		w.n = 0
		err := w.tx.Commit()
		w.tx = nil
		return err
	}
	return nil
}

func (w *batchWriter) finish(err error) error {
	if w.tx == nil {
		return err
	}
	if err != nil {
		_ = w.tx.Rollback()
		return err
	}
	err = w.tx.Commit()
	w.tx = nil
	return err
}
