// Package protocol is the wire format of station-to-central sync, version 2
// (and the version 1 it still accepts).
// The protocol is described in ../PROTOCOL.md; this package is its one
// definition in code, used by the station's client and the central server.
package protocol

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/loket-id/loket/queue"
)

// Version is the protocol version, in every path (/v2/...). The central
// server still takes version 1 at /v1/... from counters not yet upgraded:
// their events are converted to v2 form on arrival (UpgradeV1).
const Version = 2

// Prefix is the path prefix of this version, and PrefixV1 of version 1.
const (
	Prefix   = "/v2"
	PrefixV1 = "/v1"
)

// Limits of one POST /v1/sync/events.
const (
	MaxBatchEvents = 500
	MaxBodyBytes   = 1 << 20 // as sent (compressed or not)
	MaxInflated    = 4 << 20 // after gzip
)

// Event is one station event on the wire.
type Event struct {
	Station   string          `json:"station"`
	Epoch     string          `json:"epoch"`
	Seq       uint64          `json:"seq"`
	ID        string          `json:"id"`
	Type      string          `json:"type"`
	RequestID string          `json:"request_id,omitempty"`
	At        time.Time       `json:"at"`
	Counter   string          `json:"counter,omitempty"`
	Clerk     string          `json:"clerk,omitempty"`
	Data      json.RawMessage `json:"data,omitempty"`
	Hash      string          `json:"hash"`
	// Personal is the personal part a request.created or
	// request.identified event sets (v2 only; absent once erased). The hash
	// does not cover it: Data carries its keyed digest (queue.Personal).
	Personal *queue.Personal `json:"personal,omitempty"`
}

// Batch is the body of POST /v1/sync/events.
type Batch struct {
	Events []Event `json:"events"`
}

// State is the answer of GET /v1/sync/state and of a successful push.
type State struct {
	Station   string `json:"station"`    // the central station code, OFFICE/STATION
	StationID string `json:"station_id"` // the bound database's station ID ("" before the first push)
	Epoch     string `json:"epoch"`      // the bound database's epoch ("" before the first push)
	HighWater uint64 `json:"high_water"` // the highest sequence stored, contiguous from 1
	Received  int    `json:"received,omitempty"`
	Duplicate int    `json:"duplicate,omitempty"`
}

// Catalog is the answer of GET /v1/catalog.
type Catalog struct {
	Version  int             `json:"version"`
	Services []queue.Service `json:"services"`
}

// Error is every error answer's body.
type Error struct {
	Code     string `json:"error"`
	Message  string `json:"message"`
	Expected uint64 `json:"expected,omitempty"` // for "gap": the sequence the server wants next
}

// Error codes.
const (
	CodeBadRequest    = "bad_request"    // 400: malformed JSON or an invalid event
	CodeUnauthorized  = "unauthorized"   // 401: no, unknown or revoked token
	CodeForbidden     = "forbidden"      // 403: an event of another station
	CodeTooLarge      = "too_large"      // 413
	CodeRateLimited   = "rate_limited"   // 429, with Retry-After
	CodeGap           = "gap"            // 409: a sequence above high-water + 1
	CodeConflict      = "conflict"       // 409: a stored sequence with another hash
	CodeEpochMismatch = "epoch_mismatch" // 409: another database uses this token
	CodeInternal      = "internal"       // 500: the server's own fault
	CodeNoCatalog     = "no_catalog"     // 404: nothing published yet
	CodeNotFound      = "not_found"      // 404: no such endpoint
)

// The bounds of a request's arrival time. A station's clock may be wrong
// (a day off, or in the year 2000 after a dead clock battery) and its
// requests are still taken; an arrival before the year 2000 (in the
// station's own offset) or more than MaxAhead after the server's clock
// cannot be a counter's and is refused.
const (
	EarliestYear = 2000
	MaxAhead     = 48 * time.Hour
)

