// Package central is the central server that stations sync to: its storage
// (bbolt by default, behind the Storage interface so a PostgreSQL backend
// can come later), its HTTP handlers and station administration.
package central

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"

	"github.com/loket-id/loket/internal/boltcheck"
	"github.com/loket-id/loket/queue"
	"github.com/loket-id/loket/sync/protocol"
)

// Station is one counter known to the central server.
type Station struct {
	Key       string `json:"key"` // OFFICE/STATION
	Office    string `json:"office"`
	Code      string `json:"station"`
	Name      string `json:"name"`
	TokenHash string `json:"token_hash"`
	Revoked   bool   `json:"revoked"`
	StationID string `json:"station_id"` // the bound database, "" until its first push
	Epoch     string `json:"epoch"`
	// Generation keys the station's event log. Earlier versions started a
	// new log (generation) at every rebind; a rebind now keeps the log, which
	// the next database takes over after recovering it, so what an earlier
	// binding recorded is never sent again or regressed.
	Generation uint32    `json:"generation"`
	HighWater  uint64    `json:"high_water"`
	CreatedAt  time.Time `json:"created_at"`
	LastSeen   time.Time `json:"last_seen"`
	// SkewSeconds is the station's clock minus the server's at its last
	// push; Skewed is set when that is more than MaxSkew either way.
	SkewSeconds int64 `json:"skew_seconds"`
	Skewed      bool  `json:"skewed"`
}

// MaxSkew is how far a station's clock may be off before it is flagged.
const MaxSkew = 5 * time.Minute

// Storage is what the server needs from its database.
type Storage interface {
	AddStation(office, code, name string, now time.Time) (Station, string, error)
	Stations() ([]Station, error)
	Revoke(key string) error
	Rebind(key string) error
	Authenticate(token string) (Station, error)
	Ingest(key string, events []protocol.Event, clientNow, now time.Time) (protocol.State, error)
	History(key string, after uint64, limit int) (protocol.History, error)
	PublishCatalog(svcs []queue.Service) (int, error)
	Catalog() (protocol.Catalog, error)
	Export(office, station, from, to string, fn func(queue.Request) error) error
	AddSupervisor(office string, now time.Time) (string, error)
	Supervisor(token string) (office string, err error)
	Check() ([]string, error)
	// Surveys: the satisfaction survey's answers, one per request (see
	// Surveys for what a storage must do).
	Surveys
	// Track is the request whose tracking code is code (in its stored
	// form, XXXX-XXXX-XXXX, as queue.NormalizeTrackingCode returns it),
	// for the applicant's tracking page: found is false (and err nil) when
	// no stored request has that code. Tracked.Request is the request as
	// its events made it JOINED with its current personal part, exactly as
	// IngestTx.Request returns it (the personal part of its latest event
	// that still has one stored: its NIK is needed for the second factor);
	// an erased request is returned too, with Erased set and no personal
	// part (the caller answers it as not found). Tracked.Office is the
	// office code of the station that created it, Tracked.Station that
	// station's key (OFFICE/STATION). Were two requests stored with one
	// code, the first one stored keeps it. A storage should do the same
	// work whether or not the code exists (bolt: a miss still reads a
	// request and a personal range, of an ID that cannot exist), so that
	// a timer cannot tell them apart more than the answer already does.
	Track(code string) (t Tracked, found bool, err error)
	// Keeper: the centre's own retention (Purge), and making erased bytes
	// gone from the storage (Compact when ErasedPending > 0).
	Keeper
	Close() error
}

// Tracked is a request found by its tracking code (Storage.Track).
type Tracked struct {
	Office  string        // the office code of the station that created it
	Station string        // that station's key, OFFICE/STATION
	Request queue.Request // with its current personal part (none once erased)
}

// Errors of the storage.
var (
	ErrUnknownToken = errors.New("unknown token")
	ErrRevoked      = errors.New("token revoked")
	ErrNoStation    = errors.New("no such station")
	ErrExists       = errors.New("station already exists")
)

// IngestError is a batch refused as a whole, with the protocol's error.
type IngestError struct{ P protocol.Error }

func (e *IngestError) Error() string { return e.P.Code + ": " + e.P.Message }

