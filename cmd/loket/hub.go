package main

// The office hub: `loket hub` holds the office's database on the hub PC
// and serves, until SIGTERM or SIGINT: the counters over HTTP (package
// hub; TLS with a certificate), the counters' screens over SSH (hub/sshd,
// the same terminal UI), the waiting room's board and kiosk on the same
// HTTP server (waitingroom), the local loket commands on the owner socket
// (relay), and the office's sync to the central server when one is
// configured (the hub is the office's one station), and the nightly purge of
// personal data past privacy.retention_days (hub.Purger). The registration
// commands (hub counter …, hub device …) are in hubadmin.go.

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/ssh"

	"github.com/loket-id/loket/config"
	"github.com/loket-id/loket/hub"
	"github.com/loket-id/loket/hub/sshd"
	"github.com/loket-id/loket/queue"
	"github.com/loket-id/loket/receipts"
	"github.com/loket-id/loket/relay"
	"github.com/loket-id/loket/stats"
	"github.com/loket-id/loket/store"
	"github.com/loket-id/loket/sync/station"
	"github.com/loket-id/loket/tui"
	"github.com/loket-id/loket/waitingroom"
)

func hubCommands() []*command {
	return append([]*command{
		{Name: "hub", Args: "[--addr HOST:PORT] [--ssh-addr HOST:PORT] [--tls-cert FILE --tls-key FILE]",
			Summary: "run the office hub: hold the database, serve the counters (HTTP, SSH), the board and the kiosk, sync the office",
			Flags:   hubFlags},
	}, hubAdminCommands()...)
}

// hubSettings are where the hub listens: the flags over the config's [hub].
type hubSettings struct {
	addr, sshAddr, cert, key string
}

func hubFlags(fs *flag.FlagSet) runner {
	var f hubSettings
	fs.StringVar(&f.addr, "addr", "", "where counters, boards and kiosks reach the hub (default hub.addr, else "+config.DefaultHubAddr+")")
	fs.StringVar(&f.sshAddr, "ssh-addr", "", "where counters' screens are served over SSH (default hub.ssh_addr; none when empty)")
	fs.StringVar(&f.cert, "tls-cert", "", "TLS certificate (PEM): the hub answers https only")
	fs.StringVar(&f.key, "tls-key", "", "TLS private key (PEM) of --tls-cert")
	return func(e *env, args []string) error {
		if err := noArgs(e, args); err != nil {
			return err
		}
		h := e.cfg.Hub
		s := hubSettings{addr: firstOf(f.addr, h.Addr, config.DefaultHubAddr), sshAddr: firstOf(f.sshAddr, h.SSHAddr),
			cert: firstOf(f.cert, h.TLSCert), key: firstOf(f.key, h.TLSKey)}
		if f.cert != "" || f.key != "" {
			s.cert, s.key = e.abs(f.cert), e.abs(f.key)
		}
		if (s.cert == "") != (s.key == "") {
			return usagef("hub: --tls-cert and --tls-key go together")
		}
		return runHub(e, s)
	}
}

