package pgstore

import (
	"encoding/json"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/loket-id/loket/queue"
	"github.com/loket-id/loket/sync/central"
)

// Track implements central.Storage's Track: the request of a tracking code
// (the first stored with it) with its current personal part, in one query
// through the tracking-code index; a miss runs the same query.
func (s *Store) Track(code string) (central.Tracked, bool, error) {
	ctx, cancel := s.ctx()
	defer cancel()
	var (
		t        central.Tracked
		raw, per []byte
	)
	err := s.pool.QueryRow(ctx, `SELECT r.office, r.station, r.request, p.personal FROM requests r LEFT JOIN LATERAL (
		SELECT personal FROM personal WHERE request_id = r.id ORDER BY generation DESC, seq DESC LIMIT 1) p ON true
		WHERE r.tracking_code = $1 ORDER BY r.id LIMIT 1`, code).Scan(&t.Office, &t.Station, &raw, &per)
	if errors.Is(err, pgx.ErrNoRows) {
		return central.Tracked{}, false, nil
	}
	if err != nil {
		return central.Tracked{}, false, fmt.Errorf("track %s: %w", code, err)
	}
	if err := json.Unmarshal(raw, &t.Request); err != nil {
		return central.Tracked{}, false, fmt.Errorf("the request of tracking code %s does not decode: %w", code, err)
	}
	if per != nil {
		var p queue.Personal
		if err := json.Unmarshal(per, &p); err != nil {
			return central.Tracked{}, false, fmt.Errorf("the personal part of tracking code %s does not decode: %w", code, err)
		}
		t.Request = t.Request.WithPersonal(p)
	}
	return t, true, nil
}
