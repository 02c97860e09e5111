package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"

	"github.com/loket-id/loket/config"
	"github.com/loket-id/loket/hub/hubclient"
	"github.com/loket-id/loket/queue"
	"github.com/loket-id/loket/receipts"
	"github.com/loket-id/loket/stats"
	"github.com/loket-id/loket/store"
	"github.com/loket-id/loket/sync/station"
	"github.com/loket-id/loket/tui"
)

// runUI opens the terminal UI. The UI's process owns the database all day
// and answers other loket commands on the owner socket meanwhile. Logs go to
// loket.log in the data directory, so that they never garble the screen.
func runUI(e *env, args []string) error {
	if err := noArgs(e, args); err != nil {
		return err
	}
	if url := e.hubURL(); url != "" {
		return runUIBehindHub(e, url)
	}
	ctx, dataDir, cfg, a := e.ctx, e.dataDir, e.cfg, e.app
	st, err := e.openOwned()
	if errors.Is(err, store.ErrLocked) {
		return fmt.Errorf("%w (is the counter program already open? its commands still work: loket --help)", err)
	}
	if err != nil {
		return err
	}
	defer st.Close()
	if a.Terminal == nil || !a.Terminal() {
		return fmt.Errorf("the terminal UI needs a terminal; without one, use the commands (loket --help)")
	}
	if logf, err := openLog(dataDir); err == nil {
		defer logf.Close()
		slog.SetDefault(newLogger(logf, st.Location()))
	}
	if p, ok := colorProfile(a.Getenv); ok {
		lipgloss.SetColorProfile(p)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	// The background syncer, when a server is configured.
	var syncer *station.Syncer
	if c, err := e.syncClient(st, "", ""); err != nil {
		slog.Warn("sync disabled", "err", err)
	} else if c != nil {
		c.Log = slog.Default()
		syncer = &station.Syncer{Client: c}
	}
	ownerDone := make(chan error, 1)
	go func() { ownerDone <- serveOwner(ctx, st, dataDir, syncer) }()

	opts := uiOptions(cfg, e.lang, st)
	if maker, err := e.receiptMaker("", st.Location()); err == nil {
		opts.Receipts = uiReceipts{maker}
	} else {
		slog.Warn("receipts disabled", "err", err)
	}
	opts.Stats = func(ctx context.Context, from, to, service string) (stats.Figures, error) {
		return stats.ForStation(ctx, st, from, to, service)
	}
	opts.Survey = surveyTally(st)
	if syncer != nil {
		opts.Sync = uiSync{syncer}
		opts.CentralStats = syncer.Client.Stats
	}
	m := tui.New(ctx, opts)
	defer m.Close()
	p := tea.NewProgram(m, tea.WithAltScreen(), tea.WithContext(ctx))
	if syncer != nil {
		logSync := syncLogger(slog.Default())
		syncer.OnStatus = func(s station.Status) { logSync(s); p.Send(tui.SyncStatusMsg(uiSyncStatus(s))) }
		changes, stop := st.Subscribe()
		defer stop()
		go syncer.Run(ctx, changes)
	}
	_, err = p.Run()
	cancel()
	if oerr := <-ownerDone; oerr != nil {
		slog.Warn("owner socket", "err", oerr)
	}
	if errors.Is(err, tea.ErrProgramKilled) && ctx.Err() != nil {
		return nil
	}
	return err
}

func uiOptions(cfg config.Config, lang string, st *store.Store) tui.Options {
	return tui.Options{
		Backend: st, Lang: lang, Office: cfg.Office.Name, Counter: cfg.Station.Code, CounterName: cfg.Station.Name,
		Clerk: cfg.Clerk.Name, Services: cfg.Queue.Services, MaxCalls: cfg.Queue.MaxCalls, Now: st.Now, Location: st.Location(),
		Closer: st,
	}
}

// uiReceipts adapts the receipt maker to what the UI needs of it.
type uiReceipts struct{ m *receipts.Maker }

func (r uiReceipts) Print(ctx context.Context, req queue.Request, svc queue.Service) (tui.ReceiptResult, error) {
	res, err := r.m.Produce(ctx, req, svc, true)
	logReceipt(slog.Default(), req, res, err)
	return tui.ReceiptResult{Path: res.Path, Printed: res.Printed, PrintErr: res.PrintErr}, err
}

func (r uiReceipts) Failed(day string) map[string]string { return r.m.Failed(day) }

// uiSync adapts the background syncer to what the UI needs of it.
type uiSync struct{ s *station.Syncer }

func (u uiSync) Status() tui.SyncStatus { return uiSyncStatus(u.s.Status()) }
func (u uiSync) Kick()                  { u.s.Kick() }

func uiSyncStatus(s station.Status) tui.SyncStatus {
	return tui.SyncStatus{Server: s.Server, Online: s.Online, Syncing: s.Syncing, Refused: s.Refused, Pending: s.Pending,
		LastSync: s.LastSync, NextTry: s.NextTry, Errors: s.Errors}
}

// colorProfile is the colour profile the environment asks for, if any:
// NO_COLOR (https://no-color.org) set to anything but "" means none.
func colorProfile(getenv func(string) string) (termenv.Profile, bool) {
	if getenv("NO_COLOR") != "" {
		return termenv.Ascii, true
	}
	return 0, false
}

// runUIBehindHub opens the terminal UI of a counter behind an office hub:
// the queue is the hub's (the hub client keeps today's in a cache the
// hub's change stream patches), receipts are made and printed here, on
// this counter's printer, and the status bar shows whether the hub is
// reachable. The hub being away does not close the UI: it shows offline,
// and the client reconnects by itself.
func runUIBehindHub(e *env, url string) error {
	ctx, a := e.ctx, e.app
	if a.Terminal == nil || !a.Terminal() {
		return fmt.Errorf("the terminal UI needs a terminal; without one, use the commands (loket --help)")
	}
	log := e.log() // loket.log in the office's zone
	slog.SetDefault(log)
	if p, ok := colorProfile(a.Getenv); ok {
		lipgloss.SetColorProfile(p)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	c, err := e.newHubClient(url, log)
	if err != nil {
		return err
	}
	opts, err := hubUIOptions(ctx, e, c)
	if err != nil {
		return err
	}
	c.Start(ctx)
	defer c.Close()
	m := tui.New(ctx, opts)
	defer m.Close()
	_, err = tea.NewProgram(m, tea.WithAltScreen(), tea.WithContext(ctx)).Run()
	cancel()
	if errors.Is(err, tea.ErrProgramKilled) && ctx.Err() != nil {
		return nil
	}
	return err
}

// hubUIOptions are the UI's options on the hub client c: the counter is the
// one the hub knows by c's token, the office's clock and zone the hub's.
// A token the hub refuses stops here (exit 4); a hub that cannot be
// reached does not: the UI opens offline, on the config's zone.
func hubUIOptions(ctx context.Context, e *env, c *hubclient.Client) (tui.Options, error) {
	cfg := e.cfg
	cctx, cancel := context.WithTimeout(ctx, connectTimeout)
	_, err := c.Connect(cctx)
	cancel()
	if errors.Is(err, hubclient.ErrUnauthorized) {
		return tui.Options{}, (&hubQueue{Client: c, e: e, how: reads}).err(err)
	}
	if err != nil {
		slog.Warn("hub not reached; the UI opens offline", "err", err)
	}
	loc := c.Location()
	if err != nil {
		if loc, err = cfg.Location(); err != nil {
			return tui.Options{}, err
		}
	}
	code, name := cfg.Station.Code, cfg.Station.Name
	if me := c.Counter(); me.Code != "" {
		code, name = me.Code, me.Name
	}
	opts := tui.Options{
		Backend: c, Lang: e.lang, Office: cfg.Office.Name, Counter: code, CounterName: name, Clerk: cfg.Clerk.Name,
		Services: cfg.Queue.Services, MaxCalls: cfg.Queue.MaxCalls, Now: c.Now, Location: loc,
		Stats: func(ctx context.Context, from, to, service string) (stats.Figures, error) {
			return stats.ForStation(ctx, c, from, to, service)
		},
		Survey: surveyTally(c),
	}
	if maker, err := e.receiptMaker("", loc); err == nil {
		opts.Receipts = uiReceipts{maker}
	} else {
		slog.Warn("receipts disabled", "err", err)
	}
	return opts, nil
}
