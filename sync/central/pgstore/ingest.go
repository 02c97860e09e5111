package pgstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/loket-id/loket/queue"
	"github.com/loket-id/loket/sync/central"
	"github.com/loket-id/loket/sync/protocol"
)

// ingest is central.IngestTx over one transaction. preload locks the
// station's row and reads, in three queries, what the batch's rules will
// ask (the stored hashes of its sequence range, its requests); the writes
// are gathered and sent by flush as a few set-based statements, so a batch
// of 250 events costs a handful of round trips, not a thousand.
type ingest struct {
	ctx context.Context
	tx  pgx.Tx

	station  *central.Station
	gen      uint32
	lo, hi   uint64            // the preloaded sequence range
	hashes   map[uint64]string // stored hashes in lo..hi
	requests map[string]storedReq
	// personal is each request's current personal part (JSON of
	// queue.Personal; nil when none or erased), as stored and as the
	// batch changes it.
	personal map[string][]byte

	events      []pendingEvent
	changed     []string // request IDs written, in order of first write
	newPersonal []pendingPersonal
	putSt       *central.Station
}

type storedReq struct {
	r        queue.Request
	station  string
	office   string
	found    bool
	existing bool // stored before this batch
}

type pendingEvent struct {
	key        string
	generation uint32
	e          protocol.Event
	receivedAt time.Time
}

type pendingPersonal struct {
	key        string
	generation uint32
	seq        uint64
	requestID  string
	data       []byte
}

func newIngest(ctx context.Context, tx pgx.Tx) *ingest {
	return &ingest{ctx: ctx, tx: tx, hashes: map[uint64]string{}, requests: map[string]storedReq{}, personal: map[string][]byte{}}
}

// preload locks the station's row for the batch and reads what its rules
// will look at.
func (in *ingest) preload(key string, events []protocol.Event) error {
	st, err := scanStation(in.tx.QueryRow(in.ctx, `SELECT `+stationCols+` FROM stations WHERE key = $1 FOR UPDATE`, key))
	if errors.Is(err, pgx.ErrNoRows) {
		return fmt.Errorf("station %s: %w", key, central.ErrNoStation)
	}
	if err != nil {
		return err
	}
	in.station, in.gen = &st, st.Generation
	if len(events) == 0 {
		return nil
	}
	in.lo, in.hi = events[0].Seq, events[len(events)-1].Seq
	if in.lo <= st.HighWater {
		rows, err := in.tx.Query(in.ctx, `SELECT seq, hash FROM events WHERE station = $1 AND generation = $2 AND seq BETWEEN $3 AND $4`,
			key, int64(st.Generation), int64(in.lo), int64(in.hi))
		if err != nil {
			return err
		}
		var seq int64
		var hash string
		if _, err := pgx.ForEachRow(rows, []any{&seq, &hash}, func() error { in.hashes[uint64(seq)] = hash; return nil }); err != nil {
			return err
		}
	}
	ids := make([]string, 0, len(events))
	seen := map[string]bool{}
	for _, e := range events {
		if e.RequestID != "" && !seen[e.RequestID] {
			seen[e.RequestID] = true
			ids = append(ids, e.RequestID)
		}
	}
	for _, id := range ids {
		in.requests[id] = storedReq{}
	}
	if len(ids) == 0 {
		return nil
	}
	return in.readRequests(ids)
}

func (in *ingest) readRequests(ids []string) error {
	rows, err := in.tx.Query(in.ctx, `SELECT id, office, station, request FROM requests WHERE id = ANY($1)`, ids)
	if err != nil {
		return err
	}
	var id, office, station string
	var raw []byte
	if _, err = pgx.ForEachRow(rows, []any{&id, &office, &station, &raw}, func() error {
		var r queue.Request
		if err := json.Unmarshal(raw, &r); err != nil {
			return fmt.Errorf("request %s does not decode: %w", id, err)
		}
		in.requests[id] = storedReq{r: r, station: station, office: office, found: r.ID != "", existing: true}
		return nil
	}); err != nil {
		return err
	}
	rows, err = in.tx.Query(in.ctx, currentPersonal+` WHERE request_id = ANY($1) ORDER BY request_id, generation DESC, seq DESC`, ids)
	if err != nil {
		return err
	}
	_, err = pgx.ForEachRow(rows, []any{&id, &raw}, func() error {
		in.personal[id] = append([]byte(nil), raw...)
		return nil
	})
	return err
}

