package store

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/oklog/ulid/v2"

	"github.com/loket-id/loket/queue"
)

// Idempotency keys. A command whose answer can be lost (one forwarded to the
// process that owns the database, see package relay) carries a key that
// its client made, a ULID; the client may send the same command again with
// the same key. The first time, the action runs and the key is recorded, in
// the same transaction, with the sequence number of the event it wrote.
// Every later time, nothing runs and the recorded result comes back: the
// request as that event left it.
//
// A key is bound to what it asked for: with the sequence number the store
// records a digest of the action's payload (see payloadDigest: the
// operation, its arguments and the actor), and the same key sent with
// another payload is refused with ErrKeyReused (which matches
// queue.ErrConflict) and changes nothing. So a retry gets the first answer,
// while a key reused by mistake, or by another counter of the office, gets
// neither an action nor somebody else's answer.
//
// Keys live in their own bucket, created by the first keyed action (a
// database that never had one has no bucket): keys -> <key> -> <event seq
// uint64 BE><SHA-256 of the payload, 32 bytes>. A value of 8 bytes (written
// before payloads were recorded, or left by an erasure: see unbindKeys in
// erase.go) binds no payload. Keys are ULIDs, so new
// keys sort after the old ones and share a page; they are kept forever
// (about 80 bytes each).
var bKeys = []byte("keys")

// ErrKeyReused is an idempotency key sent again with another payload than
// the one it was first applied with. It matches queue.ErrConflict.
var ErrKeyReused = fmt.Errorf("%w: idempotency key already used for another action", queue.ErrConflict)

// digestLen is the length of a payload digest (SHA-256).
const digestLen = sha256.Size

// payloadDigest is the SHA-256 of the canonical encoding of a keyed
// action: the JSON of {"op":op,"args":args}. encoding/json writes struct
// fields in their declared order and sorts map keys, so the same call
// always gives the same bytes.
func payloadDigest(op string, args ...any) []byte {
	b, err := json.Marshal(struct {
		Op   string `json:"op"`
		Args []any  `json:"args"`
	}{op, args})
	if err != nil {
		// Only the queue's own types are passed; they always encode.
		panic(fmt.Sprintf("payload digest of %s: %v", op, err))
	}
	sum := sha256.Sum256(b)
	return sum[:]
}

