package main

// The database itself: check and backup.

import (
	"errors"
	"flag"
	"fmt"
	"time"

	"github.com/loket-id/loket/internal/boltcheck"
	"github.com/loket-id/loket/sync/central"
	"github.com/loket-id/loket/sync/central/pgstore"

	"github.com/loket-id/loket/internal/cli"
)

func dataCommands() []*command {
	return []*command{
		{Name: "check", Summary: "verify the database", Owned: true, Accepts: cli.ExactArgs(0), Flags: cli.NoFlags(runCheck)},
		{Name: "migrate", Summary: "bring the database's schema to this version", Owned: true, Accepts: cli.ExactArgs(0), Flags: cli.NoFlags(runMigrate)},
		{Name: "migrate-from-bolt", Summary: "move a bbolt centre (--data) to an empty PostgreSQL database (--db)", Accepts: cli.ExactArgs(0), Flags: cli.NoFlags(runMoveFromBolt)},
		{Name: "backup", Summary: "write a consistent copy of the database", Owned: true, Accepts: cli.ExactArgs(1), Flags: cli.NoFlags(runBackup)},
		{Name: "purge", Summary: "erase the personal part of every request closed before a date (the centre's retention); then compact",
			Owned: true, Accepts: cli.ExactArgs(0), Flags: purgeFlags},
		{Name: "compact", Summary: "rewrite the database with only its live data, so that nothing erased stays in the file",
			Owned: true, Accepts: cli.ExactArgs(0), Flags: cli.NoFlags(runCompact)},
	}
}

// purgeFlags: purge --before DATE [--dry-run] [--format text|json].
func purgeFlags(fs *flag.FlagSet) runner {
	before := fs.String("before", "", "erase requests closed before this date, YYYY-MM-DD (required)")
	dryRun := fs.Bool("dry-run", false, "list what would be erased; write nothing")
	format := formatFlag(fs)
	return func(e *env, _ []string) error {
		if err := checkFormat(e, *format, "text", "json"); err != nil {
			return err
		}
		if *before == "" {
			return cli.Usagef("purge needs --before DATE (YYYY-MM-DD)")
		}
		st, err := e.storage()
		if err != nil {
			return err
		}
		out, err := st.Purge(*before, *dryRun)
		if err != nil {
			return fmt.Errorf("purge: %w", err)
		}
		if *format == "json" {
			return writeJSON(e.out(), out)
		}
		verb := "erased"
		if out.DryRun {
			verb = "would erase"
		}
		fmt.Fprintf(e.out(), "%s the personal part of %d requests closed before %s\n", verb, len(out.Requests), *before)
		return nil
	}
}

// runCompact: bbolt rewrites central.db; PostgreSQL rewrites the personal
// and surveys tables (VACUUM FULL), whose size it reports.
func runCompact(e *env, _ []string) error {
	st, err := e.storage()
	if err != nil {
		return err
	}
	before, after, err := st.Compact()
	if err != nil {
		return err
	}
	what := "the personal and surveys tables"
	if b, ok := st.(*central.BoltStorage); ok {
		what = b.Path()
	}
	fmt.Fprintf(e.out(), "compacted %s: %d bytes, was %d\n", what, after, before)
	return nil
}

func runCheck(e *env, _ []string) error {
	st, err := e.storage()
	if err != nil {
		return err
	}
	problems, err := st.Check()
	if err != nil {
		return err
	}
	for _, p := range problems {
		fmt.Fprintln(e.out(), "PROBLEM:", p)
	}
	if len(problems) > 0 {
		return &cli.ExitError{Code: cli.ExitFailure, Err: fmt.Errorf("check found %d problems", len(problems))}
	}
	fmt.Fprintln(e.out(), "ok")
	return nil
}

func runBackup(e *env, args []string) error {
	bst, err := e.bolt("backup", "back it up with pg_dump (or the database server's own backups)")
	if err != nil {
		return err
	}
	path := e.abs(args[0])
	if err := bst.Backup(path); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	fmt.Fprintf(e.out(), "backup written to %s\n", path)
	return nil
}

// runMigrate brings the schema to this build's version: PostgreSQL's by
// its migrations; a bbolt file is migrated whenever it is opened.
func runMigrate(e *env, _ []string) error {
	if e.db != "" && e.app.owned == nil {
		st, err := pgstore.Open(e.ctx, e.db, pgstore.Options{NoMigrate: true})
		if err == nil {
			st.Close()
			fmt.Fprintf(e.out(), "schema version %d: nothing to do\n", pgstore.SchemaVersion())
			return nil
		}
		if errors.Is(err, pgstore.ErrNewerSchema) {
			return err
		}
		st, err = pgstore.Open(e.ctx, e.db, pgstore.Options{})
		if err != nil {
			return err
		}
		st.Close()
		fmt.Fprintf(e.out(), "migrated to schema version %d\n", pgstore.SchemaVersion())
		return nil
	}
	if _, err := e.storage(); err != nil {
		return err
	}
	fmt.Fprintf(e.out(), "schema version %d\n", central.SchemaVersion())
	return nil
}

// runMoveFromBolt moves the bbolt centre of --data into the PostgreSQL
// database of --db (which must hold no station), then compares the two.
// The server must be stopped: the file is opened here, not through it.
func runMoveFromBolt(e *env, _ []string) error {
	if e.db == "" {
		return cli.Usagef("migrate-from-bolt: --db URL (or $LOKET_CENTRAL_DB) names the PostgreSQL database to move to")
	}
	src, err := central.OpenBolt(e.dir, 100*time.Millisecond)
	if errors.Is(err, boltcheck.ErrLocked) {
		return fmt.Errorf("%w: stop loket-central serve first (the move reads the file, which the server holds)", err)
	}
	if err != nil {
		return err
	}
	defer src.Close()
	dst, err := pgstore.Open(e.ctx, e.db, pgstore.Options{})
	if err != nil {
		return err
	}
	defer dst.Close()
	m, err := pgstore.MoveFromBolt(e.ctx, src, dst)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.out(), "moved %d stations, %d events, %d requests, %d personal parts, %d survey answers, %d supervisor tokens, catalog version %d;\n"+
		"the two databases compare equal. Serve from PostgreSQL now: loket-central serve --db URL\n",
		m.Stations, m.Events, m.Requests, m.Personal, m.Surveys, m.Supervisors, m.Catalog)
	return nil
}

// bolt is the central database for a command that only the bbolt file
// has; on PostgreSQL it is refused with exit 2 and what to do instead.
func (e *env) bolt(cmd, instead string) (*central.BoltStorage, error) {
	st, err := e.storage()
	if err != nil {
		return nil, err
	}
	bst, ok := st.(*central.BoltStorage)
	if !ok {
		return nil, cli.Usagef("%s: the central database is in PostgreSQL: %s", cmd, instead)
	}
	return bst, nil
}