// runHub runs the hub until e.ctx ends (SIGTERM, SIGINT), then shuts down:
// no new connections, calls under way finish, SSH sessions are told why
// and their terminals restored, the database is closed.
func runHub(e *env, s hubSettings) error {
	st, err := e.openOwned()
	if errors.Is(err, store.ErrLocked) {
		return fmt.Errorf("%w (is loket hub, the counter program or loket daemon already running on this data directory?)", err)
	}
	if err != nil {
		return err
	}
	defer st.Close()
	logf, err := os.OpenFile(filepath.Join(e.dataDir, "loket.log"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		return fmt.Errorf("hub: open the log: %w", err)
	}
	defer logf.Close()
	log := slog.New(slog.NewTextHandler(logf, nil))
	slog.SetDefault(log) // the owner socket's and the packages' own lines too

	ctx, cancel := context.WithCancel(e.ctx)
	defer cancel()

	// The office's sync to the central server, as the counter program runs it.
	var syncer *station.Syncer
	if c, err := e.syncClient(st, "", ""); err != nil {
		log.Warn("sync disabled", "err", err)
	} else if c != nil {
		c.Log = log
		syncer = &station.Syncer{Client: c}
	}

	wr, err := waitingroom.New(waitingroom.Options{
		Config: waitingroom.Config{Office: e.cfg.Office.Name, OfficeCode: e.cfg.Office.Code, StationCode: e.cfg.Station.Code,
			Lang: e.cfg.Language, TrackingURL: e.cfg.TrackingURL(),
			Location: st.Location(), Board: waitingroom.BoardConfig(e.cfg.Board), Kiosk: waitingroom.KioskConfig(e.cfg.Kiosk)},
		Store: st, Devices: storeDevices{st}, CounterName: counterName, Logger: log,
	})
	if err != nil {
		return fmt.Errorf("hub: the waiting room: %w", err)
	}
	srv := hub.New(st, log, hub.Options{CertFile: s.cert, KeyFile: s.key, CatalogCounters: e.cfg.Hub.CatalogCounters, Pages: wr.Handler()})

	// Listen on everything first: a port in use fails the start, before
	// systemd is told the hub is ready.
	ln, err := net.Listen("tcp", s.addr)
	if err != nil {
		return fmt.Errorf("hub: listen on %s: %w", s.addr, err)
	}
	var sshLn net.Listener
	hostKey := filepath.Join(e.dataDir, sshd.HostKeyFile)
	if s.sshAddr != "" {
		// The host key before the hub is ready: made on the first start,
		// a damaged one fails the start.
		if _, _, err := sshd.LoadOrCreateHostKey(hostKey); err != nil {
			ln.Close()
			return fmt.Errorf("hub: %w", err)
		}
		if sshLn, err = net.Listen("tcp", s.sshAddr); err != nil {
			ln.Close()
			return fmt.Errorf("hub: listen for SSH on %s: %w", s.sshAddr, err)
		}
	}
	sock := filepath.Join(e.dataDir, relay.FileName)
	ownerLn, err := relay.Listen(sock)
	if err != nil {
		ln.Close()
		if sshLn != nil {
			sshLn.Close()
		}
		return err
	}
	defer os.Remove(sock)

	var wg sync.WaitGroup
	errs := make(chan error, 5)
	run := func(name string, f func() error) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := f(); err != nil {
				log.Error("hub: "+name+" stopped", "err", err)
				errs <- err
				cancel()
			}
		}()
	}
	run("HTTP", func() error { return srv.Serve(ctx, ln) })
	run("owner socket", func() error { return relay.Serve(ctx, ownerLn, ownerHandler(st, syncer)) })
	run("waiting room", func() error { return wr.Run(ctx) })
	if sshLn != nil {
		maker, err := e.receiptMaker("", st.Location())
		if err != nil {
			log.Warn("receipts disabled for SSH counters", "err", err)
		}
		ssrv := &sshd.Server{Store: st, HostKeyPath: hostKey, Log: log,
			NewModel: func(ctx context.Context, c store.Counter, sess ssh.Session, r *lipgloss.Renderer) (tea.Model, error) {
				opts := sshd.Options(st, c, sess, r)
				opts.Lang, opts.Office, opts.MaxCalls = e.lang, e.cfg.Office.Name, e.cfg.Queue.MaxCalls
				opts.Stats = func(ctx context.Context, from, to, service string) (stats.Figures, error) {
					return stats.ForStation(ctx, st, from, to, service)
				}
				opts.Survey = surveyTally(st)
				opts.Closer = st
				if maker != nil {
					opts.Receipts = sshd.Receipts(*maker, c) // on the counter's registered printer
				}
				return tui.New(ctx, opts), nil
			}}
		run("SSH", func() error { return ssrv.Serve(ctx, sshLn) })
	}
	// The nightly purge of personal data (privacy.retention_days), with the
	// hub's saved receipts of what it erased.
	purger := &hub.Purger{Store: st, Before: e.cfg.Privacy.PurgeBefore, By: queue.Actor{Counter: e.cfg.Station.Code}, Log: log,
		Erased: func(before string, er queue.Erasure) {
			n, err := receipts.Remove(e.dataDir, er.Requests)
			m, err2 := receipts.RemoveBefore(e.dataDir, before)
			if err := errors.Join(err, err2); err != nil {
				log.Error("hub: delete saved receipts after the purge", "err", err)
			}
			if n+m > 0 {
				log.Info("hub: saved receipts deleted", "before", before, "receipts", n+m)
			}
		}}
	wg.Add(1)
	go func() { defer wg.Done(); purger.Run(ctx) }()
	if syncer != nil {
		changes, stop := st.Subscribe()
		defer stop()
		wg.Add(1)
		go func() { defer wg.Done(); syncer.Run(ctx, changes) }()
	}

	scheme := "http"
	if s.cert != "" {
		scheme = "https"
	}
	fmt.Fprintf(e.app.Stderr, "loket hub: holding %s\n  counters: %s://%s (loket init --hub URL --hub-token TOKEN)\n", st.Path(), scheme, ln.Addr())
	if sshLn != nil {
		fmt.Fprintf(e.app.Stderr, "  SSH counters: %s (ssh -p PORT HUB)\n", sshLn.Addr())
	}
	fmt.Fprintf(e.app.Stderr, "  board: %s://%s/board, kiosk: %s://%s/kiosk (loket hub device add)\n  log: %s\n",
		scheme, ln.Addr(), scheme, ln.Addr(), logf.Name())
	log.Info("hub started", "addr", ln.Addr().String(), "ssh", s.sshAddr, "tls", s.cert != "", "sync", syncer != nil)
	if err := notifySystemd(e.app.Getenv, "READY=1"); err != nil {
		log.Warn("hub: tell systemd it is ready", "err", err)
	}

	<-ctx.Done()
	_ = notifySystemd(e.app.Getenv, "STOPPING=1")
	log.Info("hub shutting down")
	wg.Wait()
	close(errs)
	var first error
	for err := range errs {
		if first == nil {
			first = err
		}
	}
	log.Info("hub stopped", "err", first)
	return first
}

