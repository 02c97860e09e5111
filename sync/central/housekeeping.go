package central

import (
	"context"
	"log/slog"
	"time"

	"github.com/loket-id/loket/internal/nightly"
	"github.com/loket-id/loket/queue"
)

// Keeper is what the night's housekeeping needs of a storage: the centre's
// own retention (Purge) and the compaction that makes erased bytes gone.
type Keeper interface {
	Purge(before string, dryRun bool) (queue.Erasure, error)
	ErasedPending() (uint64, error)
	Compact() (before, after int64, err error)
}

// Housekeeping runs once a night, at Hour (local time of Location): with
// RetentionDays above 0 it purges the personal part of requests closed
// more than that many days ago, then it compacts the storage if anything
// was erased since the last compaction (by a purge or by request.erased
// events from the counters). Logs carry counts only.
type Housekeeping struct {
	Storage       Keeper
	RetentionDays int
	Hour          int
	Location      *time.Location
	Log           *slog.Logger
	Now           func() time.Time
}

// Run runs the housekeeping every night until ctx ends.
func (h *Housekeeping) Run(ctx context.Context) {
	for {
		wait := h.untilNext()
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
		h.Once()
	}
}

func (h *Housekeeping) now() time.Time {
	loc := h.Location
	if loc == nil {
		loc = time.Local
	}
	if h.Now != nil {
		return h.Now().In(loc)
	}
	return time.Now().In(loc)
}

// untilNext is the time until the next run, at h.Hour.
func (h *Housekeeping) untilNext() time.Duration { return nightly.Until(h.now(), h.Hour) }

// Once is one night's housekeeping.
func (h *Housekeeping) Once() {
	log := h.Log
	if log == nil {
		log = slog.Default()
	}
	if h.RetentionDays > 0 {
		before := h.now().AddDate(0, 0, -h.RetentionDays).Format(time.DateOnly)
		out, err := h.Storage.Purge(before, false)
		if err != nil {
			log.Error("retention purge failed", "before", before, "err", err)
		} else {
			log.Info("retention purge", "before", before, "requests", len(out.Requests))
		}
	}
	n, err := h.Storage.ErasedPending()
	if err != nil {
		log.Error("erasures pending: read failed", "err", err)
		return
	}
	if n == 0 {
		return
	}
	before, after, err := h.Storage.Compact()
	if err != nil {
		log.Error("compaction failed", "err", err)
		return
	}
	log.Info("compacted after erasures", "erasures", n, "bytes_before", before, "bytes_after", after)
}
