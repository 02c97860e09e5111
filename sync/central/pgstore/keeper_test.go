package pgstore_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/loket-id/loket/internal/pgtest"
	"github.com/loket-id/loket/sync/central/centraltest"
	"github.com/loket-id/loket/sync/central/pgstore"
)

// TestStatisticsForgetPersonal: ANALYZE on a database before schema 3 copied
// sample values of the personal column (names, NIKs) into pg_statistic,
// where no erasure reached them. Schema 3 drops those statistics and never
// takes them again, and the compaction rewrites pg_statistic: after an
// erasure and Compact the NIK is in no file of the database, even after
// another ANALYZE.
func TestStatisticsForgetPersonal(t *testing.T) {
	if _, err := dataDir(t); err != nil {
		t.Skipf("the cluster's data directory cannot be read here: %v", err)
	}
	ctx := context.Background()
	url := pgtest.URL(t)
	p := pool(t, url)
	if _, err := pgstore.Migrate(ctx, p, 2); err != nil {
		t.Fatal(err)
	}
	name, nik := centraltest.Person(t)
	now := time.Now()
	for _, q := range []string{
		`INSERT INTO stations VALUES ('3273/L1', '3273', 'L1', '', 'h', false, 's', 'e', 0, 200, $1, NULL, 0, false)`,
		`INSERT INTO events SELECT '3273/L1', 0, g, 'request.created', 'R' || g, 'h', '{}', $1 FROM generate_series(1, 200) g`,
		`INSERT INTO personal SELECT '3273/L1', 0, g, 'R' || g, convert_to(CASE WHEN g % 2 = 0 THEN '{"name":"` + name +
			`","nik":"` + nik + `"}' ELSE '{"name":"Other ' || g || '"}' END, 'UTF8') FROM generate_series(1, 200) g`,
	} {
		var args []any
		if strings.Contains(q, "$1") {
			args = append(args, now)
		}
		if _, err := p.Exec(ctx, q, args...); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	if _, err := p.Exec(ctx, `ANALYZE personal`); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := p.QueryRow(ctx, `SELECT count(*) FROM pg_statistic WHERE starelid = 'personal'::regclass AND staattnum = 5`).Scan(&n); err != nil || n != 1 {
		t.Fatalf("before schema 3: statistics of the personal column: %d %v", n, err)
	}
	s, err := pgstore.Open(ctx, url, pgstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := p.Exec(ctx, `DELETE FROM personal WHERE request_id IN (SELECT request_id FROM personal WHERE convert_from(personal, 'UTF8') LIKE '%' || $1 || '%')`, nik); err != nil {
		t.Fatal(err)
	}
	if _, err := p.Exec(ctx, `ANALYZE personal`); err != nil {
		t.Fatal(err)
	}
	if err := p.QueryRow(ctx, `SELECT count(*) FROM pg_statistic WHERE starelid = 'personal'::regclass AND staattnum = 5`).Scan(&n); err != nil || n != 0 {
		t.Fatalf("schema 3: statistics of the personal column: %d %v", n, err)
	}
	if _, _, err := s.Compact(); err != nil {
		t.Fatal(err)
	}
	if rawHolds(t, s, nik) || rawHolds(t, s, name) {
		t.Fatal("the erased NIK or name is still in the database's files after the compaction")
	}
}
