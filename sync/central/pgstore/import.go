package pgstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/loket-id/loket/queue"
	"github.com/loket-id/loket/skm"
	"github.com/loket-id/loket/sync/central"
	"github.com/loket-id/loket/sync/protocol"
)

// ErrNotEmpty: a move goes only into a database that holds no station yet.
var ErrNotEmpty = errors.New("the PostgreSQL database already holds stations: a move goes into an empty one")

// Moved counts what MoveFromBolt copied.
type Moved struct {
	Stations, Supervisors, Events, Requests, Personal, Surveys int
	Catalog                                                    int // the catalog's version, 0 for none
}

// MoveFromBolt copies everything src holds into s, which must hold no
// station yet, in one transaction (all or nothing), then compares the two
// exports (every request, field for field) and every station's log
// length; any difference is an error. src is read in one consistent view.
func MoveFromBolt(ctx context.Context, src *central.BoltStorage, s *Store) (Moved, error) {
	var m Moved
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		m = Moved{}
		var n int
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM stations`).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return ErrNotEmpty
		}
		// Rows are sent in batches of 1,000 statements.
		b := &pgx.Batch{}
		send := func(force bool) error {
			if b.Len() == 0 || !force && b.Len() < 1000 {
				return nil
			}
			err := tx.SendBatch(ctx, b).Close()
			b = &pgx.Batch{}
			return err
		}
		add := func(sql string, args ...any) error { b.Queue(sql, args...); return send(false) }
		var stations []central.Station
		err := src.Dump(central.Dump{
			Station: func(st central.Station) error {
				stations = append(stations, st)
				m.Stations++
				var lastSeen any
				if !st.LastSeen.IsZero() {
					lastSeen = st.LastSeen
				}
				return add(`INSERT INTO stations (key, office, code, name, token_hash, revoked, station_id, epoch, generation,
					high_water, created_at, last_seen, skew_seconds, skewed) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`,
					st.Key, st.Office, st.Code, st.Name, st.TokenHash, st.Revoked, st.StationID, st.Epoch, int64(st.Generation),
					int64(st.HighWater), st.CreatedAt, lastSeen, st.SkewSeconds, st.Skewed)
			},
			Supervisor: func(hash, office string, at time.Time) error {
				m.Supervisors++
				return add(`INSERT INTO supervisors (token_hash, office, created_at) VALUES ($1, $2, $3)`, hash, office, at)
			},
			Catalog: func(c protocol.Catalog) error {
				m.Catalog = c.Version
				data, err := json.Marshal(c.Services)
				if err != nil {
					return err
				}
				return add(`INSERT INTO catalog (version, services, published_at) VALUES ($1, $2, now())`, c.Version, string(data))
			},
			Event: func(key string, gen uint32, e protocol.Event, at time.Time) error {
				m.Events++
				body, err := json.Marshal(e)
				if err != nil {
					return err
				}
				return add(`INSERT INTO events (station, generation, seq, type, request_id, hash, event, received_at)
					VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, key, int64(gen), int64(e.Seq), e.Type, e.RequestID, e.Hash, string(body), at)
			},
			Request: func(office, station string, r queue.Request) error {
				m.Requests++
				body, err := json.Marshal(r)
				if err != nil {
					return err
				}
				var f facts
				f.add(r)
				return add(`INSERT INTO requests (office, day, id, station, request, tracking_code, `+factsCols+`)
					SELECT $1, $2, $3, $4, $5, $6, u.* FROM unnest(`+factsUnnest(7)+`) AS u`,
					append([]any{office, r.Day, r.ID, station, string(body), r.TrackingCode}, f.args()...)...)
			},
			Personal: func(key string, gen uint32, seq uint64, id string, p []byte) error {
				m.Personal++
				return add(`INSERT INTO personal (station, generation, seq, request_id, personal) VALUES ($1, $2, $3, $4, $5)`,
					key, int64(gen), int64(seq), id, p)
			},
			Survey: func(a skm.Answer) error {
				m.Surveys++
				body, err := json.Marshal(a)
				if err != nil {
					return err
				}
				return add(`INSERT INTO surveys (request_id, office, day, service, answer) VALUES ($1, $2, $3, $4, $5)`,
					a.RequestID, a.Office, a.Day(), a.Service, string(body))
			},
		})
		if err != nil {
			return err
		}
		return send(true)
	})
	if err != nil {
		return m, fmt.Errorf("move to PostgreSQL (nothing was written there): %w", err)
	}
	if err := Compare(src, s); err != nil {
		return m, fmt.Errorf("moved, but the two differ: %w", err)
	}
	return m, nil
}

