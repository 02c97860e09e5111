package central

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/loket-id/loket/queue"
	"github.com/loket-id/loket/store"
	"github.com/loket-id/loket/sync/protocol"
	"github.com/loket-id/loket/sync/station"
)

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestMigrateV1Centre: a centre made by v1 (testdata/v1, never modified)
// opens as v2 with every request, every personal field and every event
// kept: the export is byte for byte the one v1 wrote, the personal data is
// only in the personal bucket, the check is clean; then the v1 counter that
// synced to it (store/testdata/v1) syncs its last events, and a resend of
// its whole log is all duplicates: no conflict across the upgrade.
func TestMigrateV1Centre(t *testing.T) {
	dir := t.TempDir()
	copyFile(t, "testdata/v1/central.db", filepath.Join(dir, "central.db"))
	cs, err := OpenBolt(dir, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer cs.Close()
	if v := cs.schemaVersion(t); v != SchemaVersion() {
		t.Fatalf("schema %d after the migration, want %d", v, SchemaVersion())
	}
	var buf bytes.Buffer
	ew := queue.NewExportWriter(&buf, "json")
	if err := cs.Export("", "", "", "", func(r queue.Request) error { return ew.Write(queue.ExportRecord(r, time.UTC)) }); err != nil {
		t.Fatal(err)
	}
	if err := ew.Close(); err != nil {
		t.Fatal(err)
	}
	want, _ := os.ReadFile("testdata/v1/export.json")
	if !bytes.Equal(buf.Bytes(), want) {
		t.Fatalf("export after the migration differs from v1's (%d bytes, want %d)", buf.Len(), len(want))
	}
	r := &rig{t: t, cs: cs, tokens: map[string]string{}}
	for _, secret := range []string{"3578010101900001", "Budi Santoso", "3578010101900003", "bawa KTP asli"} {
		if got := r.bucketsHolding(secret); len(got) != 1 || got[0] != "personal" {
			t.Errorf("%q is held in %v, want only the personal bucket", secret, got)
		}
	}
	r.checkClean()

	// The v1 counter that synced to it.
	const token = "lkt_migration-test-token"
	if err := cs.db.Update(func(tx *bolt.Tx) error {
		st, err := getStation(tx, "KAB01/L3")
		if err != nil {
			return err
		}
		st.TokenHash = HashToken(token)
		if err := tx.Bucket(bTokens).Put([]byte(st.TokenHash), []byte(st.Key)); err != nil {
			return err
		}
		return putJSON(tx.Bucket(bStations), []byte(st.Key), st)
	}); err != nil {
		t.Fatal(err)
	}
	r.tokens["KAB01/L3"] = token
	srv := httptest.NewServer((&Server{Storage: cs, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Rate: 1e9, Burst: 1e9}).Handler())
	defer srv.Close()
	r.url = srv.URL
	copyFile(t, "../../store/testdata/v1/loket.db", filepath.Join(dir, "loket.db"))
	st, err := store.Open(filepath.Join(dir, "loket.db"), store.Options{Location: time.UTC})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	res, err := (&station.Client{URL: srv.URL, Token: token, Store: st}).Sync(context.Background())
	if err != nil || res.Pending != 0 || res.Sent != 2 {
		t.Fatalf("sync of the upgraded centre's v1 counter: %+v %v", res, err)
	}
	var all []protocol.Event
	for _, e := range lastEvents(t, st, 0) {
		out, err := protocol.Outgoing(e.ToStore())
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, out)
	}
	for len(all) > 0 {
		n := min(len(all), protocol.MaxBatchEvents)
		if code, body := r.pushAt(protocol.Prefix, "KAB01/L3", all[:n]...); code != 200 || !strings.Contains(body, `"received":0`) && strings.Contains(body, `"received"`) {
			t.Fatalf("resend of the whole log: %d %s", code, body)
		}
		all = all[n:]
	}
	r.checkClean()
}