// normalServices is a list of service codes in the form the digest binds:
// trimmed, upper case, sorted, without duplicates or empties.
func normalServices(services []string) []string {
	out := make([]string, 0, len(services))
	seen := map[string]bool{}
	for _, s := range services {
		s = strings.ToUpper(strings.TrimSpace(s))
		if s != "" && !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	sort.Strings(out)
	return out
}

// ValidateKey checks an idempotency key: "" (none) or a ULID.
func ValidateKey(key string) error {
	if key == "" {
		return nil
	}
	if _, err := ulid.ParseStrict(key); err != nil {
		return queue.Invalid("key", fmt.Sprintf("idempotency key %q is not a ULID", key))
	}
	return nil
}

// Once runs fn, which writes events, unless key was applied before. It
// returns the sequence number of the last event fn wrote, or of the event
// recorded with key when fn did not run (again is then true). An empty key
// always runs fn. fn must write at least one event. The key binds no
// payload; OnceFor binds one.
func (tx *Tx) Once(key string, fn func() error) (seq uint64, again bool, err error) {
	return tx.OnceFor(key, nil, fn)
}

// OnceFor is Once with the digest of the action's payload recorded with the
// key: when key was applied before with another digest, nothing runs and
// the error matches ErrKeyReused (and queue.ErrConflict). A nil digest, or
// a key recorded without one, binds nothing.
func (tx *Tx) OnceFor(key string, digest []byte, fn func() error) (seq uint64, again bool, err error) {
	if digest != nil && len(digest) != digestLen {
		return 0, false, fmt.Errorf("payload digest of %d bytes, want %d", len(digest), digestLen)
	}
	if err := ValidateKey(key); err != nil {
		return 0, false, err
	}
	if key == "" {
		if err := fn(); err != nil {
			return 0, false, err
		}
		return tx.LastSeq(), false, nil
	}
	if b := tx.tx.Bucket(bKeys); b != nil {
		if v := b.Get([]byte(key)); v != nil {
			if len(v) != 8 && len(v) != 8+digestLen {
				return 0, false, fmt.Errorf("idempotency key %s has a record of %d bytes: %w", key, len(v), ErrDamaged)
			}
			if len(v) == 8+digestLen && digest != nil && !bytes.Equal(v[8:], digest) {
				return 0, false, fmt.Errorf("idempotency key %s: %w", key, ErrKeyReused)
			}
			return getU64(v[:8]), true, nil
		}
	}
	before := tx.LastSeq()
	if err := fn(); err != nil {
		return 0, false, err
	}
	seq = tx.LastSeq()
	if seq == before {
		return 0, false, fmt.Errorf("keyed action %s wrote no event", key)
	}
	b, err := tx.tx.CreateBucketIfNotExists(bKeys)
	if err != nil {
		return 0, false, fmt.Errorf("record idempotency key: %w", err)
	}
	b.FillPercent = 0.9 // ULIDs: appended in order
	if err := b.Put([]byte(key), append(u64(seq), digest...)); err != nil {
		return 0, false, fmt.Errorf("record idempotency key: %w", err)
	}
	return seq, false, nil
}

// onceRequest runs fn (an action on one request) under key, and returns the
// request as the action left it: fn's result the first time, and the same
// state rebuilt from the recorded event every later time.
func (tx *Tx) onceRequest(key string, digest []byte, fn func() (queue.Request, error)) (queue.Request, bool, error) {
	var r queue.Request
	seq, again, err := tx.OnceFor(key, digest, func() error {
		var err error
		r, err = fn()
		return err
	})
	if err != nil || !again {
		return r, again, err
	}
	r, err = tx.requestAfter(seq)
	return r, true, err
}

// requestAfter rebuilds the request of event seq as that event left it, by
// applying its events up to seq with the queue's rules.
func (tx *Tx) requestAfter(seq uint64) (queue.Request, error) {
	v := tx.eventValue(seq)
	if v == nil {
		return queue.Request{}, fmt.Errorf("event %d recorded with an idempotency key is missing: %w", seq, queue.ErrConflict)
	}
	e, err := tx.decodeEvent(seq, v)
	if err != nil {
		return queue.Request{}, err
	}
	hist, err := tx.History(e.RequestID)
	if err != nil {
		return queue.Request{}, err
	}
	var r queue.Request
	var seqs []uint64
	for _, h := range hist {
		if r, err = queue.Apply(r, h); err != nil {
			return queue.Request{}, fmt.Errorf("rebuild request %s at event %d: %w", e.RequestID, h.Seq, err)
		}
		seqs = append(seqs, h.Seq)
		r.EventSeqs = append([]uint64(nil), seqs...)
		if h.Seq == seq {
			return r, nil
		}
	}
	return queue.Request{}, fmt.Errorf("event %d is not in the history of request %s: %w", seq, e.RequestID, queue.ErrConflict)
}

// RegisterOnce is Register under an idempotency key: the same key registers
// once, and every later call returns that registration (again is true).
func (s *Store) RegisterOnce(ctx context.Context, key string, in queue.NewRequest, by queue.Actor) (r queue.Request, again bool, err error) {
	err = s.Update(ctx, func(tx *Tx) error {
		r, again, err = tx.onceRequest(key, payloadDigest("register", in, by), func() (queue.Request, error) { return tx.Register(in, by) })
		return err
	})
	return r, again, err
}

// ActOnce is Act under an idempotency key: the same key acts once, and every
// later call returns the request as that action left it.
func (s *Store) ActOnce(ctx context.Context, key, ref string, act queue.Action, service string, by queue.Actor) (r queue.Request, again bool, err error) {
	digest := payloadDigest("act", strings.TrimSpace(ref), act, strings.ToUpper(strings.TrimSpace(service)), by)
	err = s.Update(ctx, func(tx *Tx) error {
		r, again, err = tx.onceRequest(key, digest, func() (queue.Request, error) {
			cur, err := tx.Resolve(ref)
			if err != nil {
				return cur, err
			}
			return tx.actOn(cur, act, service, by)
		})
		return err
	})
	return r, again, err
}

// CallNextOnce is CallNext under an idempotency key: the same key calls one
// applicant, and every later call returns that applicant as the call left
// them, instead of calling the next one.
func (s *Store) CallNextOnce(ctx context.Context, key string, services []string, by queue.Actor) (r queue.Request, again bool, err error) {
	digest := payloadDigest("call", normalServices(services), by)
	err = s.Update(ctx, func(tx *Tx) error {
		r, again, err = tx.onceRequest(key, digest, func() (queue.Request, error) {
			next, err := tx.NextWaiting(s.Today(), services)
			if err != nil {
				return next, err
			}
			return tx.Act(next, queue.ActCall, "", by, time.Time{})
		})
		return err
	})
	return r, again, err
}

// ReplaceCatalogOnce is ReplaceCatalog under an idempotency key: the same
// key replaces the catalog once; a later call returns the catalog as it is.
func (s *Store) ReplaceCatalogOnce(ctx context.Context, key string, svcs []queue.Service, by queue.Actor) (out []queue.Service, again bool, err error) {
	digest := payloadDigest("catalog", svcs, by)
	err = s.Update(ctx, func(tx *Tx) error {
		_, again, err = tx.OnceFor(key, digest, func() error {
			_, err := tx.ReplaceCatalog(svcs, by, s.Now())
			return err
		})
		if err != nil {
			return err
		}
		out, err = tx.Services()
		return err
	})
	return out, again, err
}