// NewStation is a new station of office with code, and its token (shown
// once, stored only as a hash); the codes are checked (1-40 characters
// without spaces or '/').
func NewStation(office, code, name string, now time.Time) (Station, string, error) {
	for _, f := range []struct{ field, v string }{{"office", office}, {"station", code}} {
		if f.v == "" || strings.ContainsAny(f.v, "/\x00 ") || len(f.v) > 40 {
			return Station{}, "", fmt.Errorf("%s code %q must be 1-40 characters without spaces or '/': %w", f.field, f.v, queue.ErrInvalid)
		}
	}
	token := NewToken()
	return Station{Key: office + "/" + code, Office: office, Code: code, Name: name, TokenHash: HashToken(token), CreatedAt: now}, token, nil
}

// TokenPrefix starts every station token, so a leaked one is recognisable.
const TokenPrefix = "lkt_"

// NewToken is a random 256-bit token with the prefix.
func NewToken() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return TokenPrefix + hex.EncodeToString(b)
}

// HashToken is how tokens are stored: SHA-256, hex.
func HashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

type storedEvent struct {
	protocol.Event
	ReceivedAt time.Time `json:"received_at"`
}

type storedRequest struct {
	Office  string        `json:"office"`
	Station string        `json:"station_key"`
	Request queue.Request `json:"request"`
}

// BoltStorage is the embedded storage: one bbolt file, central.db.
type BoltStorage struct {
	// mu: every transaction holds it shared; Compact holds it alone while
	// it replaces the file (compact.go).
	mu   sync.RWMutex
	db   *bolt.DB
	path string
}

// view runs fn in a read transaction.
func (s *BoltStorage) view(fn func(*bolt.Tx) error) error {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.db.View(fn)
}

// update runs fn in a write transaction, committed and fsynced when it
// returns nil.
func (s *BoltStorage) update(fn func(*bolt.Tx) error) error {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.db.Update(fn)
}

// OpenBolt opens (creating) dir/central.db; another process holding it
// fails within the timeout with boltcheck.ErrLocked. The file's structure is
// verified first (boltcheck.Walk): a damaged file fails with an error
// matching boltcheck.ErrDamaged that names it, and is not modified.
func OpenBolt(dir string, timeout time.Duration) (*BoltStorage, error) {
	path := filepath.Join(dir, "central.db")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("open central database %s: %w", path, err)
	}
	start := time.Now()
	if _, err := boltcheck.Verify(path, boltcheck.Walk, timeout); err != nil {
		if errors.Is(err, boltcheck.ErrBusy) {
			return nil, fmt.Errorf("open central database %s: %w", path, boltcheck.ErrLocked)
		}
		return nil, fmt.Errorf("open central database: %w", err) // the error names the file
	}
	var db *bolt.DB
	err := boltcheck.Guard(path, func() error {
		var err error
		db, err = bolt.Open(path, 0o600, &bolt.Options{Timeout: max(timeout-time.Since(start), time.Millisecond)})
		if err != nil {
			return err
		}
		return db.Update(migrate)
	})
	if errors.Is(err, berrors.ErrTimeout) {
		return nil, fmt.Errorf("open central database %s: %w", path, boltcheck.ErrLocked)
	}
	if err != nil {
		if db != nil {
			db.Close()
		}
		if errors.Is(err, boltcheck.ErrDamaged) {
			return nil, fmt.Errorf("open central database: %w", err)
		}
		return nil, fmt.Errorf("open central database %s: %w", path, err)
	}
	return &BoltStorage{db: db, path: path}, nil
}

// damaged is a record that bbolt read back but that does not decode: the
// file is damaged in a way its structure check cannot see. The error names
// the file and says what to do, and matches boltcheck.ErrDamaged.
func (s *BoltStorage) damaged(what string, err error) error {
	return fmt.Errorf("%s is damaged: %s (%v); run loket-central check on it and restore it from a backup: %w", s.path, what, err, boltcheck.ErrDamaged)
}

// Close closes the database.
func (s *BoltStorage) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.db.Close()
}

// Path is the database file.
func (s *BoltStorage) Path() string { return s.path }

// Backup writes a consistent copy to path.
func (s *BoltStorage) Backup(path string) error {
	return s.view(func(tx *bolt.Tx) error { return tx.CopyFile(path, 0o600) })
}

func getStation(tx *bolt.Tx, key string) (Station, error) {
	var st Station
	v := tx.Bucket(bStations).Get([]byte(key))
	if v == nil {
		return st, fmt.Errorf("station %s: %w", key, ErrNoStation)
	}
	return st, json.Unmarshal(v, &st)
}

