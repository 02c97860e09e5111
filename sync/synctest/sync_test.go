package synctest

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"math/rand"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/loket-id/loket/internal/faultproxy"
	"github.com/loket-id/loket/queue"
	"github.com/loket-id/loket/stats"
	"github.com/loket-id/loket/store"
	"github.com/loket-id/loket/sync/central"
	"github.com/loket-id/loket/sync/protocol"
	"github.com/loket-id/loket/sync/station"
)

// TestTwoStationsOfflineThenOnline: two counters work offline, come online,
// and the central export equals each station's export exactly.
func TestTwoStationsOfflineThenOnline(t *testing.T) { eachStorage(t, testTwoStationsOfflineThenOnline) }

func testTwoStationsOfflineThenOnline(t *testing.T) {
	dir, tokens := newCentral(t, "3273/L1", "3273/L2")
	a, b := newStation(t, 1), newStation(t, 2)
	a.work(t, 40)
	b.work(t, 30)
	srv := startServer(t, dir, freeAddr(t))
	for _, s := range []struct {
		stn *counterDB
		key string
	}{{a, "3273/L1"}, {b, "3273/L2"}} {
		res, err := s.stn.client(srv.url(), tokens[s.key]).Sync(bg)
		if err != nil || res.Pending != 0 {
			t.Fatalf("sync %s: %+v %v", s.key, res, err)
		}
	}
	srv.kill()
	all := centralExport(t, srv, "3273")
	want := append(a.export(t), b.export(t)...)
	if len(all) != len(want) {
		t.Fatalf("central has %d requests, the stations %d", len(all), len(want))
	}
	byStation := map[string][]string{}
	for _, row := range all {
		f := strings.Split(row, ",")
		byStation[f[9]] = append(byStation[f[9]], row)
	}
	sameRows(t, "station L1", byStation[a.st.Identity().StationID], a.export(t))
	sameRows(t, "station L2", byStation[b.st.Identity().StationID], b.export(t))
}

// TestFaultyNetwork pushes many small batches through a proxy that breaks
// about 30% of requests; nothing is lost and nothing is counted twice.
func TestFaultyNetwork(t *testing.T) { eachStorage(t, testFaultyNetwork) }

func testFaultyNetwork(t *testing.T) {
	dir, tokens := newCentral(t, "3273/L1")
	srv := startServer(t, dir, freeAddr(t))
	proxy := faultproxy.New(t, srv.addr, 0.3, testSeed(t))
	s := newStation(t, 3)
	c := s.client(proxy.URL(), tokens["3273/L1"])
	c.BatchSize = 3
	c.HTTP = &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	for round := 0; ; round++ {
		s.work(t, 10)
		for try := 0; try < 400; try++ {
			res, err := c.Sync(bg)
			if err == nil && res.Pending == 0 {
				break
			}
			if err != nil && !errors.Is(err, station.ErrUnreachable) && !strings.Contains(err.Error(), "400") {
				t.Fatalf("round %d: unexpected error: %v", round, err)
			}
		}
		if posts, _, _ := proxy.Stats(); posts >= *faultBatches || round > 200 {
			break
		}
	}
	// A last clean sync straight to the server, then compare.
	syncUntilDone(t, s.client(srv.url(), tokens["3273/L1"]), 5)
	posts, faulted, kinds := proxy.Stats()
	t.Logf("%d batches posted through the proxy, %d requests faulted: %v", posts, faulted, kinds)
	if posts < *faultBatches || faulted == 0 {
		t.Fatalf("only %d batches, %d faults", posts, faulted)
	}
	srv.kill()
	sameRows(t, "central vs station", centralExport(t, srv, ""), s.export(t))
}

// TestKillStationDuringSync kills a real station process with SIGKILL in
// the middle of its syncs, again and again, working between the kills.
func TestKillStationDuringSync(t *testing.T) { eachStorage(t, testKillStationDuringSync) }