// CheckArrival checks an arrival time against the bounds, now being the
// server's clock when the request arrived there.
func CheckArrival(at, now time.Time) error {
	if at.Year() < EarliestYear {
		return fmt.Errorf("arrival %s is before the year %d: %w", at.Format(time.RFC3339), EarliestYear, ErrInvalid)
	}
	if at.After(now.Add(MaxAhead)) {
		return fmt.Errorf("arrival %s is more than %s ahead of the server's clock: %w", at.Format(time.RFC3339), MaxAhead, ErrInvalid)
	}
	return nil
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

// Hash is the hash of an event's content: SHA-256 over every field but the
// hash itself, each length-prefixed, the data as its exact bytes.
func Hash(e Event) string {
	h := sha256.New()
	var n [8]byte
	put := func(b []byte) {
		binary.BigEndian.PutUint64(n[:], uint64(len(b)))
		h.Write(n[:])
		h.Write(b)
	}
	binary.BigEndian.PutUint64(n[:], e.Seq)
	for _, s := range []string{e.Station, e.Epoch, string(n[:]), e.ID, e.Type, e.RequestID,
		e.At.UTC().Format(time.RFC3339Nano), e.Counter, e.Clerk} {
		put([]byte(s))
	}
	put(e.Data)
	return hex.EncodeToString(h.Sum(nil))
}

// FromStore is a store event as sent, hash included.
func FromStore(se queue.Event) Event {
	e := Event{Station: se.Station, Epoch: se.Epoch, Seq: se.Seq, ID: se.ID, Type: se.Type, RequestID: se.RequestID,
		At: se.At, Counter: se.Counter, Clerk: se.Clerk, Data: se.Data, Personal: se.Personal}
	e.Hash = Hash(e)
	return e
}

// ToStore is the store event of e.
func (e Event) ToStore() queue.Event {
	return queue.Event{Seq: e.Seq, ID: e.ID, Type: e.Type, RequestID: e.RequestID, At: e.At, Station: e.Station,
		Epoch: e.Epoch, Counter: e.Counter, Clerk: e.Clerk, Data: e.Data, Personal: e.Personal}
}

// Outgoing is a station's event as version 2 sends it: an event its file
// still holds in v1 form is converted (queue.UpgradeEvent) as the file's
// migration would, so the hash is the same either way.
func Outgoing(se queue.Event) (Event, error) {
	up, err := queue.UpgradeEvent(se)
	if err != nil {
		return Event{}, fmt.Errorf("event %d: %w", se.Seq, err)
	}
	return FromStore(up), nil
}

// UpgradeV1 converts a version-1 event, already validated with its v1 hash,
// to its v2 form (an event already in v2 form is left as it is) (queue.UpgradeEvent) with the v2 form's hash. The
// conversion is deterministic, so the hash is the one the counter's own
// migrated file gives the same event.
func UpgradeV1(e Event) (Event, error) {
	if !queue.IsV1Event(e.ToStore()) {
		return e, nil // nothing to convert: what v2 would send
	}
	if e.Personal != nil {
		return e, fmt.Errorf("event %d: a version 1 event has no personal part beside it: %w", e.Seq, ErrInvalid)
	}
	se, err := queue.UpgradeEvent(e.ToStore())
	if err != nil {
		return e, fmt.Errorf("event %d: %v: %w", e.Seq, err, ErrInvalid)
	}
	return FromStore(se), nil
}

// knownTypes are the event types of the queue's rules (queue.EventTypes).
var knownTypes = func() map[string]bool {
	m := map[string]bool{}
	for _, t := range queue.EventTypes() {
		m[t] = true
	}
	return m
}()

// ErrInvalid marks an event that cannot be accepted as sent.
var ErrInvalid = errors.New("invalid event")

// Validate checks one event's form and hash (not its place in the log).
func (e Event) Validate() error {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("event %d: %s: %w", e.Seq, fmt.Sprintf(format, args...), ErrInvalid)
	}
	switch {
	case e.Seq == 0:
		return bad("seq must be 1 or more")
	case len(e.Station) != 32 || !isHex(e.Station):
		return bad("station must be 32 hex digits")
	case len(e.Epoch) != 32 || !isHex(e.Epoch):
		return bad("epoch must be 32 hex digits")
	case !knownTypes[e.Type]:
		return bad("unknown type %q", e.Type)
	case e.Type != queue.EventCatalog && !queue.LooksLikeID(e.RequestID):
		return bad("request_id %q is not a request ID", e.RequestID)
	case e.At.IsZero():
		return bad("at is missing")
	case len(e.Data) > 0 && !json.Valid(e.Data):
		return bad("data is not JSON")
	case Hash(e) != e.Hash:
		return bad("hash does not match the event")
	case e.Personal != nil && e.Type != queue.EventCreated && e.Type != queue.EventIdentified && e.Type != queue.EventSurveyed:
		return bad("a %s event carries no personal part", e.Type)
	}
	return nil
}

func isHex(s string) bool {
	_, err := hex.DecodeString(s)
	return err == nil
}