// currentPersonal selects each request's current personal part: that of
// its latest event that has one (a request is one station's).
const currentPersonal = `SELECT DISTINCT ON (request_id) request_id, personal FROM personal`

func (in *ingest) Station(key string) (central.Station, error) {
	if in.station == nil || in.station.Key != key {
		return central.Station{}, fmt.Errorf("station %s: not the batch's station: %w", key, central.ErrNoStation)
	}
	return *in.station, nil
}

func (in *ingest) PutStation(st central.Station) error {
	in.putSt = &st
	return nil
}

func (in *ingest) EventHash(key string, generation uint32, seq uint64) (string, error) {
	if key == in.station.Key && generation == in.gen && seq >= in.lo && seq <= in.hi {
		return in.hashes[seq], nil
	}
	var hash string
	err := in.tx.QueryRow(in.ctx, `SELECT hash FROM events WHERE station = $1 AND generation = $2 AND seq = $3`,
		key, int64(generation), int64(seq)).Scan(&hash)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", nil
	}
	return hash, err
}

func (in *ingest) PutEvent(key string, generation uint32, e protocol.Event, receivedAt time.Time) error {
	in.events = append(in.events, pendingEvent{key, generation, e, receivedAt})
	return nil
}

func (in *ingest) Request(id string) (queue.Request, string, bool, error) {
	sr, ok := in.requests[id]
	if !ok {
		if err := in.readRequests([]string{id}); err != nil {
			return queue.Request{}, "", false, err
		}
		sr = in.requests[id]
	}
	r := sr.r
	if raw := in.personal[id]; raw != nil && sr.found {
		var p queue.Personal
		if err := json.Unmarshal(raw, &p); err != nil {
			return queue.Request{}, "", false, fmt.Errorf("the personal part of request %s does not decode: %w", id, err)
		}
		r = r.WithPersonal(p)
	}
	return r, sr.station, sr.found, nil
}

func (in *ingest) PutRequest(office, station string, r queue.Request) error {
	if !containsID(in.changed, r.ID) {
		in.changed = append(in.changed, r.ID)
	}
	in.requests[r.ID] = storedReq{r: r, station: station, office: office, found: true, existing: in.requests[r.ID].existing}
	return nil
}

func containsID(ids []string, id string) bool {
	for i := len(ids) - 1; i >= 0; i-- {
		if ids[i] == id {
			return true
		}
	}
	return false
}

func (in *ingest) PutPersonal(key string, generation uint32, seq uint64, requestID string, personal []byte) error {
	data := append([]byte(nil), personal...)
	in.newPersonal = append(in.newPersonal, pendingPersonal{key, generation, seq, requestID, data})
	in.personal[requestID] = data
	return nil
}

// ErasePersonal deletes the request's personal parts stored before this
// batch at once (counted for the next Compact), and drops those the batch
// was about to store.
func (in *ingest) ErasePersonal(requestID string) error {
	kept := in.newPersonal[:0]
	for _, p := range in.newPersonal {
		if p.requestID != requestID {
			kept = append(kept, p)
		}
	}
	in.newPersonal = kept
	in.personal[requestID] = nil
	tag, err := in.tx.Exec(in.ctx, `DELETE FROM personal WHERE request_id = $1`, requestID)
	if err != nil {
		return err
	}
	n := tag.RowsAffected()
	if cleared, err := eraseSurveyComment(in.ctx, in.tx, requestID); err != nil {
		return err
	} else if cleared {
		n++
	}
	return notePending(in.ctx, in.tx, n) // gone from the files at the next Compact
}