func testKillStationDuringSync(t *testing.T) {
	dir, tokens := newCentral(t, "3273/L1")
	srv := startServer(t, dir, freeAddr(t))
	s := newStation(t, 4)
	rng := rand.New(rand.NewSource(testSeed(t)))
	for cycle := range *crashCycles {
		s.work(t, 15)
		s.close()
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), "LOKET_TEST_STATION="+s.path+","+srv.url()+","+tokens["3273/L1"])
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Duration(20+rng.Intn(120)) * time.Millisecond)
		_ = cmd.Process.Signal(syscall.SIGKILL)
		_ = cmd.Wait()
		s.open(t)
		if rep, err := s.st.Check(bg); err != nil || !rep.OK() {
			t.Fatalf("cycle %d: station check after kill: %v %v", cycle, err, rep.Problems)
		}
	}
	syncUntilDone(t, s.client(srv.url(), tokens["3273/L1"]), 5)
	srv.kill()
	sameRows(t, "central vs station", centralExport(t, srv, ""), s.export(t))
}

// TestKillServerDuringIngest kills the central server with SIGKILL while a
// station pushes, restarts it on the same data, again and again.
func TestKillServerDuringIngest(t *testing.T) { eachStorage(t, testKillServerDuringIngest) }

func testKillServerDuringIngest(t *testing.T) {
	dir, tokens := newCentral(t, "3273/L1")
	addr := freeAddr(t)
	srv := startServer(t, dir, addr)
	s := newStation(t, 5)
	c := s.client(srv.url(), tokens["3273/L1"])
	c.BatchSize = 5
	c.HTTP = &http.Client{Timeout: 3 * time.Second}
	rng := rand.New(rand.NewSource(testSeed(t)))
	for range *crashCycles {
		s.work(t, 20)
		done := make(chan struct{})
		go func() {
			defer close(done)
			for i := 0; i < 50; i++ {
				if res, err := c.Sync(bg); err == nil && res.Pending == 0 {
					return
				}
				time.Sleep(10 * time.Millisecond)
			}
		}()
		time.Sleep(time.Duration(rng.Intn(60)) * time.Millisecond)
		srv.kill()
		<-done
		srv.start()
	}
	syncUntilDone(t, c, 10)
	srv.kill()
	sameRows(t, "central vs station", centralExport(t, srv, ""), s.export(t))
}

func batches(t *testing.T, s *counterDB, size int) [][]byte {
	t.Helper()
	var out [][]byte
	var evs []queue.Event
	_ = s.st.View(bg, func(tx *store.Tx) error {
		var err error
		evs, err = tx.Events(0, 0)
		return err
	})
	for i := 0; i < len(evs); i += size {
		var b protocol.Batch
		for _, e := range evs[i:min(i+size, len(evs))] {
			b.Events = append(b.Events, protocol.FromStore(e))
		}
		data, _ := json.Marshal(b)
		out = append(out, data)
	}
	return out
}

// TestDuplicatesReplayedAndReordered sends every batch, then all of them
// again in random order, then again in order: the only refusals are the
// documented 409 gaps, and the central export equals the station's.
func TestDuplicatesReplayedAndReordered(t *testing.T) {
	eachStorage(t, testDuplicatesReplayedAndReordered)
}

