package central_test

import (
	"testing"
	"time"

	"github.com/loket-id/loket/sync/central"
	"github.com/loket-id/loket/sync/central/centraltest"
)

// TestConformance runs the storage conformance suite against bbolt
// (pgstore runs it against PostgreSQL).
func TestConformance(t *testing.T) {
	centraltest.Run(t, func(t *testing.T) central.Storage {
		s, err := central.OpenBolt(t.TempDir(), time.Second)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	})
}
