package pgstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/loket-id/loket/queue"
	"github.com/loket-id/loket/skm"
	"github.com/loket-id/loket/sync/central"
)

// byCode is the request whose tracking code is code, with its station's
// office and key (requests_tracking index).
func byCode(ctx context.Context, q interface {
	QueryRow(context.Context, string, ...any) pgx.Row
}, code string, lock bool) (r queue.Request, office, station string, found bool, err error) {
	sql := `SELECT office, station, request FROM requests WHERE tracking_code = $1 ORDER BY id LIMIT 1`
	if lock {
		sql += ` FOR UPDATE`
	}
	var raw []byte
	err = q.QueryRow(ctx, sql, code).Scan(&office, &station, &raw)
	if errors.Is(err, pgx.ErrNoRows) {
		return r, "", "", false, nil
	}
	if err != nil {
		return r, "", "", false, err
	}
	if err := json.Unmarshal(raw, &r); err != nil {
		return r, "", "", false, fmt.Errorf("request of tracking code %s does not decode: %w", code, err)
	}
	return r, office, station, true, nil
}

// SurveyFor implements central.Surveys.
func (s *Store) SurveyFor(code string) (central.SurveyRequest, bool, error) {
	ctx, cancel := s.ctx()
	defer cancel()
	r, office, station, found, err := byCode(ctx, s.pool, code, false)
	if err != nil || !found {
		return central.SurveyRequest{}, false, err
	}
	t := central.SurveyRequest{ID: r.ID, Service: r.Service, Status: r.Status, Office: office, Station: station}
	if r.DoneAt != nil {
		t.DoneAt = *r.DoneAt
	}
	if err := s.pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM surveys WHERE request_id = $1)`, r.ID).Scan(&t.Answered); err != nil {
		return central.SurveyRequest{}, false, fmt.Errorf("survey of %s: %w", code, err)
	}
	return t, true, nil
}

// AnswerSurvey implements central.Surveys.
func (s *Store) AnswerSurvey(code string, a skm.Answer) (skm.Answer, error) {
	ctx, cancel := s.ctx()
	defer cancel()
	in := a
	err := s.tx(ctx, func(tx pgx.Tx) error {
		a = in
		r, office, station, found, err := byCode(ctx, tx, code, true)
		switch {
		case err != nil:
			return err
		case !found:
			return central.ErrSurveyUnknown
		case r.Status != queue.StatusDone:
			return central.ErrSurveyNotDone
		}
		a.RequestID, a.TrackingCode, a.Service = r.ID, code, r.Service
		a.Office = office
		_, a.Station, _ = strings.Cut(station, "/")
		if a, err = a.Validate(); err != nil {
			return err
		}
		stored, err := putSurvey(ctx, tx, a)
		if err == nil && !stored {
			err = central.ErrSurveyed
		}
		return err
	})
	if err != nil {
		return skm.Answer{}, fmt.Errorf("answer the survey of %s: %w", code, err)
	}
	return a, nil
}

// putSurvey stores a unless its request has an answer.
func putSurvey(ctx context.Context, tx pgx.Tx, a skm.Answer) (bool, error) {
	body, err := json.Marshal(a)
	if err != nil {
		return false, err
	}
	tag, err := tx.Exec(ctx, `INSERT INTO surveys (request_id, office, day, service, answer) VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (request_id) DO NOTHING`, a.RequestID, a.Office, a.Day(), a.Service, string(body))
	if err != nil {
		return false, err
	}
	return tag.RowsAffected() == 1, nil
}

// PutSurvey stores a station's answer unless its request has one
// (central.IngestTx).
func (in *ingest) PutSurvey(a skm.Answer) (bool, error) { return putSurvey(in.ctx, in.tx, a) }

// eraseSurveyComment removes the comment of request id's answer, and
// reports whether there was one.
func eraseSurveyComment(ctx context.Context, tx pgx.Tx, id string) (bool, error) {
	tag, err := tx.Exec(ctx, `UPDATE surveys SET answer = ((answer::jsonb) - 'comment')::text
		WHERE request_id = $1 AND (answer::jsonb) ? 'comment'`, id)
	return tag.RowsAffected() > 0, err
}

// Surveys implements central.Surveys: the answers f picks, in request ID
// order, streamed.
func (s *Store) Surveys(f skm.Filter, fn func(skm.Answer) error) error {
	if err := f.Check(); err != nil {
		return err
	}
	var where []string
	var args []any
	add := func(cond string, v any) {
		args = append(args, v)
		where = append(where, fmt.Sprintf(cond, len(args)))
	}
	if f.From != "" {
		add("day >= $%d", f.From)
	}
	if f.To != "" {
		add("day <= $%d", f.To)
	}
	if f.Service != "" {
		add("service = $%d", f.Service)
	}
	if f.Office != "" {
		add("office = $%d", f.Office)
	}
	q := `SELECT request_id, answer FROM surveys`
	if len(where) > 0 {
		q += ` WHERE ` + strings.Join(where, " AND ")
	}
	q += ` ORDER BY request_id`
	ctx, cancel := context.WithTimeout(context.Background(), time.Hour)
	defer cancel()
	rows, err := s.pool.Query(ctx, q, args...)
	if err != nil {
		return fmt.Errorf("surveys: %w", err)
	}
	defer rows.Close()
	var id string
	var raw []byte
	for rows.Next() {
		if err := rows.Scan(&id, &raw); err != nil {
			return fmt.Errorf("surveys: %w", err)
		}
		var a skm.Answer
		if err := json.Unmarshal(raw, &a); err != nil {
			return fmt.Errorf("surveys: the answer of request %s does not decode: %w", id, err)
		}
		if !f.Match(a) {
			continue
		}
		if err := fn(a); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("surveys: %w", err)
	}
	return nil
}
