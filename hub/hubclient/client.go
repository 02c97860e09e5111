// Package hubclient is a counter's side of the office hub (package hub):
// a Client does with the office's queue what the counter's own database
// does (it implements office.Queue, and what the terminal UI needs), over
// HTTP, and keeps today's queue in a cache that the hub's change stream
// patches, so every change made at any counter shows within a second.
//
// A Client never saves anything it cannot confirm: with the hub
// unreachable a call fails at once with ErrUnreachable (nothing was sent);
// a call whose answer is lost is sent once more with the same idempotency
// key, and when that answer is lost too it fails with ErrNoAnswer (whether
// it was done is unknown). The queue's errors come back as the queue's
// own, so errors.Is and errors.As work as they do on the store.
package hubclient

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/oklog/ulid/v2"

	"github.com/loket-id/loket/hub"
	"github.com/loket-id/loket/queue"
)

// Options configure a Client.
type Options struct {
	// URL is the hub's address, http:// or https://.
	URL string
	// Token is this counter's token (lkh_…), from the hub's registration.
	Token string
	// RootCAs, when set, are the CAs trusted for an https hub (nil: the
	// system's).
	RootCAs *x509.CertPool
	// PinSHA256, when set, is the hex SHA-256 of the hub's certificate
	// (DER): that certificate, and only it, is accepted, whoever signed it
	// (a self-signed hub).
	PinSHA256 string
	Logger    *slog.Logger
	// DialTimeout bounds making a connection (2 s); CallTimeout one attempt
	// of a call (10 s); RetryDelay the pause before the one retry (200 ms).
	DialTimeout, CallTimeout, RetryDelay time.Duration
	// MinBackoff and MaxBackoff bound the pause between reconnections of
	// the change stream (100 ms, 5 s); StreamSilence is how long a silent
	// stream is trusted (45 s: three of the hub's heartbeats).
	MinBackoff, MaxBackoff, StreamSilence time.Duration
	// DisableKeepAlives makes each call use a connection of its own
	// (tests that break connections).
	DisableKeepAlives bool
}

// Client is a counter's connection to its office hub. It is safe for
// concurrent use.
type Client struct {
	opt    Options
	base   string
	calls  *http.Client
	stream *http.Client
	log    *slog.Logger

	mu      sync.Mutex
	hello   *hub.Hello
	loc     *time.Location
	offset  time.Duration // the hub's clock minus ours
	status  Status
	cache   dayCache
	subs    map[chan struct{}]struct{}
	cancel  context.CancelFunc
	running chan struct{}
}

// Status is what a screen shows of the hub connection.
type Status struct {
	Server string
	// Online: the last call or the change stream reached the hub.
	Online bool
	// Synced: today's queue is served from the cache, kept by the stream.
	Synced bool
	// LastSeq is the last event of the hub's log the cache has.
	LastSeq uint64
	// Since is when Online last changed; LastError the last failure.
	Since     time.Time
	LastError string
}

