package pgstore

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/loket-id/loket/queue"
	"github.com/loket-id/loket/sync/central"
	"github.com/loket-id/loket/sync/protocol"
)

// mostProblems is how many problems Check lists before it stops.
const mostProblems = 1000

// Check verifies the central database as central.BoltStorage.Check does
// (the schema's own constraints hold the rest: keys, references): its
// schema version; every station's events contiguous from 1 to its
// high-water mark; every request valid by the counter's rules
// (queue.ValidateRecord); every event touching only its own station's
// requests; every request.created valid as ingest requires. It reads in
// one repeatable-read snapshot, streaming.
func (s *Store) Check() ([]string, error) {
	ctx, cancel := s.ctx()
	defer cancel()
	var problems []string
	add := func(format string, args ...any) {
		if len(problems) < mostProblems {
			problems = append(problems, fmt.Sprintf(format, args...))
		} else if len(problems) == mostProblems {
			problems = append(problems, "… and more: the listing stops here")
		}
	}
	if v, err := Version(ctx, s.pool); err != nil {
		return nil, fmt.Errorf("check central database: %w", err)
	} else if v != SchemaVersion() {
		add("schema version %d, this build's is %d", v, SchemaVersion())
	}
	err := pgx.BeginTxFunc(ctx, s.pool, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
		// Contiguity: the log of each station's generation holds exactly
		// the sequences 1..high_water (seq is a key: count and bounds say it).
		rows, err := tx.Query(ctx, `SELECT s.key, s.high_water, count(e.seq), coalesce(min(e.seq), 0), coalesce(max(e.seq), 0)
			FROM stations s LEFT JOIN events e ON e.station = s.key AND e.generation = s.generation
			WHERE NOT (s.epoch = '' AND s.high_water = 0)
			GROUP BY s.key, s.high_water ORDER BY s.key`)
		if err != nil {
			return err
		}
		var key string
		var hw, n, lo, hi int64
		if _, err := pgx.ForEachRow(rows, []any{&key, &hw, &n, &lo, &hi}, func() error {
			switch {
			case n != hi || (n > 0 && lo != 1):
				add("station %s: events jump (%d events stored, sequences %d to %d)", key, n, lo, hi)
			case n != hw:
				add("station %s: %d events stored, high-water mark %d", key, n, hw)
			}
			return nil
		}); err != nil {
			return err
		}
		// Requests: each decodes, is the row's, and is valid.
		rows, err = tx.Query(ctx, `SELECT id, station, office, day, request FROM requests ORDER BY id`)
		if err != nil {
			return err
		}
		var id, station, office, day string
		var raw []byte
		if _, err := pgx.ForEachRow(rows, []any{&id, &station, &office, &day, &raw}, func() error {
			var r queue.Request
			if json.Unmarshal(raw, &r) != nil || r.ID != id {
				add("request %s does not decode", id)
				return nil
			}
			if r.Day != day {
				add("request %s is filed under day %s but is of %s", id, day, r.Day)
			}
			if err := queue.ValidateRecord(r); err != nil {
				add("request %s of station %s: %v", id, station, err)
			}
			return nil
		}); err != nil {
			return err
		}
		// Events: of their request's station, and each creation valid.
		rows, err = tx.Query(ctx, `SELECT e.station, e.seq, e.request_id, coalesce(r.station, '') FROM events e
			LEFT JOIN requests r ON r.id = e.request_id
			WHERE e.type <> $1 AND (r.id IS NULL OR r.station <> e.station) ORDER BY e.station, e.generation, e.seq`, queue.EventCatalog)
		if err != nil {
			return err
		}
		var seq int64
		var holder string
		if _, err := pgx.ForEachRow(rows, []any{&key, &seq, &id, &holder}, func() error {
			if holder == "" {
				add("event %d of station %s is for request %s, which is not stored", seq, key, id)
			} else {
				add("event %d of station %s is for request %s, which station %s holds", seq, key, id, holder)
			}
			return nil
		}); err != nil {
			return err
		}
		rows, err = tx.Query(ctx, `SELECT e.station, e.event, e.received_at, p.personal FROM events e LEFT JOIN personal p
			ON p.station = e.station AND p.generation = e.generation AND p.seq = e.seq
			WHERE e.type = $1 ORDER BY e.station, e.generation, e.seq`, queue.EventCreated)
		if err != nil {
			return err
		}
		var body string
		var received time.Time
		var personal []byte
		_, err = pgx.ForEachRow(rows, []any{&key, &body, &received, &personal}, func() error {
			var e protocol.Event
			if err := json.Unmarshal([]byte(body), &e); err != nil {
				add("an event of station %s does not decode", key)
				return nil
			}
			if personal != nil {
				e.Personal = new(queue.Personal)
				if err := json.Unmarshal(personal, e.Personal); err != nil {
					add("the personal part of event %d of station %s does not decode", e.Seq, key)
					return nil
				}
			}
			if err := central.CheckCreated(e, received); err != nil {
				add("event %d of station %s creates request %s against the rules: %v", e.Seq, key, e.RequestID, err)
			}
			return nil
		})
		return err
	})
	if err != nil {
		return problems, fmt.Errorf("check central database: %w", err)
	}
	return problems, nil
}
