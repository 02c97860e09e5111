package store

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/loket-id/loket/queue"
)

// CloseDay closes the day: every request of day (YYYY-MM-DD, local) that is
// still waiting or called is closed as as (queue.StatusNoShow or
// queue.StatusCancelled), each with its own event, all in one transaction;
// requests being served are left open and listed in the result. It may
// close today (at the end of the office's day) or an earlier day, not a
// later one. Run again, it closes nothing more: it is safe to repeat when
// an answer was lost. A request it closed may be reopened the same day
// (queue.ActReopen), like any no-show or cancellation.
func (s *Store) CloseDay(ctx context.Context, day string, as queue.Status, by queue.Actor) (queue.DayClose, error) {
	var dc queue.DayClose
	err := s.Update(ctx, func(tx *Tx) error {
		var err error
		dc, err = tx.CloseDay(day, as, by, false)
		return err
	})
	return dc, err
}

// CloseDayDryRun is CloseDay without writing anything: what it would close,
// and the requests being served it would leave open.
func (s *Store) CloseDayDryRun(ctx context.Context, day string, as queue.Status) (queue.DayClose, error) {
	var dc queue.DayClose
	err := s.View(ctx, func(tx *Tx) error {
		var err error
		dc, err = tx.CloseDay(day, as, queue.Actor{}, true)
		return err
	})
	return dc, err
}

// CloseDay closes day in this transaction (see Store.CloseDay); with
// dryRun it only says what it would do, and must then run in a read
// transaction or one that is rolled back.
func (tx *Tx) CloseDay(day string, as queue.Status, by queue.Actor, dryRun bool) (queue.DayClose, error) {
	dc := queue.DayClose{Day: strings.TrimSpace(day), As: as, Closed: []queue.Request{}, Serving: []queue.Request{}}
	var act queue.Action
	switch as {
	case queue.StatusNoShow:
		act = queue.ActNoShow
	case queue.StatusCancelled:
		act = queue.ActCancel
	default:
		return dc, queue.Invalid("as", fmt.Sprintf("a day's open requests are closed as no_show or cancelled, not %q", as))
	}
	if _, err := time.Parse(time.DateOnly, dc.Day); err != nil {
		return dc, queue.Invalid("day", fmt.Sprintf("%q is not a date YYYY-MM-DD", day))
	}
	if today := tx.s.Today(); dc.Day > today {
		return dc, queue.Invalid("day", fmt.Sprintf("%s has not come yet (today is %s)", dc.Day, today))
	}
	rs, err := tx.Day(dc.Day)
	if err != nil {
		return dc, err
	}
	at := tx.s.clock()
	for _, r := range rs {
		switch r.Status {
		case queue.StatusServing:
			dc.Serving = append(dc.Serving, r)
		case queue.StatusWaiting, queue.StatusCalled:
			if dryRun {
				next, err := queue.Apply(r, queue.Event{Type: act.EventType(), RequestID: r.ID, At: at, Counter: by.Counter, Clerk: by.Clerk})
				if err != nil {
					return dc, err
				}
				dc.Closed = append(dc.Closed, next)
				continue
			}
			next, err := tx.Act(r, act, "", by, at)
			if err != nil {
				return dc, fmt.Errorf("close %s of %s: %w", r.Ticket, dc.Day, err)
			}
			dc.Closed = append(dc.Closed, next)
		}
	}
	return dc, nil
}

// SameDaySameService lists the requests registered on day (today when "")
// for the same NIK and service (as first registered, or as now after a
// transfer), in arrival order, whatever their status: a clerk about to
// register nik for service again is warned, not stopped (the applicant
// may have a second matter; a no-show of today may rather be reopened).
func (s *Store) SameDaySameService(ctx context.Context, nik, service, day string) ([]queue.Request, error) {
	var rs []queue.Request
	err := s.View(ctx, func(tx *Tx) error {
		var err error
		rs, err = tx.SameDaySameService(nik, service, day)
		return err
	})
	return rs, err
}

// SameDaySameService is Store.SameDaySameService in this transaction.
func (tx *Tx) SameDaySameService(nik, service, day string) ([]queue.Request, error) {
	nik, err := queue.ValidateNIK(nik)
	if err != nil {
		return nil, err
	}
	service = strings.ToUpper(strings.TrimSpace(service))
	if err := queue.ValidateServiceCode(service); err != nil {
		return nil, err
	}
	if day == "" {
		day = tx.s.Today()
	}
	start, err := time.ParseInLocation(time.DateOnly, day, tx.s.loc)
	if err != nil {
		return nil, queue.Invalid("day", fmt.Sprintf("%q is not a date YYYY-MM-DD", day))
	}
	// The NIK's keys end in request IDs, ULIDs that begin with the arrival
	// time: the day's are one key range.
	prefix := nikKey(nik, "")
	from := append(append([]byte(nil), prefix...), ulidPrefix(start)...)
	to := append(append([]byte(nil), prefix...), ulidPrefix(start.AddDate(0, 0, 1))...)
	var ids []string
	err = tx.eachSearchKey(func(k, _ []byte) { // in their places and in the journal
		if bytes.Compare(k, from) >= 0 && bytes.Compare(k, to) < 0 {
			ids = append(ids, string(k[len(prefix):]))
		}
	}, prefix)
	if err != nil {
		return nil, err
	}
	slices.Sort(ids)
	var out []queue.Request
	for _, id := range ids {
		r, err := tx.byID(id)
		if err != nil {
			return nil, err
		}
		if r.Day == day && (r.Service == service || r.FirstService == service) {
			out = append(out, r)
		}
	}
	return out, nil
}
