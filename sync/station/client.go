// Package client is the station's side of sync: it pushes the event log to
// the central server and adopts the catalog the central office publishes.
// The protocol is in ../PROTOCOL.md.
package station

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/loket-id/loket/queue"
	"github.com/loket-id/loket/stats"
	"github.com/loket-id/loket/store"
	"github.com/loket-id/loket/sync/protocol"
)

// Errors of a sync, for exit codes and the status bar.
var (
	// ErrUnreachable: the server did not answer or answered 5xx. Nothing is
	// lost; try later.
	ErrUnreachable = errors.New("server unreachable")
	// ErrRefused: the server refused this station (token, binding, a
	// conflicting history). A person has to act.
	ErrRefused = errors.New("refused by the server")
	// ErrNoProgress: the server answered but did not take this station's
	// events (a 409 gap naming the same sequence again and again, or a 200
	// whose high-water mark does not move). It comes wrapped in
	// ErrUnreachable: back off and try later, like any other failure.
	ErrNoProgress = errors.New("the server makes no progress")
)

// MaxSetbacks is how many answers in one sync may leave the high-water mark
// short of the end of the batch just sent (a gap, or a 200 that did not
// move it) before the sync stops with ErrNoProgress. A server restored from
// a backup in the middle of a sync costs one.
const MaxSetbacks = 3

// Client syncs one store with one server.
type Client struct {
	URL   string // the server's base URL
	Token string
	Store *store.Store
	HTTP  *http.Client // nil: a client with a 60 s timeout
	Log   *slog.Logger
	// BatchSize is the events per push; zero means 250.
	BatchSize int
	// Progress, when set, is told the events acknowledged so far and the total.
	Progress func(acked, total uint64)
	// Actor is recorded on a catalog adoption.
	Actor queue.Actor
}

// Result is what a sync did.
type Result struct {
	Sent           int           `json:"sent"`
	HighWater      uint64        `json:"high_water"`
	Pending        uint64        `json:"pending"`
	CatalogVersion int           `json:"catalog_version"`
	CatalogAdopted bool          `json:"catalog_adopted"`
	Took           time.Duration `json:"took"`
	// Recovery is set when this sync first got the server's history back.
	Recovery *store.Recovery `json:"recovery,omitempty"`
}

func (c *Client) http() *http.Client {
	if c.HTTP != nil {
		return c.HTTP
	}
	return &http.Client{Timeout: 60 * time.Second}
}

func (c *Client) log() *slog.Logger {
	if c.Log != nil {
		return c.Log
	}
	return slog.Default()
}

// httpError is an answer other than 2xx.
type httpError struct {
	status     int
	body       protocol.Error
	retryAfter time.Duration
}

func (e *httpError) Error() string {
	if e.body.Code != "" {
		return fmt.Sprintf("server answered %d %s: %s", e.status, e.body.Code, e.body.Message)
	}
	return fmt.Sprintf("server answered %d", e.status)
}

// do sends one request and decodes a 2xx answer into out. A 429 is waited
// out (Retry-After) and sent again. Network errors and 5xx answers wrap
// ErrUnreachable; 401, 403 and the refusing 409s wrap ErrRefused.
func (c *Client) do(ctx context.Context, method, path string, body []byte, out any) error {
	for {
		err := c.doOnce(ctx, method, path, body, out)
		var he *httpError
		if !errors.As(err, &he) || he.status != http.StatusTooManyRequests || he.retryAfter == 0 {
			return err
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%w: %w", ErrUnreachable, ctx.Err())
		case <-time.After(he.retryAfter):
		}
	}
}

