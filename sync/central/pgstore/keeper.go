package pgstore

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/loket-id/loket/queue"
)

// Erased means gone from the table files. PostgreSQL's DELETE (and
// UPDATE) leaves the old tuple in its page until a VACUUM marks the space
// free, and even then the bytes stay until a later row overwrites them.
// Compact runs VACUUM FULL on personal and surveys (the tables that hold
// personal data: the personal parts, and the survey answers' free-text
// comments; events and requests hold the facts only), which writes the live
// rows into new files and drops the old ones, so nothing erased is left in
// the tables' files; and on pg_statistic, where ANALYZE kept sample values
// of those columns before schema 3 (they are no longer sampled). The WAL still holds them until its segments are recycled (see the
// README: a CHECKPOINT, wal_keep_size, archives and base backups).
//
// Every erasure counts its deleted personal rows in erasures.pending (one
// row, in the erasing transaction); Compact subtracts what it saw before
// its VACUUM FULL, so an erasure committed during it is compacted again the
// next night.

// keeperTimeout bounds Purge and Compact: a province's personal table is
// rewritten in minutes, not hours.
const keeperTimeout = time.Hour

// notePending counts n erased personal rows in tx.
func notePending(ctx context.Context, tx pgx.Tx, n int64) error {
	if n == 0 {
		return nil
	}
	_, err := tx.Exec(ctx, `UPDATE erasures SET pending = pending + $1 WHERE id = 1`, n)
	return err
}

// ErasedPending is the number of erased personal parts since the last
// compaction (central.Keeper).
func (s *Store) ErasedPending() (uint64, error) {
	ctx, cancel := s.ctx()
	defer cancel()
	var n int64
	if err := s.pool.QueryRow(ctx, `SELECT pending FROM erasures WHERE id = 1`).Scan(&n); err != nil {
		return 0, fmt.Errorf("erasures pending: %w", err)
	}
	return uint64(n), nil
}

// Compact rewrites the personal and surveys tables with only their live
// rows (VACUUM FULL, which holds them alone while it runs: ingest waits),
// resets the pending count by what it compacted, and reports the two
// tables' size (with their indexes) before and after (central.Keeper).
func (s *Store) Compact() (before, after int64, err error) {
	ctx, cancel := context.WithTimeout(context.Background(), keeperTimeout)
	defer cancel()
	var pending int64
	err = s.pool.QueryRow(ctx, `SELECT pending, pg_total_relation_size('personal') + pg_total_relation_size('surveys') FROM erasures WHERE id = 1`).Scan(&pending, &before)
	if err == nil {
		// VACUUM runs outside a transaction block: the simple protocol.
		_, err = s.pool.Exec(ctx, `VACUUM FULL personal, surveys`, pgx.QueryExecModeSimpleProtocol)
	}
	if err == nil {
		// pg_statistic may hold sample values of the personal column taken
		// before schema 3 stopped them (0003_erasures.sql): their deleted
		// rows go too. A role that may not (neither the database's owner
		// nor a superuser) gets a warning from the server, not an error.
		_, err = s.pool.Exec(ctx, `VACUUM FULL pg_statistic`, pgx.QueryExecModeSimpleProtocol)
	}
	if err == nil {
		err = retry(ctx, func() error {
			_, err := s.pool.Exec(ctx, `UPDATE erasures SET pending = greatest(pending - $1, 0) WHERE id = 1`, pending)
			return err
		})
	}
	if err == nil {
		err = s.pool.QueryRow(ctx, `SELECT pg_total_relation_size('personal') + pg_total_relation_size('surveys')`).Scan(&after)
	}
	if err != nil {
		return before, 0, fmt.Errorf("compact the personal table: %w", err)
	}
	return before, after, nil
}

