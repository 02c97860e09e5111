package central

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
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

var wib = time.FixedZone("WIB", 7*3600)

// rig is a central server on loopback (real HTTP) with some stations.
type rig struct {
	t      testing.TB
	cs     *BoltStorage
	url    string
	tokens map[string]string
}

func newRig(t *testing.T, keys ...string) *rig {
	t.Helper()
	cs, err := OpenBolt(t.TempDir(), time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cs.Close() })
	r := &rig{t: t, cs: cs, tokens: map[string]string{}}
	for _, k := range keys {
		office, code, _ := strings.Cut(k, "/")
		_, tok, err := cs.AddStation(office, code, "", time.Now())
		if err != nil {
			t.Fatal(err)
		}
		r.tokens[k] = tok
	}
	srv := httptest.NewServer((&Server{Storage: cs, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Rate: 1e9, Burst: 1e9}).Handler())
	t.Cleanup(srv.Close)
	r.url = srv.URL
	return r
}

// push posts events as the station key and returns the status and body.
func (r *rig) push(key string, events ...protocol.Event) (int, string) {
	r.t.Helper()
	body, _ := json.Marshal(protocol.Batch{Events: events})
	req, _ := http.NewRequest(http.MethodPost, r.url+protocol.Prefix+"/sync/events", bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+r.tokens[key])
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		r.t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(data)
}

func (r *rig) sync(key string, st *store.Store) {
	r.t.Helper()
	res, err := (&station.Client{URL: r.url, Token: r.tokens[key], Store: st}).Sync(context.Background())
	if err != nil || res.Pending != 0 {
		r.t.Fatalf("sync %s: %+v %v", key, res, err)
	}
}

// export is the central export of an office, as "ticket status counter clerk" lines.
func (r *rig) export(office string) []string {
	r.t.Helper()
	var rows []string
	if err := r.cs.Export(office, "", "", "", func(q queue.Request) error {
		rows = append(rows, strings.Join([]string{q.ID, q.Ticket, string(q.Status), q.Counter, q.Clerk}, " "))
		return nil
	}); err != nil {
		r.t.Fatal(err)
	}
	return rows
}

func (r *rig) highWater(key string) uint64 {
	r.t.Helper()
	sts, err := r.cs.Stations()
	if err != nil {
		r.t.Fatal(err)
	}
	for _, s := range sts {
		if s.Key == key {
			return s.HighWater
		}
	}
	r.t.Fatalf("no station %s", key)
	return 0
}

func (r *rig) checkClean() {
	r.t.Helper()
	if problems, err := r.cs.Check(); err != nil || len(problems) > 0 {
		r.t.Fatalf("central check: %v\n%s", err, strings.Join(problems, "\n"))
	}
}

