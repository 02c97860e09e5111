package store

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/oklog/ulid/v2"
	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"

	"github.com/loket-id/loket/internal/boltcheck"
	"github.com/loket-id/loket/queue"
)

// FileName is the database file's name in the data directory.
const FileName = "loket.db"

// DefaultLockTimeout is how long Open waits for another process's lock.
const DefaultLockTimeout = 2 * time.Second

// Options configure a Store.
type Options struct {
	// LockTimeout bounds the wait for a database another process holds;
	// zero means DefaultLockTimeout. Open then fails with ErrLocked.
	LockTimeout time.Duration
	// Clock gives the time of every action; nil means time.Now.
	Clock func() time.Time
	// Location decides local days (ticket resets, today's queue); nil means time.Local.
	Location *time.Location
	// Catalog is loaded into a new database; nil means DefaultCatalog().
	Catalog []queue.Service
	// Random is the source of station identities, tracking codes and ID
	// entropy; nil means crypto/rand. Tests set a seeded one for golden files.
	Random io.Reader
	// ForCheck makes Open verify the structure as [Store.Check] does
	// (boltcheck.Deep: every page in use and the order of every key, read
	// with ordinary reads) instead of the header walk every open does, so
	// that a Check right after the open, of the same snapshot, does not walk
	// the file a second time (`loket check`).
	ForCheck bool
}

// Identity is the station's identity, created once with the database.
type Identity struct {
	StationID string    `json:"station_id"`
	Epoch     string    `json:"epoch"`
	CreatedAt time.Time `json:"created_at"`
}

// Store is an open counter database. It is safe for concurrent use.
type Store struct {
	// swap is held (read) by every use of db, and written while a rewrite
	// (rewrite.go) puts a new file in its place.
	swap    sync.RWMutex
	holders holders // who holds swap (shared.go), in tests
	db      *bolt.DB
	path    string
	clock   func() time.Time
	loc     *time.Location

	idMu sync.RWMutex // guards id: a recovery may adopt the identity of the history it imports
	id   Identity

	entropyMu sync.Mutex    // guards entropy and random
	jmu       sync.Mutex    // guards jcache
	jcache    *journalCache // the journal of search keys as the last commit left it (journal.go)
	services  serviceCache  // the catalog's services as last decoded (catalog.go)
	entropy   io.Reader
	random    io.Reader

	subMu sync.Mutex
	subs  map[chan struct{}]struct{}

	damagedMu sync.Mutex
	damaged   string // what the last Check found wrong, "" when it found nothing

	// walked is the snapshot whose structure Open verified as Check does
	// (Options.ForCheck); Check's own walk is skipped for it. Read and
	// written inside a write transaction (Check), or before Open returns.
	walked walkedSnapshot
}

// walkedSnapshot names a snapshot of the file: bbolt's handle of it and
// the transaction ID of its meta page.
type walkedSnapshot struct {
	db   *bolt.DB
	txid uint64
}

var (
	bMeta     = []byte("meta")
	bServices = []byte("services")
	bRequests = []byte("requests")
	bEvents   = []byte("events")
	bIdx      = []byte("idx")
	bJournal  = []byte("journal")

	kSchemaVersion = []byte("schema_version")
	kStationID     = []byte("station_id")
	kEpoch         = []byte("epoch")
	kCreatedAt     = []byte("created_at")
)

