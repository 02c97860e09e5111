package store

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"hash/maphash"
	"io/fs"
	"os"
	"slices"
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

// checkInvariants checks the store's invariants in a few passes over the
// buckets, in memory that grows by 16 bytes per index entry only (five
// years of a busy counter: about 50 MB), never holding the requests:
//
//   - every request decodes, under its own ID, and lists its events, each
//     of which is an event of that request;
//   - the index holds exactly the entries the requests make (each request's
//     entries, hashed with their values, sorted, merged with the index's own,
//     hashed the same way: an entry missing or stray is then named in a
//     second pass);
//   - the event log is contiguous from 1 and every event decodes;
//   - every personal record belongs to an event that sets one, and every
//     request's personal part is there.
func (tx *Tx) checkInvariants(rep *CheckReport) {
	bad := func(format string, args ...any) {
		if len(rep.Problems) < 100 {
			rep.Problems = append(rep.Problems, fmt.Sprintf(format, args...))
		}
	}
	b := func(name []byte) *bolt.Bucket { return tx.tx.Bucket(name) }
	events, personal, idx := b(bEvents), b(bPersonal), b(bIdx)
	seed := maphash.MakeSeed()
	entryHash := func(k, v []byte) uint64 {
		var h maphash.Hash
		h.SetSeed(seed)
		h.Write(k)
		h.WriteByte(0)
		h.Write(v)
		return h.Sum64()
	}
	// Pass 1: the requests and their personal parts; the index entries
	// they make and the events they list, hashed.
	type owned struct{ seq, owner uint64 }
	var want []uint64
	var listed []owned
	pc := personal.Cursor() // one cursor for the lookups: bbolt's Get makes one each time
	personalAt := func(seq uint64) ([]byte, bool) {
		k, v := pc.Seek(u64(seq))
		return v, k != nil && getU64(k) == seq
	}
	_ = b(bRequests).ForEach(func(k, v []byte) error {
		rep.Requests++
		r, rf, err := decodeRequest(k, v, tx.ident().StationID)
		if err != nil {
			bad("request %s does not decode: %v", k, err)
			return nil
		}
		var p queue.Personal
		for i, seq := range []uint64{rf.personal, rf.notes} {
			if seq == 0 {
				continue
			}
			pv, ok := personalAt(seq)
			if !ok {
				bad("request %s (%s) reads its personal part from event %d, which has none", k, r.Ticket, seq)
				continue
			}
			q, err := decodePersonal(pv)
			if err != nil {
				bad("personal record of event %d does not decode: %v", seq, err)
				continue
			}
			if i == 0 {
				p = q
			} else {
				p.Notes = q.Notes
			}
		}
		r = r.WithPersonal(p)
		for _, kv := range tx.expectedIndex(r) {
			want = append(want, entryHash(kv[0], kv[1]))
		}
		if len(r.EventSeqs) == 0 {
			bad("request %s (%s) has no events", k, r.Ticket)
		}
		owner := entryHash(k, nil)
		for _, seq := range r.EventSeqs {
			listed = append(listed, owned{seq, owner})
		}
		return nil
	})
	// Pass 2: the index, merged with what the requests make.
	have := make([]uint64, 0, len(want))
	_ = idx.ForEach(func(k, v []byte) error {
		have = append(have, entryHash(k, v))
		return nil
	})
	slices.Sort(want)
	slices.Sort(have)
	missing, stray := map[uint64]bool{}, map[uint64]bool{}
	for i, j := 0, 0; i < len(want) || j < len(have); {
		switch {
		case j == len(have) || i < len(want) && want[i] < have[j]:
			if len(missing) < 100 {
				missing[want[i]] = true
			}
			i++
		case i == len(want) || have[j] < want[i]:
			if len(stray) < 100 {
				stray[have[j]] = true
			}
			j++
		default:
			i++
			j++
		}
	}
	if len(stray) > 0 {
		_ = idx.ForEach(func(k, v []byte) error {
			if stray[entryHash(k, v)] {
				bad("stray index entry %q", k)
			}
			return nil
		})
	}
	if len(missing) > 0 {
		_ = b(bRequests).ForEach(func(k, v []byte) error {
			r, err := tx.decodeJoined(k, v)
			if err != nil {
				return nil
			}
			for _, kv := range tx.expectedIndex(r) {
				if missing[entryHash(kv[0], kv[1])] {
					switch kv[0][0] {
					case pWaiting:
						bad("waiting request %s (%s) is missing from the waiting line", k, r.Ticket)
					default:
						bad("index entry %c for request %s (%s) is missing or names %q", kv[0][0], k, r.Ticket, idx.Get(kv[0]))
					}
				}
			}
			return nil
		})
	}

	// Pass 3: the event log, contiguous from 1, each event decoding, merged
	// with the events the requests list (by sequence): each is its
	// request's own.
	slices.SortFunc(listed, func(a, b owned) int { return cmp.Compare(a.seq, b.seq) })
	rep.Events = tx.LastSeq()
	var next uint64 = 1
	li := 0
	_ = events.ForEach(func(k, v []byte) error {
		seq := getU64(k)
		if seq != next {
			bad("event log jumps from %d to %d", next-1, seq)
		}
		next = seq + 1
		for ; li < len(listed) && listed[li].seq < seq; li++ {
			bad("a request lists event %d, which does not exist", listed[li].seq)
		}
		e, err := eventHead(seq, v, tx.ident())
		if err != nil {
			bad("event %d does not decode: %v", seq, err)
		}
		for ; li < len(listed) && listed[li].seq == seq; li++ {
			if err == nil && entryHash([]byte(e.RequestID), nil) != listed[li].owner {
				bad("a request lists event %d, which is not its own (it is request %s's)", seq, e.RequestID)
			}
		}
		return nil
	})
	for ; li < len(listed); li++ {
		bad("a request lists event %d, which does not exist", listed[li].seq)
	}
	// Pass 4: every personal record is an event's that sets one.
	_ = personal.ForEach(func(k, v []byte) error {
		seq := getU64(k)
		if _, err := decodePersonal(v); err != nil {
			bad("personal record of event %d does not decode: %v", seq, err)
			return nil
		}
		ev := events.Get(k)
		if ev == nil {
			bad("personal record of event %d, which does not exist", seq)
			return nil
		}
		if e, err := eventHead(seq, ev, tx.ident()); err == nil && e.Type != queue.EventCreated && e.Type != queue.EventIdentified && e.Type != queue.EventSurveyed {
			bad("personal record of event %d, a %s", seq, e.Type)
		}
		return nil
	})
	// The office hub's counters and their token index (counters.go).
	tx.checkCounters(bad)
	// The waiting room's devices and their token index (devices.go).
	tx.checkDevices(bad)
}

// expectedIndex is every index entry (key, value) request r makes.
func (tx *Tx) expectedIndex(r queue.Request) [][2][]byte {
	keys := indexKeys(r)
	if r.Status == queue.StatusWaiting {
		keys = append(keys, [2][]byte{waitingKey(r), []byte(r.Service)})
	}
	return keys
}