func testDuplicatesReplayedAndReordered(t *testing.T) {
	dir, tokens := newCentral(t, "3273/L1")
	srv := startServer(t, dir, freeAddr(t))
	s := newStation(t, 6)
	s.work(t, 40)
	bs := batches(t, s, 9)
	url, tok := srv.url()+"/v1/sync/events", tokens["3273/L1"]
	send := func(order []int) {
		for _, i := range order {
			code, body := post(t, url, tok, bs[i])
			if code != 200 && !(code == 409 && strings.Contains(body, `"gap"`)) {
				t.Fatalf("batch %d: %d %s", i, code, body)
			}
		}
	}
	inOrder := make([]int, len(bs))
	for i := range inOrder {
		inOrder[i] = i
	}
	send(inOrder)
	shuffled := append([]int(nil), inOrder...)
	rand.New(rand.NewSource(testSeed(t))).Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
	send(shuffled)
	send(inOrder)
	// A gap names the sequence the server expects.
	if len(bs) > 2 {
		dir2, tokens2 := newCentral(t, "X/Y")
		srv2 := startServer(t, dir2, freeAddr(t))
		code, body := post(t, srv2.url()+"/v1/sync/events", tokens2["X/Y"], bs[2])
		if code != 409 || !strings.Contains(body, `"expected":1`) {
			t.Fatalf("gap: %d %s", code, body)
		}
	}
	srv.kill()
	sameRows(t, "central vs station", centralExport(t, srv, ""), s.export(t))
}

// TestConflictingHistory: an event sent again with other content is refused
// with 409 conflict, and nothing changes.
func TestConflictingHistory(t *testing.T) { eachStorage(t, testConflictingHistory) }

func testConflictingHistory(t *testing.T) {
	dir, tokens := newCentral(t, "3273/L1")
	srv := startServer(t, dir, freeAddr(t))
	s := newStation(t, 7)
	s.work(t, 5)
	syncUntilDone(t, s.client(srv.url(), tokens["3273/L1"]), 3)
	var b protocol.Batch
	_ = s.st.View(bg, func(tx *store.Tx) error {
		evs, _ := tx.Events(0, 1)
		e := protocol.FromStore(evs[0])
		e.Clerk = "Someone Else"
		e.Hash = protocol.Hash(e)
		b.Events = []protocol.Event{e}
		return nil
	})
	data, _ := json.Marshal(b)
	if code, body := post(t, srv.url()+"/v1/sync/events", tokens["3273/L1"], data); code != 409 || !strings.Contains(body, "conflict") {
		t.Fatalf("conflicting event: %d %s", code, body)
	}
	srv.kill()
	sameRows(t, "central vs station", centralExport(t, srv, ""), s.export(t))
}

// TestServerRestoredFromBackup: the server goes back to an older backup;
// the station's next sync brings it level.
func TestServerRestoredFromBackup(t *testing.T) { eachStorage(t, testServerRestoredFromBackup) }

func testServerRestoredFromBackup(t *testing.T) {
	dir, tokens := newCentral(t, "3273/L1")
	srv := startServer(t, dir, freeAddr(t))
	s := newStation(t, 8)
	c := s.client(srv.url(), tokens["3273/L1"])
	s.work(t, 20)
	syncUntilDone(t, c, 3)
	srv.kill()
	restore := srv.backup()
	srv.start()
	s.work(t, 20)
	syncUntilDone(t, c, 3)
	srv.kill()
	restore()
	if got := centralExport(t, srv, ""); len(got) >= len(s.export(t)) {
		t.Fatalf("the restored server should be behind: %d vs %d", len(got), len(s.export(t)))
	}
	srv.start()
	res, err := c.Sync(bg)
	if err != nil || res.Sent == 0 || res.Pending != 0 {
		t.Fatalf("sync after restore: %+v %v", res, err)
	}
	srv.kill()
	sameRows(t, "central vs station", centralExport(t, srv, ""), s.export(t))
}

// TestReinstalledStation: a new database with the old token is refused
// until the station is rebound; then it recovers the station's history
// (taking over its identity), its own work is replayed after it, and the
// old requests stay untouched.
func TestReinstalledStation(t *testing.T) { eachStorage(t, testReinstalledStation) }

