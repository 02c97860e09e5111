package station

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"

	"github.com/loket-id/loket/queue"
	"github.com/loket-id/loket/store"
	"github.com/loket-id/loket/sync/protocol"
)

// page fetches up to limit of the station's events after seq after,
// checking each event's hash and that they follow on from after.
func (c *Client) page(ctx context.Context, after uint64, limit int) (protocol.History, error) {
	var h protocol.History
	q := url.Values{"after": {strconv.FormatUint(after, 10)}, "limit": {strconv.Itoa(limit)}}
	if err := c.do(ctx, http.MethodGet, protocol.Prefix+"/sync/events?"+q.Encode(), nil, &h); err != nil {
		return h, err
	}
	for i, e := range h.Events {
		if err := e.Validate(); err != nil {
			return h, fmt.Errorf("%w: the server's history: %w", ErrUnreachable, err)
		}
		if e.Seq != after+uint64(i)+1 || i > 0 && (e.Station != h.Events[0].Station || e.Epoch != h.Events[0].Epoch) {
			return h, fmt.Errorf("%w: the server's history is not consecutive at event %d", ErrUnreachable, e.Seq)
		}
	}
	return h, nil
}

// sameAsServer reports whether this database's event seq is the one the server holds.
func (c *Client) sameAsServer(ctx context.Context, seq uint64) (bool, error) {
	h, err := c.page(ctx, seq-1, 1)
	if err != nil {
		return false, err
	}
	if len(h.Events) != 1 {
		return false, fmt.Errorf("%w: the server did not send its event %d", ErrUnreachable, seq)
	}
	var mine []queue.Event
	if err := c.Store.View(ctx, func(tx *store.Tx) error {
		var err error
		mine, err = tx.Events(seq-1, 1)
		return err
	}); err != nil {
		return false, err
	}
	if len(mine) != 1 {
		return false, nil
	}
	own, err := protocol.Outgoing(mine[0])
	return err == nil && own.Hash == h.Events[0].Hash, nil
}

// recoverHistory gets back what the server holds of this station and this
// database lacks, before anything else of a sync: a database restored from
// an older backup, or a new one on a reinstalled counter (PROTOCOL.md,
// "Recovery"). open is a station with no bound database (new or rebound).
// It returns nil when there was nothing to recover.
func (c *Client) recoverHistory(ctx context.Context, state protocol.State, open bool) (*store.Recovery, error) {
	hw := state.HighWater
	if hw == 0 {
		return nil, nil
	}
	st, err := c.Store.SyncState(ctx)
	if err != nil {
		return nil, err
	}
	last := st.LastSeq
	if !open && hw <= last {
		return nil, nil // the push compares every event it resends: a conflict is refused there
	}
	k := min(last, hw)
	var fork uint64 = 1
	if k > 0 {
		same, err := c.sameAsServer(ctx, k)
		if err != nil {
			return nil, err
		}
		switch {
		case !open && !same:
			return nil, fmt.Errorf("%w: this database's history differs from the %d events the server holds for station %s "+
				"(restored from a backup and used since?); ask the central office to run: loket-central station rebind %s; "+
				"the next sync then gets the server's history back and keeps this database's new work after it",
				ErrRefused, hw, state.Station, state.Station)
		case same:
			fork = k + 1
		default:
			// Where did this database part from the server's history? Events
			// before that point are the same, every one from it differs
			// (each event has its own random ID): a binary search.
			lo, hi := uint64(0), k
			for hi-lo > 1 {
				mid := lo + (hi-lo)/2
				if s, err := c.sameAsServer(ctx, mid); err != nil {
					return nil, err
				} else if s {
					lo = mid
				} else {
					hi = mid
				}
			}
			fork = hi
		}
	}
	if fork > hw {
		return nil, nil // this database holds the whole history
	}
	var history []queue.Event
	for after := fork - 1; after < hw; {
		h, err := c.page(ctx, after, int(min(hw-after, protocol.MaxHistoryEvents)))
		if err != nil {
			return nil, err
		}
		if len(h.Events) == 0 {
			return nil, fmt.Errorf("%w: the server's history ends at event %d, before its high-water mark %d", ErrUnreachable, after, hw)
		}
		for _, e := range h.Events {
			history = append(history, e.ToStore())
		}
		after = h.Events[len(h.Events)-1].Seq
		if c.Progress != nil {
			c.Progress(after-fork+1, hw-fork+1)
		}
	}
	rec, err := c.Store.ImportHistory(ctx, history)
	if err != nil {
		return nil, fmt.Errorf("sync: recover the server's history: %w", err)
	}
	c.log().Warn("sync: recovered the server's history", "station", state.Station, "from_event", rec.Fork,
		"imported", rec.Imported, "replayed", rec.Replayed, "set_aside", len(rec.SetAside), "adopted_identity", rec.Adopted)
	for _, r := range rec.Renumbered {
		c.log().Warn("sync: ticket renumbered: the recovered history had given it that day", "day", r.Day, "from", r.From, "to", r.To, "tracking_code", r.TrackingCode)
	}
	return &rec, nil
}