// New makes a client of the hub at opt.URL. It does not connect: Connect
// checks the hub and the token, Start keeps the cache.
func New(opt Options) (*Client, error) {
	u, err := url.Parse(strings.TrimSpace(opt.URL))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, queue.Invalid("url", fmt.Sprintf("%q is not an http:// or https:// address of a hub", opt.URL))
	}
	if opt.Token == "" {
		return nil, queue.Invalid("token", "a counter needs its token to use the hub")
	}
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&opt.DialTimeout, 2*time.Second)
	def(&opt.CallTimeout, 10*time.Second)
	def(&opt.RetryDelay, 200*time.Millisecond)
	def(&opt.MinBackoff, 100*time.Millisecond)
	def(&opt.MaxBackoff, 5*time.Second)
	def(&opt.StreamSilence, 45*time.Second)
	if opt.Logger == nil {
		opt.Logger = slog.Default()
	}
	tlsConf := &tls.Config{RootCAs: opt.RootCAs, MinVersion: tls.VersionTLS12}
	if opt.PinSHA256 != "" {
		pin, err := hex.DecodeString(strings.ReplaceAll(strings.ToLower(opt.PinSHA256), ":", ""))
		if err != nil || len(pin) != sha256.Size {
			return nil, queue.Invalid("pin", "the pinned certificate is not a hex SHA-256")
		}
		tlsConf.InsecureSkipVerify = true // replaced by the pin check below
		tlsConf.VerifyPeerCertificate = func(raw [][]byte, _ [][]*x509.Certificate) error {
			if len(raw) > 0 {
				sum := sha256.Sum256(raw[0])
				if subtle.ConstantTimeCompare(sum[:], pin) == 1 {
					return nil
				}
			}
			return errors.New("the hub's certificate is not the pinned one")
		}
	}
	dialer := &net.Dialer{Timeout: opt.DialTimeout, KeepAlive: 15 * time.Second}
	transport := func() *http.Transport {
		return &http.Transport{
			Proxy:                 nil, // the hub is on the office LAN
			DialContext:           dialer.DialContext,
			TLSClientConfig:       tlsConf,
			TLSHandshakeTimeout:   opt.DialTimeout,
			MaxIdleConnsPerHost:   4,
			IdleConnTimeout:       60 * time.Second,
			ResponseHeaderTimeout: opt.CallTimeout,
			DisableKeepAlives:     opt.DisableKeepAlives,
		}
	}
	c := &Client{
		opt:    opt,
		base:   strings.TrimRight(u.String(), "/"),
		calls:  &http.Client{Transport: transport(), CheckRedirect: noRedirect},
		stream: &http.Client{Transport: transport(), CheckRedirect: noRedirect},
		log:    opt.Logger,
		loc:    time.Local,
		subs:   map[chan struct{}]struct{}{},
	}
	c.status.Server = c.base
	return c, nil
}

func noRedirect(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

// result is one answer: its status and body.
type result struct {
	status int
	header http.Header
	body   []byte
}

// maxAnswer bounds an answer's body (a busy day's queue is about 1 MB).
const maxAnswer = 64 << 20

// attempt sends one request. sent reports whether a connection to the hub
// was made, that is whether the hub may have received it.
func (c *Client) attempt(ctx context.Context, method, path, key string, body []byte) (res result, sent bool, err error) {
	actx, cancel := context.WithTimeout(ctx, c.opt.CallTimeout)
	defer cancel()
	var connected atomic.Bool
	trace := &httptrace.ClientTrace{GotConn: func(httptrace.GotConnInfo) { connected.Store(true) }}
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(httptrace.WithClientTrace(actx, trace), method, c.base+path, rd)
	if err != nil {
		return res, false, err
	}
	req.Header.Set("Authorization", "Bearer "+c.opt.Token)
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if key != "" {
		// Also tells net/http the request may be replayed on a fresh
		// connection when a kept-alive one turns out closed.
		req.Header.Set(hub.HeaderKey, key)
	}
	resp, err := c.calls.Do(req)
	if err != nil {
		return res, connected.Load(), err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswer))
	if err != nil {
		return res, true, fmt.Errorf("read the answer: %w", err)
	}
	return result{status: resp.StatusCode, header: resp.Header, body: b}, true, nil
}

// do makes a call: one attempt, and one retry (with the same key) when its
// answer was lost. out receives a 2xx answer; an error answer comes back
// as the error it was at the hub.
func (c *Client) do(ctx context.Context, method, path, key string, in, out any) error {
	var body []byte
	if in != nil {
		var err error
		if body, err = json.Marshal(in); err != nil {
			return fmt.Errorf("encode call to hub: %w", err)
		}
	}
	for try := 0; ; try++ {
		res, sent, err := c.attempt(ctx, method, path, key, body)
		if err == nil {
			var eb hub.ErrorBody
			switch {
			case res.status/100 == 2:
				if err = json.Unmarshal(res.body, out); err == nil {
					c.setOnline(true, "")
					return nil
				}
				err = fmt.Errorf("an answer that does not decode: %w", err)
			case json.Unmarshal(res.body, &eb) == nil && eb.Error.Code == hub.CodeIncomplete:
				err = errors.New("the hub received the call cut short") // nothing was done: send it again
			case json.Unmarshal(res.body, &eb) == nil && eb.Error.Code != "":
				c.setOnline(true, "")
				return decodeError(res.status, eb.Error)
			default:
				err = fmt.Errorf("answer %d without an error body", res.status) // a proxy's
			}
		}
		if ctx.Err() != nil {
			if sent || try > 0 {
				return fmt.Errorf("%w: %w", ErrNoAnswer, ctx.Err())
			}
			return fmt.Errorf("call to hub: %w", ctx.Err())
		}
		if !sent && try == 0 {
			c.setOnline(false, err.Error())
			return fmt.Errorf("%w (%s): %v", ErrUnreachable, c.base, err)
		}
		if try == 1 {
			c.setOnline(false, err.Error())
			return fmt.Errorf("%w (%s): %v", ErrNoAnswer, c.base, err)
		}
		c.log.Warn("hubclient: answer lost, sending again with the same key", "path", redactPath(path), "err", err)
		select {
		case <-ctx.Done():
			return fmt.Errorf("%w: %w", ErrNoAnswer, ctx.Err())
		case <-time.After(c.opt.RetryDelay):
		}
	}
}