func putJSON(b *bolt.Bucket, k []byte, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return b.Put(k, data)
}

// AddStation creates a station and returns it with its token, which is
// shown this once and stored only as a hash.
func (s *BoltStorage) AddStation(office, code, name string, now time.Time) (Station, string, error) {
	st, token, err := NewStation(office, code, name, now)
	if err != nil {
		return Station{}, "", err
	}
	err = s.update(func(tx *bolt.Tx) error {
		if tx.Bucket(bStations).Get([]byte(st.Key)) != nil {
			return fmt.Errorf("station %s: %w", st.Key, ErrExists)
		}
		if err := tx.Bucket(bTokens).Put([]byte(st.TokenHash), []byte(st.Key)); err != nil {
			return err
		}
		return putJSON(tx.Bucket(bStations), []byte(st.Key), st)
	})
	return st, token, err
}

// Stations lists every station.
func (s *BoltStorage) Stations() ([]Station, error) {
	var out []Station
	err := s.view(func(tx *bolt.Tx) error {
		return tx.Bucket(bStations).ForEach(func(k, v []byte) error {
			var st Station
			if err := json.Unmarshal(v, &st); err != nil {
				return err
			}
			out = append(out, st)
			return nil
		})
	})
	return out, err
}

func (s *BoltStorage) updateStation(key string, fn func(*Station)) error {
	return s.update(func(tx *bolt.Tx) error {
		st, err := getStation(tx, key)
		if err != nil {
			return err
		}
		fn(&st)
		return putJSON(tx.Bucket(bStations), []byte(key), st)
	})
}

// Revoke makes a station's token useless; its data stays.
func (s *BoltStorage) Revoke(key string) error {
	return s.updateStation(key, func(st *Station) { st.Revoked = true })
}

// Rebind lets a reinstalled or restored counter's database take the
// station over: the binding is cleared, the log and high-water mark stay.
// The database first recovers the log (GET /v1/sync/events), then its first
// push, which must start at or below the high-water mark so that the
// stored hashes prove it holds that log, binds it and continues the log.
func (s *BoltStorage) Rebind(key string) error {
	return s.updateStation(key, func(st *Station) {
		st.StationID, st.Epoch = "", ""
	})
}

// Authenticate finds the station of a token, in constant time on the hash.
func (s *BoltStorage) Authenticate(token string) (Station, error) {
	h := HashToken(token)
	var st Station
	err := s.view(func(tx *bolt.Tx) error {
		key := tx.Bucket(bTokens).Get([]byte(h))
		if key == nil {
			return ErrUnknownToken
		}
		var err error
		if st, err = getStation(tx, string(key)); err != nil {
			return err
		}
		if subtle.ConstantTimeCompare([]byte(st.TokenHash), []byte(h)) != 1 {
			return ErrUnknownToken
		}
		if st.Revoked {
			return ErrRevoked
		}
		return nil
	})
	return st, err
}

func eventPrefix(key string, generation uint32) []byte {
	return binary.BigEndian.AppendUint32([]byte(key+"\x00"), generation)
}

func eventKey(key string, generation uint32, seq uint64) []byte {
	return binary.BigEndian.AppendUint64(eventPrefix(key, generation), seq)
}

// parseEventKey splits an event key into its station, generation and sequence.
func parseEventKey(k []byte) (key string, generation uint32, seq uint64) {
	i := bytes.IndexByte(k, 0)
	if i < 0 || len(k)-i-1 != 12 {
		return string(k), 0, 0
	}
	return string(k[:i]), binary.BigEndian.Uint32(k[i+1:]), binary.BigEndian.Uint64(k[i+5:])
}

// Ingest stores a batch of one station's events in one durable
// transaction, by the protocol's rules (IngestBatch); the answer is given
// after the commit, and a refused batch writes nothing.
func (s *BoltStorage) Ingest(key string, events []protocol.Event, clientNow, now time.Time) (protocol.State, error) {
	var state protocol.State
	err := s.update(func(tx *bolt.Tx) error {
		evb := tx.Bucket(bEvents)
		evb.FillPercent = 0.9
		var err error
		state, err = IngestBatch(&boltIngest{tx: tx, events: evb, requests: tx.Bucket(bRequests)}, key, events, clientNow, now)
		return err
	})
	return state, err
}