// counter is a station database whose clock is now.
func counter(t *testing.T) *store.Store {
	t.Helper()
	st, err := store.Open(filepath.Join(t.TempDir(), store.FileName), store.Options{Location: wib})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// next is a correctly hashed event of st's database, the next after its
// log, of type typ for request id (data for a transfer).
func next(t testing.TB, st *store.Store, typ, id string, data []byte) protocol.Event {
	t.Helper()
	var last uint64
	_ = st.View(context.Background(), func(tx *store.Tx) error { last = tx.LastSeq(); return nil })
	ident := st.Identity()
	e := protocol.Event{Station: ident.StationID, Epoch: ident.Epoch, Seq: last + 1, ID: "01KB0000000000000000000077", Type: typ,
		RequestID: id, At: time.Now(), Counter: "X1", Clerk: "Mallory", Data: data}
	e.Hash = protocol.Hash(e)
	return e
}

// lastEvents are st's events after seq after, as sent.
func lastEvents(t *testing.T, st *store.Store, after uint64) []protocol.Event {
	t.Helper()
	var out []protocol.Event
	_ = st.View(context.Background(), func(tx *store.Tx) error {
		evs, err := tx.Events(after, 0)
		for _, e := range evs {
			out = append(out, protocol.FromStore(e))
		}
		return err
	})
	return out
}

// The protocol's rules on requests (a station touches only its own, an
// event for an unknown request, request.created validated) are in the
// conformance suite (package centraltest), run against every storage.

// createdVariants are request.created events the counter could never have
// made, each from a real one (good) with one thing changed and rehashed.
func createdVariants(t *testing.T, good protocol.Event) map[string]protocol.Event {
	t.Helper()
	var base queue.Request
	if err := json.Unmarshal(good.Data, &base); err != nil {
		t.Fatal(err)
	}
	variant := func(edit func(*queue.Request, *protocol.Event)) protocol.Event {
		e, q := good, base
		edit(&q, &e)
		e.Data, _ = json.Marshal(q)
		e.Hash = protocol.Hash(e)
		return e
	}
	arrive := func(at time.Time) func(*queue.Request, *protocol.Event) {
		return func(q *queue.Request, e *protocol.Event) {
			q.ArrivedAt, q.UpdatedAt, q.Day, e.At = at, at, at.Format(time.DateOnly), at
		}
	}
	return map[string]protocol.Event{
		"created done":           variant(func(q *queue.Request, _ *protocol.Event) { q.Status = queue.StatusDone }),
		"service ../x":           variant(func(q *queue.Request, _ *protocol.Event) { q.Service, q.FirstService = "../x", "../x" }),
		"service of no ticket":   variant(func(q *queue.Request, _ *protocol.Event) { q.Service, q.FirstService = "ZZ", "ZZ" }),
		"ticket ../../etc":       variant(func(q *queue.Request, _ *protocol.Event) { q.Ticket = "../../etc" }),
		"NUL in the name":        variant(func(q *queue.Request, _ *protocol.Event) { q.Name = "Siti\x00Aminah" }),
		"bad NIK":                variant(func(q *queue.Request, _ *protocol.Event) { q.NIK = "0000000000000000" }),
		"bad phone":              variant(func(q *queue.Request, _ *protocol.Event) { q.Phone = "+1555123" }),
		"arrival in year 0001":   variant(arrive(time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC))),
		"arrival in 1999":        variant(arrive(time.Date(1999, 12, 31, 23, 0, 0, 0, wib))),
		"arrival a week ahead":   variant(arrive(time.Now().Add(7 * 24 * time.Hour).In(wib))),
		"another station's name": variant(func(q *queue.Request, _ *protocol.Event) { q.Station = strings.Repeat("a", 32) }),
		"event time not arrival": variant(func(_ *queue.Request, e *protocol.Event) { e.At = e.At.Add(time.Hour) }),
	}
}

// TestCheckFlagsInvalidRecords: records the server would refuse today,
// written as an older server stored them, are flagged by Check.
func TestCheckFlagsInvalidRecords(t *testing.T) {
	ctx := context.Background()
	r := newRig(t, "9999/X1", "3273/L1")
	x1 := counter(t)
	if _, err := x1.Register(ctx, queue.NewRequest{Service: "A", Name: "Siti", NIK: "3201014107900001"}, queue.Actor{Counter: "X1"}); err != nil {
		t.Fatal(err)
	}
	r.sync("9999/X1", x1)
	r.checkClean()
	good := lastEvents(t, x1, 0)[0]
	for name, e := range createdVariants(t, good) {
		t.Run(name, func(t *testing.T) {
			// Overwrite the stored event and request as the old server did.
			if err := r.cs.db.Update(func(tx *bolt.Tx) error {
				var q queue.Request
				_ = json.Unmarshal(e.Data, &q)
				q.EventSeqs = []uint64{1}
				if err := putJSON(tx.Bucket(bEvents), eventKey("9999/X1", 0, 1), storedEvent{e, time.Now()}); err != nil {
					return err
				}
				return putJSON(tx.Bucket(bRequests), []byte(e.RequestID), storedRequest{"9999", "9999/X1", q})
			}); err != nil {
				t.Fatal(err)
			}
			problems, err := r.cs.Check()
			if err != nil || !strings.Contains(strings.Join(problems, "\n"), good.RequestID) {
				t.Fatalf("check did not flag it: %v %v", err, problems)
			}
		})
	}
	// A request moved to another station by someone else's event.
	if err := r.cs.db.Update(func(tx *bolt.Tx) error {
		var q queue.Request
		_ = json.Unmarshal(good.Data, &q)
		q.EventSeqs = []uint64{1}
		if err := putJSON(tx.Bucket(bEvents), eventKey("9999/X1", 0, 1), storedEvent{good, time.Now()}); err != nil {
			return err
		}
		return putJSON(tx.Bucket(bRequests), []byte(good.RequestID), storedRequest{"3273", "3273/L1", q})
	}); err != nil {
		t.Fatal(err)
	}
	if problems, _ := r.cs.Check(); !strings.Contains(strings.Join(problems, "\n"), "which station 3273/L1 holds") {
		t.Fatalf("check did not flag a request held by a station that did not create it: %v", problems)
	}
}
