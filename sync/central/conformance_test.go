package central_test

import (
	"bytes"
	"os"
	"testing"
	"time"

	"github.com/loket-id/loket/sync/central"
	"github.com/loket-id/loket/sync/central/centraltest"
)

// TestConformance runs the storage conformance suite against bbolt
// (pgstore runs it against PostgreSQL); its bytes at rest are central.db's.
func TestConformance(t *testing.T) {
	centraltest.Run(t, func(t *testing.T) central.Storage {
		s, err := central.OpenBolt(t.TempDir(), time.Second)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	}, func(t *testing.T, s central.Storage, needle string) bool {
		t.Helper()
		b, err := os.ReadFile(s.(*central.BoltStorage).Path())
		if err != nil {
			t.Fatal(err)
		}
		return bytes.Contains(b, []byte(needle))
	})
}