// redactPath is a path as it may be logged: without its query (a search
// text can be a NIK).
func redactPath(p string) string {
	if i := strings.IndexByte(p, '?'); i >= 0 {
		return p[:i]
	}
	return p
}

func (c *Client) setOnline(on bool, why string) {
	c.mu.Lock()
	if c.status.Online != on {
		c.status.Online = on
		c.status.Since = time.Now()
	}
	if why != "" {
		c.status.LastError = why
	}
	c.mu.Unlock()
}

// Online reports whether the hub answered the last call or the stream.
func (c *Client) Online() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.status.Online
}

// Status is the connection's state, for the status bar.
func (c *Client) Status() Status {
	c.mu.Lock()
	defer c.mu.Unlock()
	s := c.status
	s.Synced = c.cache.synced
	s.LastSeq = c.cache.seq
	return s
}

// newKey is a fresh idempotency key.
func newKey() string { return ulid.Make().String() }

// Connect asks the hub who it is and who this counter is: it checks the
// address and the token (ErrUnreachable, ErrUnauthorized) and learns the
// office's time zone, clock, station ID and epoch.
func (c *Client) Connect(ctx context.Context) (hub.Hello, error) {
	var h hub.Hello
	sent := time.Now()
	if err := c.do(ctx, http.MethodGet, "/v1/hello", "", nil, &h); err != nil {
		return h, err
	}
	mid := sent.Add(time.Since(sent) / 2)
	loc := time.FixedZone("hub", h.UTCOffset)
	if h.TimeZone != "" {
		if l, err := time.LoadLocation(h.TimeZone); err == nil {
			loc = l
		}
	}
	c.mu.Lock()
	c.hello = &h
	c.loc = loc
	c.offset = h.Now.Sub(mid)
	c.mu.Unlock()
	return h, nil
}

// Counter is this counter as the hub registered it (after Connect).
func (c *Client) Counter() hub.CounterInfo {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.hello == nil {
		return hub.CounterInfo{}
	}
	return c.hello.Counter
}

// StationID is the hub's database's station ID ("" before Connect).
func (c *Client) StationID() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.hello == nil {
		return ""
	}
	return c.hello.StationID
}

// Epoch is the hub's database's epoch ("" before Connect).
func (c *Client) Epoch() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.hello == nil {
		return ""
	}
	return c.hello.Epoch
}

// Location is the office's time zone (the hub's; local before Connect).
func (c *Client) Location() *time.Location {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.loc
}

// Now is the hub's clock, as measured at Connect.
func (c *Client) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Now().Add(c.offset).In(c.loc)
}

// Today is the office's date by the hub's clock.
func (c *Client) Today() string { return c.Now().Format(time.DateOnly) }

func registerBody(in queue.NewRequest, by queue.Actor) hub.RegisterBody {
	return hub.RegisterBody{Clerk: by.Clerk, Service: in.Service, Name: in.Name, NIK: in.NIK, Phone: in.Phone,
		Notes: in.Notes, Priority: string(in.Priority)}
}

