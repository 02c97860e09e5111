package central

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/loket-id/loket/queue"
	"github.com/loket-id/loket/sync/protocol"
)

// BenchmarkCreatedChecks: the server's checks of one decoded
// request.created (validateCreated: the counter's rules, the arrival
// bounds) beside the anchor, the event's hash, which ingest computed before
// these checks existed.
func BenchmarkCreatedChecks(b *testing.B) {
	var batch protocol.Batch
	if err := json.Unmarshal(validBatch(b), &batch); err != nil {
		b.Fatal(err)
	}
	e, now := batch.Events[0], time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)
	var r queue.Request
	if err := json.Unmarshal(e.Data, &r); err != nil {
		b.Fatal(err)
	}
	b.Run("hash", func(b *testing.B) {
		for range b.N {
			if protocol.Hash(e) != e.Hash {
				b.Fatal("hash")
			}
		}
	})
	b.Run("validate", func(b *testing.B) {
		for range b.N {
			if err := validateCreated(e, r, now); err != nil {
				b.Fatal(err)
			}
		}
	})
}
