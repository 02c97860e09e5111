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
		if e.db != "" {
			if *retention > 0 {
				return cli.Usagef("--retention-days: the centre's own retention (purge) is not there yet on PostgreSQL; " +
					"erasures that counters send (request.erased) are applied")
			}
			return servePG(e.ctx, e.app, e.db, *addr, *cert, *key, loc)
		}
		return serve(e.ctx, e.app, e.dir, *addr, *cert, *key, loc, central.Housekeeping{RetentionDays: *retention, Hour: *hour, Location: loc})
	}
}

func serve(ctx context.Context, a *App, dir, addr, cert, key string, loc *time.Location, night central.Housekeeping) error {
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
	return (&central.Server{Storage: st, Log: log, Location: loc}).Serve(ctx, ln, cert, key)
}

// servePG serves from PostgreSQL: the schema is migrated first; several
// such servers may share the database (behind any load balancer), and the
// admin commands reach the database directly (--db), not through a socket.
func servePG(ctx context.Context, a *App, db, addr, cert, key string, loc *time.Location) error {
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
	log.Info("loket-central serving", "addr", ln.Addr().String(), "storage", "postgresql", "schema", pgstore.SchemaVersion(), "tls", cert != "")
	fmt.Fprintf(a.Stdout, "listening on %s\n", ln.Addr())
	return (&central.Server{Storage: st, Log: log, Location: loc}).Serve(ctx, ln, cert, key)
}
