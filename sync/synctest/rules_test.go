package synctest

import (
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/loket-id/loket/queue"
	"github.com/loket-id/loket/stats"
)

// TestNewRulesSync: the events of the newer rules (a reopen, done on a
// called request as serving+done, a put back, a day closed, a walk-in
// identified) reach the
// central server, which replays them with queue.Apply to the same requests
// and figures as the station's.
func TestNewRulesSync(t *testing.T) { eachStorage(t, testNewRulesSync) }

func testNewRulesSync(t *testing.T) {
	dir, tokens := newCentral(t, "3273/L1")
	srv := startServer(t, dir, freeAddr(t))
	s := newStation(t, 31)
	by := queue.Actor{Counter: "L1", Clerk: "Sari"}
	step := func(ref string, a queue.Action) queue.Request {
		t.Helper()
		s.now = s.now.Add(time.Minute)
		r, err := s.st.Act(bg, ref, a, "", by)
		if err != nil {
			t.Fatalf("%s %s: %v", a, ref, err)
		}
		return r
	}
	var ids []string
	for _, svc := range []string{"A", "A", "A", "B", "B", "C"} {
		s.now = s.now.Add(time.Minute)
		r, err := s.st.Register(bg, queue.NewRequest{Service: svc, Name: "Pemohon", NIK: "3201014107900001"}, by)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, r.ID)
	}
	// A kiosk's walk-in without identity, identified at the counter.
	s.now = s.now.Add(time.Minute)
	w, _, _, err := s.st.RegisterWalkIn(bg, "", "C", queue.PriorityNone, by)
	if err != nil {
		t.Fatal(err)
	}
	s.now = s.now.Add(time.Minute)
	if _, _, err := s.st.Identify(bg, "", w.ID, queue.Identity{Name: "Pemohon Kios", NIK: "3201014107900001"}, by); err != nil {
		t.Fatal(err)
	}
	step(ids[0], queue.ActCall)
	step(ids[0], queue.ActRequeue) // put back: behind ids[1] and ids[2]
	if r, err := s.st.CallNext(bg, []string{"A"}, by); err != nil || r.ID != ids[1] {
		t.Fatalf("call next after the put back: %v", err)
	}
	step(ids[1], queue.ActDone) // done on called: serving + done
	step(ids[2], queue.ActNoShow)
	step(ids[2], queue.ActReopen)
	step(ids[2], queue.ActCall)
	step(ids[2], queue.ActServe)
	step(ids[3], queue.ActCancel)
	step(ids[3], queue.ActReopen)
	step(ids[4], queue.ActCall)
	step(ids[4], queue.ActServe)
	s.now = s.now.Add(20 * time.Hour)
	if _, err := s.st.CloseDay(bg, "2026-11-27", queue.StatusNoShow, by); err != nil {
		t.Fatal(err)
	}
	step("2026-11-27/B-002", queue.ActDone) // left serving by the close, finished by its dated ticket
	syncUntilDone(t, s.client(srv.url(), tokens["3273/L1"]), 3)

	local, err := stats.ForStation(bg, struct{ stats.Source }{s.st}, "2026-11-27", "2026-11-27", "")
	if err != nil {
		t.Fatal(err)
	}
	if local.Reopened != 2 || local.Served != 2 || local.Unclosed != 1 || local.NoShow != 4 { // the identified walk-in, left waiting, closed with the day
		t.Fatalf("station figures: %+v", local.Counts)
	}
	req, _ := http.NewRequest(http.MethodGet, srv.url()+"/v1/stats?from=2026-11-27&to=2026-11-27", nil)
	req.Header.Set("Authorization", "Bearer "+tokens["3273/L1"])
	code, body := send(t, req)
	var f stats.Figures
	if err := json.Unmarshal(body, &f); err != nil || code != 200 {
		t.Fatalf("stats: %d %s", code, body)
	}
	if mustJSON(f) != mustJSON(local) {
		t.Fatalf("central figures differ from the station's:\n%s\n%s", mustJSON(f), mustJSON(local))
	}
	srv.kill()
	sameRows(t, "central vs station", centralExport(t, srv, ""), s.export(t))
}
