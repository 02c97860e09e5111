package synctest

import (
	"encoding/json"
	"flag"
	"math/rand"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/loket-id/loket/queue"
	"github.com/loket-id/loket/store"
	"github.com/loket-id/loket/sync/protocol"
)

var recoverSeed = flag.Int64("sync.recoverseed", 0, "seed of TestKillStationDuringRecovery (0: from the clock)")

// TestRestoredBackupOnlyBehind: a database restored from a backup and not
// used since is only behind: its next sync gets the rest back without a
// rebind, and ticket numbers continue.
func TestRestoredBackupOnlyBehind(t *testing.T) { eachStorage(t, testRestoredBackupOnlyBehind) }

func testRestoredBackupOnlyBehind(t *testing.T) {
	dir, tokens := newCentral(t, "3273/L1")
	srv := startServer(t, dir, freeAddr(t))
	s := newStation(t, 51)
	c := s.client(srv.url(), tokens["3273/L1"])
	s.walkIn(t)
	s.walkIn(t)
	syncUntilDone(t, c, 3)
	backup := s.backup(t)
	s.serveNext(t)
	s.walkIn(t)
	syncUntilDone(t, c, 3)
	before := s.export(t)

	s.restore(t, backup)
	res, err := s.client(srv.url(), tokens["3273/L1"]).Sync(bg)
	if err != nil || res.Recovery == nil || res.Recovery.Imported != 4 || res.Recovery.Replayed != 0 || res.Pending != 0 {
		t.Fatalf("sync of a restored backup: %+v %+v %v", res, res.Recovery, err)
	}
	sameRows(t, "the restored counter vs before the restore", s.export(t), before)
	if r := s.walkIn(t); r.Ticket != "A-004" {
		t.Fatalf("next ticket %s, want A-004", r.Ticket)
	}
	syncUntilDone(t, s.client(srv.url(), tokens["3273/L1"]), 3)
	srv.kill()
	sameRows(t, "central vs the counter", centralExport(t, srv, ""), s.export(t))
	s.check(t)
}

// TestRecoverySetsAside: what a restored counter did that the recovered
// history contradicts (it called A-001 again, which the lost history had
// served) is not applied and not lost: set aside and reported. What it did
// that the history allows is kept.
func TestRecoverySetsAside(t *testing.T) { eachStorage(t, testRecoverySetsAside) }

func testRecoverySetsAside(t *testing.T) {
	dir, tokens := newCentral(t, "3273/L1")
	srv := startServer(t, dir, freeAddr(t))
	s := newStation(t, 52)
	c := s.client(srv.url(), tokens["3273/L1"])
	s.walkIn(t)
	s.walkIn(t)
	syncUntilDone(t, c, 3)
	backup := s.backup(t)
	s.serveNext(t) // A-001 done
	syncUntilDone(t, c, 3)

	s.restore(t, backup)
	called, err := s.st.CallNext(bg, nil, clerk) // A-001 again, on the restored database
	if err != nil || called.Ticket != "A-001" {
		t.Fatalf("call: %+v %v", called, err)
	}
	if _, err := s.st.Act(bg, "A-002", queue.ActCancel, "", clerk); err != nil {
		t.Fatal(err)
	}
	late := s.walkIn(t)
	rebind(t, srv, "3273/L1")
	res, err := s.client(srv.url(), tokens["3273/L1"]).Sync(bg)
	if err != nil || res.Recovery == nil || res.Pending != 0 {
		t.Fatalf("sync after rebind: %+v %v", res, err)
	}
	rec := res.Recovery
	if rec.Imported != 3 || rec.Replayed != 2 || len(rec.SetAside) != 1 || rec.SetAside[0].Type != queue.EventCalled ||
		rec.SetAside[0].RequestID != called.ID || len(rec.Renumbered) != 0 {
		t.Fatalf("recovery: %+v", rec)
	}
	var kept []queue.Event
	_ = s.st.View(bg, func(tx *store.Tx) error { kept, err = tx.SetAside(); return err })
	if len(kept) != 1 || kept[0].ID != rec.SetAside[0].ID {
		t.Fatalf("set aside in the database: %+v %v", kept, err)
	}
	for ref, want := range map[string]queue.Status{"A-001": queue.StatusDone, "A-002": queue.StatusCancelled, late.TrackingCode: queue.StatusWaiting} {
		if r, err := s.st.Get(bg, ref); err != nil || r.Status != want {
			t.Fatalf("%s: %s %v, want %s", ref, r.Status, err, want)
		}
	}
	srv.kill()
	sameRows(t, "central vs the counter", centralExport(t, srv, ""), s.export(t))
	s.check(t)
}

// TestHistoryEndpoint: GET /v1/sync/events answers a station its own
// events, paged, exactly as it sent them; bad parameters are 400, no
// token 401.
func TestHistoryEndpoint(t *testing.T) { eachStorage(t, testHistoryEndpoint) }

