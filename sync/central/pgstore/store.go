// Package pgstore is the central storage in PostgreSQL (central.Storage
// through a pgx pool): for a province whose centre runs on a database
// server, and for several loket-central processes on one database.
//
// The protocol's rules are central.IngestBatch's, the same as on bbolt;
// this package supplies its primitives inside one transaction per batch
// that has locked the station's row (SELECT … FOR UPDATE), so two servers
// taking one station's batches in turn store each event once. The SQL keeps
// to what the PostgreSQL-compatible distributed engines offer: no
// LISTEN/NOTIFY, no advisory locks, small transactions, retried on a
// serialization failure (SQLSTATE 40001).
package pgstore

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/loket-id/loket/queue"
	"github.com/loket-id/loket/sync/central"
	"github.com/loket-id/loket/sync/protocol"
)

// Store is the central storage in PostgreSQL.
type Store struct {
	pool *pgxpool.Pool
	// Timeout bounds each call but Export (which streams for as long as its
	// caller reads); 0 means a minute.
	Timeout time.Duration
}

var _ central.Storage = (*Store)(nil)

// Options of Open.
type Options struct {
	// NoMigrate leaves the schema as it is: Open then fails unless it is
	// at this build's version (loket-central migrate brings it there).
	NoMigrate bool
	// MaxConns is the pool's size (0: pgx's default, the larger of 4 and
	// the number of CPUs).
	MaxConns int32
}

// Open connects to the database at url (a postgres:// URL or key=value
// string) and brings its schema to this build's version.
func Open(ctx context.Context, url string, opt Options) (*Store, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("central database: the connection string is not valid: %w", redact(err))
	}
	if opt.MaxConns > 0 {
		cfg.MaxConns = opt.MaxConns
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("central database: %w", err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("central database: connect to %s: %w", where(cfg), err)
	}
	s := &Store{pool: pool}
	if opt.NoMigrate {
		v, err := Version(ctx, pool)
		if err == nil && v != SchemaVersion() {
			err = fmt.Errorf("schema version %d, this build needs %d: run loket-central migrate", v, SchemaVersion())
			if v > SchemaVersion() {
				err = fmt.Errorf("schema version %d, this build knows up to %d: %w", v, SchemaVersion(), ErrNewerSchema)
			}
		}
		if err != nil {
			pool.Close()
			return nil, fmt.Errorf("central database: %w", err)
		}
		return s, nil
	}
	if _, err := Migrate(ctx, pool, 0); err != nil {
		pool.Close()
		return nil, fmt.Errorf("central database: %w", err)
	}
	return s, nil
}

// where names the database of cfg without its password.
func where(cfg *pgxpool.Config) string {
	return fmt.Sprintf("database %q on %s as %s", cfg.ConnConfig.Database, cfg.ConnConfig.Host, cfg.ConnConfig.User)
}

// redact keeps a parse error's message but never the connection string
// (which may hold a password).
func redact(err error) error {
	msg := err.Error()
	if i := strings.Index(msg, "://"); i >= 0 {
		return errors.New("malformed URL")
	}
	return err
}

// Pool is the store's pool (for tests and tools).
func (s *Store) Pool() *pgxpool.Pool { return s.pool }

// Close closes the pool.
func (s *Store) Close() error { s.pool.Close(); return nil }

func (s *Store) ctx() (context.Context, context.CancelFunc) {
	d := s.Timeout
	if d == 0 {
		d = time.Minute
	}
	return context.WithTimeout(context.Background(), d)
}

// tx runs fn in a transaction, again on a serialization failure.
func (s *Store) tx(ctx context.Context, fn func(pgx.Tx) error) error {
	return retry(ctx, func() error { return pgx.BeginFunc(ctx, s.pool, fn) })
}

const stationCols = `key, office, code, name, token_hash, revoked, station_id, epoch, generation, high_water,
	created_at, coalesce(last_seen, 'epoch'::timestamptz), skew_seconds, skewed`

func scanStation(row pgx.Row) (central.Station, error) {
	var st central.Station
	var gen, hw int64
	err := row.Scan(&st.Key, &st.Office, &st.Code, &st.Name, &st.TokenHash, &st.Revoked, &st.StationID, &st.Epoch,
		&gen, &hw, &st.CreatedAt, &st.LastSeen, &st.SkewSeconds, &st.Skewed)
	st.Generation, st.HighWater = uint32(gen), uint64(hw)
	if st.LastSeen.Equal(time.Unix(0, 0)) {
		st.LastSeen = time.Time{}
	}
	return st, err
}

// AddStation creates a station and returns it with its token, which is
// shown this once and stored only as a hash.
func (s *Store) AddStation(office, code, name string, now time.Time) (central.Station, string, error) {
	st, token, err := central.NewStation(office, code, name, now)
	if err != nil {
		return central.Station{}, "", err
	}
	ctx, cancel := s.ctx()
	defer cancel()
	_, err = s.pool.Exec(ctx, `INSERT INTO stations (key, office, code, name, token_hash, revoked, station_id, epoch,
		generation, high_water, created_at, skew_seconds, skewed) VALUES ($1, $2, $3, $4, $5, false, '', '', 0, 0, $6, 0, false)`,
		st.Key, st.Office, st.Code, st.Name, st.TokenHash, st.CreatedAt)
	if isCode(err, "23505") {
		return central.Station{}, "", fmt.Errorf("station %s: %w", st.Key, central.ErrExists)
	}
	if err != nil {
		return central.Station{}, "", fmt.Errorf("add station %s: %w", st.Key, err)
	}
	return st, token, nil
}

