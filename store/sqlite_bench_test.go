package store

import (
	"database/sql"
	"fmt"
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
	r.Ticket = queue.FormatTicket(r.Service, uint64(n))
	s.seq++
	ev.Seq = s.seq
	rec := encodeRequest(r, refs{personal: s.seq}, own.StationID)
	if _, err := tx.Exec("INSERT INTO requests VALUES (?, ?, ?, ?, ?, ?, ?, 1, ?, ?)", r.ID, rec, r.Day, r.Service, n,
		r.TrackingCode, r.TrackingCode[10:], r.Priority == queue.PriorityNone, r.QueuePosition().UnixNano()); err != nil {
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
	v, err := encodeEvent(ev, own)
	if err != nil {
		return err
	}
	if _, err := tx.Exec("INSERT INTO events VALUES (?, ?)", s.seq, v); err != nil {
		return err
	}
	return tx.Commit()
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