// RegisterOnce registers a walk-in at the hub under key ("" makes one).
// The counter is the token's; by.Counter is not sent. in.At is not sent:
// the hub's clock is the arrival.
func (c *Client) RegisterOnce(ctx context.Context, key string, in queue.NewRequest, by queue.Actor) (queue.Request, bool, error) {
	if key == "" {
		key = newKey()
	}
	var a hub.RequestAnswer
	if err := c.do(ctx, http.MethodPost, "/v1/requests", key, registerBody(in, by), &a); err != nil {
		return queue.Request{}, false, err
	}
	c.patch(a.Request, 0)
	return a.Request, a.Again, nil
}

// CallNextOnce calls the next waiting request of services (none: the
// counter's registered services, and with none registered every service).
func (c *Client) CallNextOnce(ctx context.Context, key string, services []string, by queue.Actor) (queue.Request, bool, error) {
	if key == "" {
		key = newKey()
	}
	var a hub.RequestAnswer
	if err := c.do(ctx, http.MethodPost, "/v1/call", key, hub.CallBody{Clerk: by.Clerk, Services: services}, &a); err != nil {
		return queue.Request{}, false, err
	}
	c.patch(a.Request, 0)
	return a.Request, a.Again, nil
}

func refPath(ref string) (string, error) {
	ref = strings.TrimSpace(ref)
	if ref == "" {
		return "", queue.Invalid("ref", "empty reference (want a ticket, tracking code or ID)")
	}
	return "/v1/requests/" + url.PathEscape(ref), nil
}

// ActOnce performs act on the request ref; a call (queue.ActCall) of a
// named request is a call out of order and is recorded so.
func (c *Client) ActOnce(ctx context.Context, key, ref string, act queue.Action, service string, by queue.Actor) (queue.Request, bool, error) {
	p, err := refPath(ref)
	if err != nil {
		return queue.Request{}, false, err
	}
	if key == "" {
		key = newKey()
	}
	var a hub.RequestAnswer
	if err := c.do(ctx, http.MethodPost, p+"/actions", key, hub.ActBody{Clerk: by.Clerk, Action: string(act), Service: service}, &a); err != nil {
		return queue.Request{}, false, err
	}
	c.patch(a.Request, 0)
	return a.Request, a.Again, nil
}

// Identify gives the walk-in ref names (a kiosk's, registered without
// identity) the applicant's name, NIK and phone, under key ("" makes one).
// Invalid identity comes back as the hub's *queue.FieldError.
func (c *Client) Identify(ctx context.Context, key, ref string, id queue.Identity, by queue.Actor) (queue.Request, bool, error) {
	p, err := refPath(ref)
	if err != nil {
		return queue.Request{}, false, err
	}
	if key == "" {
		key = newKey()
	}
	var a hub.RequestAnswer
	body := hub.IdentifyBody{Clerk: by.Clerk, Name: id.Name, NIK: id.NIK, Phone: id.Phone}
	if err := c.do(ctx, http.MethodPost, p+"/identify", key, body, &a); err != nil {
		return queue.Request{}, false, err
	}
	c.patch(a.Request, 0)
	return a.Request, a.Again, nil
}

// CloseDay closes the open requests of day (YYYY-MM-DD) at the hub, as as
// (queue.StatusNoShow or queue.StatusCancelled); see store.CloseDay.
// Closing again closes nothing more, so the retry after a lost answer is
// safe.
func (c *Client) CloseDay(ctx context.Context, day string, as queue.Status, by queue.Actor) (queue.DayClose, error) {
	return c.closeDay(ctx, hub.CloseDayBody{Clerk: by.Clerk, Day: day, As: string(as)})
}

// CloseDayDryRun is CloseDay without changing anything: what it would
// close, and what it would leave open.
func (c *Client) CloseDayDryRun(ctx context.Context, day string, as queue.Status) (queue.DayClose, error) {
	return c.closeDay(ctx, hub.CloseDayBody{Day: day, As: string(as), DryRun: true})
}