func testHistoryEndpoint(t *testing.T) {
	dir, tokens := newCentral(t, "3273/L1", "3273/L2")
	srv := startServer(t, dir, freeAddr(t))
	s := newStation(t, 53)
	s.work(t, 30)
	syncUntilDone(t, s.client(srv.url(), tokens["3273/L1"]), 3)
	var mine []queue.Event
	_ = s.st.View(bg, func(tx *store.Tx) (err error) { mine, err = tx.Events(0, 0); return })
	get := func(token, query string) (int, protocol.History, string) {
		req, _ := http.NewRequest(http.MethodGet, srv.url()+protocol.Prefix+"/sync/events"+query, nil)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		code, body := send(t, req)
		var h protocol.History
		_ = json.Unmarshal(body, &h)
		return code, h, string(body)
	}
	var got []protocol.Event
	for after := uint64(0); ; {
		code, h, body := get(tokens["3273/L1"], "?limit=7&after="+jsonNum(after))
		if code != 200 || h.HighWater != uint64(len(mine)) {
			t.Fatalf("page after %d: %d %s", after, code, body)
		}
		if len(h.Events) == 0 {
			break
		}
		if len(h.Events) > 7 {
			t.Fatalf("page of %d events, limit 7", len(h.Events))
		}
		got = append(got, h.Events...)
		after = h.Events[len(h.Events)-1].Seq
	}
	if len(got) != len(mine) {
		t.Fatalf("%d events back, %d sent", len(got), len(mine))
	}
	for i, e := range got {
		if want, _ := protocol.Outgoing(mine[i]); e.Hash != want.Hash || e.Validate() != nil {
			t.Fatalf("event %d differs from what was sent", e.Seq)
		}
	}
	if code, h, body := get(tokens["3273/L2"], ""); code != 200 || len(h.Events) != 0 || h.Station != "3273/L2" {
		t.Fatalf("another station's token: %d %s", code, body)
	}
	for _, q := range []string{"?after=-1", "?after=x", "?limit=0", "?limit=501", "?limit=1e3"} {
		if code, _, body := get(tokens["3273/L1"], q); code != 400 || !strings.Contains(body, "bad_request") {
			t.Fatalf("%s: %d %s", q, code, body)
		}
	}
	if code, _, _ := get("", ""); code != 401 {
		t.Fatalf("no token: %d", code)
	}
}

func jsonNum(n uint64) string { b, _ := json.Marshal(n); return string(b) }

// TestRebindNeedsHistory: after a rebind, a database that did not recover
// the station's log cannot bind by pushing events above the high-water mark
// (409 history_required), nor with events that are not the stored ones (409
// conflict); nothing changes on the server.
func TestRebindNeedsHistory(t *testing.T) { eachStorage(t, testRebindNeedsHistory) }

func testRebindNeedsHistory(t *testing.T) {
	dir, tokens := newCentral(t, "3273/L1")
	srv := startServer(t, dir, freeAddr(t))
	old := newStation(t, 54)
	old.work(t, 10)
	syncUntilDone(t, old.client(srv.url(), tokens["3273/L1"]), 3)
	rebind(t, srv, "3273/L1")
	other := newStation(t, 55)
	other.work(t, 40)
	var evs []queue.Event
	_ = other.st.View(bg, func(tx *store.Tx) (err error) { evs, err = tx.Events(0, 0); return })
	var hw uint64
	_ = old.st.View(bg, func(tx *store.Tx) error { hw = tx.LastSeq(); return nil })
	batch := func(from, to uint64) []byte {
		var b protocol.Batch
		for _, e := range evs[from-1 : to] {
			b.Events = append(b.Events, protocol.FromStore(e))
		}
		data, _ := json.Marshal(b)
		return data
	}
	if code, body := post(t, srv.url()+"/v1/sync/events", tokens["3273/L1"], batch(hw+1, hw+5)); code != 409 || !strings.Contains(body, protocol.CodeHistoryRequired) {
		t.Fatalf("a push above the rebound log: %d %s", code, body)
	}
	if code, body := post(t, srv.url()+"/v1/sync/events", tokens["3273/L1"], batch(hw, hw+5)); code != 409 || !strings.Contains(body, "conflict") {
		t.Fatalf("a push of another history: %d %s", code, body)
	}
	srv.kill()
	sameRows(t, "central vs the old database", centralExport(t, srv, ""), old.export(t))
}

// TestKillStationDuringRecovery kills a real station process with SIGKILL
// while it recovers a reinstalled counter's history, again and again: the
// database is always either as it was or recovered, never half, and the
// last sync leaves the counter's export equal to the centre's.
func TestKillStationDuringRecovery(t *testing.T) { eachStorage(t, testKillStationDuringRecovery) }

func testKillStationDuringRecovery(t *testing.T) {
	seed := *recoverSeed
	if seed == 0 {
		seed = time.Now().UnixNano()
	}
	t.Logf("seed %d (-sync.recoverseed)", seed)
	rng := rand.New(rand.NewSource(seed))
	dir, tokens := newCentral(t, "3273/L1")
	srv := startServer(t, dir, freeAddr(t))
	old := newStation(t, 56)
	old.work(t, 400)
	syncUntilDone(t, old.client(srv.url(), tokens["3273/L1"]), 3)
	rebind(t, srv, "3273/L1")
	fresh := newStation(t, 57)
	fresh.work(t, 5) // handed out before the recovery
	recovered, before := false, 0
	for cycle := range *crashCycles {
		fresh.close()
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), "LOKET_TEST_STATION="+fresh.path+","+srv.url()+","+tokens["3273/L1"])
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Duration(5+rng.Intn(60*(cycle+1))) * time.Millisecond) // later cycles let it finish
		_ = cmd.Process.Signal(syscall.SIGKILL)
		_ = cmd.Wait()
		fresh.open(t)
		fresh.check(t)
		n := len(fresh.export(t))
		switch {
		case fresh.st.Identity().StationID == old.st.Identity().StationID && n == 405:
			recovered = true
		case fresh.st.Identity().StationID != old.st.Identity().StationID && n == 5 && !recovered:
			before++
		default:
			t.Fatalf("cycle %d: half a recovery: %d requests, identity %s", cycle, n, fresh.st.Identity().StationID)
		}
	}
	t.Logf("killed %d times before the recovery was committed, %d after", before, *crashCycles-before)
	syncUntilDone(t, fresh.client(srv.url(), tokens["3273/L1"]), 3)
	srv.kill()
	all := centralExport(t, srv, "")
	sameRows(t, "central vs the reinstalled counter", all, fresh.export(t))
	noDuplicateTickets(t, all)
}