func (c *Client) doOnce(ctx context.Context, method, path string, body []byte, out any) error {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, strings.TrimRight(c.URL, "/")+path, rd)
	if err != nil {
		return fmt.Errorf("sync: %w", err)
	}
	req.Header.Set("Authorization", "Bearer "+c.Token)
	if c.Store != nil { // nil: a client for statistics only, which sends no events
		req.Header.Set("X-Loket-Clock", c.Store.Now().UTC().Format(time.RFC3339Nano))
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Content-Encoding", "gzip")
	}
	resp, err := c.http().Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("%w: %w", ErrUnreachable, ctx.Err())
		}
		return fmt.Errorf("%w: %w", ErrUnreachable, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 8<<20))
	if err != nil {
		return fmt.Errorf("%w: read answer: %w", ErrUnreachable, err)
	}
	if resp.StatusCode/100 == 2 {
		if err := json.Unmarshal(data, out); err != nil {
			return fmt.Errorf("%w: malformed answer: %w", ErrUnreachable, err)
		}
		return nil
	}
	he := &httpError{status: resp.StatusCode}
	_ = json.Unmarshal(data, &he.body)
	if s, err := strconv.Atoi(resp.Header.Get("Retry-After")); err == nil {
		he.retryAfter = time.Duration(s) * time.Second
	}
	switch {
	case resp.StatusCode >= 500 || resp.StatusCode == http.StatusTooManyRequests && he.retryAfter == 0:
		return fmt.Errorf("%w: %w", ErrUnreachable, he)
	case resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden ||
		resp.StatusCode == http.StatusConflict && he.body.Code != protocol.CodeGap:
		return fmt.Errorf("%w: %w", ErrRefused, he)
	}
	return he
}

// prepared is a batch read and encoded, ready to send.
type prepared struct {
	from, to, last uint64 // events from+1..to; the newest in the store
	size, count    int
	body           []byte
	err            error
}

// prepare reads up to size events after from and encodes them.
func (c *Client) prepare(ctx context.Context, from uint64, size int) prepared {
	p := prepared{from: from, to: from, size: size}
	var events []queue.Event
	p.err = c.Store.View(ctx, func(tx *store.Tx) error {
		var err error
		p.last = tx.LastSeq()
		events, err = tx.Events(from, size)
		return err
	})
	if p.err != nil || len(events) == 0 {
		return p
	}
	b := protocol.Batch{Events: make([]protocol.Event, len(events))}
	for i, e := range events {
		if b.Events[i], p.err = protocol.Outgoing(e); p.err != nil {
			return p
		}
	}
	p.count, p.to = len(events), events[len(events)-1].Seq
	p.body, p.err = gzipped(b)
	return p
}

func gzipped(v any) ([]byte, error) {
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestSpeed) // sync is CPU-bound on a counter PC; size matters less
	if err := json.NewEncoder(zw).Encode(v); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// Sync adopts a newer catalog and sends every event the server does not
