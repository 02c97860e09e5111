package pgstore_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/loket-id/loket/internal/pgtest"
	"github.com/loket-id/loket/sync/central/centraltest"
	"github.com/loket-id/loket/sync/central/pgstore"
	"github.com/loket-id/loket/sync/protocol"
)

func pool(t *testing.T, url string) *pgxpool.Pool {
	t.Helper()
	p, err := pgxpool.New(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.Close)
	return p
}

func tables(t *testing.T, p *pgxpool.Pool) string {
	t.Helper()
	var names []string
	rows, err := p.Query(context.Background(), `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var n string
		_ = rows.Scan(&n)
		names = append(names, n)
	}
	return strings.Join(names, " ")
}

// TestMigrations: each migration applies on the schema before it, in
// order, once (a second run and a concurrent one apply nothing); Open
// brings a fresh database to the current version; a database of a newer
// schema is refused and left as it was; NoMigrate refuses an old schema.
func TestMigrations(t *testing.T) {
	ctx := context.Background()
	url := pgtest.URL(t)
	p := pool(t, url)
	for _, m := range pgstore.Migrations() {
		applied, err := pgstore.Migrate(ctx, p, m.Version)
		if err != nil || len(applied) != 1 || applied[0] != m.Version {
			t.Fatalf("migration %s: applied %v, %v", m.Name, applied, err)
		}
		if v, err := pgstore.Version(ctx, p); err != nil || v != m.Version {
			t.Fatalf("after %s: version %d %v", m.Name, v, err)
		}
	}
	if got := tables(t, p); got != "catalog erasures events personal requests schema_migrations stations supervisors surveys" {
		t.Fatalf("tables: %s", got)
	}
	if applied, err := pgstore.Migrate(ctx, p, 0); err != nil || len(applied) != 0 {
		t.Fatalf("second run: %v %v", applied, err)
	}
	// Two servers starting at once on a fresh database.
	url2 := pgtest.URL(t)
	var wg sync.WaitGroup
	results := make([][]int, 4)
	errs := make([]error, 4)
	for i := range results {
		wg.Go(func() {
			p := pool(t, url2)
			results[i], errs[i] = pgstore.Migrate(ctx, p, 0)
		})
	}
	wg.Wait()
	total := 0
	for i := range results {
		if errs[i] != nil {
			t.Fatalf("concurrent migration %d: %v", i, errs[i])
		}
		total += len(results[i])
	}
	if total != pgstore.SchemaVersion() {
		t.Fatalf("concurrent migrations applied %d migrations in all, want %d: %v", total, pgstore.SchemaVersion(), results)
	}
	// A newer schema.
	if _, err := p.Exec(ctx, `INSERT INTO schema_migrations (version, name) VALUES (99, 'from the future')`); err != nil {
		t.Fatal(err)
	}
	before := tables(t, p)
	if _, err := pgstore.Open(ctx, url, pgstore.Options{}); !errors.Is(err, pgstore.ErrNewerSchema) {
		t.Fatalf("open a newer schema: %v", err)
	}
	if _, err := pgstore.Open(ctx, url, pgstore.Options{NoMigrate: true}); !errors.Is(err, pgstore.ErrNewerSchema) {
		t.Fatalf("open a newer schema without migrating: %v", err)
	}
	if after := tables(t, p); after != before {
		t.Fatalf("a refused database was changed: %s, was %s", after, before)
	}
	// An empty database without migrating.
	if _, err := pgstore.Open(ctx, pgtest.URL(t), pgstore.Options{NoMigrate: true}); err == nil || !strings.Contains(err.Error(), "loket-central migrate") {
		t.Fatalf("open an unmigrated database with NoMigrate: %v", err)
	}
}

// TestTwoServers: two central servers, each on its own pool, on one
// PostgreSQL; stations push their batches to one and the other in turn,
// resend some to both at once; nothing is lost, nothing doubled, and the
// result equals one bbolt server's.
func TestTwoServers(t *testing.T) {
	url := pgtest.URL(t)
	a, b := openURL(t, url), openURL(t, url)
	r := centraltest.NewRig(t, a, "3273/L1", "3273/L2", "9999/X1")
	urls := []string{r.URL, centraltest.Serve(t, b)}
	var wg sync.WaitGroup
	for _, key := range []string{"3273/L1", "3273/L2", "9999/X1"} {
		c := centraltest.Counter(t)
		centraltest.Work(t, c, 30)
		evs := centraltest.Events(t, c, 0)
		wg.Go(func() {
			for i, start := 0, 0; start < len(evs); i++ {
				end := min(start+7, len(evs))
				batch := evs[start:end]
				// The same batch to both servers at once: one stores it,
				// the other finds duplicates (or, first, a gap it retries).
				var inner sync.WaitGroup
				codes := make([]int, 2)
				for j, u := range urls {
					inner.Go(func() { codes[j], _ = centraltest.PushTo(t, u, r.Tokens[key], batch...) })
				}
				inner.Wait()
				if codes[0] != 200 || codes[1] != 200 {
					t.Errorf("%s batch %d: %v", key, i, codes)
					return
				}
				// The next one to each server in turn.
				start = end
				if start < len(evs) {
					end = min(start+5, len(evs))
					if code, body := centraltest.PushTo(t, urls[i%2], r.Tokens[key], evs[start:end]...); code != 200 {
						t.Errorf("%s: %d %s", key, code, body)
						return
					}
					start = end
				}
			}
		})
	}
	wg.Wait()
	if t.Failed() {
		return
	}
	for _, st := range must(a.Stations()) {
		h, err := b.History(st.Key, 0, protocol.MaxHistoryEvents)
		if err != nil || uint64(len(h.Events)) != st.HighWater {
			t.Fatalf("%s: %d events in its history, high-water %d (%v)", st.Key, len(h.Events), st.HighWater, err)
		}
	}
	if rows := centraltest.ExportRows(t, b, ""); len(rows) != 90 {
		t.Fatalf("%d requests stored, want 90", len(rows))
	}
	r.CheckClean()
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

func openURL(t testing.TB, url string) *pgstore.Store {
	t.Helper()
	s, err := pgstore.Open(context.Background(), url, pgstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}
