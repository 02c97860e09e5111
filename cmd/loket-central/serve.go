package main

// The server itself: serve, and version.

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"time"

	"golang.org/x/time/rate"

	"github.com/loket-id/loket/internal/cli"
	"github.com/loket-id/loket/relay"
	"github.com/loket-id/loket/sync/central"
	"github.com/loket-id/loket/sync/central/pgstore"
)

func serveCommands() []*command {
	return []*command{
		{Name: "serve", Summary: "serve the sync protocol", Accepts: cli.ExactArgs(0), Flags: serveFlags},
		{Name: "version", Summary: "print the version", Accepts: cli.ExactArgs(0), Flags: cli.NoFlags(func(e *env, _ []string) error {
			fmt.Fprintln(e.out(), "loket-central, sync protocol v1")
			return nil
		})},
	}
}

// serveFlags: serve holds the database, answers the protocol on --addr and
// the admin commands on the owner socket, until SIGINT or SIGTERM.
func serveFlags(fs *flag.FlagSet) runner {
	addr := fs.String("addr", "127.0.0.1:8470", "listen address")
	cert := fs.String("tls-cert", "", "TLS certificate file")
	key := fs.String("tls-key", "", "TLS key file")
	tz := zoneFlag(fs)
	retention := fs.Int("retention-days", 0, "erase the personal part of requests closed more than this many days ago, nightly (0: only what the counters erase)")
	hour := fs.Int("housekeeping-hour", 2, "local hour of the nightly purge and compaction (0-23)")
	trackRate := fs.Int("track-rate", central.DefaultTrackRate, "tracking lookups (/lacak, /v1/track) allowed per minute from one address (an IPv6 /64)")
	trackBurst := fs.Int("track-burst", central.DefaultTrackBurst, "tracking lookups one address may make at once before --track-rate applies")
	return func(e *env, _ []string) error {
		loc, err := zone(*tz, nil) // nil: each request's office zone
		if err != nil {
			return err
		}
		if *retention < 0 {
			return cli.Usagef("--retention-days must be 0 or more")
		}
		if *hour < 0 || *hour > 23 {
			return cli.Usagef("--housekeeping-hour must be from 0 to 23")
		}
		if *trackRate < 1 || *trackRate > 60000 {
			return cli.Usagef("--track-rate must be from 1 to 60000 lookups a minute")
		}
		if *trackBurst < 1 || *trackBurst > 10000 {
			return cli.Usagef("--track-burst must be from 1 to 10000")
		}
		srv := &central.Server{Location: loc, TrackRate: rate.Every(time.Minute / time.Duration(*trackRate)), TrackBurst: *trackBurst}
		night := central.Housekeeping{RetentionDays: *retention, Hour: *hour, Location: loc}
		if e.db != "" {
			return servePG(e.ctx, e.app, e.db, *addr, *cert, *key, srv, night)
		}
		return serve(e.ctx, e.app, e.dir, *addr, *cert, *key, srv, night)
	}
}

func serve(ctx context.Context, a *App, dir, addr, cert, key string, srv *central.Server, night central.Housekeeping) error {
	st, err := central.OpenBolt(dir, 2*time.Second)
	if err != nil {
		return err
	}
	defer st.Close()
	log := slog.New(slog.NewTextHandler(a.Stderr, nil))
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", addr, err)
	}
	sock, err := relay.Listen(filepath.Join(dir, sockName))
	if err != nil {
		ln.Close()
		return err
	}
	defer os.Remove(filepath.Join(dir, sockName))
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() { _ = relay.Serve(ctx, sock, ownerHandler(st)) }()
	night.Storage, night.Log = st, log
	go night.Run(ctx)
	log.Info("loket-central serving", "addr", ln.Addr().String(), "data", st.Path(), "tls", cert != "")
	fmt.Fprintf(a.Stdout, "listening on %s\n", ln.Addr())
	srv.Storage, srv.Log = st, log
	return srv.Serve(ctx, ln, cert, key)
}

// servePG serves from PostgreSQL: the schema is migrated first; several
// such servers may share the database (behind any load balancer), and the
// admin commands reach the database directly (--db), not through a socket.
// Each runs the night's housekeeping: the purge is idempotent and the
// second compaction finds nothing pending, or waits for the first.
func servePG(ctx context.Context, a *App, db, addr, cert, key string, srv *central.Server, night central.Housekeeping) error {
	st, err := pgstore.Open(ctx, db, pgstore.Options{})
	if err != nil {
		return err
	}
	defer st.Close()
	log := slog.New(slog.NewTextHandler(a.Stderr, nil))
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", addr, err)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	night.Storage, night.Log = st, log
	go night.Run(ctx)
	log.Info("loket-central serving", "addr", ln.Addr().String(), "storage", "postgresql", "schema", pgstore.SchemaVersion(), "tls", cert != "")
	fmt.Fprintf(a.Stdout, "listening on %s\n", ln.Addr())
	srv.Storage, srv.Log = st, log
	return srv.Serve(ctx, ln, cert, key)
}