// boltIngest is IngestTx over a bbolt write transaction.
type boltIngest struct {
	tx               *bolt.Tx
	events, requests *bolt.Bucket
}

func (b *boltIngest) Station(key string) (Station, error) { return getStation(b.tx, key) }

func (b *boltIngest) PutStation(st Station) error {
	return putJSON(b.tx.Bucket(bStations), []byte(st.Key), st)
}

func (b *boltIngest) EventHash(key string, generation uint32, seq uint64) (string, error) {
	var old storedEvent
	if v := b.events.Get(eventKey(key, generation, seq)); v == nil || json.Unmarshal(v, &old) != nil {
		return "", nil
	}
	return old.Hash, nil
}

func (b *boltIngest) PutEvent(key string, generation uint32, e protocol.Event, receivedAt time.Time) error {
	return putJSON(b.events, eventKey(key, generation, e.Seq), storedEvent{e, receivedAt})
}

func (b *boltIngest) Request(id string) (queue.Request, string, bool, error) {
	v := b.requests.Get([]byte(id))
	if v == nil {
		return queue.Request{}, "", false, nil
	}
	var cur storedRequest
	if err := json.Unmarshal(v, &cur); err != nil {
		return queue.Request{}, "", false, err
	}
	r, err := withPersonal(b.tx, cur.Request)
	return r, cur.Station, cur.Request.ID != "", err
}

func (b *boltIngest) PutRequest(office, station string, r queue.Request) error {
	// An office and a day never change: the index key is put once.
	if b.requests.Get([]byte(r.ID)) == nil {
		idx := b.tx.Bucket(bByDay)
		idx.FillPercent = 0.9
		if err := idx.Put(dayKey(office, r.Day, r.ID), nil); err != nil {
			return err
		}
	}
	if err := indexTracking(b.tx.Bucket(bTracking), r); err != nil {
		return err
	}
	return putJSON(b.requests, []byte(r.ID), storedRequest{office, station, r.WithoutPersonal()})
}

// The personal bucket is keyed by request first (personalKey), so a
// request's personal parts are one key range: the current one is its last,
// an erasure deletes the range, an event's own is one Get.

func personalPrefix(requestID string) []byte { return []byte(requestID + "\x00") }

func personalKey(requestID, key string, generation uint32, seq uint64) []byte {
	return append(personalPrefix(requestID), eventKey(key, generation, seq)...)
}

// PutPersonal stores the personal part of one event (JSON of queue.Personal).
func (b *boltIngest) PutPersonal(key string, generation uint32, seq uint64, requestID string, personal []byte) error {
	return b.tx.Bucket(bPersonal).Put(personalKey(requestID, key, generation, seq), personal)
}

// ErasePersonal deletes every personal part of request requestID.
func (b *boltIngest) ErasePersonal(requestID string) error {
	c := b.tx.Bucket(bPersonal).Cursor()
	prefix := personalPrefix(requestID)
	var n uint64
	for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Seek(prefix) {
		if err := c.Delete(); err != nil {
			return err
		}
		n++
	}
	if cleared, err := eraseSurveyComment(b.tx, requestID); err != nil {
		return err
	} else if cleared {
		n++
	}
	if n == 0 {
		return nil
	}
	return notePending(b.tx, n) // gone from the file at the next Compact
}

// withPersonal is r with its current personal part: the last one stored
// for it (none once erased).
func withPersonal(tx *bolt.Tx, r queue.Request) (queue.Request, error) {
	c := tx.Bucket(bPersonal).Cursor()
	prefix := personalPrefix(r.ID)
	k, v := c.Seek(append(personalPrefix(r.ID), 0xff))
	if k == nil {
		k, v = c.Last()
	} else {
		k, v = c.Prev()
	}
	if k == nil || !bytes.HasPrefix(k, prefix) {
		return r, nil
	}
	var p queue.Personal
	if err := json.Unmarshal(v, &p); err != nil {
		return r, fmt.Errorf("the personal part of request %s does not decode: %w", r.ID, err)
	}
	return r.WithPersonal(p), nil
}