// Open opens (creating if need be) the database at path. A database that
// another process holds fails with ErrLocked after the lock timeout; a file
// that is not a Loket database, or one written by a newer schema, fails
// without being modified.
//
// Before bbolt reads the file, its structure is verified (boltcheck.Walk:
// meta pages, size, freelist, every page's header and element table); a
// damaged file fails with an error matching ErrDamaged that names the file,
// and is not modified. A file that the last Check found problems in opens,
// for reading: every write fails with ErrDamaged until a Check finds none.
func Open(path string, opts Options) (*Store, error) {
	if opts.LockTimeout <= 0 {
		opts.LockTimeout = DefaultLockTimeout
	}
	if opts.Clock == nil {
		opts.Clock = time.Now
	}
	if opts.Location == nil {
		opts.Location = time.Local
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("open database %s: %w", path, err)
	}
	start := time.Now()
	mode := boltcheck.Walk
	if opts.ForCheck {
		mode = boltcheck.Deep
	}
	info, err := boltcheck.Verify(path, mode, opts.LockTimeout)
	deepFailed := false
	if opts.ForCheck && errors.Is(err, boltcheck.ErrDamaged) {
		// Damage only the deep walk sees (keys out of order) is Check's to
		// report and to record (the damage mark, which stops writes): the
		// file opens as every open would have it, and Check walks again.
		deepFailed = true
		info, err = boltcheck.Verify(path, boltcheck.Walk, max(opts.LockTimeout-time.Since(start), time.Millisecond))
	}
	if err != nil {
		if errors.Is(err, boltcheck.ErrBusy) {
			return nil, fmt.Errorf("open database %s: %w", path, ErrLocked)
		}
		return nil, fmt.Errorf("open database: %w", err) // the error names the file
	}
	if opts.Random == nil {
		opts.Random = rand.Reader
	}
	s := &Store{
		path:    path,
		clock:   opts.Clock,
		loc:     opts.Location,
		random:  opts.Random,
		entropy: ulid.Monotonic(opts.Random, 0),
		subs:    map[chan struct{}]struct{}{},
	}
	s.damaged = readDamageMark(path)
	// The structure was verified; Guard is the last line should bbolt
	// still stop on something (a panic, or a fault reading the map).
	timeout := max(opts.LockTimeout-time.Since(start), time.Millisecond)
	if err := boltcheck.Guard(path, func() error { return s.open(opts, timeout) }); err != nil {
		if s.db != nil {
			s.db.Close()
		}
		if errors.Is(err, ErrDamaged) {
			return nil, fmt.Errorf("open database: %w", err)
		}
		return nil, fmt.Errorf("open database %s: %w", path, err)
	}
	if opts.ForCheck && !deepFailed && info.Size > 0 {
		s.walked = s.walkedAtOpen(info)
	}
	return s, nil
}

// walkedAtOpen is the snapshot bbolt opened when it is the one Open's walk
// verified: the same file (not one put in its place since), of the same
// transaction (nothing written since, a migration included).
func (s *Store) walkedAtOpen(info boltcheck.Info) walkedSnapshot {
	fi, err := os.Stat(s.path)
	if err != nil || info.File == nil || !os.SameFile(fi, info.File) {
		return walkedSnapshot{}
	}
	var txid uint64
	if err := s.db.View(func(tx *bolt.Tx) error { txid = uint64(tx.ID()); return nil }); err != nil || txid != info.Meta.TxID {
		return walkedSnapshot{}
	}
	return walkedSnapshot{s.db, txid}
}

func (s *Store) open(opts Options, timeout time.Duration) error {
	for reopen := 0; ; reopen++ {
		db, err := bolt.Open(s.path, 0o600, &bolt.Options{Timeout: timeout})
		if errors.Is(err, berrors.ErrTimeout) {
			return ErrLocked
		}
		if err != nil {
			return err
		}
		s.db = db
		// A file replaced while this process waited for its lock (or
		// whose replacement a crash interrupted): open the path again.
		replaced, err := s.replacedBy()
		if err != nil {
			return err
		}
		if !replaced {
			break
		}
		if err := db.Close(); err != nil {
			return err
		}
		s.db = nil
		if reopen == maxReopens {
			return fmt.Errorf("the file was replaced %d times while opening it", maxReopens)
		}
	}
	if s.damaged != "" {
		// Never migrate (write) a file Check found problems in.
		if err := s.needsNoMigration(); err != nil {
			return err
		}
	} else if err := s.migrate(opts.Catalog); err != nil {
		return err
	}
	return s.db.View(func(tx *bolt.Tx) error {
		for _, b := range requiredBuckets {
			if tx.Bucket(b) == nil {
				return fmt.Errorf("bucket %s is missing: the file is damaged or not a Loket database of schema %d", b, SchemaVersion())
			}
		}
		m := tx.Bucket(bMeta)
		s.id.StationID = string(m.Get(kStationID))
		s.id.Epoch = string(m.Get(kEpoch))
		t, err := time.Parse(time.RFC3339Nano, string(m.Get(kCreatedAt)))
		s.id.CreatedAt = t
		return err
	})
}

