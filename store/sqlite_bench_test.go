package store

import (
	"database/sql"
	"fmt"
	"math/rand"
	"path/filepath"
	"testing"
	"time"

	"github.com/oklog/ulid/v2"
	_ "modernc.org/sqlite" // test only: the anchor of BenchmarkRegister/sqlite

	"github.com/loket-id/loket/queue"
)

// sqliteSchema is the counter's registration in SQLite: the request's row
// (its compact record, and the columns its indexes need), the personal
// part apart, the event, and the same indexes the idx bucket holds:
// ticket, tracking code and its last group, NIK and its last four digits,
// name words, the waiting line.
const sqliteSchema = `
CREATE TABLE requests (id TEXT PRIMARY KEY, v BLOB NOT NULL, day TEXT NOT NULL, service TEXT NOT NULL, n INTEGER NOT NULL,
	tracking TEXT NOT NULL, track_end TEXT NOT NULL, waiting INTEGER, prio INTEGER, queued INTEGER) WITHOUT ROWID;
CREATE UNIQUE INDEX requests_ticket ON requests (day, service, n);
CREATE UNIQUE INDEX requests_tracking ON requests (tracking);
CREATE INDEX requests_track_end ON requests (track_end);
CREATE INDEX requests_waiting ON requests (day, prio, queued) WHERE waiting = 1;
CREATE TABLE personal (seq INTEGER PRIMARY KEY, request_id TEXT NOT NULL, v BLOB NOT NULL, nik TEXT, nik_last TEXT);
CREATE INDEX personal_nik ON personal (nik);
CREATE INDEX personal_nik_last ON personal (nik_last);
CREATE TABLE names (word TEXT NOT NULL, request_id TEXT NOT NULL, PRIMARY KEY (word, request_id)) WITHOUT ROWID;
CREATE TABLE events (seq INTEGER PRIMARY KEY, v BLOB NOT NULL);
`

// sqliteRegister is one registration written to SQLite in WAL mode with
// synchronous=FULL, in one transaction: the next ticket read from the
// ticket index, then the request, its personal part, its name words and
// its event; the values are the store's own compact records of r.
type sqliteRegister struct {
	db  *sql.DB
	seq uint64
}

func openSQLite(b *testing.B) *sqliteRegister {
	b.Helper()
	path := filepath.Join(b.TempDir(), "loket.sqlite")
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)&_txlock=immediate")
	if err != nil {
		b.Fatal(err)
	}
	db.SetMaxOpenConns(1)
	b.Cleanup(func() { db.Close() })
	var mode string
	var sync int
	if err := db.QueryRow("PRAGMA journal_mode").Scan(&mode); err != nil || mode != "wal" {
		b.Fatalf("journal_mode %q %v, want wal", mode, err)
	}
	if err := db.QueryRow("PRAGMA synchronous").Scan(&sync); err != nil || sync != 2 {
		b.Fatalf("synchronous %d %v, want 2 (FULL)", sync, err)
	}
	if _, err := db.Exec(sqliteSchema); err != nil {
		b.Fatal(err)
	}
	return &sqliteRegister{db: db}
}

func (s *sqliteRegister) register(r queue.Request, p queue.Personal, ev queue.Event, own Identity) error {
	tx, err := s.db.Begin()
	if err != nil {
		return err
	}
	defer tx.Rollback()
	var n int
	if err := tx.QueryRow("SELECT coalesce(max(n), 0) + 1 FROM requests WHERE day = ? AND service = ?", r.Day, r.Service).Scan(&n); err != nil {
		return err
	}
	if err := s.insert(tx, r, n, true, p, ev, own); err != nil {
		return err
	}
	return tx.Commit()
}

// insert writes the request r as ticket n (in the waiting line or not),
// its personal part, its name words and its event, in tx.
func (s *sqliteRegister) insert(tx *sql.Tx, r queue.Request, n int, waiting bool, p queue.Personal, ev queue.Event, own Identity) error {
	r.Ticket = queue.FormatTicket(r.Service, uint64(n))
	s.seq++
	ev.Seq = s.seq
	rec := encodeRequest(r, refs{personal: s.seq}, own.StationID)
	var queued any
	if waiting {
		queued = r.QueuePosition().UnixNano()
	}
	if _, err := tx.Exec("INSERT INTO requests VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", r.ID, rec, r.Day, r.Service, n,
		r.TrackingCode, r.TrackingCode[10:], waiting, r.Priority == queue.PriorityNone, queued); err != nil {
		return err
	}
	if _, err := tx.Exec("INSERT INTO personal VALUES (?, ?, ?, ?, ?)", s.seq, r.ID, encodePersonal(p), p.NIK, nikLast(p.NIK)); err != nil {
		return err
	}
	for _, w := range nameTokens(p.Name) {
		if _, err := tx.Exec("INSERT INTO names VALUES (?, ?)", w, r.ID); err != nil {
			return err
		}
	}
	return s.event(tx, ev, own)
}