// notifySystemd sends state to systemd's notification socket
// ($NOTIFY_SOCKET; an address starting with @ is abstract), when there is
// one (sd_notify(3)).
func notifySystemd(getenv func(string) string, state string) error {
	path := getenv("NOTIFY_SOCKET")
	if path == "" {
		return nil
	}
	if strings.HasPrefix(path, "@") {
		path = "\x00" + path[1:]
	}
	conn, err := net.DialUnix("unixgram", nil, &net.UnixAddr{Name: path, Net: "unixgram"})
	if err != nil {
		return err
	}
	defer conn.Close()
	_, err = conn.Write([]byte(state))
	return err
}

// storeDevices is the hub's device registry as the waiting room needs it.
type storeDevices struct{ st *store.Store }

func (d storeDevices) Authenticate(ctx context.Context, token string) (waitingroom.Device, error) {
	dev, err := d.st.AuthenticateDevice(ctx, token)
	if errors.Is(err, store.ErrUnknownDeviceToken) {
		return waitingroom.Device{}, waitingroom.ErrUnknownDevice
	}
	if err != nil {
		return waitingroom.Device{}, err
	}
	return waitingroom.Device{ID: dev.ID, Role: waitingroom.Role(dev.Role), Name: dev.ID}, nil
}

// counterName is the name the board shows for a counter's code: its
// registered name ("" when it has none: the board shows the code), read
// through the board's own transaction.
func counterName(tx *store.Tx, code string) string {
	c, err := tx.Counter(code)
	if err != nil {
		return ""
	}
	return c.Name
}