// hold. It starts from the server's own high-water mark, so a server
// restored from an older backup is brought level again.
func (c *Client) Sync(ctx context.Context) (Result, error) {
	start := time.Now()
	var res Result
	id := c.Store.Identity()
	var state protocol.State
	if err := c.do(ctx, http.MethodGet, protocol.Prefix+"/sync/state", nil, &state); err != nil {
		return res, err
	}
	if state.Epoch != "" && state.Epoch != id.Epoch {
		return res, fmt.Errorf("%w: station %s is bound to another database; if this counter was reinstalled or restored, "+
			"ask the central office to run: loket-central station rebind %s", ErrRefused, state.Station, state.Station)
	}
	// Before anything else: what the server holds and this database lacks.
	open := state.Epoch == ""
	rec, err := c.recoverHistory(ctx, state, open)
	if err != nil {
		return res, err
	}
	res.Recovery = rec
	// The catalog first: adopting it writes an event, which this push sends.
	var cat protocol.Catalog
	err = c.do(ctx, http.MethodGet, protocol.Prefix+"/catalog", nil, &cat)
	var che *httpError
	switch {
	case err == nil:
		res.CatalogVersion = cat.Version
		if err := c.Store.Update(ctx, func(tx *store.Tx) error {
			var err error
			res.CatalogAdopted, err = tx.AdoptCatalog(cat.Version, cat.Services, c.Actor, c.Store.Now())
			return err
		}); err != nil {
			return res, fmt.Errorf("sync: %w", err)
		}
	case errors.As(err, &che) && che.body.Code == protocol.CodeNoCatalog:
	default:
		return res, err
	}
	hw := state.HighWater
	if open && hw > 0 {
		// The first push to a rebound station starts with the last event it
		// holds: its hash proves this database holds the station's history.
		hw--
	}
	batch := c.BatchSize
	if batch <= 0 {
		batch = 250
	}
	// While one batch is on its way, the next is read and encoded (two
	// cores: the counter PC's work overlaps the network and the server's).
	// The prepared batch is used only if the answer moved the high-water
	// mark exactly to where it starts.
	var ahead chan prepared
	setbacks := 0
	for {
		var p prepared
		if ahead != nil {
			p = <-ahead
			ahead = nil
		}
		if p.err != nil || p.from != hw || p.size != batch {
			p = c.prepare(ctx, hw, batch)
		}
		if p.err != nil {
			return res, p.err
		}
		if hw > p.last {
			return res, fmt.Errorf("%w: the server holds %d events of this database but it has only %d: "+
				"this database may have been restored from a backup; ask the central office to rebind the station", ErrRefused, hw, p.last)
		}
		if c.Progress != nil {
			c.Progress(hw, p.last)
		}
		if p.count == 0 {
			break
		}
		ahead = make(chan prepared, 1)
		go func(from uint64) { ahead <- c.prepare(ctx, from, batch) }(p.to)
		var st protocol.State
		err := c.do(ctx, http.MethodPost, protocol.Prefix+"/sync/events", p.body, &st)
		var he *httpError
		// An answer that leaves the high-water mark short of this batch's
		// end is a setback; too many and the server is not taking events.
		setback := func(answer string) error {
			if setbacks++; setbacks < MaxSetbacks {
				return nil
			}
			<-ahead
			return fmt.Errorf("%w: %w: %d answers in this sync did not take events %d-%d (last: %s); "+
				"if it persists, tell the central office",
				ErrUnreachable, ErrNoProgress, setbacks, p.from+1, p.to, answer)
		}
		switch {
		case err == nil:
			res.Sent += st.Received
			if st.HighWater < p.to {
				if err := setback(fmt.Sprintf("200 with high-water mark %d", st.HighWater)); err != nil {
					return res, err
				}
			}
			hw = st.HighWater
			if err := c.Store.Update(ctx, func(tx *store.Tx) error { return tx.SetSynced(hw, c.Store.Now()) }); err != nil {
				<-ahead
				return res, err
			}
		case errors.As(err, &he) && he.body.Code == protocol.CodeGap && he.body.Expected > 0:
			c.log().Warn("sync: server wants an earlier event", "expected", he.body.Expected)
			if err := setback(fmt.Sprintf("409 gap, expected %d", he.body.Expected)); err != nil {
				return res, err
			}
			hw = he.body.Expected - 1
		case errors.As(err, &he) && he.status == http.StatusRequestEntityTooLarge && batch > 1:
			batch /= 2
		default:
			<-ahead
			return res, err
		}
	}
	// Record what the server holds even when nothing was sent: after an
	// answer lost on the way back, the server has the events and this sync
	// finds nothing to send, but they are acknowledged all the same.
	if err := c.Store.Update(ctx, func(tx *store.Tx) error { return tx.SetSynced(hw, c.Store.Now()) }); err != nil {
		return res, err
	}
	st, err := c.Store.SyncState(ctx)
	if err != nil {
		return res, err
	}
	res.HighWater, res.Pending, res.Took = hw, st.Pending(), time.Since(start)
	return res, nil
}

// Stats fetches the central figures of this station's office for a range
// (of one service, when service is set).
func (c *Client) Stats(ctx context.Context, from, to, service string) (stats.Figures, error) {
	var f stats.Figures
	q := url.Values{"from": {from}, "to": {to}}
	if service != "" {
		q.Set("service", service)
	}
	err := c.do(ctx, http.MethodGet, protocol.Prefix+"/stats?"+q.Encode(), nil, &f)
	return f, err
}