// eventPersonal is the personal part stored for one event, nil when none.
func eventPersonal(tx *bolt.Tx, key string, generation uint32, e protocol.Event) (*queue.Personal, error) {
	if e.Type != queue.EventCreated && e.Type != queue.EventIdentified {
		return nil, nil
	}
	v := tx.Bucket(bPersonal).Get(personalKey(e.RequestID, key, generation, e.Seq))
	if v == nil {
		return nil, nil
	}
	var p queue.Personal
	if err := json.Unmarshal(v, &p); err != nil {
		return nil, fmt.Errorf("the personal part of event %d of station %s does not decode: %w", e.Seq, key, err)
	}
	return &p, nil
}

type supervisor struct {
	Office    string    `json:"office"` // "" for every office
	CreatedAt time.Time `json:"created_at"`
}

// AddSupervisor makes a read-only supervisor token for an office ("" for
// all offices), shown once and stored hashed.
func (s *BoltStorage) AddSupervisor(office string, now time.Time) (string, error) {
	token := NewToken()
	err := s.update(func(tx *bolt.Tx) error {
		return putJSON(tx.Bucket(bSupers), []byte(HashToken(token)), supervisor{Office: office, CreatedAt: now})
	})
	return token, err
}

// Supervisor finds the office a supervisor token may read ("" for all).
func (s *BoltStorage) Supervisor(token string) (string, error) {
	var sup supervisor
	err := s.view(func(tx *bolt.Tx) error {
		v := tx.Bucket(bSupers).Get([]byte(HashToken(token)))
		if v == nil {
			return ErrUnknownToken
		}
		return json.Unmarshal(v, &sup)
	})
	return sup.Office, err
}

// PublishCatalog stores a new catalog version.
func (s *BoltStorage) PublishCatalog(svcs []queue.Service) (int, error) {
	var version int
	err := s.update(func(tx *bolt.Tx) error {
		var cur protocol.Catalog
		if v := tx.Bucket(bCatalog).Get([]byte("current")); v != nil {
			if err := json.Unmarshal(v, &cur); err != nil {
				return err
			}
		}
		version = cur.Version + 1
		return putJSON(tx.Bucket(bCatalog), []byte("current"), protocol.Catalog{Version: version, Services: svcs})
	})
	return version, err
}

// Catalog is the published catalog (version 0 when none).
func (s *BoltStorage) Catalog() (protocol.Catalog, error) {
	var c protocol.Catalog
	err := s.view(func(tx *bolt.Tx) error {
		if v := tx.Bucket(bCatalog).Get([]byte("current")); v != nil {
			return json.Unmarshal(v, &c)
		}
		return nil
	})
	return c, err
}

// Export calls fn for every request of office and station ("" for all;
// station is OFFICE/STATION) that arrived from day from to day to ("" leaves
// an end open), in ID (arrival) order. With an office it walks that
// office's key range of the byday index (day by day, each day in ID order,
// which is arrival order) and reads only those requests; without, the
// requests bucket. One request is decoded at a time: memory stays flat.
func (s *BoltStorage) Export(office, station, from, to string, fn func(queue.Request) error) error {
	return s.view(func(tx *bolt.Tx) error {
		each := func(k, v []byte) error {
			var sr storedRequest
			if err := json.Unmarshal(v, &sr); err != nil {
				return s.damaged(fmt.Sprintf("request %s does not decode", k), err)
			}
			r := sr.Request
			if office != "" && sr.Office != office || station != "" && sr.Station != station ||
				from != "" && r.Day < from || to != "" && r.Day > to {
				return nil
			}
			r, err := withPersonal(tx, r)
			if err != nil {
				return s.damaged(fmt.Sprintf("request %s", k), err)
			}
			return fn(r)
		}
		reqb := tx.Bucket(bRequests)
		if office == "" {
			return reqb.ForEach(each)
		}
		prefix := []byte(office + "\x00")
		c := tx.Bucket(bByDay).Cursor()
		k, _ := c.Seek(append(prefix, from...))
		for ; k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
			day, id, ok := bytes.Cut(k[len(prefix):], []byte{0})
			if !ok {
				return s.damaged(fmt.Sprintf("byday key %q", k), errors.New("no request ID"))
			}
			if to != "" && string(day) > to {
				break
			}
			v := reqb.Get(id)
			if v == nil {
				return s.damaged(fmt.Sprintf("byday key %q", k), errors.New("its request is not stored"))
			}
			if err := each(id, v); err != nil {
				return err
			}
		}
		return nil
	})
}

