package store

import (
	"context"
	"encoding/json"
	"fmt"

	bolt "go.etcd.io/bbolt"

	"github.com/loket-id/loket/queue"
)

// Schema 3: the personal part apart from the facts (queue/personal.go), and
// compact records (codec.go).
//
// A new file gets the personal bucket (migrateV3). A file of schema 2 is
// converted into a new file beside it, which then replaces it (rewrite.go:
// a crash leaves the old file or the new one, never a mix): every event
// converted with queue.UpgradeEvent (deterministic: the central server
// converts a v1 counter's events the same way, so the converted events
// have the same hashes on both sides) and written in the compact form,
// its personal part into the personal bucket under its sequence number;
// every request written in the compact form without its personal part,
// with the refs its events give; the index, the catalog, the keys, the
// hub's buckets and meta copied as they are. Nothing is lost: a request
// whose personal part its events do not give back stops the migration
// (the file is left as it was).

// migrateV3 makes the personal bucket of a new file.
func migrateV3(_ *Store, tx *bolt.Tx, _ []queue.Service) error {
	if _, err := tx.CreateBucketIfNotExists(bPersonal); err != nil {
		return fmt.Errorf("create bucket %s: %w", bPersonal, err)
	}
	return nil
}

// convertV3 converts a file of schema 2 into a file of schema 3 and puts it
// in place.
func (s *Store) convertV3(ctx context.Context) error {
	return s.rewrite(ctx, func(src *bolt.Tx, dst *bolt.DB) error {
		meta := src.Bucket(bMeta)
		own := Identity{StationID: string(meta.Get(kStationID)), Epoch: string(meta.Get(kEpoch))}
		if err := copyAll(ctx, src, dst, map[string]bool{string(bEvents): true, string(bRequests): true}); err != nil {
			return err
		}
		w := newBatchWriter(ctx, dst)
		for _, b := range [][]byte{bEvents, bRequests, bPersonal} {
			if err := w.bucket([][]byte{b}); err != nil {
				return w.finish(err)
			}
		}
		events := src.Bucket(bEvents)
		err := events.ForEach(func(k, v []byte) error {
			e, err := upgradeStored(getU64(k), v, own)
			if err != nil {
				return err
			}
			if e.Personal != nil {
				if err := w.put([][]byte{bPersonal}, k, encodePersonal(*e.Personal)); err != nil {
					return err
				}
			}
			ev, err := encodeEvent(e, own)
			if err != nil {
				return fmt.Errorf("encode event %d: %w", e.Seq, err)
			}
			return w.put([][]byte{bEvents}, k, ev)
		})
		if err == nil {
			err = src.Bucket(bRequests).ForEach(func(k, v []byte) error {
				var r queue.Request
				if err := json.Unmarshal(v, &r); err != nil {
					return fmt.Errorf("decode request %s: %w", k, err)
				}
				var rf refs
				parts := map[uint64]queue.Personal{}
				for _, seq := range r.EventSeqs {
					ev := events.Get(u64(seq))
					if ev == nil {
						return fmt.Errorf("request %s lists event %d, which is missing", k, seq)
					}
					e, err := upgradeStored(seq, ev, own)
					if err != nil {
						return err
					}
					if e.Personal != nil {
						parts[seq] = *e.Personal
					}
					rf = rf.after(e)
				}
				// The personal part the request will read (records.go, join).
				personal := parts[rf.personal]
				if rf.notes != 0 {
					personal.Notes = parts[rf.notes].Notes
				}
				if personal.Name != r.Name || personal.NIK != r.NIK || personal.Phone != r.Phone || personal.Notes != r.Notes {
					return fmt.Errorf("request %s (%s): its personal part is not the one its events give; nothing was converted", k, r.Ticket)
				}
				return w.put([][]byte{bRequests}, k, encodeRequest(r, rf, own.StationID))
			})
		}
		if err == nil {
			var b *bolt.Bucket
			if b, err = w.get([][]byte{bMeta}); err == nil {
				err = b.Put(kSchemaVersion, u64(3))
			}
		}
		return w.finish(err)
	})
}

// upgradeStored decodes an event as schema 2 stored it (JSON, station and
// epoch left out when they were the database's) and converts it to v2.
func upgradeStored(seq uint64, v []byte, own Identity) (queue.Event, error) {
	e, err := decodeStoredEvent(seq, v, own)
	if err != nil {
		return e, fmt.Errorf("decode event %d: %w", seq, err)
	}
	up, err := queue.UpgradeEvent(e)
	if err != nil {
		return e, fmt.Errorf("convert event %d: %w", seq, err)
	}
	return up, nil
}
