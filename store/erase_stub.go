package store

// TEMPORARY (branch h/purge only): a stand-in for the store engineer's
// Store.Purge and Store.Forget (V2.md "The store API for erasure"), so that
// the commands, the hub and the receipts can be built and tested against
// the API. It writes one request.erased event per request through
// applyAndWrite (which drops the request's NIK and name index keys) in one
// transaction, and does not compact the file. DROP THIS FILE AT MERGE in
// favour of the real implementation.

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/loket-id/loket/queue"
)

// Purge erases the personal part of every request closed on a local day
// before before (YYYY-MM-DD) and not erased yet (stub).
func (s *Store) Purge(ctx context.Context, before string, dryRun bool, by queue.Actor) (queue.Erasure, error) {
	before = strings.TrimSpace(before)
	if _, err := time.ParseInLocation(time.DateOnly, before, s.loc); err != nil {
		return queue.Erasure{}, queue.Invalid("before", fmt.Sprintf("%q is not a date YYYY-MM-DD", before))
	}
	keep := func(r queue.Request) bool {
		return !r.Erased && r.ClosedAt != nil && s.DayOf(*r.ClosedAt) < before
	}
	return s.eraseStub(ctx, keep, queue.ErasedData{Reason: queue.ErasedRetention}, dryRun, by)
}

// Forget erases the personal part of every request holding nik (stub).
func (s *Store) Forget(ctx context.Context, nik, note string, by queue.Actor) (queue.Erasure, error) {
	nik = strings.ReplaceAll(strings.TrimSpace(nik), " ", "")
	if len(nik) != 16 || strings.Trim(nik, "0123456789") != "" {
		return queue.Erasure{}, queue.Invalid("nik", "a NIK is 16 digits")
	}
	d, err := queue.ErasedData{Reason: queue.ErasedOnRequest, Note: note}.Validate()
	if err != nil {
		return queue.Erasure{}, err
	}
	return s.eraseStub(ctx, func(r queue.Request) bool { return r.NIK == nik }, d, false, by)
}

func (s *Store) eraseStub(ctx context.Context, match func(queue.Request) bool, d queue.ErasedData, dryRun bool, by queue.Actor) (queue.Erasure, error) {
	out := queue.Erasure{DryRun: dryRun, Requests: []queue.ErasedRequest{}}
	data, err := json.Marshal(d)
	if err != nil {
		return out, err
	}
	do := s.Update
	if dryRun {
		do = s.View
	}
	err = do(ctx, func(tx *Tx) error {
		var rs []queue.Request
		if err := tx.Between("", "", func(r queue.Request) error {
			if match(r) {
				rs = append(rs, r)
			}
			return nil
		}); err != nil {
			return err
		}
		at := s.clock()
		for _, r := range rs {
			if err := ctx.Err(); err != nil {
				return err
			}
			if !dryRun {
				if _, err := tx.applyAndWrite(r, queue.Event{Type: queue.EventErased, RequestID: r.ID, At: at,
					Counter: by.Counter, Clerk: by.Clerk, Data: data}); err != nil {
					return fmt.Errorf("erase %s: %w", r.ID, err)
				}
			}
			out.Requests = append(out.Requests, queue.ErasedRequest{ID: r.ID, Ticket: r.Ticket, Day: r.Day, TrackingCode: r.TrackingCode})
		}
		return nil
	})
	if err != nil {
		return queue.Erasure{DryRun: dryRun, Requests: []queue.ErasedRequest{}}, err
	}
	return out, nil
}