func (c *Client) closeDay(ctx context.Context, b hub.CloseDayBody) (queue.DayClose, error) {
	var a hub.CloseDayAnswer
	if err := c.do(ctx, http.MethodPost, "/v1/close-day", newKey(), b, &a); err != nil {
		return queue.DayClose{}, err
	}
	if !b.DryRun {
		for _, r := range a.Closed {
			c.patch(r, 0)
		}
	}
	return queue.DayClose{Day: a.Day, As: queue.Status(a.As), Closed: a.Closed, Serving: a.Serving}, nil
}

// Purge erases at the hub the personal part of every request closed on a
// day before before (YYYY-MM-DD); dryRun only lists them (see
// store.Purge). The call carries a key of its own: a retry after a lost
// answer gets the first call's answer from the hub (or, after a restart of
// the hub, an empty list: purging again erases nothing more).
func (c *Client) Purge(ctx context.Context, before string, dryRun bool, by queue.Actor) (queue.Erasure, error) {
	return c.erase(ctx, "/v1/purge", hub.PurgeBody{Clerk: by.Clerk, Before: before, DryRun: dryRun})
}

// Forget erases at the hub the personal part of every request of nik, at
// the applicant's request; note is the clerk's reason (see store.Forget).
// The NIK travels in the body only.
func (c *Client) Forget(ctx context.Context, nik, note string, by queue.Actor) (queue.Erasure, error) {
	return c.erase(ctx, "/v1/forget", hub.ForgetBody{Clerk: by.Clerk, NIK: nik, Note: note})
}

func (c *Client) erase(ctx context.Context, path string, body any) (queue.Erasure, error) {
	var a hub.ErasureAnswer
	if err := c.do(ctx, http.MethodPost, path, newKey(), body, &a); err != nil {
		return queue.Erasure{}, err
	}
	if a.Requests == nil {
		a.Requests = []queue.ErasedRequest{}
	}
	return queue.Erasure{DryRun: a.DryRun, Requests: a.Requests}, nil
}

// ReplaceCatalogOnce replaces the office's catalog; the hub allows it only
// to the counters it names (else ErrForbidden).
func (c *Client) ReplaceCatalogOnce(ctx context.Context, key string, svcs []queue.Service, by queue.Actor) ([]queue.Service, bool, error) {
	if key == "" {
		key = newKey()
	}
	var a hub.CatalogAnswer
	if err := c.do(ctx, http.MethodPut, "/v1/catalog", key, hub.CatalogBody{Clerk: by.Clerk, Services: svcs}, &a); err != nil {
		return nil, false, err
	}
	return a.Services, a.Again, nil
}

// Register is RegisterOnce with a key of its own (the terminal UI's form).
func (c *Client) Register(ctx context.Context, in queue.NewRequest, by queue.Actor) (queue.Request, error) {
	r, _, err := c.RegisterOnce(ctx, newKey(), in, by)
	return r, err
}

// CallNext is CallNextOnce with a key of its own.
func (c *Client) CallNext(ctx context.Context, services []string, by queue.Actor) (queue.Request, error) {
	r, _, err := c.CallNextOnce(ctx, newKey(), services, by)
	return r, err
}

// Act is ActOnce with a key of its own.
func (c *Client) Act(ctx context.Context, ref string, act queue.Action, service string, by queue.Actor) (queue.Request, error) {
	r, _, err := c.ActOnce(ctx, newKey(), ref, act, service, by)
	return r, err
}

// Get finds one request by ticket (today's), tracking code or ID.
func (c *Client) Get(ctx context.Context, ref string) (queue.Request, error) {
	p, err := refPath(ref)
	if err != nil {
		return queue.Request{}, err
	}
	var a hub.RequestAnswer
	err = c.do(ctx, http.MethodGet, p, "", nil, &a)
	return a.Request, err
}

// Detail is one request with its history.
func (c *Client) Detail(ctx context.Context, ref string) (queue.Request, []queue.Event, error) {
	p, err := refPath(ref)
	if err != nil {
		return queue.Request{}, nil, err
	}
	var a hub.DetailAnswer
	err = c.do(ctx, http.MethodGet, p+"/history", "", nil, &a)
	return a.Request, a.Events, err
}

