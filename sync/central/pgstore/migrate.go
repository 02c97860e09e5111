package pgstore

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// The schema's versions are the files migrations/NNNN_what.sql, embedded
// in the binary and applied in order, each in the transaction that records
// it in schema_migrations. Never change one that has shipped: add the next.
//
//go:embed migrations/*.sql
var migrationFiles embed.FS

// Migration is one version of the schema.
type Migration struct {
	Version int
	Name    string
	SQL     string
}

// Migrations are the schema's versions, in order.
func Migrations() []Migration {
	names, err := fs.Glob(migrationFiles, "migrations/*.sql")
	if err != nil {
		panic(err)
	}
	var out []Migration
	for _, n := range names {
		base := path.Base(n)
		num, _, ok := strings.Cut(base, "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil {
			panic("pgstore: migration " + base + " is not named NNNN_what.sql")
		}
		data, _ := migrationFiles.ReadFile(n)
		out = append(out, Migration{Version: v, Name: strings.TrimSuffix(base, ".sql"), SQL: string(data)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Version < out[j].Version })
	for i, m := range out {
		if m.Version != i+1 {
			panic(fmt.Sprintf("pgstore: migration %s: versions must run 1, 2, 3… without a gap", m.Name))
		}
	}
	return out
}

// SchemaVersion is the schema this build writes.
func SchemaVersion() int { return len(Migrations()) }

// ErrNewerSchema is a database migrated by a newer loket-central: refused,
// never modified.
var ErrNewerSchema = errors.New("the central database was migrated by a newer version of loket-central")

const createMigrations = `CREATE TABLE IF NOT EXISTS schema_migrations (
    version    bigint PRIMARY KEY,
    name       text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now()
)`

// Version is the schema version of the database (0 when none is applied).
func Version(ctx context.Context, pool *pgxpool.Pool) (int, error) {
	var v int
	err := pool.QueryRow(ctx, `SELECT coalesce(max(version), 0) FROM schema_migrations`).Scan(&v)
	var pe *pgconn.PgError
	if errors.As(err, &pe) && pe.Code == "42P01" { // undefined_table
		return 0, nil
	}
	return v, err
}

// Migrate brings the database to SchemaVersion (up to version upTo when it
// is above 0, for tests), and returns the versions it applied. Several
// servers starting at once are safe: each migration's transaction first
// records its version, so a second one waits on that row and then finds it
// applied.
func Migrate(ctx context.Context, pool *pgxpool.Pool, upTo int) ([]int, error) {
	// Several servers may create it at once: a concurrent CREATE ... IF NOT
	// EXISTS can still fail on the table (42P07), its row type (42710) or
	// the catalog's unique index (23505); the table is there either way.
	if _, err := pool.Exec(ctx, createMigrations); err != nil && !isCode(err, "23505", "42P07", "42710") {
		return nil, fmt.Errorf("migrate: create schema_migrations: %w", err)
	}
	all := Migrations()
	cur, err := Version(ctx, pool)
	if err != nil {
		return nil, fmt.Errorf("migrate: %w", err)
	}
	if cur > len(all) {
		return nil, fmt.Errorf("schema version %d, this build knows up to %d: %w", cur, len(all), ErrNewerSchema)
	}
	var applied []int
	for _, m := range all {
		if m.Version <= cur || upTo > 0 && m.Version > upTo {
			continue
		}
		done := false
		err := retry(ctx, func() error {
			done = false
			return pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
				var n int
				if err := tx.QueryRow(ctx, `SELECT count(*) FROM schema_migrations WHERE version = $1`, m.Version).Scan(&n); err != nil {
					return err
				}
				if n > 0 {
					return nil // another server applied it
				}
				if _, err := tx.Exec(ctx, `INSERT INTO schema_migrations (version, name) VALUES ($1, $2)`, m.Version, m.Name); err != nil {
					return err
				}
				if _, err := tx.Exec(ctx, m.SQL); err != nil {
					return err
				}
				done = true
				return nil
			})
		})
		if isCode(err, "23505") { // another server recorded it first and committed
			continue
		}
		if err != nil {
			return applied, fmt.Errorf("migrate to schema %d (%s): %w", m.Version, m.Name, err)
		}
		if done {
			applied = append(applied, m.Version)
		}
	}
	return applied, nil
}

// isCode reports whether err is a PostgreSQL error with one of codes.
func isCode(err error, codes ...string) bool {
	var pe *pgconn.PgError
	if !errors.As(err, &pe) {
		return false
	}
	for _, c := range codes {
		if pe.Code == c {
			return true
		}
	}
	return false
}

// retry runs fn again while it fails with a serialization failure (40001)
// or a deadlock (40P01), as the distributed engines ask of their clients,
// at most 10 times.
func retry(ctx context.Context, fn func() error) error {
	var err error
	for range 10 {
		if err = fn(); !isCode(err, "40001", "40P01") {
			return err
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
	}
	return err
}