func testReinstalledStation(t *testing.T) {
	dir, tokens := newCentral(t, "3273/L1")
	srv := startServer(t, dir, freeAddr(t))
	old := newStation(t, 9)
	old.work(t, 15)
	syncUntilDone(t, old.client(srv.url(), tokens["3273/L1"]), 3)

	fresh := newStation(t, 10)
	fresh.work(t, 10)
	_, err := fresh.client(srv.url(), tokens["3273/L1"]).Sync(bg)
	if !errors.Is(err, station.ErrRefused) || !strings.Contains(err.Error(), "rebind") {
		t.Fatalf("a reinstalled station: %v", err)
	}
	srv.kill()
	srv.admin(func(st central.Storage) {
		if err := st.Rebind("3273/L1"); err != nil {
			t.Fatal(err)
		}
	})
	srv.start()
	syncUntilDone(t, fresh.client(srv.url(), tokens["3273/L1"]), 3)
	srv.kill()
	all := centralExport(t, srv, "")
	sameRows(t, "central vs the reinstalled database", all, fresh.export(t))
	if len(all) != 25 || fresh.st.Identity().StationID != old.st.Identity().StationID {
		t.Fatalf("%d requests; identity %+v, the old one %+v", len(all), fresh.st.Identity(), old.st.Identity())
	}
	noDuplicateTickets(t, all)
	for _, row := range old.export(t) {
		if !slices.Contains(all, row) {
			t.Fatalf("the centre lost or changed %s", row)
		}
	}
	fresh.check(t)
}

// TestClockSkew: stations whose clocks are a day ahead or in the year 2000
// sync without loss; the server records and flags the skew.
func TestClockSkew(t *testing.T) { eachStorage(t, testClockSkew) }

func testClockSkew(t *testing.T) {
	dir, tokens := newCentral(t, "3273/L1", "3273/L2")
	srv := startServer(t, dir, freeAddr(t))
	ahead, ancient := newStation(t, 11), newStation(t, 12)
	ahead.now = time.Now().Add(24 * time.Hour)
	ancient.now = time.Date(2000, 1, 1, 8, 0, 0, 0, wib)
	ahead.work(t, 10)
	ancient.work(t, 10)
	syncUntilDone(t, ahead.client(srv.url(), tokens["3273/L1"]), 3)
	syncUntilDone(t, ancient.client(srv.url(), tokens["3273/L2"]), 3)
	srv.kill()
	sameRows(t, "central vs stations", centralExport(t, srv, ""), append(ancient.export(t), ahead.export(t)...))
	srv.admin(func(st central.Storage) {
		sts, _ := st.Stations()
		for _, s := range sts {
			if !s.Skewed {
				t.Errorf("station %s with skew %ds is not flagged", s.Key, s.SkewSeconds)
			}
		}
	})
}

// TestSecurity: what a client must not get away with, and never a 5xx.
func TestSecurity(t *testing.T) { eachStorage(t, testSecurity) }