// DayQueue is every request that arrived on day ("" today), in arrival
// order. Today's comes from the cache once the stream has synced it.
func (c *Client) DayQueue(ctx context.Context, day string) ([]queue.Request, error) {
	if day == "" {
		day = c.Today()
	}
	if rs, ok := c.cached(day); ok {
		return rs, nil
	}
	var a hub.QueueAnswer
	if err := c.do(ctx, http.MethodGet, "/v1/queue?day="+url.QueryEscape(day), "", nil, &a); err != nil {
		return nil, err
	}
	return a.Requests, nil
}

// Find searches by ticket, tracking code, NIK or name words.
func (c *Client) Find(ctx context.Context, text string, limit int) ([]queue.Request, error) {
	if strings.TrimSpace(text) == "" {
		return nil, nil
	}
	if len(text) > hub.MaxFindText {
		text = text[:hub.MaxFindText]
	}
	if limit <= 0 {
		limit = 50
	}
	limit = min(limit, hub.MaxFindLimit)
	var a hub.FindAnswer
	err := c.do(ctx, http.MethodGet, "/v1/find?q="+url.QueryEscape(text)+"&limit="+strconv.Itoa(limit), "", nil, &a)
	return a.Requests, err
}

// Services is the office's catalog, inactive services included.
func (c *Client) Services(ctx context.Context) ([]queue.Service, error) {
	var a hub.CatalogAnswer
	err := c.do(ctx, http.MethodGet, "/v1/services", "", nil, &a)
	return a.Services, err
}

// Between calls fn with every request that arrived on the days from..to,
// in arrival order. An answer cut short is an error (ErrNoAnswer), after fn
// has seen the requests that did arrive.
func (c *Client) Between(ctx context.Context, from, to string, fn func(queue.Request) error) error {
	q := url.Values{}
	if from != "" {
		q.Set("from", from)
	}
	if to != "" {
		q.Set("to", to)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.base+"/v1/between?"+q.Encode(), nil)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+c.opt.Token)
	var connected atomic.Bool
	req = req.WithContext(httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{GotConn: func(httptrace.GotConnInfo) { connected.Store(true) }}))
	resp, err := c.stream.Do(req)
	if err != nil {
		if !connected.Load() {
			return fmt.Errorf("%w (%s): %v", ErrUnreachable, c.base, err)
		}
		return fmt.Errorf("%w (%s): %v", ErrNoAnswer, c.base, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		var eb hub.ErrorBody
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
		if json.Unmarshal(b, &eb) == nil && eb.Error.Code != "" {
			return decodeError(resp.StatusCode, eb.Error)
		}
		return fmt.Errorf("%w (%s): answer %d", ErrNoAnswer, c.base, resp.StatusCode)
	}
	dec := json.NewDecoder(resp.Body)
	n := 0
	for {
		var line hub.BetweenLine
		if err := dec.Decode(&line); err != nil {
			return fmt.Errorf("%w (%s): the list was cut short after %d requests: %v", ErrNoAnswer, c.base, n, err)
		}
		if line.End {
			if line.Count != n {
				return fmt.Errorf("%w (%s): the list has %d requests, its end says %d", ErrNoAnswer, c.base, n, line.Count)
			}
			return nil
		}
		if line.Request == nil {
			return fmt.Errorf("%w (%s): a line without a request", ErrNoAnswer, c.base)
		}
		n++
		if err := fn(*line.Request); err != nil {
			return err
		}
	}
}

// Subscribe signals every change to the office's queue that the stream
// brings (coalesced), and every resynchronisation of the cache.
func (c *Client) Subscribe() (<-chan struct{}, func()) {
	ch := make(chan struct{}, 1)
	c.mu.Lock()
	c.subs[ch] = struct{}{}
	c.mu.Unlock()
	return ch, func() {
		c.mu.Lock()
		delete(c.subs, ch)
		c.mu.Unlock()
	}
}

// notifyLocked signals the subscribers; c.mu is held.
func (c *Client) notifyLocked() {
	for ch := range c.subs {
		select {
		case ch <- struct{}{}:
		default:
		}
	}
}

// sortRequests puts requests in arrival order (their IDs are ULIDs).
func sortRequests(rs []queue.Request) {
	sort.Slice(rs, func(i, j int) bool { return rs[i].ID < rs[j].ID })
}
