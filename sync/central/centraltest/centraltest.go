// Package centraltest is the conformance suite of the central storage:
// the protocol's rules and the storage's contract, written once and run
// against every central.Storage (bbolt in package central's tests,
// PostgreSQL in pgstore's). Each test gets a fresh, empty storage from
// open and works it through a real central.Server on loopback, with real
// counter databases (package store) making the events.
package centraltest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/loket-id/loket/queue"
	"github.com/loket-id/loket/store"
	"github.com/loket-id/loket/sync/central"
	"github.com/loket-id/loket/sync/protocol"
	"github.com/loket-id/loket/sync/station"
)

// Open makes a fresh, empty storage for one test; it is closed by the
// test's cleanup (Open registers that itself or Run does).
type Open func(t *testing.T) central.Storage

// Raw reports whether needle is anywhere in the bytes storage s keeps at
// rest (its files, after whatever puts its state on disk), for the tests
// that erased means gone from the files. nil: the storage's bytes cannot be
// read here, and those checks are left out (the test says so).
type Raw func(t *testing.T, s central.Storage, needle string) bool

// Run runs the whole suite against the storages open makes; raw reads
// their bytes at rest (nil when they cannot be read).
func Run(t *testing.T, open Open, raw Raw) {
	for _, tc := range []struct {
		name string
		fn   func(*testing.T, Open)
	}{
		{"Stations", testStations},
		{"SyncAndDuplicates", testSyncAndDuplicates},
		{"Conflict", testConflict},
		{"Gap", testGap},
		{"Binding", testBinding},
		{"RebindNeedsHistory", testRebind},
		{"StationTouchesOnlyItsOwnRequests", testOwnRequests},
		{"EventForUnknownRequest", testUnknownRequest},
		{"CreatedValidated", testCreatedValidated},
		{"RefusedBatchWritesNothing", testRefusedBatch},
		{"History", testHistory},
		{"ClockSkew", testSkew},
		{"CatalogAndSupervisors", testCatalogSupervisors},
		{"ExportAndStats", testExport},
		{"PersonalApartAndErased", testPersonal},
		{"ErasedIsGoneFromTheFiles", func(t *testing.T, open Open) { testErasedGone(t, open, raw) }},
		{"PurgeByClosingDay", testPurgeDays},
		{"CounterErasuresSync", func(t *testing.T, open Open) { testCounterErasures(t, open, raw) }},
		{"FiguresReadOnlyTheFacts", testFigures},
		{"Surveys", testSurveys},
		{"SurveyFromStation", testSurveyFromStation},
		{"Track", testTrack},
	} {
		t.Run(tc.name, func(t *testing.T) { tc.fn(t, open) })
	}
}

// WIB is the offices' zone in the suite.
var WIB = time.FixedZone("WIB", 7*3600)

// Rig is a central server on loopback over one storage, with stations.
type Rig struct {
	T      *testing.T
	S      central.Storage
	URL    string
	Tokens map[string]string
}

// NewRig serves s on loopback and adds the stations keys (OFFICE/STATION).
func NewRig(t *testing.T, s central.Storage, keys ...string) *Rig {
	t.Helper()
	r := &Rig{T: t, S: s, Tokens: map[string]string{}}
	for _, k := range keys {
		office, code, _ := strings.Cut(k, "/")
		_, tok, err := s.AddStation(office, code, "", time.Now())
		if err != nil {
			t.Fatal(err)
		}
		r.Tokens[k] = tok
	}
	r.URL = Serve(t, s)
	return r
}

// Serve serves the protocol over s on loopback, until the test ends.
func Serve(t *testing.T, s central.Storage) string {
	srv := httptest.NewServer((&central.Server{Storage: s, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Rate: 1e9, Burst: 1e9}).Handler())
	t.Cleanup(srv.Close)
	return srv.URL
}

func newRig(t *testing.T, open Open, keys ...string) *Rig { return NewRig(t, open(t), keys...) }

// Push posts events as station key and returns the status and body.
func (r *Rig) Push(key string, events ...protocol.Event) (int, string) {
	r.T.Helper()
	return PushTo(r.T, r.URL, r.Tokens[key], events...)
}