func testSecurity(t *testing.T) {
	dir, tokens := newCentral(t, "3273/L1", "3273/L2", "3273/GONE")
	srv := startServer(t, dir, freeAddr(t))
	s := newStation(t, 13)
	s.work(t, 3)
	good := batches(t, s, 500)[0]
	other := newStation(t, 14)
	other.work(t, 3)
	syncUntilDone(t, other.client(srv.url(), tokens["3273/L2"]), 3)
	url := srv.url() + "/v1/sync/events"

	var big bytes.Buffer
	big.WriteString(`{"events":[`)
	for big.Len() < protocol.MaxBodyBytes+10 {
		big.WriteString(`{"seq":1},`)
	}
	var bomb bytes.Buffer
	zw := gzip.NewWriter(&bomb)
	zw.Write([]byte(`{"events":[`))
	zw.Write(bytes.Repeat([]byte(" "), protocol.MaxInflated+10))
	zw.Close()
	var many protocol.Batch
	for range protocol.MaxBatchEvents + 1 {
		many.Events = append(many.Events, protocol.Event{Seq: 1})
	}
	manyJSON, _ := json.Marshal(many)
	tampered := bytes.Replace(good, []byte(`"clerk":"Sari"`), []byte(`"clerk":"Mallory"`), 1)

	tests := []struct {
		name, token string
		body        []byte
		header      []string
		status      int
		code        string
	}{
		{"no token", "", good, nil, 401, "unauthorized"},
		{"wrong token", central.TokenPrefix + strings.Repeat("0", 64), good, nil, 401, "unauthorized"},
		{"revoked token", tokens["3273/GONE"], good, nil, 401, "token revoked"},
		{"another station's events", tokens["3273/L2"], good, nil, 403, "forbidden"},
		{"oversized body", tokens["3273/L1"], big.Bytes(), nil, 413, "too_large"},
		{"gzip bomb", tokens["3273/L1"], bomb.Bytes(), []string{"Content-Encoding", "gzip"}, 413, "too_large"},
		{"too many events", tokens["3273/L1"], manyJSON, nil, 413, "too_large"},
		{"malformed JSON", tokens["3273/L1"], []byte(`{"events": [`), nil, 400, "malformed JSON"},
		{"unknown field", tokens["3273/L1"], []byte(`{"events": [], "admin": true}`), nil, 400, "bad_request"},
		{"tampered event", tokens["3273/L1"], tampered, nil, 400, "hash does not match"},
		{"not gzip", tokens["3273/L1"], good, []string{"Content-Encoding", "gzip"}, 400, "gzip"},
		{"good", tokens["3273/L1"], good, nil, 200, "high_water"},
	}
	// The revoked station must exist before its token is revoked.
	srv.kill()
	srv.admin(func(st central.Storage) { st.Revoke("3273/GONE") })
	srv.start()
	for _, tt := range tests {
		code, body := post(t, url, tt.token, tt.body, tt.header...)
		if code != tt.status || !strings.Contains(body, tt.code) {
			t.Errorf("%s: %d %s; want %d %q", tt.name, code, body, tt.status, tt.code)
		}
		if !strings.HasPrefix(body, "{") {
			t.Errorf("%s: the error body is not JSON: %q", tt.name, body)
		}
	}
	// Forbidden: a batch of another station's ID under a bound epoch.
	var b protocol.Batch
	_ = json.Unmarshal(good, &b)
	for i := range b.Events {
		b.Events[i].Station = strings.Repeat("a", 32)
		b.Events[i].Hash = protocol.Hash(b.Events[i])
	}
	forged, _ := json.Marshal(b)
	if code, body := post(t, url, tokens["3273/L1"], forged); code != 403 || !strings.Contains(body, `"forbidden"`) {
		t.Errorf("another station's ID: %d %s", code, body)
	}
	// The bound station ID with another epoch: epoch_mismatch.
	_ = json.Unmarshal(good, &b)
	for i := range b.Events {
		b.Events[i].Epoch = strings.Repeat("b", 32)
		b.Events[i].Hash = protocol.Hash(b.Events[i])
	}
	forged, _ = json.Marshal(b)
	if code, body := post(t, url, tokens["3273/L1"], forged); code != 409 || !strings.Contains(body, `"epoch_mismatch"`) {
		t.Errorf("another epoch: %d %s", code, body)
	}
	resp, err := http.Get(srv.url() + "/healthz")
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("healthz: %v %v", resp, err)
	}
	resp.Body.Close()
	// Too many requests: see TestRateLimit in sync/central (deterministic there).
}

