package hub

import (
	"context"
	"log/slog"
	"time"

	"github.com/loket-id/loket/internal/nightly"
	"github.com/loket-id/loket/queue"
	"github.com/loket-id/loket/store"
)

// Purger is the hub's nightly purge: it erases the personal part of the
// requests closed before the retention's cut (store.Purge, reason
// retention), once when the hub starts (a hub PC switched off at night
// catches up in the morning) and then every night at PurgeHour, office
// time. What it did is logged by counts only.
type Purger struct {
	Store *store.Store
	// Before is the cut for the office's time now: the first day whose
	// closed requests keep their personal part; ok false means never
	// (config.Privacy.PurgeBefore).
	Before func(now time.Time) (day string, ok bool)
	// By is who the erasure events name (the hub's own station code).
	By  queue.Actor
	Log *slog.Logger
	// Erased is told the cut and what each run erased (nothing, too): the
	// hub deletes its saved receipts with it.
	Erased func(before string, e queue.Erasure)
	// After waits; nil is time.After (tests give a clock of their own).
	After func(time.Duration) <-chan time.Time
}

// PurgeHour is the hour of the night, office time, the purge runs at: after
// midnight, when the day before is over and nobody is at the counters.
const PurgeHour = 1

// Run purges now and then every night until ctx ends.
func (p *Purger) Run(ctx context.Context) {
	after := p.After
	if after == nil {
		after = time.After
	}
	log := p.Log
	if log == nil {
		log = slog.Default()
	}
	if _, ok := p.Before(p.Store.Now().In(p.Store.Location())); !ok {
		log.Info("hub: nightly purge off (privacy.retention_days = 0)")
		return
	}
	for {
		p.once(ctx, log)
		select {
		case <-ctx.Done():
			return
		case <-after(nightly.Until(p.Store.Now().In(p.Store.Location()), PurgeHour)):
		}
	}
}

// once runs one purge and logs what it did.
func (p *Purger) once(ctx context.Context, log *slog.Logger) {
	before, ok := p.Before(p.Store.Now().In(p.Store.Location()))
	if !ok || ctx.Err() != nil {
		return
	}
	start := time.Now()
	e, err := p.Store.Purge(ctx, before, false, p.By)
	if err != nil {
		log.Error("hub: nightly purge failed; it is tried again the next night", "before", before, "err", err)
		return
	}
	log.Info("hub: nightly purge", "before", before, "requests", len(e.Requests), "took", time.Since(start).Round(time.Millisecond))
	if p.Erased != nil {
		p.Erased(before, e)
	}
}