// flush writes what the batch gathered: its events (INSERT … ON CONFLICT
// DO NOTHING: an event already stored, which the station's lock and the
// rules exclude, must then have the same hash), its requests, personal
// parts and the station's row.
func (in *ingest) flush() error {
	if n := len(in.events); n > 0 {
		keys, hashes, types, reqIDs, bodies := make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
		gens, seqs := make([]int64, n), make([]int64, n)
		received := make([]time.Time, n)
		for i, p := range in.events {
			body, err := json.Marshal(p.e)
			if err != nil {
				return err
			}
			keys[i], gens[i], seqs[i], types[i], reqIDs[i], hashes[i], bodies[i], received[i] =
				p.key, int64(p.generation), int64(p.e.Seq), p.e.Type, p.e.RequestID, p.e.Hash, string(body), p.receivedAt
		}
		rows, err := in.tx.Query(in.ctx, `INSERT INTO events (station, generation, seq, type, request_id, hash, event, received_at)
			SELECT * FROM unnest($1::text[], $2::bigint[], $3::bigint[], $4::text[], $5::text[], $6::text[], $7::text[], $8::timestamptz[])
			ON CONFLICT (station, generation, seq) DO NOTHING RETURNING seq`,
			keys, gens, seqs, types, reqIDs, hashes, bodies, received)
		if err != nil {
			return err
		}
		inserted := map[int64]bool{}
		var seq int64
		if _, err := pgx.ForEachRow(rows, []any{&seq}, func() error { inserted[seq] = true; return nil }); err != nil {
			return err
		}
		for i, p := range in.events {
			if inserted[seqs[i]] {
				continue
			}
			var hash string
			if err := in.tx.QueryRow(in.ctx, `SELECT hash FROM events WHERE station = $1 AND generation = $2 AND seq = $3`,
				p.key, gens[i], seqs[i]).Scan(&hash); err != nil {
				return err
			}
			if hash != p.e.Hash {
				return &central.IngestError{P: protocol.Error{Code: protocol.CodeConflict,
					Message: fmt.Sprintf("event %d differs from the event %d already stored for station %s", p.e.Seq, p.e.Seq, p.key)}}
			}
		}
	}
	if n := len(in.changed); n > 0 {
		offices, days, ids, stations, bodies, codes := make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
		var f facts
		for i, id := range in.changed {
			sr := in.requests[id]
			body, err := json.Marshal(sr.r)
			if err != nil {
				return err
			}
			offices[i], days[i], ids[i], stations[i], bodies[i], codes[i] = sr.office, sr.r.Day, id, sr.station, string(body), sr.r.TrackingCode
			f.add(sr.r)
		}
		if _, err := in.tx.Exec(in.ctx, `INSERT INTO requests (office, day, id, station, request, tracking_code, `+factsCols+`)
			SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], `+factsUnnest(7)+`)
			ON CONFLICT (id) DO UPDATE SET (request, `+factsCols+`) = (excluded.request, excluded.status, excluded.service,
				excluded.first_service, excluded.counter, excluded.clerk, excluded.arrived_ns, excluded.arr_offset, excluded.called_ns,
				excluded.serving_ns, excluded.done_ns, excluded.transfers, excluded.reopens)`,
			append([]any{offices, days, ids, stations, bodies, codes}, f.args()...)...); err != nil {
			return err
		}
	}
	if n := len(in.newPersonal); n > 0 {
		// One statement for the batch's personal parts, as for its events.
		keys, reqIDs := make([]string, n), make([]string, n)
		gens, seqs := make([]int64, n), make([]int64, n)
		data := make([][]byte, n)
		for i, p := range in.newPersonal {
			keys[i], gens[i], seqs[i], reqIDs[i], data[i] = p.key, int64(p.generation), int64(p.seq), p.requestID, p.data
		}
		if _, err := in.tx.Exec(in.ctx, `INSERT INTO personal (station, generation, seq, request_id, personal)
			SELECT * FROM unnest($1::text[], $2::bigint[], $3::bigint[], $4::text[], $5::bytea[])
			ON CONFLICT (station, generation, seq) DO NOTHING`, keys, gens, seqs, reqIDs, data); err != nil {
			return err
		}
	}
	if st := in.putSt; st != nil {
		var lastSeen any
		if !st.LastSeen.IsZero() {
			lastSeen = st.LastSeen
		}
		if _, err := in.tx.Exec(in.ctx, `UPDATE stations SET station_id = $2, epoch = $3, generation = $4, high_water = $5,
			last_seen = $6, skew_seconds = $7, skewed = $8 WHERE key = $1`,
			st.Key, st.StationID, st.Epoch, int64(st.Generation), int64(st.HighWater), lastSeen, st.SkewSeconds, st.Skewed); err != nil {
			return err
		}
	}
	return nil
}
