package pgstore_test

import (
	"context"
	"testing"

	"github.com/loket-id/loket/internal/pgtest"
	"github.com/loket-id/loket/sync/central"
	"github.com/loket-id/loket/sync/central/centraltest"
	"github.com/loket-id/loket/sync/central/pgstore"
)

// open is a fresh PostgreSQL storage for t.
func open(t *testing.T) *pgstore.Store {
	t.Helper()
	s, err := pgstore.Open(context.Background(), pgtest.URL(t), pgstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// TestConformance runs the storage conformance suite against PostgreSQL.
func TestConformance(t *testing.T) {
	pgtest.Server(t)
	centraltest.Run(t, func(t *testing.T) central.Storage { return open(t) })
}
