package store

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/loket-id/loket/internal/atomicfile"
	"github.com/loket-id/loket/internal/boltcheck"
	"github.com/loket-id/loket/queue"
)

// CheckReport is what Check found.
type CheckReport struct {
	Requests int      `json:"requests"`
	Events   uint64   `json:"events"`
	Problems []string `json:"problems"`
}

// OK reports whether no problem was found.
func (r CheckReport) OK() bool { return len(r.Problems) == 0 }

// DamageMarkSuffix names the file beside the database (loket.db.damaged)
// in which Check records the problems it found. While it exists the store
// refuses every write; a Check that finds nothing removes it.
const DamageMarkSuffix = ".damaged"

// errRollback ends a transaction that must not commit.
var errRollback = errors.New("rollback")

// Check verifies the database: its structure first (boltcheck.Walk, with
// this process's writers held off), then bbolt's own consistency check
// (pages, freelist, key order), then the store's invariants: every request
// decodes and is reachable from each of its index entries, the index holds
// nothing else (so no ticket is used twice on a day), the event log is
// contiguous from 1, and every request's list of events names its own
// events. It never writes to the database. It records its verdict beside
// it: problems go to the damage mark (path + DamageMarkSuffix), which stops
// every write from then on, in this process and in the next to open the
// file; no problems remove the mark.
//
// A broken structure is also returned as an error matching ErrDamaged, and
// bbolt's check is then not run (it would read past what is sound).
func (s *Store) Check(ctx context.Context) (CheckReport, error) {
	var rep CheckReport
	s.swap.RLock()
	defer s.swap.RUnlock()
	err := s.db.Update(func(*bolt.Tx) error {
		if _, err := boltcheck.VerifyHeld(s.path, boltcheck.Walk); err != nil {
			return err
		}
		return errRollback
	})
	if !errors.Is(err, errRollback) {
		if errors.Is(err, ErrDamaged) {
			var be *boltcheck.Error
			if errors.As(err, &be) {
				rep.Problems = append(rep.Problems, "structure: "+be.Problem)
			}
			if merr := s.markDamaged(rep.Problems); merr != nil {
				return rep, errors.Join(err, merr)
			}
		}
		return rep, err
	}
	err = boltcheck.Guard(s.path, func() error {
		return s.db.View(func(btx *bolt.Tx) error {
			for err := range btx.Check() {
				rep.Problems = append(rep.Problems, "bbolt: "+err.Error())
				if ctx.Err() != nil {
					return ctx.Err()
				}
			}
			tx := &Tx{s: s, tx: btx}
			tx.checkInvariants(&rep)
			return ctx.Err()
		})
	})
	if errors.Is(err, ErrDamaged) {
		var be *boltcheck.Error
		if errors.As(err, &be) {
			rep.Problems = append(rep.Problems, be.Problem)
		}
	}
	if err != nil && !errors.Is(err, ErrDamaged) {
		return rep, err // cancelled: no verdict
	}
	if rep.OK() {
		return rep, s.clearDamageMark()
	}
	if merr := s.markDamaged(rep.Problems); merr != nil {
		return rep, errors.Join(err, merr)
	}
	return rep, err
}

// damage is what the last Check found wrong, "" if nothing.
func (s *Store) damage() string {
	s.damagedMu.Lock()
	defer s.damagedMu.Unlock()
	return s.damaged
}

// markDamaged writes the damage mark and stops this store's writes.
func (s *Store) markDamaged(problems []string) error {
	summary := fmt.Sprintf("%d problems, the first: %s", len(problems), problems[0])
	s.damagedMu.Lock()
	s.damaged = summary
	s.damagedMu.Unlock()
	text := fmt.Sprintf("loket check found %s is damaged on %s; writes are refused until a check finds nothing.\n%s\n",
		s.path, s.clock().Format(time.RFC3339), strings.Join(problems, "\n"))
	if err := atomicfile.Write(s.path+DamageMarkSuffix, []byte(text), 0o600); err != nil {
		return fmt.Errorf("record the damage of %s: %w", s.path, err)
	}
	return nil
}

func (s *Store) clearDamageMark() error {
	s.damagedMu.Lock()
	s.damaged = ""
	s.damagedMu.Unlock()
	if err := os.Remove(s.path + DamageMarkSuffix); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("remove the damage mark of %s: %w", s.path, err)
	}
	return nil
}