// Compare compares two central storages: their stations (binding and
// high-water mark), their logs (each station's history, hash by hash),
// their catalogs and their exports (every request, field for field, in
// order). The first difference is the error.
func Compare(a, b central.Storage) error {
	sa, err := a.Stations()
	if err != nil {
		return err
	}
	sb, err := b.Stations()
	if err != nil {
		return err
	}
	key := func(s central.Station) string {
		return fmt.Sprintf("%s %s %s %s %d %d %t %s", s.Key, s.TokenHash, s.StationID, s.Epoch, s.Generation, s.HighWater, s.Revoked, s.Name)
	}
	ka, kb := make([]string, len(sa)), make([]string, len(sb))
	for i := range sa {
		ka[i] = key(sa[i])
	}
	for i := range sb {
		kb[i] = key(sb[i])
	}
	slices.Sort(ka)
	slices.Sort(kb)
	if !slices.Equal(ka, kb) {
		return fmt.Errorf("stations differ:\n%s\n--\n%s", strings.Join(ka, "\n"), strings.Join(kb, "\n"))
	}
	for _, st := range sa {
		for after := uint64(0); ; {
			ha, err := a.History(st.Key, after, protocol.MaxHistoryEvents)
			if err != nil {
				return err
			}
			hb, err := b.History(st.Key, after, protocol.MaxHistoryEvents)
			if err != nil {
				return err
			}
			if len(ha.Events) != len(hb.Events) {
				return fmt.Errorf("station %s: the logs differ after event %d", st.Key, after)
			}
			if len(ha.Events) == 0 {
				break
			}
			for i := range ha.Events {
				if ha.Events[i].Hash != hb.Events[i].Hash || protocol.Hash(hb.Events[i]) != hb.Events[i].Hash {
					return fmt.Errorf("station %s: event %d differs", st.Key, ha.Events[i].Seq)
				}
			}
			after = ha.Events[len(ha.Events)-1].Seq
		}
	}
	ca, err := a.Catalog()
	if err != nil {
		return err
	}
	cb, err := b.Catalog()
	if err != nil {
		return err
	}
	ja, _ := json.Marshal(ca)
	jb, _ := json.Marshal(cb)
	if string(ja) != string(jb) {
		return fmt.Errorf("catalogs differ")
	}
	var ea []string
	if err := a.Export("", "", "", "", func(r queue.Request) error { j, _ := json.Marshal(r); ea = append(ea, string(j)); return nil }); err != nil {
		return err
	}
	i := 0
	err = b.Export("", "", "", "", func(r queue.Request) error {
		j, _ := json.Marshal(r)
		if i >= len(ea) || ea[i] != string(j) {
			return fmt.Errorf("exports differ at row %d (request %s)", i+1, r.ID)
		}
		i++
		return nil
	})
	if err == nil && i != len(ea) {
		err = fmt.Errorf("exports differ: %d rows and %d", len(ea), i)
	}
	if err != nil {
		return err
	}
	// The survey answers, comments included, in request order on both.
	answers := func(s central.Storage) ([]string, error) {
		var out []string
		err := s.Surveys(skm.Filter{}, func(a skm.Answer) error { j, _ := json.Marshal(a); out = append(out, string(j)); return nil })
		return out, err
	}
	aa, err := answers(a)
	if err != nil {
		return err
	}
	ab, err := answers(b)
	if err != nil {
		return err
	}
	if !slices.Equal(aa, ab) {
		return fmt.Errorf("survey answers differ: %d and %d", len(aa), len(ab))
	}
	return nil
}