// missID is the request ID Track reads when a code leads nowhere: no
// request can have it (IDs never hold a NUL), so a miss does the reads a
// hit does.
const missID = "\x00no such request"

// decoyStored and decoyPersonal are what Track decodes on a miss: records
// of a typical request's size, so that a miss costs what a hit does.
var decoyStored, decoyPersonal = func() ([]byte, []byte) {
	at := time.Date(2026, 1, 5, 9, 0, 0, 0, time.FixedZone("", 7*3600))
	r := queue.Request{ID: "01KB0000000000000000000000", TrackingCode: "AAAA-AAAA-AAAA", Ticket: "A-001", Day: "2026-01-05", Service: "A",
		FirstService: "A", Status: queue.StatusDone, Station: "00000000-0000-0000-0000-000000000000", ArrivedAt: at, CalledAt: &at,
		ServingAt: &at, DoneAt: &at, ClosedAt: &at, UpdatedAt: at, Calls: 1, Counter: "L1", Clerk: "Petugas", EventSeqs: []uint64{1, 2, 3, 4}}
	sr, _ := json.Marshal(storedRequest{Office: "0000", Station: "0000/L1", Request: r})
	p, _ := json.Marshal(queue.Personal{Key: make([]byte, 16), Name: "Nama Pemohon Contoh", NIK: "0000000000000000", Phone: "080000000000"})
	return sr, p
}()

// Track is the request whose tracking code is code (Storage.Track).
func (s *BoltStorage) Track(code string) (Tracked, bool, error) {
	var t Tracked
	var found bool
	err := s.view(func(tx *bolt.Tx) error {
		id := tx.Bucket(bTracking).Get([]byte(code))
		found = id != nil
		if !found {
			id = []byte(missID)
		}
		v := tx.Bucket(bRequests).Get(id)
		if found && v == nil {
			return s.damaged(fmt.Sprintf("tracking code %s leads to request %s, which is not stored", code, id), errors.New("dangling index"))
		}
		if v == nil {
			v = decoyStored // decoded as a hit's record is
		}
		var sr storedRequest
		if err := json.Unmarshal(v, &sr); err != nil {
			return s.damaged(fmt.Sprintf("request %s does not decode", id), err)
		}
		sr.Request.ID = string(id)
		r, err := withPersonal(tx, sr.Request)
		if err != nil {
			return s.damaged(fmt.Sprintf("request %s", id), err)
		}
		if !found {
			var p queue.Personal
			_ = json.Unmarshal(decoyPersonal, &p) // as a hit's personal part is
		}
		t = Tracked{Office: sr.Office, Station: sr.Station, Request: r}
		return nil
	})
	if err != nil || !found {
		return Tracked{}, false, err
	}
	return t, true, nil
}

// Check verifies the central database: its structure first
// (boltcheck.Walk, writers held off; a broken one is returned as an error
// matching boltcheck.ErrDamaged), then bbolt's page check, every station's
// events contiguous from 1 to its high-water mark for its bound epoch, every
// token pointing to its station, every request decodable, of an existing
// station and valid by the counter's rules (queue.ValidateRecord), every
// event touching only its own station's requests, and every
// request.created valid as ingest requires.
func (s *BoltStorage) Check() ([]string, error) {
	var problems []string
	err := s.update(func(*bolt.Tx) error {
		if _, err := boltcheck.VerifyHeld(s.path, boltcheck.Walk); err != nil {
			return err
		}
		return errCheckRollback
	})
	if !errors.Is(err, errCheckRollback) {
		return nil, fmt.Errorf("check central database: %w", err)
	}
	err = boltcheck.Guard(s.path, func() error { return s.view(func(tx *bolt.Tx) error { return s.check(tx, &problems) }) })
	if err != nil {
		return problems, fmt.Errorf("check central database: %w", err)
	}
	return problems, nil
}

// errCheckRollback ends Check's write transaction, which holds writers off.
var errCheckRollback = errors.New("rollback")

