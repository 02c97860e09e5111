package pgstore

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/loket-id/loket/queue"
)

// The facts columns of requests (0003_request_facts.sql): what package
// stats reads of a request, so statistics read these few columns and never
// decode the request's JSON.
const factsCols = `status, service, first_service, counter, clerk, arrived_ns, arr_offset, called_ns, serving_ns, done_ns, transfers, reopens`

// facts are the facts columns of a set of requests, as arrays for unnest.
type facts struct {
	status, service, first, counter, clerk []string
	arrived                                []int64
	offset                                 []int32
	called, serving, done                  []*int64
	transfers, reopens                     []int32
}

func nsOf(t *time.Time) *int64 {
	if t == nil {
		return nil
	}
	ns := t.UnixNano()
	return &ns
}

func (f *facts) add(r queue.Request) {
	_, off := r.ArrivedAt.Zone()
	f.status = append(f.status, string(r.Status))
	f.service = append(f.service, r.Service)
	f.first = append(f.first, r.FirstService)
	f.counter = append(f.counter, r.Counter)
	f.clerk = append(f.clerk, r.Clerk)
	f.arrived = append(f.arrived, r.ArrivedAt.UnixNano())
	f.offset = append(f.offset, int32(off))
	f.called = append(f.called, nsOf(r.CalledAt))
	f.serving = append(f.serving, nsOf(r.ServingAt))
	f.done = append(f.done, nsOf(r.DoneAt))
	f.transfers = append(f.transfers, int32(r.Transfers))
	f.reopens = append(f.reopens, int32(r.Reopens))
}

// args are the arrays, in factsCols' order, with their SQL types.
func (f *facts) args() []any {
	return []any{f.status, f.service, f.first, f.counter, f.clerk, f.arrived, f.offset, f.called, f.serving, f.done, f.transfers, f.reopens}
}

// factsUnnest is unnest of the twelve facts arrays starting at parameter $n.
func factsUnnest(n int) string {
	types := []string{"text", "text", "text", "text", "text", "bigint", "integer", "bigint", "bigint", "bigint", "integer", "integer"}
	parts := make([]string, len(types))
	for i, t := range types {
		parts[i] = fmt.Sprintf("$%d::%s[]", n+i, t)
	}
	return strings.Join(parts, ", ")
}

// fillFacts fills the facts columns of requests stored before schema 3,
// 2,000 at a time, each batch its own transaction (so a large centre is
// filled without one long transaction, and a restart resumes). Several
// servers starting at once skip each other's rows.
func fillFacts(ctx context.Context, s *Store) error {
	for {
		n := 0
		err := s.tx(ctx, func(tx pgx.Tx) error {
			n = 0
			rows, err := tx.Query(ctx, `SELECT id, request FROM requests WHERE arrived_ns IS NULL LIMIT 2000 FOR UPDATE SKIP LOCKED`)
			if err != nil {
				return err
			}
			var f facts
			var ids []string
			var id string
			var raw []byte
			if _, err := pgx.ForEachRow(rows, []any{&id, &raw}, func() error {
				var r queue.Request
				if err := json.Unmarshal(raw, &r); err != nil {
					return fmt.Errorf("request %s does not decode: %w", id, err)
				}
				ids = append(ids, id)
				f.add(r)
				return nil
			}); err != nil {
				return err
			}
			n = len(ids)
			if n == 0 {
				return nil
			}
			_, err = tx.Exec(ctx, `UPDATE requests r SET (`+factsCols+`) = (u.status, u.service, u.first_service, u.counter, u.clerk,
				u.arrived_ns, u.arr_offset, u.called_ns, u.serving_ns, u.done_ns, u.transfers, u.reopens)
				FROM unnest($1::text[], `+factsUnnest(2)+`) AS u(id, `+factsCols+`) WHERE r.id = u.id`, append([]any{ids}, f.args()...)...)
			return err
		})
		if err != nil {
			return fmt.Errorf("fill the facts columns of requests: %w", err)
		}
		if n == 0 {
			return nil
		}
	}
}

// StatsFacts calls fn for every request of office and station ("" for all)
// that arrived from day from to day to ("" leaves an end open), with only
// the facts the statistics read set (central.FactsReader): Day, Service,
// FirstService, Status, Counter, Clerk, ArrivedAt (in its own offset),
// CalledAt, ServingAt, DoneAt, Transfers, Reopens. It reads those columns of
// that index range and streams them.
func (s *Store) StatsFacts(office, station, from, to string, fn func(queue.Request) error) error {
	where, args := filter(office, station, from, to)
	q := `SELECT day, ` + factsCols + ` FROM requests r` + where + ` ORDER BY r.id`
	ctx := context.Background()
	rows, err := s.pool.Query(ctx, q, args...)
	if err != nil {
		return fmt.Errorf("statistics: %w", err)
	}
	defer rows.Close()
	var (
		day, status, service, first, counter, clerk string
		arrived                                     int64
		offset                                      int32
		called, serving, done                       *int64
		transfers, reopens                          int32
	)
	zones := map[int32]*time.Location{}
	at := func(ns *int64, loc *time.Location) *time.Time {
		if ns == nil {
			return nil
		}
		t := time.Unix(0, *ns).In(loc)
		return &t
	}
	for rows.Next() {
		if err := rows.Scan(&day, &status, &service, &first, &counter, &clerk, &arrived, &offset, &called, &serving, &done, &transfers, &reopens); err != nil {
			return fmt.Errorf("statistics: %w", err)
		}
		loc := zones[offset]
		if loc == nil {
			loc = time.FixedZone("", int(offset))
			zones[offset] = loc
		}
		r := queue.Request{Day: day, Status: queue.Status(status), Service: service, FirstService: first, Counter: counter, Clerk: clerk,
			ArrivedAt: time.Unix(0, arrived).In(loc), CalledAt: at(called, loc), ServingAt: at(serving, loc), DoneAt: at(done, loc),
			Transfers: int(transfers), Reopens: int(reopens)}
		if err := fn(r); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("statistics: %w", err)
	}
	return nil
}

// filter is the WHERE clause of an export or statistics of office and
// station ("" for all) from day from to day to ("" leaves an end open).
func filter(office, station, from, to string) (string, []any) {
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
	if len(where) == 0 {
		return "", nil
	}
	return ` WHERE ` + strings.Join(where, " AND "), args
}