// TestCLI drives loket-central's station and export commands through the
// storage functions the CLI uses (the binary's flags are tested in its own
// package); here: a token is 256-bit with its prefix and stored hashed.
func TestTokens(t *testing.T) {
	dir := t.TempDir()
	st, err := central.OpenBolt(dir, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	s, token, err := st.AddStation("3273", "L1", "Loket 1", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(token, "lkt_") || len(token) != 4+64 {
		t.Fatalf("token %q", token)
	}
	raw, _ := os.ReadFile(filepath.Join(dir, "central.db"))
	if bytes.Contains(raw, []byte(token)) {
		t.Fatal("the token is stored in the clear")
	}
	if got, err := st.Authenticate(token); err != nil || got.Key != s.Key {
		t.Fatalf("authenticate: %v %v", got, err)
	}
	if _, _, err := st.AddStation("3273", "L1", "", time.Now()); !errors.Is(err, central.ErrExists) {
		t.Fatalf("duplicate station: %v", err)
	}
}

// TestStatsEqualAfterSync: the central server's figures for the same
// synced data equal the station's; GET /v1/stats answers supervisors (in
// their office) and stations (their own office only).
func TestStatsEqualAfterSync(t *testing.T) { eachStorage(t, testStatsEqualAfterSync) }

func testStatsEqualAfterSync(t *testing.T) {
	dir, tokens := newCentral(t, "3273/L1", "3404/L1")
	var supAll, sup3273 string
	func() {
		st, err := openCentral(dir, time.Second)
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		supAll, _ = st.AddSupervisor("", time.Now())
		sup3273, _ = st.AddSupervisor("3273", time.Now())
	}()
	srv := startServer(t, dir, freeAddr(t))
	s := newStation(t, 21)
	s.work(t, 60)
	s.now = s.now.AddDate(0, 0, 1)
	s.work(t, 40)
	syncUntilDone(t, s.client(srv.url(), tokens["3273/L1"]), 3)
	from, to := "2026-11-27", s.now.Format(time.DateOnly)
	// The central server runs on the machine's clock, the station on a
	// test clock: the station's figures are taken at the machine's "now"
	// too (a Source without Now), so "waiting now" means the same day.
	onMachineClock := struct{ stats.Source }{s.st}
	local, err := stats.ForStation(bg, onMachineClock, from, to, "")
	if err != nil {
		t.Fatal(err)
	}
	get := func(token, query string) (int, stats.Figures, string) {
		req, _ := http.NewRequest(http.MethodGet, srv.url()+"/v1/stats?"+query, nil)
		req.Header.Set("Authorization", "Bearer "+token)
		code, body := send(t, req)
		var f stats.Figures
		json.Unmarshal(body, &f)
		return code, f, string(body)
	}
	q := "from=" + from + "&to=" + to
	for name, tok := range map[string]string{"supervisor of all": supAll, "supervisor of 3273": sup3273, "the station": tokens["3273/L1"]} {
		code, f, body := get(tok, q+"&office=3273")
		if code != 200 {
			t.Fatalf("%s: %d %s", name, code, body)
		}
		if a, b := mustJSON(f), mustJSON(local); a != b {
			t.Fatalf("%s: central figures differ from the station's:\n%s\n%s", name, a, b)
		}
		for _, field := range []string{`"from"`, `"to"`, `"arrivals"`, `"served"`, `"no_show"`, `"cancelled"`, `"transferred"`, `"waiting"`,
			`"wait_seconds":{"avg"`, `"p50"`, `"p90"`, `"service_seconds"`, `"within_target_ratio"`, `"by_service":[{"service"`, `"by_hour":[{"hour":0,"arrivals"`} {
			if !strings.Contains(body, field) {
				t.Fatalf("the stats JSON lacks %s: %s", field, body)
			}
		}
	}
	localA, _ := stats.ForStation(bg, onMachineClock, from, to, "A")
	if _, f, body := get(supAll, q+"&service=A"); mustJSON(f) != mustJSON(localA) || f.Arrivals == 0 {
		t.Fatalf("service A: central %s\nlocal %s", body, mustJSON(localA))
	}
	if code, _, _ := get(sup3273, q+"&office=3404"); code != 403 {
		t.Fatalf("a supervisor of 3273 read 3404: %d", code)
	}
	if code, _, _ := get(tokens["3404/L1"], q+"&office=3273"); code != 403 {
		t.Fatalf("a station of 3404 read 3273: %d", code)
	}
	if code, _, _ := get("lkt_nope", q); code != 401 {
		t.Fatalf("unknown token: %d", code)
	}
	if code, _, _ := get(supAll, "from=yesterday"); code != 400 {
		t.Fatalf("bad date: %d", code)
	}
}

func mustJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
