package hubclient

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/loket-id/loket/hub"
	"github.com/loket-id/loket/queue"
)

// dayCache is one day's queue as the hub's log stood at event seq.
type dayCache struct {
	station, epoch string
	day            string
	seq            uint64
	synced         bool // holds the day's queue as of seq
	live           bool // the stream is following the log: served from here
	reqs           map[string]queue.Request
}

// errResync ends a stream whose cache must be fetched again (another
// database at the hub, a new day, a gap).
var errResync = errors.New("the cache must be fetched again")

func lastSeq(r queue.Request) uint64 {
	if len(r.EventSeqs) == 0 {
		return 0
	}
	return r.EventSeqs[len(r.EventSeqs)-1]
}

// patch puts r in the cache when it is of the cached day and newer than
// what the cache holds.
func (c *Client) patch(r queue.Request, _ uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.cache.synced || r.Day != c.cache.day {
		return
	}
	if old, ok := c.cache.reqs[r.ID]; ok && lastSeq(old) >= lastSeq(r) {
		return
	}
	c.cache.reqs[r.ID] = r
	c.notifyLocked()
}

// cached is the day's queue from the cache, when the stream keeps it.
func (c *Client) cached(day string) ([]queue.Request, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.cache.synced || !c.cache.live || c.cache.day != day {
		return nil, false
	}
	out := make([]queue.Request, 0, len(c.cache.reqs))
	for _, r := range c.cache.reqs {
		out = append(out, r)
	}
	sortRequests(out)
	return out, true
}

// applyChange moves the cache on by one event of the stream.
func (c *Client) applyChange(ch hub.Change) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if ch.Seq <= c.cache.seq {
		return nil // a patch had it, or a repeat
	}
	if ch.Seq != c.cache.seq+1 {
		c.cache.synced = false
		return fmt.Errorf("the stream jumped from event %d to %d: %w", c.cache.seq, ch.Seq, errResync)
	}
	c.cache.seq = ch.Seq
	if r := ch.Request; r != nil {
		switch {
		case r.Day > c.cache.day:
			c.cache.synced = false // a new day at the hub
			return errResync
		case r.Day == c.cache.day:
			if old, ok := c.cache.reqs[r.ID]; !ok || lastSeq(old) < lastSeq(*r) {
				c.cache.reqs[r.ID] = *r
			}
		}
	}
	c.notifyLocked()
	return nil
}

// Start keeps today's queue in the cache, following the hub's change
// stream in the background until ctx ends or Close: it reconnects by
// itself, with backoff, and resumes from the last event it has.
func (c *Client) Start(ctx context.Context) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.cancel != nil {
		return
	}
	ctx, c.cancel = context.WithCancel(ctx)
	c.running = make(chan struct{})
	go c.run(ctx, c.running)
}

// Close stops the background stream and closes idle connections.
func (c *Client) Close() {
	c.mu.Lock()
	cancel, running := c.cancel, c.running
	c.mu.Unlock()
	if cancel != nil {
		cancel()
		<-running
	}
	c.calls.CloseIdleConnections()
	c.stream.CloseIdleConnections()
}