func (s *BoltStorage) check(tx *bolt.Tx, out *[]string) error {
	problems := *out
	defer func() { *out = problems }()
	for err := range tx.Check() {
		problems = append(problems, "bbolt: "+err.Error())
	}
	stations := map[string]Station{}
	_ = tx.Bucket(bStations).ForEach(func(k, v []byte) error {
		var st Station
		if err := json.Unmarshal(v, &st); err != nil {
			problems = append(problems, fmt.Sprintf("station %s does not decode", k))
			return nil
		}
		stations[st.Key] = st
		if key := tx.Bucket(bTokens).Get([]byte(st.TokenHash)); string(key) != st.Key {
			problems = append(problems, fmt.Sprintf("the token of station %s does not lead to it", st.Key))
		}
		return nil
	})
	keys := make([]string, 0, len(stations))
	for k := range stations {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	c := tx.Bucket(bEvents).Cursor()
	for _, key := range keys {
		st := stations[key]
		if st.Epoch == "" && st.HighWater == 0 { // never pushed (a rebound station keeps its log)
			continue
		}
		prefix := eventPrefix(key, st.Generation)
		var want uint64 = 1
		for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
			if seq := binary.BigEndian.Uint64(k[len(prefix):]); seq != want {
				problems = append(problems, fmt.Sprintf("station %s: events jump from %d to %d", key, want-1, seq))
				break
			}
			want++
		}
		if want-1 != st.HighWater {
			problems = append(problems, fmt.Sprintf("station %s: %d events stored, high-water mark %d", key, want-1, st.HighWater))
		}
	}
	reqb := tx.Bucket(bRequests)
	if err := reqb.ForEach(func(k, v []byte) error {
		var sr storedRequest
		if json.Unmarshal(v, &sr) != nil || sr.Request.ID != string(k) {
			problems = append(problems, fmt.Sprintf("request %s does not decode", k))
			return nil
		}
		if err := queue.ValidateRecord(sr.Request); err != nil {
			problems = append(problems, fmt.Sprintf("request %s of station %s: %v", k, sr.Station, err))
		}
		if _, ok := stations[sr.Station]; !ok {
			problems = append(problems, fmt.Sprintf("request %s belongs to station %q, which does not exist", k, sr.Station))
		}
		if tx.Bucket(bByDay).Get(dayKey(sr.Office, sr.Request.Day, string(k))) == nil {
			problems = append(problems, fmt.Sprintf("request %s is missing from the byday index", k))
		}
		return nil
	}); err != nil {
		return err
	}
	if n, m := reqb.Stats().KeyN, tx.Bucket(bByDay).Stats().KeyN; n != m {
		problems = append(problems, fmt.Sprintf("%d requests, %d keys in the byday index", n, m))
	}
	problems = append(problems, checkEvents(tx, reqb)...)
	return nil
}

// checkEvents checks every stored event of every binding: a request's
// events come from the station that holds the request, and each
// request.created passes the rules ingest applies (against the time the
// server received it). At most 1,000 problems are listed.
func checkEvents(tx *bolt.Tx, reqb *bolt.Bucket) []string {
	var problems []string
	const most = 1000
	_ = tx.Bucket(bEvents).ForEach(func(k, v []byte) error {
		if len(problems) >= most {
			problems = append(problems, "… and more: the listing stops here")
			return errStop
		}
		key, _, _ := bytes.Cut(k, []byte{0})
		var se storedEvent
		if err := json.Unmarshal(v, &se); err != nil {
			problems = append(problems, fmt.Sprintf("an event of station %s does not decode", key))
			return nil
		}
		if se.Type == queue.EventCatalog {
			return nil
		}
		var sr storedRequest
		if v := reqb.Get([]byte(se.RequestID)); v == nil || json.Unmarshal(v, &sr) != nil {
			problems = append(problems, fmt.Sprintf("event %d of station %s is for request %s, which is not stored", se.Seq, key, se.RequestID))
		} else if sr.Station != string(key) {
			problems = append(problems, fmt.Sprintf("event %d of station %s is for request %s, which station %s holds", se.Seq, key, se.RequestID, sr.Station))
		}
		if se.Type == queue.EventCreated {
			received := se.ReceivedAt
			if received.IsZero() {
				received = time.Now()
			}
			_, gen, _ := parseEventKey(k)
			p, err := eventPersonal(tx, string(key), gen, se.Event)
			if err == nil {
				e := se.Event
				e.Personal = p
				err = CheckCreated(e, received)
			}
			if err != nil {
				problems = append(problems, fmt.Sprintf("event %d of station %s creates request %s against the rules: %v", se.Seq, key, se.RequestID, err))
			}
		}
		return nil
	})
	return problems
}

var errStop = errors.New("stop")
