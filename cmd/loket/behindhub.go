package main

// A counter behind an office hub: its queue is the hub's, reached with the
// hub client (hub/hubclient), and it has no database of its own. Set up
// with `loket init --hub URL --hub-token TOKEN` (or $LOKET_HUB and
// $LOKET_HUB_TOKEN).

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/loket-id/loket/hub/hubclient"
	"github.com/loket-id/loket/queue"
)

// hubURL is the office hub this counter works through: $LOKET_HUB, else
// the config's hub.url; "" when the counter has its own database.
func (e *env) hubURL() string {
	return strings.TrimSpace(firstOf(e.app.Getenv("LOKET_HUB"), e.cfg.Hub.URL))
}

// hubToken is this counter's token at the hub: $LOKET_HUB_TOKEN, else the
// config's token file.
func (e *env) hubToken() (string, error) {
	if t := strings.TrimSpace(e.app.Getenv("LOKET_HUB_TOKEN")); t != "" {
		return t, nil
	}
	if e.cfg.Hub.TokenFile == "" {
		return "", usagef("no counter token for the office hub: loket init --hub-token TOKEN (or $LOKET_HUB_TOKEN); the hub PC makes one with loket hub counter add")
	}
	data, err := os.ReadFile(e.cfg.Hub.TokenFile)
	if err != nil {
		return "", fmt.Errorf("read the hub token: %w", err)
	}
	return strings.TrimSpace(string(data)), nil
}

// newHubClient is a client of the hub at url with this counter's token;
// it logs to log (nil: warnings on stderr).
func (e *env) newHubClient(url string, log *slog.Logger) (*hubclient.Client, error) {
	token, err := e.hubToken()
	if err != nil {
		return nil, err
	}
	if log == nil {
		log = slog.New(slog.NewTextHandler(e.app.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	}
	c, err := hubclient.New(hubclient.Options{URL: url, Token: token, PinSHA256: e.cfg.Hub.PinSHA256, Logger: log})
	if err != nil {
		return nil, usagef("office hub: %v", err)
	}
	return c, nil
}

// hubQueue is the hub's queue for one command: connected (the office's
// time zone and clock come from the hub), with the hub client's errors
// turned into loket's exit codes.
func (e *env) hubQueue(url string, how access) (*hubQueue, error) {
	c, err := e.newHubClient(url, nil)
	if err != nil {
		return nil, err
	}
	e.closers = append(e.closers, func() error { c.Close(); return nil })
	q := &hubQueue{Client: c, e: e, how: how}
	if _, err := c.Connect(e.ctx); err != nil {
		if errors.Is(err, hubclient.ErrNoAnswer) { // nothing but the hello was sent
			return nil, &exitError{Code: exitUnreachable, Err: fmt.Errorf("%w; nothing was sent but a hello: is loket hub running on the hub PC?", err)}
		}
		return nil, q.err(err)
	}
	return q, nil
}

// hubQueue is an office.Queue: the hub client, whose errors come back as
// exit codes where the queue's own errors do not say it all.
type hubQueue struct {
	*hubclient.Client
	e   *env
	how access
}

// err is a hub client's error as loket reports it: exit 3 when the hub
// could not be reached (nothing was sent), 4 when it refused this
// counter's token, 5 when a change was sent and its answer lost even after
// the client's retry with the same key (whether it was done is unknown).
// The queue's own errors (invalid input, a status that does not allow the
// action, not found, nobody waiting) are as they are at the hub, with the
// exit codes a local database gives them.
func (q *hubQueue) err(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, hubclient.ErrUnreachable):
		return &exitError{Code: exitUnreachable, Err: fmt.Errorf("%w; is loket hub running on the hub PC?", err)}
	case errors.Is(err, hubclient.ErrUnauthorized):
		return &exitError{Code: exitRefused, Err: fmt.Errorf("%w (%v): nothing was saved; the hub PC gives a counter a token with loket hub counter add, then here: loket init --hub-token TOKEN", hubclient.ErrUnauthorized, err)}
	case errors.Is(err, hubclient.ErrForbidden):
		return &exitError{Code: exitRefused, Err: err}
	case errors.Is(err, hubclient.ErrNoAnswer) && q.how != reads:
		again := ""
		if q.e.key != "" {
			again = fmt.Sprintf(", or send it again with the same request key, which does it at most once: LOKET_KEY=%s loket %s ...", q.e.key, q.e.name)
		}
		return &exitError{Code: exitUnknown, Err: fmt.Errorf("%w: see whether it was done with `loket list` or `loket show` before doing it again%s", err, again)}
	}
	return err
}

func (q *hubQueue) RegisterOnce(ctx context.Context, key string, in queue.NewRequest, by queue.Actor) (queue.Request, bool, error) {
	r, again, err := q.Client.RegisterOnce(ctx, key, in, by)
	return r, again, q.err(err)
}

func (q *hubQueue) CallNextOnce(ctx context.Context, key string, services []string, by queue.Actor) (queue.Request, bool, error) {
	r, again, err := q.Client.CallNextOnce(ctx, key, services, by)
	return r, again, q.err(err)
}

func (q *hubQueue) ActOnce(ctx context.Context, key, ref string, act queue.Action, service string, by queue.Actor) (queue.Request, bool, error) {
	r, again, err := q.Client.ActOnce(ctx, key, ref, act, service, by)
	return r, again, q.err(err)
}

func (q *hubQueue) ReplaceCatalogOnce(ctx context.Context, key string, svcs []queue.Service, by queue.Actor) ([]queue.Service, bool, error) {
	out, again, err := q.Client.ReplaceCatalogOnce(ctx, key, svcs, by)
	return out, again, q.err(err)
}

func (q *hubQueue) Purge(ctx context.Context, before string, dryRun bool, by queue.Actor) (queue.Erasure, error) {
	e, err := q.Client.Purge(ctx, before, dryRun, by)
	return e, q.err(err)
}

func (q *hubQueue) Forget(ctx context.Context, nik, note string, by queue.Actor) (queue.Erasure, error) {
	e, err := q.Client.Forget(ctx, nik, note, by)
	return e, q.err(err)
}

func (q *hubQueue) Get(ctx context.Context, ref string) (queue.Request, error) {
	r, err := q.Client.Get(ctx, ref)
	return r, q.err(err)
}

func (q *hubQueue) Detail(ctx context.Context, ref string) (queue.Request, []queue.Event, error) {
	r, hist, err := q.Client.Detail(ctx, ref)
	return r, hist, q.err(err)
}

func (q *hubQueue) DayQueue(ctx context.Context, day string) ([]queue.Request, error) {
	rs, err := q.Client.DayQueue(ctx, day)
	return rs, q.err(err)
}

func (q *hubQueue) Find(ctx context.Context, text string, limit int) ([]queue.Request, error) {
	rs, err := q.Client.Find(ctx, text, limit)
	return rs, q.err(err)
}

func (q *hubQueue) Services(ctx context.Context) ([]queue.Service, error) {
	svcs, err := q.Client.Services(ctx)
	return svcs, q.err(err)
}

func (q *hubQueue) Between(ctx context.Context, from, to string, fn func(queue.Request) error) error {
	return q.err(q.Client.Between(ctx, from, to, fn))
}

// connectTimeout bounds the UI's first look at the hub: it opens offline
// rather than wait.
const connectTimeout = 5 * time.Second