func (c *Client) run(ctx context.Context, done chan struct{}) {
	defer close(done)
	backoff := c.opt.MinBackoff
	for ctx.Err() == nil {
		progressed, err := c.follow(ctx)
		c.mu.Lock()
		wasLive := c.cache.live
		c.cache.live = false
		if wasLive {
			c.notifyLocked() // the screen reloads from the hub (or shows it is offline)
		}
		c.mu.Unlock()
		if ctx.Err() != nil {
			return
		}
		if !errors.Is(err, errResync) {
			c.setOnline(false, fmt.Sprint(err))
			c.log.Info("hubclient: change stream ended, reconnecting", "err", err, "in", backoff)
		}
		if progressed {
			backoff = c.opt.MinBackoff
		}
		wait := backoff/2 + rand.N(backoff/2+1)
		backoff = min(backoff*2, c.opt.MaxBackoff)
		if errors.Is(err, errResync) {
			wait = 0
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
	}
}

// follow connects, brings the cache up to date and follows the stream
// until it ends. progressed reports whether anything arrived.
func (c *Client) follow(ctx context.Context) (progressed bool, err error) {
	h, err := c.Connect(ctx)
	if err != nil {
		return false, err
	}
	c.mu.Lock()
	if c.cache.station != h.StationID || c.cache.epoch != h.Epoch || c.cache.day != h.Today || h.LastSeq < c.cache.seq {
		c.cache.synced = false
	}
	need := !c.cache.synced
	c.mu.Unlock()
	if need {
		var a hub.QueueAnswer
		if err := c.do(ctx, http.MethodGet, "/v1/queue?day="+url.QueryEscape(h.Today), "", nil, &a); err != nil {
			return false, err
		}
		reqs := make(map[string]queue.Request, len(a.Requests))
		for _, r := range a.Requests {
			reqs[r.ID] = r
		}
		c.mu.Lock()
		c.cache = dayCache{station: h.StationID, epoch: h.Epoch, day: a.Day, seq: a.LastSeq, synced: true, reqs: reqs}
		c.notifyLocked()
		c.mu.Unlock()
	}
	c.mu.Lock()
	after := c.cache.seq
	c.mu.Unlock()

	sctx, cancel := context.WithCancel(ctx)
	defer cancel()
	watchdog := time.AfterFunc(c.opt.StreamSilence, cancel)
	defer watchdog.Stop()
	req, err := http.NewRequestWithContext(sctx, http.MethodGet, c.base+"/v1/changes?after="+strconv.FormatUint(after, 10), nil)
	if err != nil {
		return false, err
	}
	req.Header.Set("Authorization", "Bearer "+c.opt.Token)
	req.Header.Set("Accept", "text/event-stream")
	resp, err := c.stream.Do(req)
	if err != nil {
		return false, fmt.Errorf("open the change stream: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		var eb hub.ErrorBody
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
		if json.Unmarshal(b, &eb) == nil && eb.Error.Code != "" {
			return false, decodeError(resp.StatusCode, eb.Error)
		}
		return false, fmt.Errorf("open the change stream: answer %d", resp.StatusCode)
	}
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 64<<10), 8<<20)
	var event string
	var data []byte
	for sc.Scan() {
		watchdog.Reset(c.opt.StreamSilence)
		line := bytes.TrimSuffix(sc.Bytes(), []byte("\r"))
		switch {
		case len(line) == 0: // end of a message
			if event != "" || data != nil {
				if err := c.message(h, after, event, data); err != nil {
					return true, err
				}
				progressed = true
			}
			event, data = "", nil
		case line[0] == ':': // a comment: the heartbeat
		default:
			field, value, _ := bytes.Cut(line, []byte(":"))
			value = bytes.TrimPrefix(value, []byte(" "))
			switch string(field) {
			case "event":
				event = string(value)
			case "data":
				if data != nil {
					data = append(data, '\n')
				}
				data = append(data, value...)
			}
		}
	}
	if err := sc.Err(); err != nil {
		return progressed, fmt.Errorf("change stream: %w", err)
	}
	return progressed, errors.New("change stream: the hub closed it")
}

// message handles one message of the stream.
func (c *Client) message(h hub.Hello, after uint64, event string, data []byte) error {
	switch event {
	case "hello":
		var sh hub.StreamHello
		if err := json.Unmarshal(data, &sh); err != nil {
			return fmt.Errorf("change stream: a hello that does not decode: %w", err)
		}
		if sh.StationID != h.StationID || sh.Epoch != h.Epoch || sh.LastSeq < after {
			c.mu.Lock()
			c.cache.synced = false
			c.mu.Unlock()
			return errResync
		}
		c.setOnline(true, "")
		c.mu.Lock()
		c.cache.live = true
		c.notifyLocked()
		c.mu.Unlock()
	case "change":
		var ch hub.Change
		if err := json.Unmarshal(data, &ch); err != nil {
			return fmt.Errorf("change stream: a change that does not decode: %w", err)
		}
		return c.applyChange(ch)
	}
	return nil // an event this client does not know: a newer hub's
}
