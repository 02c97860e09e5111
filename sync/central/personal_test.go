package central

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"os"

	bolt "go.etcd.io/bbolt"

	"github.com/loket-id/loket/sync/protocol"
)

// pushAt posts events to prefix (protocol.Prefix or PrefixV1) as station key.
func (r *rig) pushAt(prefix, key string, events ...protocol.Event) (int, string) {
	r.t.Helper()
	body, _ := json.Marshal(protocol.Batch{Events: events})
	req, _ := http.NewRequest(http.MethodPost, r.url+prefix+"/sync/events", bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+r.tokens[key])
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		r.t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(data)
}

// bucketHolds reports which of the central file's buckets hold s in a value or key.
func (r *rig) bucketsHolding(s string) []string {
	r.t.Helper()
	var out []string
	_ = r.cs.db.View(func(tx *bolt.Tx) error {
		return tx.ForEach(func(name []byte, b *bolt.Bucket) error {
			return b.ForEach(func(k, v []byte) error {
				if bytes.Contains(k, []byte(s)) || bytes.Contains(v, []byte(s)) {
					out = append(out, string(name))
					return errStop
				}
				return nil
			})
		})
	})
	return out
}

// rawHolds reports whether the central file's raw bytes hold s.
func (r *rig) rawHolds(s string) bool {
	r.t.Helper()
	b, err := os.ReadFile(r.cs.Path())
	if err != nil {
		r.t.Fatal(err)
	}
	return bytes.Contains(b, []byte(s))
}