// Purge is the centre's own retention (central.Keeper), as
// central.BoltStorage.Purge: it erases the personal part of every request
// closed (done, no-show or cancelled) on a day before before (YYYY-MM-DD,
// in the offset of its own ClosedAt) and not erased yet, marks it erased
// (its facts and events stay), all in one transaction, and then compacts
// the personal table. dryRun lists what it would erase and writes nothing.
// Requests come in ID order.
func (s *Store) Purge(before string, dryRun bool) (queue.Erasure, error) {
	if _, err := time.Parse(time.DateOnly, before); err != nil {
		return queue.Erasure{}, queue.Invalid("before", fmt.Sprintf("%q is not a date (YYYY-MM-DD)", before))
	}
	ctx, cancel := context.WithTimeout(context.Background(), keeperTimeout)
	defer cancel()
	out := queue.Erasure{DryRun: dryRun, Requests: []queue.ErasedRequest{}}
	opts := pgx.TxOptions{}
	if dryRun {
		opts = pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}
	}
	err := retry(ctx, func() error {
		return pgx.BeginTxFunc(ctx, s.pool, opts, func(tx pgx.Tx) error {
			out.Requests = out.Requests[:0]
			// Only a request with a personal part stored can need the
			// purge, and one closed before the date: the first ten
			// characters of its closed_at are that day in its own offset
			// (RFC 3339). Each candidate is checked again below, exactly.
			rows, err := tx.Query(ctx, `SELECT r.id FROM (SELECT DISTINCT request_id FROM personal) p JOIN requests r ON r.id = p.request_id
				WHERE left(r.request::jsonb->>'closed_at', 10) COLLATE "C" < $1 ORDER BY r.id`, before)
			if err != nil {
				return err
			}
			ids, err := pgx.CollectRows(rows, pgx.RowTo[string])
			if err != nil {
				return err
			}
			lock := ` FOR UPDATE OF r`
			if dryRun {
				lock = ``
			}
			var erase []string
			var bodies []string
			for len(ids) > 0 {
				chunk := ids[:min(len(ids), 5000)]
				ids = ids[len(chunk):]
				// Each request with its current personal part; the request
				// rows locked, so a batch ingested meanwhile is not lost.
				rows, err := tx.Query(ctx, `SELECT r.id, r.request, (SELECT personal FROM personal p WHERE p.request_id = r.id
					ORDER BY generation DESC, seq DESC LIMIT 1) FROM requests r WHERE r.id = ANY($1) ORDER BY r.id`+lock, chunk)
				if err != nil {
					return err
				}
				var id string
				var raw, personal []byte
				if _, err := pgx.ForEachRow(rows, []any{&id, &raw, &personal}, func() error {
					var r queue.Request
					if err := json.Unmarshal(raw, &r); err != nil {
						return fmt.Errorf("request %s does not decode: %w", id, err)
					}
					if r.Erased || !r.Status.Final() || r.ClosedAt == nil || r.ClosedAt.Format(time.DateOnly) >= before || personal == nil {
						return nil
					}
					var p queue.Personal
					if err := json.Unmarshal(personal, &p); err != nil {
						return fmt.Errorf("the personal part of request %s does not decode: %w", id, err)
					}
					if r.WithPersonal(p).Anonymous() {
						return nil
					}
					out.Requests = append(out.Requests, queue.ErasedRequest{ID: r.ID, Ticket: r.Ticket, Day: r.Day, TrackingCode: r.TrackingCode})
					r.Erased = true
					body, err := json.Marshal(r)
					if err != nil {
						return err
					}
					erase, bodies = append(erase, id), append(bodies, string(body))
					return nil
				}); err != nil {
					return err
				}
			}
			if dryRun || len(erase) == 0 {
				return nil
			}
			tag, err := tx.Exec(ctx, `DELETE FROM personal WHERE request_id = ANY($1)`, erase)
			if err != nil {
				return err
			}
			n := tag.RowsAffected()
			// The survey comments of those requests go with them (as
			// ErasePersonal does for an erasure a counter sends).
			if tag, err = tx.Exec(ctx, `UPDATE surveys SET answer = ((answer::jsonb) - 'comment')::text
				WHERE request_id = ANY($1) AND (answer::jsonb) ? 'comment'`, erase); err != nil {
				return err
			}
			n += tag.RowsAffected()
			if _, err := tx.Exec(ctx, `UPDATE requests r SET request = u.body FROM unnest($1::text[], $2::text[]) AS u(id, body)
				WHERE r.id = u.id`, erase, bodies); err != nil {
				return err
			}
			return notePending(ctx, tx, n)
		})
	})
	if err != nil {
		return out, fmt.Errorf("purge: %w", err)
	}
	if dryRun || len(out.Requests) == 0 {
		return out, nil
	}
	_, _, err = s.Compact()
	return out, err
}