// Close closes the database.
func (s *Store) Close() error {
	s.swap.Lock()
	defer s.swap.Unlock()
	if err := s.db.Close(); err != nil {
		return fmt.Errorf("close database %s: %w", s.path, err)
	}
	return nil
}

// Path is the database file.
func (s *Store) Path() string { return s.path }

// Identity is the station's identity.
func (s *Store) Identity() Identity {
	s.idMu.RLock()
	defer s.idMu.RUnlock()
	return s.id
}

// StationID is the database's station ID (see [Identity]).
func (s *Store) StationID() string { return s.id.StationID }

// Epoch is the database's epoch (see [Identity]).
func (s *Store) Epoch() string { return s.id.Epoch }

// Location is the time zone that decides local days.
func (s *Store) Location() *time.Location { return s.loc }

// Now is the store's clock.
func (s *Store) Now() time.Time { return s.clock() }

// Today is the local date of the store's clock, YYYY-MM-DD.
func (s *Store) Today() string { return s.DayOf(s.clock()) }

// DayOf is the local date of t, YYYY-MM-DD.
func (s *Store) DayOf(t time.Time) string { return t.In(s.loc).Format(time.DateOnly) }

// Subscribe returns a channel that receives a value (coalesced) after every
// committed change, and a function to stop.
func (s *Store) Subscribe() (<-chan struct{}, func()) {
	ch := make(chan struct{}, 1)
	s.subMu.Lock()
	s.subs[ch] = struct{}{}
	s.subMu.Unlock()
	return ch, func() {
		s.subMu.Lock()
		delete(s.subs, ch)
		s.subMu.Unlock()
	}
}

func (s *Store) notify() {
	s.subMu.Lock()
	defer s.subMu.Unlock()
	for ch := range s.subs {
		select {
		case ch <- struct{}{}:
		default:
		}
	}
}