// readDamageMark is the summary of the damage mark beside path, "" if none.
func readDamageMark(path string) string {
	b, err := os.ReadFile(path + DamageMarkSuffix)
	if errors.Is(err, fs.ErrNotExist) {
		return ""
	}
	if err != nil {
		return fmt.Sprintf("the damage mark %s cannot be read (%v)", path+DamageMarkSuffix, err)
	}
	lines := strings.SplitN(string(b), "\n", 3)
	if len(lines) >= 2 && lines[1] != "" {
		return lines[1] + " (see " + path + DamageMarkSuffix + ")"
	}
	return "see " + path + DamageMarkSuffix
}

// needsNoMigration refuses a file whose schema would have to be migrated
// (written) to be used.
func (s *Store) needsNoMigration() error {
	return s.db.View(func(tx *bolt.Tx) error {
		var v uint64
		if m := tx.Bucket(bMeta); m != nil {
			v = getU64(m.Get(kSchemaVersion))
		}
		if v != SchemaVersion() {
			return fmt.Errorf("%w: schema %d needs a migration, which is not done on a file the last check found problems in (%s)",
				ErrDamaged, v, s.damaged)
		}
		return nil
	})
}

func (tx *Tx) checkInvariants(rep *CheckReport) {
	bad := func(format string, args ...any) {
		if len(rep.Problems) < 100 {
			rep.Problems = append(rep.Problems, fmt.Sprintf(format, args...))
		}
	}
	b := func(name []byte) *bolt.Bucket { return tx.tx.Bucket(name) }
	reqs := map[string]queue.Request{}
	_ = b(bRequests).ForEach(func(k, v []byte) error {
		r, err := tx.decodeJoined(k, v)
		if err != nil {
			bad("request %s does not decode: %v", k, err)
			return nil
		}
		if r.ID != string(k) {
			bad("request stored under %s has id %s", k, r.ID)
		}
		reqs[r.ID] = r
		return nil
	})
	rep.Requests = len(reqs)

	// Every request is reachable from each of its index entries...
	idx := b(bIdx)
	want := map[string]string{} // index key -> the request it must name
	for id, r := range reqs {
		for _, kv := range indexKeys(r) {
			want[string(kv[0])] = id
		}
		if r.Status == queue.StatusWaiting {
			want[string(waitingKey(r))] = id
		}
	}
	for key, id := range want {
		v := idx.Get([]byte(key))
		r := reqs[id]
		switch key[0] {
		case pTicket, pTracking:
			if string(v) != id {
				bad("index entry %c for request %s (%s) names %q", key[0], id, r.Ticket, v)
			}
		case pWaiting:
			if string(v) != r.Service {
				bad("waiting request %s (%s) is missing from the waiting line", id, r.Ticket)
			}
		default:
			if v == nil && !keyExists(idx, []byte(key)) {
				bad("index entry %c for request %s (%s) is missing", key[0], id, r.Ticket)
			}
		}
	}
	// ...and the index has nothing else: no entry for a request that does
	// not exist, no second ticket on a day, no stale waiting entry.
	_ = idx.ForEach(func(k, _ []byte) error {
		if _, ok := want[string(k)]; !ok {
			bad("stray index entry %q", k)
		}
		return nil
	})

	// The event log: contiguous from 1, each event decoding to its own
	// sequence number.
	rep.Events = tx.LastSeq()
	var next uint64 = 1
	_ = b(bEvents).ForEach(func(k, v []byte) error {
		seq := getU64(k)
		if seq != next {
			bad("event log jumps from %d to %d", next-1, seq)
		}
		next = seq + 1
		if e, err := tx.decodeEvent(seq, v); err != nil || e.Seq != seq {
			bad("event %d does not decode or has the wrong sequence", seq)
		}
		return nil
	})
	// The office hub's counters and their token index (counters.go).
	tx.checkCounters(bad)
	// The waiting room's devices and their token index (devices.go).
	tx.checkDevices(bad)
	// Each request's own list of events points to its events.
	events := b(bEvents)
	for id, r := range reqs {
		if len(r.EventSeqs) == 0 {
			bad("request %s (%s) has no events", id, r.Ticket)
		}
		for _, seq := range r.EventSeqs {
			v := events.Get(u64(seq))
			if v == nil {
				bad("request %s (%s) lists event %d, which is not its own", id, r.Ticket, seq)
				continue
			}
			if e, err := tx.decodeEvent(seq, v); err != nil || e.RequestID != id {
				bad("request %s (%s) lists event %d, which is not its own", id, r.Ticket, seq)
			}
		}
	}
}

func keyExists(b *bolt.Bucket, key []byte) bool {
	k, _ := b.Cursor().Seek(key)
	return bytes.Equal(k, key)
}