// Stations lists every station, by key.
func (s *Store) Stations() ([]central.Station, error) {
	ctx, cancel := s.ctx()
	defer cancel()
	rows, err := s.pool.Query(ctx, `SELECT `+stationCols+` FROM stations ORDER BY key`)
	if err != nil {
		return nil, fmt.Errorf("list stations: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (central.Station, error) { return scanStation(r) })
	if err != nil {
		return nil, fmt.Errorf("list stations: %w", err)
	}
	return out, nil
}

func (s *Store) updateStation(key, set string) error {
	ctx, cancel := s.ctx()
	defer cancel()
	tag, err := s.pool.Exec(ctx, `UPDATE stations SET `+set+` WHERE key = $1`, key)
	if err != nil {
		return fmt.Errorf("station %s: %w", key, err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("station %s: %w", key, central.ErrNoStation)
	}
	return nil
}

// Revoke makes a station's token useless; its data stays.
func (s *Store) Revoke(key string) error { return s.updateStation(key, `revoked = true`) }

// Rebind clears the station's binding; its log and high-water mark stay
// (see central.BoltStorage.Rebind).
func (s *Store) Rebind(key string) error { return s.updateStation(key, `station_id = '', epoch = ''`) }

// Authenticate finds the station of a token.
func (s *Store) Authenticate(token string) (central.Station, error) {
	h := central.HashToken(token)
	ctx, cancel := s.ctx()
	defer cancel()
	st, err := scanStation(s.pool.QueryRow(ctx, `SELECT `+stationCols+` FROM stations WHERE token_hash = $1`, h))
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return central.Station{}, central.ErrUnknownToken
	case err != nil:
		return central.Station{}, fmt.Errorf("authenticate: %w", err)
	case subtle.ConstantTimeCompare([]byte(st.TokenHash), []byte(h)) != 1:
		return central.Station{}, central.ErrUnknownToken
	case st.Revoked:
		return st, central.ErrRevoked
	}
	return st, nil
}

// Ingest stores a batch of one station's events by the protocol's rules
// (central.IngestBatch) in one transaction that holds the station's row.
func (s *Store) Ingest(key string, events []protocol.Event, clientNow, now time.Time) (protocol.State, error) {
	ctx, cancel := s.ctx()
	defer cancel()
	var state protocol.State
	err := s.tx(ctx, func(tx pgx.Tx) error {
		in := newIngest(ctx, tx)
		if err := in.preload(key, events); err != nil {
			return err
		}
		var err error
		if state, err = central.IngestBatch(in, key, events, clientNow, now); err != nil {
			return err
		}
		return in.flush()
	})
	var ie *central.IngestError
	if err != nil && !errors.As(err, &ie) && !errors.Is(err, central.ErrNoStation) {
		err = fmt.Errorf("ingest for station %s: %w", key, err)
	}
	return state, err
}

// History is a page of a station's own events after sequence after (see
// central.BoltStorage.History).
func (s *Store) History(key string, after uint64, limit int) (protocol.History, error) {
	if limit <= 0 || limit > protocol.MaxHistoryEvents {
		limit = protocol.MaxHistoryEvents
	}
	h := protocol.History{Station: key, Events: []protocol.Event{}}
	ctx, cancel := s.ctx()
	defer cancel()
	err := s.tx(ctx, func(tx pgx.Tx) error {
		h.Events = h.Events[:0]
		var gen, hw int64
		err := tx.QueryRow(ctx, `SELECT generation, high_water FROM stations WHERE key = $1`, key).Scan(&gen, &hw)
		if errors.Is(err, pgx.ErrNoRows) {
			return fmt.Errorf("station %s: %w", key, central.ErrNoStation)
		}
		if err != nil {
			return err
		}
		h.HighWater = uint64(hw)
		rows, err := tx.Query(ctx, `SELECT e.event, p.personal FROM events e LEFT JOIN personal p
			ON p.station = e.station AND p.generation = e.generation AND p.seq = e.seq
			WHERE e.station = $1 AND e.generation = $2 AND e.seq > $3 AND e.seq <= $4
			ORDER BY e.seq LIMIT $5`, key, gen, int64(after), hw, limit)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var raw string
			var personal []byte
			if err := rows.Scan(&raw, &personal); err != nil {
				return err
			}
			var e protocol.Event
			if err := json.Unmarshal([]byte(raw), &e); err != nil {
				return fmt.Errorf("an event of station %s does not decode: %w", key, err)
			}
			if personal != nil {
				e.Personal = new(queue.Personal)
				if err := json.Unmarshal(personal, e.Personal); err != nil {
					return fmt.Errorf("the personal part of event %d of station %s does not decode: %w", e.Seq, key, err)
				}
			}
			h.Events = append(h.Events, e)
		}
		return rows.Err()
	})
	if err != nil && !errors.Is(err, central.ErrNoStation) {
		err = fmt.Errorf("history of station %s: %w", key, err)
	}
	return h, err
}

// PublishCatalog stores a new catalog version.
func (s *Store) PublishCatalog(svcs []queue.Service) (int, error) {
	data, err := json.Marshal(svcs)
	if err != nil {
		return 0, err
	}
	ctx, cancel := s.ctx()
	defer cancel()
	var version int
	err = s.tx(ctx, func(tx pgx.Tx) error {
		return tx.QueryRow(ctx, `INSERT INTO catalog (version, services, published_at)
			SELECT coalesce(max(version), 0) + 1, $1, now() FROM catalog RETURNING version`, string(data)).Scan(&version)
	})
	if isCode(err, "23505") { // published at the same moment by another server: once more
		err = s.tx(ctx, func(tx pgx.Tx) error {
			return tx.QueryRow(ctx, `INSERT INTO catalog (version, services, published_at)
				SELECT coalesce(max(version), 0) + 1, $1, now() FROM catalog RETURNING version`, string(data)).Scan(&version)
		})
	}
	if err != nil {
		return 0, fmt.Errorf("publish catalog: %w", err)
	}
	return version, nil
}

// Catalog is the published catalog (version 0 when none).
func (s *Store) Catalog() (protocol.Catalog, error) {
	ctx, cancel := s.ctx()
	defer cancel()
	var c protocol.Catalog
	var raw string
	err := s.pool.QueryRow(ctx, `SELECT version, services FROM catalog ORDER BY version DESC LIMIT 1`).Scan(&c.Version, &raw)
	if errors.Is(err, pgx.ErrNoRows) {
		return protocol.Catalog{}, nil
	}
	if err == nil {
		err = json.Unmarshal([]byte(raw), &c.Services)
	}
	if err != nil {
		return protocol.Catalog{}, fmt.Errorf("catalog: %w", err)
	}
	return c, nil
}

// Export calls fn for every request of office and station ("" for all;
// station is OFFICE/STATION) that arrived from day from to day to ("" leaves
// an end open), in ID (arrival) order. It reads only that range (the
// primary key's (office, day) order, or the day index) and streams the rows:
// memory stays flat however many there are.
func (s *Store) Export(office, station, from, to string, fn func(queue.Request) error) error {
	var where []string
	var args []any
	add := func(cond string, v any) {
		args = append(args, v)
		where = append(where, fmt.Sprintf(cond, len(args)))
	}
	if office != "" {
		add("r.office = $%d", office)
	}
	if station != "" {
		add("r.station = $%d", station)
	}
	if from != "" {
		add("r.day >= $%d", from)
	}
	if to != "" {
		add("r.day <= $%d", to)
	}
	q := `SELECT r.id, r.request, p.personal FROM requests r LEFT JOIN LATERAL (
		SELECT personal FROM personal WHERE request_id = r.id ORDER BY generation DESC, seq DESC LIMIT 1) p ON true`
	if len(where) > 0 {
		q += ` WHERE ` + strings.Join(where, " AND ")
	}
	q += ` ORDER BY r.id`
	// Not retried: fn has seen the rows already read.
	ctx := context.Background()
	rows, err := s.pool.Query(ctx, q, args...)
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	defer rows.Close()
	var id string
	var raw, personal []byte
	for rows.Next() {
		if err := rows.Scan(&id, &raw, &personal); err != nil {
			return fmt.Errorf("export: %w", err)
		}
		var r queue.Request
		if err := json.Unmarshal(raw, &r); err != nil {
			return fmt.Errorf("export: request %s does not decode: %w", id, err)
		}
		if personal != nil {
			var p queue.Personal
			if err := json.Unmarshal(personal, &p); err != nil {
				return fmt.Errorf("export: the personal part of request %s does not decode: %w", id, err)
			}
			r = r.WithPersonal(p)
		}
		if err := fn(r); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	return nil
}

// AddSupervisor makes a read-only supervisor token for an office ("" for
// all offices), shown once and stored hashed.
func (s *Store) AddSupervisor(office string, now time.Time) (string, error) {
	token := central.NewToken()
	ctx, cancel := s.ctx()
	defer cancel()
	if _, err := s.pool.Exec(ctx, `INSERT INTO supervisors (token_hash, office, created_at) VALUES ($1, $2, $3)`,
		central.HashToken(token), office, now); err != nil {
		return "", fmt.Errorf("add supervisor: %w", err)
	}
	return token, nil
}

// Supervisor finds the office a supervisor token may read ("" for all).
func (s *Store) Supervisor(token string) (string, error) {
	ctx, cancel := s.ctx()
	defer cancel()
	var office string
	err := s.pool.QueryRow(ctx, `SELECT office FROM supervisors WHERE token_hash = $1`, central.HashToken(token)).Scan(&office)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", central.ErrUnknownToken
	}
	if err != nil {
		return "", fmt.Errorf("supervisor: %w", err)
	}
	return office, nil
}
