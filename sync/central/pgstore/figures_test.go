package pgstore_test

import (
	"context"

	"github.com/loket-id/loket/internal/pgtest"
	"testing"
	"time"

	"github.com/loket-id/loket/sync/central"
	"github.com/loket-id/loket/sync/central/centraltest"
)

// TestFiguresSameOnBothStorages: the same counters synced to a bbolt and a
// PostgreSQL centre give the same statistics, figure for figure, for every
// office, station, service, zone and range.
func TestFiguresSameOnBothStorages(t *testing.T) {
	keys := []string{"3273/L1", "3273/L2", "9999/L1"}
	b, err := central.OpenBolt(t.TempDir(), time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	rb, rp := centraltest.NewRig(t, b, keys...), centraltest.NewRig(t, open(t), keys...)
	start := time.Now().In(centraltest.WIB).AddDate(0, 0, -5)
	start = time.Date(start.Year(), start.Month(), start.Day(), 7, 31, 2, 987654321, centraltest.WIB)
	for i, k := range keys {
		c := centraltest.Varied(t, start.Add(time.Duration(i)*time.Hour), 40+i*3)
		rb.Sync(k, c)
		rp.Sync(k, c)
	}
	now := time.Now()
	from, to := start.Format(time.DateOnly), now.In(centraltest.WIB).Format(time.DateOnly)
	for _, q := range centraltest.FigureQueries([]string{"3273", "9999"}, from, to) {
		if fb, fp := centraltest.Figures(t, b, now, q), centraltest.Figures(t, rp.S, now, q); fb != fp {
			t.Fatalf("figures of %+v differ:\nbbolt %s\nPostgreSQL %s", q, fb, fp)
		}
	}
}

// TestFactsFilledAtStart: requests stored before schema 3 (their facts
// columns empty) are filled when a server opens the database, and give
// the same figures.
func TestFactsFilledAtStart(t *testing.T) {
	url := pgtest.URL(t)
	s := openURL(t, url)
	r := centraltest.NewRig(t, s, "3273/L1")
	start := time.Now().In(centraltest.WIB).AddDate(0, 0, -3)
	r.Sync("3273/L1", centraltest.Varied(t, start, 25))
	now := time.Now()
	q := centraltest.FigureQuery{Office: "3273", From: start.Format(time.DateOnly), To: now.In(centraltest.WIB).Format(time.DateOnly)}
	want := centraltest.Figures(t, s, now, q)
	if _, err := s.Pool().Exec(context.Background(), `UPDATE requests SET (`+
		`status, service, first_service, counter, clerk, arrived_ns, arr_offset, called_ns, serving_ns, done_ns, transfers, reopens) = `+
		`(NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)`); err != nil {
		t.Fatal(err)
	}
	if got := centraltest.Figures(t, openURL(t, url), now, q); got != want {
		t.Fatalf("after filling:\n%s\nwant\n%s", got, want)
	}
}