// Update runs fn in one read-write transaction: everything fn does is
// committed (and fsynced) together, or not at all when it returns an error.
func (s *Store) Update(ctx context.Context, fn func(*Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if why := s.damage(); why != "" {
		return fmt.Errorf("write to database %s (nothing was saved): %w: the last check found: %s; %s",
			s.path, ErrDamaged, why, boltcheck.Advice)
	}
	err := func() error {
		defer s.shared()()
		return s.db.Update(func(btx *bolt.Tx) error {
			tx := &Tx{s: s, tx: btx}
			if err := fn(tx); err != nil {
				return err
			}
			tx.handOnJournal()
			return nil
		})
	}()
	switch {
	case err == nil:
		s.notify()
	case errors.Is(err, queue.ErrInvalid), errors.Is(err, queue.ErrNotFound), errors.Is(err, queue.ErrQueueEmpty),
		errors.Is(err, queue.ErrConflict), errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		// The caller's own errors, already saying what was wrong.
	default:
		// The disk's: full, read-only, failing. Nothing was written.
		err = fmt.Errorf("write to database %s (nothing was saved): %w", s.path, err)
	}
	return err
}

// View runs fn in a read-only transaction. fn reads through its Tx only and
// never calls the Store (View, Update or a method made of them): a read
// opened inside another waits behind a compaction waiting for the first to
// end, and neither ever does (and bbolt's own remap lock does the same to
// nested transactions when the file grows).
func (s *Store) View(ctx context.Context, fn func(*Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	defer s.shared()()
	return s.db.View(func(btx *bolt.Tx) error { return fn(&Tx{s: s, tx: btx}) })
}

// Tx is a transaction on the store. Values it returns are copies and stay
// valid after the transaction.
type Tx struct {
	s  *Store
	tx *bolt.Tx
	id *Identity // read from meta on first use, so it is this transaction's view
	// jst is the journal of search keys as this transaction last read or
	// wrote it (journal.go); nil until read.
	jst       *journalState
	jdirty    bool // a journal entry was deleted without jst (the store's cache is dropped at commit)
	noJournal bool // new requests' keys go to their places (a recovery's import)
}

// ident is the station's identity as this transaction sees it.
func (tx *Tx) ident() Identity {
	if tx.id == nil {
		m := tx.tx.Bucket(bMeta)
		tx.id = &Identity{StationID: string(m.Get(kStationID)), Epoch: string(m.Get(kEpoch)), CreatedAt: tx.s.Identity().CreatedAt}
	}
	return *tx.id
}

// appendMostly are buckets whose new keys sort after the old ones (sequence
// numbers, ULIDs, days). bbolt splits pages at half full by default, which
// for such keys leaves every page half empty; filling them to 90% halves the
// file.
var appendMostly = map[string]bool{string(bEvents): true, string(bRequests): true, string(bJournal): true}

// bucket returns a top-level bucket for writing, with its fill percent set.
func (tx *Tx) bucket(name []byte) *bolt.Bucket {
	b := tx.tx.Bucket(name)
	if appendMostly[string(name)] {
		b.FillPercent = 0.9
	}
	return b
}

func (s *Store) newULID(t time.Time) string {
	s.entropyMu.Lock()
	defer s.entropyMu.Unlock()
	return ulid.MustNew(ulid.Timestamp(t), s.entropy).String()
}

func u64(v uint64) []byte {
	b := make([]byte, 8)
	binary.BigEndian.PutUint64(b, v)
	return b
}

func getU64(b []byte) uint64 {
	if len(b) != 8 {
		return 0
	}
	return binary.BigEndian.Uint64(b)
}

// randomBytes reads n bytes from the store's random source.
func (s *Store) randomBytes(n int) []byte {
	s.entropyMu.Lock()
	defer s.entropyMu.Unlock()
	b := make([]byte, n)
	if _, err := io.ReadFull(s.random, b); err != nil {
		panic(fmt.Sprintf("random source: %v", err)) // crypto/rand does not fail on supported platforms
	}
	return b
}

func (s *Store) randomHex(n int) string { return hex.EncodeToString(s.randomBytes(n)) }

// Backup writes a consistent copy of the database to w while it stays in use.
func (s *Store) Backup(w io.Writer) (int64, error) {
	var n int64
	defer s.shared()()
	err := s.db.View(func(tx *bolt.Tx) error {
		var err error
		n, err = tx.WriteTo(w)
		return err
	})
	if err != nil {
		return n, fmt.Errorf("backup %s: %w", s.path, err)
	}
	return n, nil
}

// BackupFile writes a consistent copy of the database to path: into a
// temporary file beside it, fsynced, then renamed, so a crash never leaves a
// half-written backup under that name.
func (s *Store) BackupFile(path string) (int64, error) {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, ".loket-backup-*")
	if err != nil {
		return 0, fmt.Errorf("backup to %s: %w", path, err)
	}
	defer os.Remove(f.Name())
	n, err := s.Backup(f)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(f.Name(), 0o600)
	}
	if err == nil {
		err = os.Rename(f.Name(), path)
	}
	if err != nil {
		return 0, fmt.Errorf("backup to %s: %w", path, err)
	}
	return n, nil
}