// event writes ev as the next event.
func (s *sqliteRegister) event(tx *sql.Tx, ev queue.Event, own Identity) error {
	ev.Seq = s.seq
	v, err := encodeEvent(ev, own)
	if err != nil {
		return err
	}
	_, err = tx.Exec("INSERT INTO events VALUES (?, ?)", s.seq, v)
	return err
}

// fill writes a history of requests closed on the days before tmpl's (380
// a day, as `loket demo` makes them), of NIKs and names of their own, with
// events events in all (the registrations' and, spread over them, the
// events that followed: same-size copies of ev), in one transaction.
func (s *sqliteRegister) fill(b *testing.B, requests, events int, tmpl queue.Request, p queue.Personal, ev queue.Event, own Identity, tag string, rng *rand.Rand) {
	b.Helper()
	tx, err := s.db.Begin()
	if err != nil {
		b.Fatal(err)
	}
	defer tx.Rollback()
	words := []string{"Siti", "Aminah", "Budi", "Santoso", "Dewi", "Lestari", "Agus", "Wibowo", "Rina", "Hartono", "Putri", "Saputra"}
	day, _ := time.Parse(time.DateOnly, tmpl.Day)
	more := events - requests // the events after the registrations
	for i := range requests {
		r := tmpl
		back := requests - 1 - i // the oldest first, as they were written
		at := day.AddDate(0, 0, -1-back/380).Add(8*time.Hour + time.Duration(380-back%380)*time.Minute)
		r.ID = ulid.MustNew(ulid.Timestamp(at), rng).String()
		r.Day = at.Format(time.DateOnly)
		r.TrackingCode = queue.NewTrackingCode(tag, randomBytes(rng, 8))
		p.NIK = fmt.Sprintf("3201014107%02d%04d", rng.Intn(100), 1+rng.Intn(9999))
		p.Name = words[rng.Intn(len(words))] + " " + words[rng.Intn(len(words))]
		ev.RequestID, ev.ID, ev.At = r.ID, ulid.MustNew(ulid.Timestamp(at), rng).String(), at
		if err := s.insert(tx, r, 380-back%380, false, p, ev, own); err != nil {
			b.Fatal(err)
		}
		extra := more / requests
		if i < more%requests {
			extra++
		}
		for range extra {
			s.seq++
			if err := s.event(tx, ev, own); err != nil {
				b.Fatal(err)
			}
		}
	}
	if err := tx.Commit(); err != nil {
		b.Fatal(err)
	}
}

func randomBytes(rng *rand.Rand, n int) []byte {
	out := make([]byte, n)
	rng.Read(out)
	return out
}

// sqliteTemplate is what SQLite is given to write again and again: the
// event that registered tmpl, its personal part, and the station's tag
// (for new tracking codes).
func sqliteTemplate(b *testing.B, s *Store, tmpl queue.Request) (queue.Event, queue.Personal, string) {
	b.Helper()
	var hist []queue.Event
	if err := s.View(ctx, func(tx *Tx) error {
		var err error
		hist, err = tx.History(tmpl.ID)
		return err
	}); err != nil {
		b.Fatal(err)
	}
	return hist[0], *hist[0].Personal, queue.StationTag(s.Identity().StationID)
}

// benchSQLite registers the request tmpl (a registration the store made:
// its record, personal part and event) again and again under new IDs and
// tracking codes, in SQLite.
func benchSQLite(b *testing.B, s *Store, tmpl queue.Request) {
	sq := openSQLite(b)
	ev, p, tag := sqliteTemplate(b, s, tmpl)
	b.ResetTimer()
	for b.Loop() {
		r := tmpl
		at := time.Now()
		r.ID = ulid.Make().String()
		r.TrackingCode = queue.NewTrackingCode(tag, s.randomBytes(8))
		ev.RequestID, ev.ID, ev.At = r.ID, ulid.Make().String(), at.In(s.loc)
		if err := sq.register(r, p, ev, s.Identity()); err != nil {
			b.Fatal(fmt.Errorf("sqlite: %w", err))
		}
	}
}
