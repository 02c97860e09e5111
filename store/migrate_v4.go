package store

import (
	"bytes"
	"context"
	"fmt"

	bolt "go.etcd.io/bbolt"

	"github.com/loket-id/loket/queue"
)

// Schema 4: the journal of recent index keys beside the requests
// (journal.go); the waiting line's keys led by w instead of q (the
// index's last region: where, before the journal took them, a
// registration's ticket and waiting keys shared their branch pages); the
// personal records beside their events in the events bucket (eventlog.go)
// instead of a bucket of their own, so that a registration's event and
// personal record share a leaf.
//
// A file of schema 3 has no journal (every search key in its place, which
// schema 4 reads as it is); its waiting-line keys are renamed and its
// personal records moved: in a new file (convertV4) when it holds data, in
// the migration's transaction (migrateV4) when it is being made.
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

// convertV4 converts a file of schema 3 into a file of schema 4 beside it,
// which then replaces it (rewrite.go: a crash leaves the old file or the
// new one, never a mix), so that a large file is not rewritten in one
// transaction held in memory: every bucket copied as it is but events
// (the personal records put beside their events), personal (gone) and idx
// (the waiting line's keys renamed from q to w, written after the others,
// where w sorts).
func (s *Store) convertV4(ctx context.Context) error {
	return s.rewrite(ctx, func(src *bolt.Tx, dst *bolt.DB) error {
		skip := map[string]bool{string(bEvents): true, string(bPersonal): true, string(bIdx): true}
		if err := copyAll(ctx, src, dst, skip); err != nil {
			return err
		}
		w := newBatchWriter(ctx, dst)
		for _, b := range [][]byte{bEvents, bIdx} {
			if err := w.bucket([][]byte{b}); err != nil {
				return w.finish(err)
			}
		}
		// The events and the personal records, merged in key order: event
		// seq, then its personal record (seq and p), then event seq+1.
		ec := src.Bucket(bEvents).Cursor()
		var pc *bolt.Cursor
		if p := src.Bucket(bPersonal); p != nil {
			pc = p.Cursor()
		}
		ek, ev := ec.First()
		var pk, pv []byte
		if pc != nil {
			pk, pv = pc.First()
		}
		var err error
		for err == nil && (ek != nil || pk != nil) {
			if pk != nil && (ek == nil || bytes.Compare(personalKey(getU64(pk)), ek) < 0) {
				err = w.put([][]byte{bEvents}, personalKey(getU64(pk)), pv)
				pk, pv = pc.Next()
				continue
			}
			err = w.put([][]byte{bEvents}, ek, ev)
			ek, ev = ec.Next()
		}
		// The index: every key but the waiting line's as it is, then those
		// renamed (w sorts after every other prefix).
		const oldWaiting = 'q'
		idx := src.Bucket(bIdx)
		for pass := range 2 {
			c := idx.Cursor()
			for k, v := c.First(); err == nil && k != nil; k, v = c.Next() {
				switch {
				case pass == 0 && k[0] != oldWaiting:
					err = w.put([][]byte{bIdx}, k, v)
				case pass == 1 && k[0] == oldWaiting:
					err = w.put([][]byte{bIdx}, append([]byte{pWaiting}, k[1:]...), v)
				}
			}
		}
		if err == nil {
			var b *bolt.Bucket
			if b, err = w.get([][]byte{bMeta}); err == nil {
				err = b.Put(kSchemaVersion, u64(4))
			}
		}
		return w.finish(err)
	})
}
