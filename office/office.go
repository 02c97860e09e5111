// Package office names what a counter does with its office's queue, so that
// the counter program's commands and its terminal UI work the same on the
// counter's own database (*store.Store) and through the office hub (the hub
// client): both implement [Queue].
//
// Every mutating method takes an idempotency key (a ULID the caller makes
// once per user action; "" for none). A call repeated with a key already
// applied changes nothing and returns what the first call did, with again
// set; the same key with another payload is refused with
// queue.ErrConflict. A caller that lost an answer retries with the same key.
package office

import (
	"context"
	"time"

	"github.com/loket-id/loket/queue"
)

// Queue is the office's queue as a counter uses it.
type Queue interface {
	// RegisterOnce validates and records a new walk-in.
	RegisterOnce(ctx context.Context, key string, in queue.NewRequest, by queue.Actor) (r queue.Request, again bool, err error)
	// CallNextOnce calls the next waiting request of services (all when
	// empty): priority first, then arrival; queue.ErrQueueEmpty when none.
	CallNextOnce(ctx context.Context, key string, services []string, by queue.Actor) (r queue.Request, again bool, err error)
	// ActOnce performs act on the request ref (ticket, tracking code or ID);
	// service is the target of a transfer.
	ActOnce(ctx context.Context, key, ref string, act queue.Action, service string, by queue.Actor) (r queue.Request, again bool, err error)
	// ReplaceCatalogOnce replaces the service catalog, validated as a whole.
	ReplaceCatalogOnce(ctx context.Context, key string, svcs []queue.Service, by queue.Actor) (out []queue.Service, again bool, err error)

	// Purge erases the personal part (name, NIK, phone, notes) of every
	// request closed on a day before before (YYYY-MM-DD) and not erased yet,
	// one request.erased event each (reason retention); with dryRun it only
	// lists them. The facts and statistics stay. It takes no key: purging
	// again erases nothing more, so a call sent again is safe (its answer
	// lists what was left).
	Purge(ctx context.Context, before string, dryRun bool, by queue.Actor) (queue.Erasure, error)
	// Forget erases at once the personal part of every request that holds
	// nik, whatever its status (reason request, note the clerk's reason).
	// Like Purge it is safe to send again.
	Forget(ctx context.Context, nik, note string, by queue.Actor) (queue.Erasure, error)

	// Get finds one request by ticket (today's), tracking code or ID.
	Get(ctx context.Context, ref string) (queue.Request, error)
	// Detail is one request with its history.
	Detail(ctx context.Context, ref string) (queue.Request, []queue.Event, error)
	// DayQueue is every request that arrived on day (YYYY-MM-DD; "" today).
	DayQueue(ctx context.Context, day string) ([]queue.Request, error)
	// Find searches by ticket, tracking code, NIK or name words.
	Find(ctx context.Context, text string, limit int) ([]queue.Request, error)
	// Services is the catalog, inactive services included.
	Services(ctx context.Context) ([]queue.Service, error)
	// Between calls fn with every request that arrived on the days
	// from..to, in arrival order.
	Between(ctx context.Context, from, to string, fn func(queue.Request) error) error

	// Location is the office's time zone; Now its clock; Today its date.
	Location() *time.Location
	Now() time.Time
	Today() string
	// Subscribe signals every change to the queue (coalesced); the returned
	// function stops the signals.
	Subscribe() (<-chan struct{}, func())
}