// PushTo posts events to the server at url with token.
func PushTo(t *testing.T, url, token string, events ...protocol.Event) (int, string) {
	t.Helper()
	body, _ := json.Marshal(protocol.Batch{Events: events})
	req, _ := http.NewRequest(http.MethodPost, url+protocol.Prefix+"/sync/events", bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(data)
}

// Sync syncs counter st as station key until nothing is pending.
func (r *Rig) Sync(key string, st *store.Store) {
	r.T.Helper()
	res, err := (&station.Client{URL: r.URL, Token: r.Tokens[key], Store: st}).Sync(context.Background())
	if err != nil || res.Pending != 0 {
		r.T.Fatalf("sync %s: %+v %v", key, res, err)
	}
}

// Export is the central export of an office, as "id ticket status counter clerk" lines.
func (r *Rig) Export(office string) []string {
	r.T.Helper()
	return ExportRows(r.T, r.S, office)
}

// ExportRows is s's export of an office ("" for all) as lines, in its order.
func ExportRows(t testing.TB, s central.Storage, office string) []string {
	t.Helper()
	var rows []string
	if err := s.Export(office, "", "", "", func(q queue.Request) error {
		data, _ := json.Marshal(q)
		rows = append(rows, string(data))
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return rows
}

// Station is station key as stored.
func (r *Rig) Station(key string) central.Station {
	r.T.Helper()
	sts, err := r.S.Stations()
	if err != nil {
		r.T.Fatal(err)
	}
	for _, s := range sts {
		if s.Key == key {
			return s
		}
	}
	r.T.Fatalf("no station %s", key)
	return central.Station{}
}

// CheckClean fails the test unless the storage's Check finds nothing.
func (r *Rig) CheckClean() {
	r.T.Helper()
	if problems, err := r.S.Check(); err != nil || len(problems) > 0 {
		r.T.Fatalf("central check: %v\n%s", err, strings.Join(problems, "\n"))
	}
}

// Counter is a fresh counter database whose clock is now.
func Counter(t *testing.T) *store.Store {
	t.Helper()
	st, err := store.Open(filepath.Join(t.TempDir(), store.FileName), store.Options{Location: WIB})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// Work registers n requests on st and moves some of them on.
func Work(t *testing.T, st *store.Store, n int) []queue.Request {
	t.Helper()
	ctx := context.Background()
	by := queue.Actor{Counter: "L1", Clerk: "Sari"}
	var out []queue.Request
	for i := range n {
		r, err := st.Register(ctx, queue.NewRequest{Service: "A", Name: "Siti Aminah", NIK: "3201014107900001", Phone: "081234567890"}, by)
		if err != nil {
			t.Fatal(err)
		}
		if i%2 == 0 {
			if r, err = st.Act(ctx, r.ID, queue.ActCall, "", by); err != nil {
				t.Fatal(err)
			}
		}
		out = append(out, r)
	}
	return out
}

// Next is a correctly hashed event of st's database after its log, of
// type typ for request id (data for a transfer, a creation).
func Next(t *testing.T, st *store.Store, typ, id string, data []byte) protocol.Event {
	t.Helper()
	var last uint64
	_ = st.View(context.Background(), func(tx *store.Tx) error { last = tx.LastSeq(); return nil })
	ident := st.Identity()
	e := protocol.Event{Station: ident.StationID, Epoch: ident.Epoch, Seq: last + 1, ID: "01KB0000000000000000000077", Type: typ,
		RequestID: id, At: time.Now(), Counter: "X1", Clerk: "Mallory", Data: data}
	e.Hash = protocol.Hash(e)
	return e
}

// Events are st's events after seq after, as sent.
func Events(t *testing.T, st *store.Store, after uint64) []protocol.Event {
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

func wantCode(t *testing.T, what string, code int, body string, status int, perr string) {
	t.Helper()
	if code != status || !strings.Contains(body, `"`+perr+`"`) {
		t.Fatalf("%s: %d %s; want %d %s", what, code, body, status, perr)
	}
}

func same(t *testing.T, what string, got, want []string) {
	t.Helper()
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("%s changed:\n%s\nwant\n%s", what, strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func testStations(t *testing.T, open Open) {
	s := open(t)
	now := time.Now().Truncate(time.Second)
	st, tok, err := s.AddStation("3273", "L1", "Loket 1", now)
	if err != nil || st.Key != "3273/L1" || !strings.HasPrefix(tok, central.TokenPrefix) {
		t.Fatalf("add: %+v %q %v", st, tok, err)
	}
	if _, _, err := s.AddStation("3273", "L1", "", now); !errors.Is(err, central.ErrExists) {
		t.Fatalf("second add: %v, want ErrExists", err)
	}
	for _, bad := range [][2]string{{"", "L1"}, {"32/73", "L1"}, {"3273", "L 1"}, {"3273", strings.Repeat("x", 41)}} {
		if _, _, err := s.AddStation(bad[0], bad[1], "", now); !errors.Is(err, queue.ErrInvalid) {
			t.Errorf("add %q: %v, want ErrInvalid", bad, err)
		}
	}
	got, err := s.Authenticate(tok)
	if err != nil || got.Key != "3273/L1" || got.Name != "Loket 1" || !got.CreatedAt.Equal(now) || got.HighWater != 0 || !got.LastSeen.IsZero() {
		t.Fatalf("authenticate: %+v %v", got, err)
	}
	if _, err := s.Authenticate(central.NewToken()); !errors.Is(err, central.ErrUnknownToken) {
		t.Fatalf("unknown token: %v", err)
	}
	if err := s.Revoke("3273/L1"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Authenticate(tok); !errors.Is(err, central.ErrRevoked) {
		t.Fatalf("revoked token: %v", err)
	}
	for _, fn := range []func(string) error{s.Revoke, s.Rebind} {
		if err := fn("3273/NONE"); !errors.Is(err, central.ErrNoStation) {
			t.Fatalf("unknown station: %v, want ErrNoStation", err)
		}
	}
	if _, _, err := s.AddStation("3273", "L2", "", now); err != nil {
		t.Fatal(err)
	}
	sts, err := s.Stations()
	if err != nil || len(sts) != 2 || !sts[0].Revoked || sts[1].Revoked {
		t.Fatalf("stations: %+v %v", sts, err)
	}
}

func testSyncAndDuplicates(t *testing.T, open Open) {
	r := newRig(t, open, "3273/L1")
	l1 := Counter(t)
	reqs := Work(t, l1, 5)
	r.Sync("3273/L1", l1)
	evs := Events(t, l1, 0)
	st := r.Station("3273/L1")
	if st.HighWater != uint64(len(evs)) || st.StationID != l1.Identity().StationID || st.Epoch != l1.Identity().Epoch || st.LastSeen.IsZero() {
		t.Fatalf("station after sync: %+v (%d events)", st, len(evs))
	}
	rows := r.Export("3273")
	if len(rows) != len(reqs) {
		t.Fatalf("export: %d rows, want %d", len(rows), len(reqs))
	}
	// Replays, whole and partial, are duplicates and change nothing.
	for _, part := range [][]protocol.Event{evs, evs[:1], evs[2:4]} {
		code, body := r.Push("3273/L1", part...)
		var state protocol.State
		_ = json.Unmarshal([]byte(body), &state)
		if code != 200 || state.Duplicate != len(part) || state.Received != 0 || state.HighWater != uint64(len(evs)) {
			t.Fatalf("replay of %d: %d %s", len(part), code, body)
		}
	}
	// A batch of old and new events stores the new ones.
	more := Work(t, l1, 2)
	all := Events(t, l1, 0)
	code, body := r.Push("3273/L1", all[len(evs)-2:]...)
	var state protocol.State
	_ = json.Unmarshal([]byte(body), &state)
	if code != 200 || state.Duplicate != 2 || state.Received != len(all)-len(evs) {
		t.Fatalf("mixed batch: %d %s", code, body)
	}
	if got := r.Export(""); len(got) != len(reqs)+len(more) {
		t.Fatalf("export after more: %d rows", len(got))
	}
	// The central copy is the counter's.
	byID := map[string]queue.Request{}
	_ = r.S.Export("", "", "", "", func(q queue.Request) error { byID[q.ID] = q; return nil })
	for _, w := range append(reqs, more...) {
		g, ok := byID[w.ID]
		if !ok || g.Status != w.Status || g.Ticket != w.Ticket || g.NIK != w.NIK || !g.ArrivedAt.Equal(w.ArrivedAt) || len(g.EventSeqs) == 0 {
			t.Fatalf("request %s: central %+v, counter %+v", w.ID, g, w)
		}
	}
	r.CheckClean()
}

func testConflict(t *testing.T, open Open) {
	r := newRig(t, open, "3273/L1")
	l1 := Counter(t)
	Work(t, l1, 3)
	r.Sync("3273/L1", l1)
	before, hw := r.Export(""), r.Station("3273/L1").HighWater
	e := Events(t, l1, 0)[1]
	e.Clerk = "Mallory"
	e.Hash = protocol.Hash(e)
	code, body := r.Push("3273/L1", e)
	wantCode(t, "a changed event", code, body, http.StatusConflict, protocol.CodeConflict)
	same(t, "the export", r.Export(""), before)
	if got := r.Station("3273/L1").HighWater; got != hw {
		t.Fatalf("high-water %d after a conflict, was %d", got, hw)
	}
	r.CheckClean()
}

func testGap(t *testing.T, open Open) {
	r := newRig(t, open, "3273/L1")
	l1 := Counter(t)
	Work(t, l1, 3)
	evs := Events(t, l1, 0)
	code, body := r.Push("3273/L1", evs[2:]...)
	wantCode(t, "a gap", code, body, http.StatusConflict, protocol.CodeGap)
	var perr protocol.Error
	_ = json.Unmarshal([]byte(body), &perr)
	if perr.Expected != 1 {
		t.Fatalf("expected %d, want 1", perr.Expected)
	}
	if st := r.Station("3273/L1"); st.HighWater != 0 || st.Epoch != "" {
		t.Fatalf("a refused first batch bound the station: %+v", st)
	}
	r.Sync("3273/L1", l1)
	r.CheckClean()
}

func testBinding(t *testing.T, open Open) {
	r := newRig(t, open, "3273/L1")
	l1, other := Counter(t), Counter(t)
	reqs := Work(t, l1, 2)
	r.Sync("3273/L1", l1)
	Work(t, other, 1)
	code, body := r.Push("3273/L1", Events(t, other, 0)...)
	wantCode(t, "another database's events", code, body, http.StatusForbidden, protocol.CodeForbidden)
	// Same station ID, another epoch (a restored database).
	e := Next(t, l1, queue.EventCancelled, reqs[1].ID, nil)
	e.Epoch = strings.Repeat("e", len(e.Epoch))
	e.Hash = protocol.Hash(e)
	code, body = r.Push("3273/L1", e)
	wantCode(t, "another epoch", code, body, http.StatusConflict, protocol.CodeEpochMismatch)
	r.CheckClean()
}

func testRebind(t *testing.T, open Open) {
	r := newRig(t, open, "3273/L1")
	l1 := Counter(t)
	Work(t, l1, 3)
	r.Sync("3273/L1", l1)
	hw := r.Station("3273/L1").HighWater
	if err := r.S.Rebind("3273/L1"); err != nil {
		t.Fatal(err)
	}
	if st := r.Station("3273/L1"); st.Epoch != "" || st.StationID != "" || st.HighWater != hw {
		t.Fatalf("after rebind: %+v", st)
	}
	Work(t, l1, 1)
	code, body := r.Push("3273/L1", Events(t, l1, hw)...)
	wantCode(t, "a rebound station's push above its high-water mark", code, body, http.StatusConflict, protocol.CodeHistoryRequired)
	// From the high-water mark: it proves the log, binds and continues.
	code, body = r.Push("3273/L1", Events(t, l1, hw-1)...)
	if code != 200 {
		t.Fatalf("push from the high-water mark: %d %s", code, body)
	}
	if st := r.Station("3273/L1"); st.Epoch != l1.Identity().Epoch || st.HighWater != hw+uint64(len(Events(t, l1, hw))) {
		t.Fatalf("after the push: %+v", st)
	}
	r.CheckClean()
}

func testOwnRequests(t *testing.T, open Open) {
	ctx := context.Background()
	r := newRig(t, open, "3273/L1", "9999/X1")
	l1, x1 := Counter(t), Counter(t)
	victim, err := l1.Register(ctx, queue.NewRequest{Service: "A", Name: "Siti Aminah", NIK: "3201014107900001", Phone: "081234567890"}, queue.Actor{Counter: "L1", Clerk: "Sari"})
	if err != nil {
		t.Fatal(err)
	}
	r.Sync("3273/L1", l1)
	if _, err := x1.Register(ctx, queue.NewRequest{Service: "B", Name: "Budi", NIK: "3201014107900001"}, queue.Actor{Counter: "X1"}); err != nil {
		t.Fatal(err)
	}
	r.Sync("9999/X1", x1)
	before3273, before9999, hw := r.Export("3273"), r.Export("9999"), r.Station("9999/X1").HighWater
	transfer, _ := json.Marshal(queue.TransferData{From: "A", Service: "C"})
	var created []byte
	for _, e := range Events(t, l1, 0) {
		if e.Type == queue.EventCreated {
			created = e.Data
		}
	}
	for _, tt := range []struct {
		typ  string
		data []byte
	}{
		{queue.EventCancelled, nil}, {queue.EventCalled, nil}, {queue.EventNoShow, nil},
		{queue.EventTransferred, transfer}, {queue.EventCreated, created},
	} {
		code, body := r.Push("9999/X1", Next(t, x1, tt.typ, victim.ID, tt.data))
		if code != http.StatusForbidden || !strings.Contains(body, `"forbidden"`) {
			t.Errorf("%s of another station's request: %d %s; want 403 forbidden", tt.typ, code, body)
		}
	}
	same(t, "office 3273's export", r.Export("3273"), before3273)
	same(t, "office 9999's export", r.Export("9999"), before9999)
	if got := r.Station("9999/X1").HighWater; got != hw {
		t.Fatalf("the refused events moved X1's high-water mark from %d to %d", hw, got)
	}
	if _, err := l1.Act(ctx, victim.ID, queue.ActCall, "", queue.Actor{Counter: "L1", Clerk: "Sari"}); err != nil {
		t.Fatal(err)
	}
	r.Sync("3273/L1", l1)
	var got []queue.Request
	_ = r.S.Export("3273", "", "", "", func(q queue.Request) error { got = append(got, q); return nil })
	if len(got) != 1 || got[0].Status != queue.StatusCalled || got[0].Counter != "L1" {
		t.Fatalf("office 3273 after its own call: %+v", got)
	}
	r.CheckClean()
}

func testUnknownRequest(t *testing.T, open Open) {
	r := newRig(t, open, "9999/X1")
	x1 := Counter(t)
	for _, typ := range []string{queue.EventCalled, queue.EventCancelled, queue.EventDone} {
		code, body := r.Push("9999/X1", Next(t, x1, typ, "01KB00000000000000000000ZZ", nil))
		if code != http.StatusBadRequest || !strings.Contains(body, "never created") {
			t.Errorf("%s of an unknown request: %d %s; want 400", typ, code, body)
		}
	}
	if hw := r.Station("9999/X1").HighWater; hw != 0 {
		t.Fatalf("high-water mark %d after refusals", hw)
	}
	if rows := r.Export(""); len(rows) != 0 {
		t.Fatalf("stored: %v", rows)
	}
	r.CheckClean()
}

// CreatedVariants are request.created events the counter could never have
// made, each from a real one (good) with one thing changed and rehashed.
func CreatedVariants(t *testing.T, good protocol.Event) map[string]protocol.Event {
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
		"arrival in 1999":        variant(arrive(time.Date(1999, 12, 31, 23, 0, 0, 0, WIB))),
		"arrival a week ahead":   variant(arrive(time.Now().Add(7 * 24 * time.Hour).In(WIB))),
		"another station's name": variant(func(q *queue.Request, _ *protocol.Event) { q.Station = strings.Repeat("a", 32) }),
		"event time not arrival": variant(func(_ *queue.Request, e *protocol.Event) { e.At = e.At.Add(time.Hour) }),
	}
}

func testCreatedValidated(t *testing.T, open Open) {
	ctx := context.Background()
	r := newRig(t, open, "9999/X1")
	x1 := Counter(t)
	if _, err := x1.Register(ctx, queue.NewRequest{Service: "A", Name: "Siti", NIK: "3201014107900001", Phone: "081234567890"}, queue.Actor{Counter: "X1", Clerk: "Sari"}); err != nil {
		t.Fatal(err)
	}
	good := Events(t, x1, 0)[0]
	for name, e := range CreatedVariants(t, good) {
		code, body := r.Push("9999/X1", e)
		if code != http.StatusBadRequest || !strings.Contains(body, `"bad_request"`) {
			t.Errorf("%s: %d %s; want 400 bad_request", name, code, body)
		}
	}
	if hw, rows := r.Station("9999/X1").HighWater, r.Export(""); hw != 0 || len(rows) != 0 {
		t.Fatalf("refused events wrote something: high-water %d, %v", hw, rows)
	}
	if code, body := r.Push("9999/X1", good); code != 200 {
		t.Fatalf("the genuine event: %d %s", code, body)
	}
	r.CheckClean()
}

// testRefusedBatchWritesNothing: a batch whose last event is refused
// stores none of the valid ones before it.
func testRefusedBatch(t *testing.T, open Open) {
	r := newRig(t, open, "3273/L1")
	l1 := Counter(t)
	Work(t, l1, 3)
	evs := Events(t, l1, 0)
	bad := Next(t, l1, queue.EventCalled, "01KB00000000000000000000ZZ", nil)
	code, body := r.Push("3273/L1", append(evs, bad)...)
	wantCode(t, "a batch ending in a bad event", code, body, http.StatusBadRequest, protocol.CodeBadRequest)
	if st := r.Station("3273/L1"); st.HighWater != 0 || st.Epoch != "" || !st.LastSeen.IsZero() {
		t.Fatalf("station after a refused batch: %+v", st)
	}
	if rows := r.Export(""); len(rows) != 0 {
		t.Fatalf("a refused batch stored %d requests", len(rows))
	}
	if h, err := r.S.History("3273/L1", 0, 0); err != nil || len(h.Events) != 0 {
		t.Fatalf("a refused batch stored events: %d %v", len(h.Events), err)
	}
	r.Sync("3273/L1", l1)
	r.CheckClean()
}

func testHistory(t *testing.T, open Open) {
	r := newRig(t, open, "3273/L1", "3273/L2")
	l1, l2 := Counter(t), Counter(t)
	Work(t, l1, 6)
	Work(t, l2, 2)
	r.Sync("3273/L1", l1)
	r.Sync("3273/L2", l2)
	want := Events(t, l1, 0)
	var got []protocol.Event
	for after := uint64(0); ; {
		h, err := r.S.History("3273/L1", after, 4)
		if err != nil {
			t.Fatal(err)
		}
		if h.HighWater != uint64(len(want)) || h.Station != "3273/L1" {
			t.Fatalf("history page: %+v", h)
		}
		if len(h.Events) == 0 {
			break
		}
		got = append(got, h.Events...)
		after = h.Events[len(h.Events)-1].Seq
	}
	if len(got) != len(want) {
		t.Fatalf("history: %d events, want %d", len(got), len(want))
	}
	for i := range want {
		// The centre keeps what the counter sends (v2 form; an event its
		// file still holds in v1 form converted: protocol.Outgoing), with
		// its personal part beside it.
		up, err := protocol.Outgoing(want[i].ToStore())
		if err != nil {
			t.Fatal(err)
		}
		if got[i].Hash != up.Hash || protocol.Hash(got[i]) != up.Hash || (up.Personal == nil) != (got[i].Personal == nil) ||
			up.Personal != nil && (up.Personal.NIK != got[i].Personal.NIK || string(up.Personal.Key) != string(got[i].Personal.Key)) {
			t.Fatalf("history event %d differs from the one sent: %+v", i+1, got[i])
		}
	}
	if _, err := r.S.History("3273/NONE", 0, 10); !errors.Is(err, central.ErrNoStation) {
		t.Fatalf("history of an unknown station: %v", err)
	}
}

func testSkew(t *testing.T, open Open) {
	s := open(t)
	r := NewRig(t, s, "3273/L1")
	l1 := Counter(t)
	Work(t, l1, 1)
	now := time.Now()
	if _, err := s.Ingest("3273/L1", Events(t, l1, 0), now.Add(10*time.Minute), now); err != nil {
		t.Fatal(err)
	}
	if st := r.Station("3273/L1"); !st.Skewed || st.SkewSeconds != 600 || !st.LastSeen.Equal(now.Truncate(time.Microsecond)) && !st.LastSeen.Equal(now) {
		t.Fatalf("skewed station: %+v", st)
	}
	Work(t, l1, 1)
	if _, err := s.Ingest("3273/L1", Events(t, l1, 1), now.Add(time.Second), now); err != nil {
		t.Fatal(err)
	}
	if st := r.Station("3273/L1"); st.Skewed || st.SkewSeconds != 1 {
		t.Fatalf("station back in time: %+v", st)
	}
	if _, err := s.Ingest("3273/NONE", Events(t, l1, 0), now, now); !errors.Is(err, central.ErrNoStation) {
		t.Fatalf("ingest for an unknown station: %v", err)
	}
}

func testCatalogSupervisors(t *testing.T, open Open) {
	s := open(t)
	if c, err := s.Catalog(); err != nil || c.Version != 0 {
		t.Fatalf("empty catalog: %+v %v", c, err)
	}
	cat := queue.DefaultCatalog()
	for want := 1; want <= 2; want++ {
		v, err := s.PublishCatalog(cat[:want])
		if err != nil || v != want {
			t.Fatalf("publish: %d %v", v, err)
		}
	}
	if c, err := s.Catalog(); err != nil || c.Version != 2 || len(c.Services) != 2 || c.Services[1].Code != cat[1].Code {
		t.Fatalf("catalog: %+v %v", c, err)
	}
	all, err := s.AddSupervisor("", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	one, err := s.AddSupervisor("3273", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if o, err := s.Supervisor(all); err != nil || o != "" {
		t.Fatalf("all-office supervisor: %q %v", o, err)
	}
	if o, err := s.Supervisor(one); err != nil || o != "3273" {
		t.Fatalf("office supervisor: %q %v", o, err)
	}
	if _, err := s.Supervisor(central.NewToken()); !errors.Is(err, central.ErrUnknownToken) {
		t.Fatalf("unknown supervisor: %v", err)
	}
}

// testExport: the export's filters (office, station, days) and order (by
// ID), and the statistics computed from it.
func testExport(t *testing.T, open Open) {
	r := newRig(t, open, "3273/L1", "3273/L2", "9999/X1")
	counters := map[string]*store.Store{"3273/L1": Counter(t), "3273/L2": Counter(t), "9999/X1": Counter(t)}
	n := map[string]int{"3273/L1": 3, "3273/L2": 2, "9999/X1": 4}
	for k, c := range counters {
		Work(t, c, n[k])
		r.Sync(k, c)
	}
	count := func(office, station, from, to string) int {
		t.Helper()
		var ids []string
		if err := r.S.Export(office, station, from, to, func(q queue.Request) error { ids = append(ids, q.ID); return nil }); err != nil {
			t.Fatal(err)
		}
		for i := 1; i < len(ids); i++ {
			if ids[i-1] >= ids[i] {
				t.Fatalf("export not in ID order: %v", ids)
			}
		}
		return len(ids)
	}
	today := time.Now().In(WIB).Format(time.DateOnly)
	tomorrow := time.Now().In(WIB).Add(24 * time.Hour).Format(time.DateOnly)
	yesterday := time.Now().In(WIB).Add(-24 * time.Hour).Format(time.DateOnly)
	for _, c := range []struct {
		office, station, from, to string
		want                      int
	}{
		{"", "", "", "", 9}, {"3273", "", "", "", 5}, {"9999", "", "", "", 4}, {"", "3273/L2", "", "", 2},
		{"3273", "3273/L1", today, today, 3}, {"", "", tomorrow, "", 0}, {"", "", "", yesterday, 0},
		{"", "", yesterday, tomorrow, 9}, {"0000", "", "", "", 0},
	} {
		if got := count(c.office, c.station, c.from, c.to); got != c.want {
			t.Errorf("export office=%q station=%q from=%q to=%q: %d, want %d", c.office, c.station, c.from, c.to, got, c.want)
		}
	}
	f, err := central.Stats(r.S, "3273", "", "", today, today, WIB)
	if err != nil {
		t.Fatal(err)
	}
	if f.Arrivals != 5 {
		t.Fatalf("stats of office 3273 today: %+v", f)
	}
	stop := errors.New("stop")
	calls := 0
	if err := r.S.Export("", "", "", "", func(queue.Request) error { calls++; return stop }); !errors.Is(err, stop) || calls != 1 {
		t.Fatalf("an export whose reader stops: %v after %d rows", err, calls)
	}
}

// PushAt posts events to prefix (protocol.Prefix or PrefixV1) as station key.
func (r *Rig) PushAt(prefix, key string, events ...protocol.Event) (int, string) {
	r.T.Helper()
	body, _ := json.Marshal(protocol.Batch{Events: events})
	req, _ := http.NewRequest(http.MethodPost, r.URL+prefix+"/sync/events", bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+r.Tokens[key])
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		r.T.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(data)
}

// History is station key's history as served at prefix.
func (r *Rig) History(prefix, key string) protocol.History {
	r.T.Helper()
	req, _ := http.NewRequest(http.MethodGet, r.URL+prefix+"/sync/events", nil)
	req.Header.Set("Authorization", "Bearer "+r.Tokens[key])
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		r.T.Fatal(err)
	}
	defer resp.Body.Close()
	var h protocol.History
	if err := json.NewDecoder(resp.Body).Decode(&h); err != nil {
		r.T.Fatal(err)
	}
	return h
}

func (r *Rig) request(id string) queue.Request {
	r.T.Helper()
	var got queue.Request
	if err := r.S.Export("", "", "", "", func(q queue.Request) error {
		if q.ID == id {
			got = q
		}
		return nil
	}); err != nil {
		r.T.Fatal(err)
	}
	return got
}

// testPersonal (protocol v2): the personal part is joined back for export
// and the v2 history (not the v1 one), checked against its digest, erased
// when request.erased arrives; a resend of the creation afterwards is a
// duplicate that brings nothing back.
func testPersonal(t *testing.T, open Open) {
	r := newRig(t, open, "3273/L1")
	st := Counter(t)
	ctx := context.Background()
	nik, name := "3273010101900042", "Siti Rahayu"
	req, err := st.Register(ctx, queue.NewRequest{Service: "A", Name: name, NIK: nik, Phone: "081234567890"}, queue.Actor{Counter: "L1", Clerk: "Ani"})
	if err != nil {
		t.Fatal(err)
	}
	r.Sync("3273/L1", st)
	if got := r.request(req.ID); got.NIK != nik || got.Name != name || got.Phone == "" {
		t.Fatalf("export: %+v", got)
	}
	if h := r.History(protocol.Prefix, "3273/L1"); len(h.Events) != 1 || h.Events[0].Personal == nil || h.Events[0].Personal.NIK != nik {
		t.Fatalf("v2 history: %+v", h.Events)
	}
	if h := r.History(protocol.PrefixV1, "3273/L1"); len(h.Events) != 1 || h.Events[0].Personal != nil {
		t.Fatalf("v1 history carries a personal part: %+v", h.Events)
	}
	created := r.History(protocol.Prefix, "3273/L1").Events[0]

	p := queue.Personal{Key: []byte("0123456789abcdef"), Name: "Budi", NIK: "3273010101900043"}
	d := queue.CreatedFacts(req, p.Digest())
	d.ID, d.TrackingCode, d.Ticket = "01KB00000000000000000000AA", "HPRN-AAAA-BBBB", "A-002"
	data, _ := json.Marshal(d)
	e := Next(t, st, queue.EventCreated, d.ID, data)
	e.Seq, e.At, e.Counter, e.Clerk = 2, req.ArrivedAt, req.Counter, req.Clerk
	forged := p
	forged.NIK = "3273010101900044"
	e.Personal = &forged
	e.Hash = protocol.Hash(e)
	if code, body := r.PushAt(protocol.Prefix, "3273/L1", e); code != http.StatusBadRequest || !strings.Contains(body, "digest") {
		t.Fatalf("a forged personal part: %d %s", code, body)
	}
	erasure, _ := json.Marshal(queue.ErasedData{Reason: queue.ErasedOnRequest, Note: "permintaan pemohon"})
	ev := Next(t, st, queue.EventErased, req.ID, erasure)
	ev.Seq = 2
	ev.Hash = protocol.Hash(ev)
	if code, body := r.PushAt(protocol.Prefix, "3273/L1", ev); code != http.StatusOK {
		t.Fatalf("erasure: %d %s", code, body)
	}
	if got := r.request(req.ID); !got.Erased || !got.Anonymous() || got.Ticket != req.Ticket || got.Status != queue.StatusWaiting {
		t.Fatalf("erased request: %+v", got)
	}
	if h := r.History(protocol.Prefix, "3273/L1"); h.Events[0].Personal != nil {
		t.Fatalf("the history still carries the erased personal part")
	}
	if code, body := r.PushAt(protocol.Prefix, "3273/L1", created, ev); code != http.StatusOK || !strings.Contains(body, `"duplicate":2`) {
		t.Fatalf("resend after the erasure: %d %s", code, body)
	}
	if got := r.request(req.ID); !got.Anonymous() || got.NIK != "" {
		t.Fatalf("a resend brought the personal part back: %+v", got)
	}
	r.CheckClean()
}

// testTrack: Track finds a request by its tracking code, joined with its
// current personal part (the tracking page's second factor needs the NIK),
// an erased one without it, and an unknown code not at all.
func testTrack(t *testing.T, open Open) {
	r := newRig(t, open, "3273/L1")
	st := Counter(t)
	ctx := context.Background()
	by := queue.Actor{Counter: "L1", Clerk: "Ani"}
	kept, err := st.Register(ctx, queue.NewRequest{Service: "A", Name: "Ratna Sari", NIK: "3273014405900011"}, by)
	if err != nil {
		t.Fatal(err)
	}
	gone, err := st.Register(ctx, queue.NewRequest{Service: "B", Name: "Puji Lestari", NIK: "3273014405900012"}, by)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.Forget(ctx, "3273014405900012", "permintaan pemohon", by); err != nil {
		t.Fatal(err)
	}
	r.Sync("3273/L1", st)
	got, found, err := r.S.Track(kept.TrackingCode)
	if err != nil || !found || got.Request.ID != kept.ID || got.Request.NIK != kept.NIK || got.Office != "3273" || got.Station != "3273/L1" {
		t.Fatalf("track a request: %+v %v %v", got, found, err)
	}
	got, found, err = r.S.Track(gone.TrackingCode)
	if err != nil || !found || !got.Request.Erased || got.Request.NIK != "" || got.Request.Name != "" {
		t.Fatalf("track an erased request: %+v %v %v", got, found, err)
	}
	if _, found, err := r.S.Track("ZZZZ-ZZZZ-ZZZZ"); err != nil || found {
		t.Fatalf("track an unknown code: %v %v", found, err)
	}
}
