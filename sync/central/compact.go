package central

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/loket-id/loket/queue"
)

// Erased means gone from the file. bbolt keeps the old bytes of the pages a
// transaction frees until it reuses them, so a personal part deleted from
// the personal bucket may still be read from the raw file. Compact rewrites
// the file with only what is live (bbolt's Compact into central.db.compact,
// fsynced, renamed over central.db, reopened): after it, nothing erased is
// in the file. It holds every transaction off while it runs (seconds for a
// small centre, minutes for a province), so the server runs it at night
// (Server.CompactAt), and only when something was erased since the last
// one: ErasePersonal counts erasures in meta (kErasedPending).
//
// A crash during Compact leaves central.db as it was (the rename is the
// last step) and a stray central.db.compact, removed by the next Compact.

var kErasedPending = []byte("erased_pending")

// notePending counts erasures not yet compacted away.
func notePending(tx *bolt.Tx, n uint64) error {
	m := tx.Bucket(bMeta)
	var cur uint64
	if v := m.Get(kErasedPending); len(v) == 8 {
		cur = binary.BigEndian.Uint64(v)
	}
	return m.Put(kErasedPending, binary.BigEndian.AppendUint64(nil, cur+n))
}

// ErasedPending is the number of erasures since the last compaction.
func (s *BoltStorage) ErasedPending() (uint64, error) {
	var n uint64
	err := s.view(func(tx *bolt.Tx) error {
		if v := tx.Bucket(bMeta).Get(kErasedPending); len(v) == 8 {
			n = binary.BigEndian.Uint64(v)
		}
		return nil
	})
	return n, err
}

// Compact rewrites the file with only its live data (see above) and
// reports its size before and after.
func (s *BoltStorage) Compact() (before, after int64, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if fi, err := os.Stat(s.path); err == nil {
		before = fi.Size()
	}
	tmp := s.path + ".compact"
	_ = os.Remove(tmp)
	dst, err := bolt.Open(tmp, 0o600, &bolt.Options{Timeout: time.Second})
	if err != nil {
		return before, 0, fmt.Errorf("compact %s: %w", s.path, err)
	}
	err = bolt.Compact(dst, s.db, 64<<20)
	if err == nil {
		err = dst.Update(func(tx *bolt.Tx) error { return tx.Bucket(bMeta).Delete(kErasedPending) })
	}
	if cerr := dst.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		_ = os.Remove(tmp)
		return before, 0, fmt.Errorf("compact %s: %w", s.path, err)
	}
	if err := s.db.Close(); err != nil {
		return before, 0, fmt.Errorf("compact %s: close: %w", s.path, err)
	}
	renameErr := os.Rename(tmp, s.path)
	if renameErr == nil {
		if d, err := os.Open(filepath.Dir(s.path)); err == nil {
			_ = d.Sync()
			d.Close()
		}
	}
	// Reopen whatever is there now: the compacted file, or the old one if
	// the rename failed.
	db, err := bolt.Open(s.path, 0o600, &bolt.Options{Timeout: time.Second})
	if err != nil {
		return before, 0, fmt.Errorf("compact %s: reopen: %w", s.path, err)
	}
	s.db = db
	if renameErr != nil {
		_ = os.Remove(tmp)
		return before, 0, fmt.Errorf("compact %s: %w", s.path, renameErr)
	}
	if fi, err := os.Stat(s.path); err == nil {
		after = fi.Size()
	}
	return before, after, nil
}

// Purge erases at the centre the personal part of every request closed
// (done, no-show or cancelled) on a day before before (YYYY-MM-DD, the
// request's own offset) and not erased yet, whatever its counter still
// holds: the centre's own retention. The facts and every event stay; a
// counter's later resend of an event is a duplicate and brings nothing
// back. Then the file is compacted, so the erased bytes are gone. dryRun
// lists what it would erase and writes nothing.
func (s *BoltStorage) Purge(before string, dryRun bool) (queue.Erasure, error) {
	if _, err := time.Parse(time.DateOnly, before); err != nil {
		return queue.Erasure{}, queue.Invalid("before", fmt.Sprintf("%q is not a date (YYYY-MM-DD)", before))
	}
	out := queue.Erasure{DryRun: dryRun, Requests: []queue.ErasedRequest{}}
	write := s.update
	if dryRun {
		write = s.view
	}
	err := write(func(tx *bolt.Tx) error {
		out.Requests = out.Requests[:0]
		reqb := tx.Bucket(bRequests)
		in := &boltIngest{tx: tx, requests: reqb}
		type change struct {
			k  []byte
			sr storedRequest
		}
		var changes []change
		if err := reqb.ForEach(func(k, v []byte) error {
			var sr storedRequest
			if err := json.Unmarshal(v, &sr); err != nil {
				return s.damaged(fmt.Sprintf("request %s does not decode", k), err)
			}
			r := sr.Request
			if r.Erased || !r.Status.Final() || r.ClosedAt == nil || r.ClosedAt.Format(time.DateOnly) >= before {
				return nil
			}
			if full, err := withPersonal(tx, r); err != nil || full.Anonymous() {
				return err
			}
			out.Requests = append(out.Requests, queue.ErasedRequest{ID: r.ID, Ticket: r.Ticket, Day: r.Day, TrackingCode: r.TrackingCode})
			sr.Request.Erased = true
			changes = append(changes, change{append([]byte(nil), k...), sr})
			return nil
		}); err != nil {
			return err
		}
		if dryRun {
			return nil
		}
		for _, c := range changes {
			if err := in.ErasePersonal(c.sr.Request.ID); err != nil {
				return err
			}
			if err := putJSON(reqb, c.k, c.sr); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil || dryRun || len(out.Requests) == 0 {
		return out, err
	}
	_, _, err = s.Compact()
	return out, err
}
