package main

import (
	"encoding/json"
	"fmt"
	"io"
	"math/rand"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/oklog/ulid/v2"

	"github.com/loket-id/loket/internal/faultproxy"
	"github.com/loket-id/loket/queue"
)

var (
	trackingRe = regexp.MustCompile(`[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}`)
	idRe       = regexp.MustCompile(`\b[0-9A-Z]{26}\b`)
	stationRe  = regexp.MustCompile(`\b[0-9a-f]{32}\b`)
	timeRe     = regexp.MustCompile(`\d{2}:\d{2}(:\d{2})?(\.\d+)?([+-]\d{2}:\d{2}|Z)?`)
)

// exported is a request as the hub PC's `loket export --format json` has it.
type exported struct {
	ID, Ticket, Service, Status, Name, Counter, Clerk string
	CalledAt                                          string `json:"called_at"`
}

// hubRequests are every request of the hub's database (through the running
// hub's owner socket).
func hubRequests(t *testing.T, te *testEnv) []exported {
	t.Helper()
	var rs []exported
	if err := json.Unmarshal([]byte(te.mustRun("export", "--format", "json")), &rs); err != nil {
		t.Fatal(err)
	}
	return rs
}

// mustBeClean runs `loket check` on the hub's database: its pages, its
// invariants and an event log contiguous from 1.
func mustBeClean(t *testing.T, te *testEnv) {
	t.Helper()
	if out := te.mustRun("check"); !strings.HasSuffix(out, "ok\n") {
		t.Fatalf("loket check on the hub: %s", out)
	}
}

// noSecretsLogged: the hub's log holds no NIK, phone or token.
func noSecretsLogged(t *testing.T, te *testEnv, secrets ...string) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(te.env["LOKET_DATA"], "loket.log"))
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range append(secrets, nik, "lkh_", "lkd_") {
		if strings.Contains(string(data), s) {
			t.Errorf("the hub's log holds %q", s)
		}
	}
}

// TestHubThreeCounters: a hub process and three counter processes (each
// command a `loket` process of its own, behind the hub by $LOKET_HUB)
// registering and calling at once, for many rounds: every request is
// called exactly once, every ticket is unique, the event log is contiguous
// and `loket check` finds the hub's database clean.
func TestHubThreeCounters(t *testing.T) {
	rng := rand.New(rand.NewSource(testSeed(t)))
	hte := hubEnv(t)
	h := startHub(t, hte, freeAddr(t), "")
	var counters []*testEnv
	var tokens []string
	for _, code := range []string{"L1", "L2", "L3"} {
		tok := addCounter(t, hte, code)
		tokens = append(tokens, tok)
		counters = append(counters, counterEnv(t, h.url(), tok))
	}
	services := []string{"A", "B", "C"}
	type result struct {
		counter       int
		added, called []queue.Request
		failures      []string
	}
	results := make([]result, len(counters))
	var wg sync.WaitGroup
	for i, te := range counters {
		plan := make([]bool, *hubRounds*2) // true: add, false: call
		for j := range plan {
			plan[j] = rng.Intn(2) == 0
		}
		svc := services[rng.Intn(len(services))]
		wg.Add(1)
		go func() {
			defer wg.Done()
			res := &results[i]
			res.counter = i
			for j, add := range plan {
				var out, errOut string
				var code int
				if add {
					name := "Warga " + letters(i*1000+j)
					out, errOut, code = runProc(t, te, nil, "add", "--service", svc, "--name", name, "--nik", nik, "--format", "json")
				} else {
					out, errOut, code = runProc(t, te, nil, "call", "--format", "json")
				}
				switch {
				case code == 1 && !add && strings.Contains(errOut, "is waiting"):
					continue // nobody waiting just now
				case code != 0:
					res.failures = append(res.failures, fmt.Sprintf("exit %d: %s", code, errOut))
					continue
				}
				var r queue.Request
				if err := json.Unmarshal([]byte(out), &r); err != nil {
					res.failures = append(res.failures, fmt.Sprintf("%v: %q", err, out))
					continue
				}
				if add {
					res.added = append(res.added, r)
				} else {
					res.called = append(res.called, r)
				}
			}
		}()
	}
	wg.Wait()
	tickets := map[string]bool{}
	calledBy := map[string]string{}
	added := 0
	for _, res := range results {
		for _, f := range res.failures {
			t.Errorf("counter %d: %s", res.counter, f)
		}
		for _, r := range res.added {
			added++
			if tickets[r.Ticket] {
				t.Errorf("ticket %s given twice", r.Ticket)
			}
			tickets[r.Ticket] = true
		}
		for _, r := range res.called {
			if by, ok := calledBy[r.ID]; ok {
				t.Errorf("%s called twice: by %s and %s", r.Ticket, by, r.Counter)
			}
			calledBy[r.ID] = r.Counter
			if want := fmt.Sprintf("L%d", res.counter+1); r.Counter != want {
				t.Errorf("%s called by counter %d is in the name of %s", r.Ticket, res.counter, r.Counter)
			}
		}
	}
	// Call everyone still waiting (one counter), then every request has
	// been called exactly once.
	for {
		out, errOut, code := runProc(t, counters[0], nil, "call", "--format", "json")
		if code == 1 && strings.Contains(errOut, "is waiting") {
			break
		}
		if code != 0 {
			t.Fatalf("call: exit %d %s", code, errOut)
		}
		var r queue.Request
		json.Unmarshal([]byte(out), &r)
		if _, ok := calledBy[r.ID]; ok {
			t.Fatalf("%s called twice", r.Ticket)
		}
		calledBy[r.ID] = r.Counter
	}
	all := hubRequests(t, hte)
	if len(all) != added || len(calledBy) != added {
		t.Fatalf("%d requests at the hub, %d registered, %d called", len(all), added, len(calledBy))
	}
	for _, r := range all {
		if r.Status != "called" || calledBy[r.ID] == "" {
			t.Errorf("%s is %s", r.Ticket, r.Status)
		}
	}
	mustBeClean(t, hte)
	t.Logf("%d registered, %d called by three counter processes", added, len(calledBy))
	noSecretsLogged(t, hte, tokens...)
}

// TestHubFaultyNetwork: a counter process reaches the hub through a proxy
// that breaks a third of the connections (drops, cuts, resets, delays,
// truncations, 502s). Each action is sent again with its key (LOKET_KEY)
// while its outcome is unknown (exit 5) or nothing was sent (exit 3): every
// action is applied exactly once.
func TestHubFaultyNetwork(t *testing.T) {
	seed := testSeed(t)
	hte := hubEnv(t)
	h := startHub(t, hte, freeAddr(t), "")
	p := faultproxy.New(t, h.addr, 0.35, int64(seed))
	te := counterEnv(t, p.URL(), addCounter(t, hte, "L1"))
	// act runs one action until it is known to be done, always with its key.
	act := func(args ...string) (string, int) {
		key := ulid.Make().String()
		for try := 1; ; try++ {
			out, errOut, code := runProc(t, te, map[string]string{"LOKET_KEY": key}, args...)
			switch code {
			case 0:
				return out, try
			case 3, 5:
				if try > 30 {
					t.Fatalf("loket %s: still exit %d after 30 tries: %s", args[0], code, errOut)
				}
				if code == 5 && !strings.Contains(errOut, "LOKET_KEY="+key) {
					t.Errorf("exit 5 without the key to send it again: %s", errOut)
				}
				continue
			}
			t.Fatalf("loket %s: exit %d: %s", strings.Join(args, " "), code, errOut)
		}
	}
	const n = 12
	retried := 0
	names := map[string]bool{}
	for i := range n {
		name := "Warga " + letters(i)
		names[name] = true
		_, tries := act("add", "--service", "A", "--name", name, "--nik", nik, "--format", "json")
		retried += tries - 1
	}
	calls := map[string]bool{}
	for range n / 2 {
		out, tries := act("call", "--format", "json")
		retried += tries - 1
		var r queue.Request
		json.Unmarshal([]byte(out), &r)
		if calls[r.ID] {
			t.Fatalf("%s called twice", r.Ticket)
		}
		calls[r.ID] = true
	}
	all := hubRequests(t, hte)
	called := 0
	for _, r := range all {
		if !names[r.Name] {
			t.Errorf("unexpected request %s %q", r.Ticket, r.Name)
		}
		delete(names, r.Name)
		if r.Status == "called" {
			called++
			if !calls[r.ID] {
				t.Errorf("%s called, but no call answered with it", r.Ticket)
			}
		}
	}
	if len(all) != n || len(names) != 0 || called != n/2 {
		t.Fatalf("%d requests (want %d, missing %v), %d called (want %d)", len(all), n, names, called, n/2)
	}
	mustBeClean(t, hte)
	_, _, kinds := p.Stats()
	t.Logf("faults %v; %d commands sent again", kinds, retried)
}

// TestHubKilled: the hub process is killed (kill -9) again and again in
// the middle of three counters' actions, and started again on the same
// address. Every command either succeeds, fails with 3 (nothing was sent:
// nothing saved) or with 5 (unknown); a command that exited 5 is sent
// again with the same key (LOKET_KEY, as its message says) once the hub is
// back, and is then done once. No acknowledged action is lost and none is
// applied twice.
func TestHubKilled(t *testing.T) {
	rng := rand.New(rand.NewSource(testSeed(t)))
	hte := hubEnv(t)
	h := startHub(t, hte, freeAddr(t), "")
	var counters []*testEnv
	for _, code := range []string{"L1", "L2", "L3"} {
		counters = append(counters, counterEnv(t, h.url(), addCounter(t, hte, code)))
	}
	type action struct {
		counter int
		key     string
		add     bool
		name    string
		code    int
		ticket  string // what an acknowledged action answered
	}
	var mu sync.Mutex
	var actions []*action
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for i, te := range counters {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; ; j++ {
				select {
				case <-stop:
					return
				default:
				}
				a := &action{counter: i, key: ulid.Make().String(), add: j%3 != 2, name: "Warga " + letters(i*10000+j)}
				args := []string{"call", "--format", "json"}
				if a.add {
					args = []string{"add", "--service", "A", "--name", a.name, "--nik", nik, "--format", "json"}
				}
				out, errOut, code := runProc(t, te, map[string]string{"LOKET_KEY": a.key}, args...)
				a.code = code
				switch {
				case code == 0:
					var r queue.Request
					if err := json.Unmarshal([]byte(out), &r); err != nil {
						t.Errorf("%v: %q", err, out)
					}
					a.ticket = r.Ticket
				case code == 1 && !a.add && strings.Contains(errOut, "is waiting"):
					a.code = -1 // nobody waiting: nothing done
				case code == 3 || code == 5:
				default:
					t.Errorf("loket %s: exit %d (want 0, 3 or 5): %s", args[0], code, errOut)
				}
				mu.Lock()
				actions = append(actions, a)
				mu.Unlock()
			}
		}()
	}
	for k := range *hubKills {
		time.Sleep(time.Duration(200+rng.Intn(600)) * time.Millisecond)
		h.kill()
		time.Sleep(time.Duration(rng.Intn(300)) * time.Millisecond)
		h.start()
		t.Logf("kill -9 %d of %d", k+1, *hubKills)
	}
	time.Sleep(300 * time.Millisecond)
	close(stop)
	wg.Wait()

	// The unknown ones, sent again with their keys, are done once.
	codes := map[int]int{}
	for _, a := range actions {
		codes[a.code]++
		if a.code != 5 {
			continue
		}
		args := []string{"call", "--format", "json"}
		if a.add {
			args = []string{"add", "--service", "A", "--name", a.name, "--nik", nik, "--format", "json"}
		}
		out, errOut, code := runProc(t, counters[a.counter], map[string]string{"LOKET_KEY": a.key}, args...)
		switch {
		case code == 0:
			var r queue.Request
			json.Unmarshal([]byte(out), &r)
			a.ticket, a.code = r.Ticket, 0
		case code == 1 && !a.add && strings.Contains(errOut, "is waiting"):
			a.code = -1
		default:
			t.Fatalf("sent again with its key: exit %d %s", code, errOut)
		}
	}
	all := hubRequests(t, hte)
	byName := map[string][]exported{}
	byTicket := map[string]exported{}
	called := 0
	for _, r := range all {
		byName[r.Name] = append(byName[r.Name], r)
		byTicket[r.Ticket] = r
		if r.Status == "called" {
			called++
		}
	}
	acked := 0
	for _, a := range actions {
		switch {
		case a.add && a.code == 0:
			acked++
			if rs := byName[a.name]; len(rs) != 1 || rs[0].Ticket != a.ticket {
				t.Errorf("acknowledged %s (%s) is at the hub %d times: %+v", a.name, a.ticket, len(rs), rs)
			}
		case a.add && a.code == 3:
			if rs := byName[a.name]; len(rs) != 0 {
				t.Errorf("%s refused with exit 3 (nothing saved) is at the hub: %+v", a.name, rs)
			}
		case !a.add && a.code == 0:
			acked++
			if r := byTicket[a.ticket]; r.Status != "called" {
				t.Errorf("acknowledged call of %s: it is %q", a.ticket, r.Status)
			}
		}
	}
	// Calls applied = calls acknowledged (after the retries): none twice, none lost.
	calls := 0
	for _, a := range actions {
		if !a.add && a.code == 0 {
			calls++
		}
	}
	if called != calls {
		t.Errorf("%d requests called at the hub, %d calls acknowledged", called, calls)
	}
	mustBeClean(t, hte)
	t.Logf("%d commands: %d acknowledged, exits %v (5: sent again with their keys)", len(actions), acked, codes)
}

// TestHubCounterCommands: hub counter add, list, set and revoke work with
// the hub stopped (on the file) and running (through its owner socket); a
// token is printed by add only; a revoked counter's token is refused by
// the hub (401), which a counter's command reports with exit 4, nothing
// saved. A counter behind a hub refuses the commands that need the hub
// PC's database (exit 2), and one whose hub is down exits 3.
func TestHubCounterCommands(t *testing.T) {
	hte := hubEnv(t)
	// Stopped: on the file.
	tok1 := addCounter(t, hte, "L1", "--name", "Loket 1", "--services", "A,B")
	if _, errOut, code := hte.run("hub", "counter", "add", "L1"); code != 2 || !strings.Contains(errOut, "already registered") {
		t.Fatalf("a code twice: exit %d %q", code, errOut)
	}
	if _, errOut, code := hte.run("hub", "counter", "add", "L9", "--services", "Z"); code != 2 || !strings.Contains(errOut, "not in the catalog") {
		t.Fatalf("unknown service: exit %d %q", code, errOut)
	}
	if out := hte.mustRun("hub", "counter", "set", "L1", "--services", "C"); !strings.Contains(out, "calls from: C") {
		t.Fatalf("set = %q", out)
	}
	if _, errOut, code := hte.run("hub", "counter", "set", "L1"); code != 2 || !strings.Contains(errOut, "--services") {
		t.Fatalf("set without --services: exit %d %q", code, errOut)
	}
	h := startHub(t, hte, freeAddr(t), "")
	// Running: through the hub.
	tok2 := addCounter(t, hte, "L2", "--name", "Loket 2")
	out := hte.mustRun("hub", "counter", "list")
	for _, want := range []string{"L1  ", "Loket 1", " C ", "L2", "Loket 2", "all", "active since"} {
		if !strings.Contains(out, want) {
			t.Errorf("list lacks %q:\n%s", want, out)
		}
	}
	jsonOut := hte.mustRun("hub", "counter", "list", "--format", "json")
	for _, secret := range []string{tok1, tok2, "token", "sha256"} {
		if strings.Contains(out+jsonOut, secret) {
			t.Errorf("list shows %q", secret)
		}
	}
	c2 := counterEnv(t, h.url(), tok2)
	if out, errOut, code := runProc(t, c2, nil, "add", "--service", "A", "--name", "Siti", "--nik", nik); code != 0 || !strings.HasPrefix(out, "ticket A-001") {
		t.Fatalf("add at L2: exit %d %s%s", code, out, errOut)
	}
	if out := hte.mustRun("hub", "counter", "revoke", "L2"); !strings.Contains(out, "L2 revoked") {
		t.Fatalf("revoke = %q", out)
	}
	_, errOut, code := runProc(t, c2, nil, "add", "--service", "A", "--name", "Budi", "--nik", nik)
	if code != 4 || !strings.Contains(errOut, "refused this counter's token") {
		t.Fatalf("a revoked counter's add: exit %d %q", code, errOut)
	}
	if _, _, code := runProc(t, c2, nil, "list"); code != 4 {
		t.Fatalf("a revoked counter's list: exit %d", code)
	}
	if n := len(hubRequests(t, hte)); n != 1 {
		t.Fatalf("%d requests after the revoked counter's add", n)
	}
	// Behind a hub, the hub PC's commands are refused, and sync says why.
	for _, tt := range []struct {
		args []string
		has  string
	}{
		{[]string{"check"}, "on the hub PC"}, {[]string{"backup", "x.db"}, "on the hub PC"}, {[]string{"demo"}, "on the hub PC"},
		{[]string{"hub", "counter", "list"}, "on the hub PC"}, {[]string{"daemon"}, "holds no database"},
		{[]string{"sync"}, "does not sync itself"},
	} {
		if _, errOut, code := c2.run(tt.args...); code != 2 || !strings.Contains(errOut, tt.has) {
			t.Errorf("loket %s behind a hub: exit %d %q", strings.Join(tt.args, " "), code, errOut)
		}
	}
	if _, err := os.Stat(filepath.Join(c2.env["LOKET_DATA"], "loket.db")); !os.IsNotExist(err) {
		t.Errorf("a counter behind a hub made a database: %v", err)
	}
	if pdfs, _ := filepath.Glob(filepath.Join(c2.env["LOKET_DATA"], "receipts", "*", "A-001-*.pdf")); len(pdfs) != 1 {
		t.Errorf("the receipt was not made at the counter that registered the walk-in: %v", pdfs)
	}
	// The hub stopped (SIGTERM: exit 0): the counter's commands exit 3.
	if code, stderr := h.stop(); code != 0 {
		t.Fatalf("loket hub on SIGTERM: exit %d\n%s", code, stderr)
	}
	c1 := counterEnv(t, h.url(), tok1)
	_, errOut, code = runProc(t, c1, nil, "add", "--service", "C", "--name", "Budi", "--nik", nik)
	if code != 3 || !strings.Contains(errOut, "cannot be reached") {
		t.Fatalf("add with the hub down: exit %d %q", code, errOut)
	}
	// Stopped again: on the file.
	hte.mustRun("hub", "counter", "revoke", "L1")
	if out := hte.mustRun("hub", "counter", "list"); strings.Count(out, "revoked") != 2 {
		t.Fatalf("list after revoking both:\n%s", out)
	}
	noSecretsLogged(t, hte, tok1, tok2)
}

// TestHubSameAsLocal: the queue commands print the same and exit with the
// same codes behind a hub as on the counter's own database (tracking codes,
// IDs and clock times aside, which differ run to run).
func TestHubSameAsLocal(t *testing.T) {
	local := newTestEnv(t)
	hte := hubEnv(t)
	h := startHub(t, hte, freeAddr(t), "")
	remote := counterEnv(t, h.url(), addCounter(t, hte, "L3")) // the local config's counter code
	script := [][]string{
		{"add", "--service", "A", "--name", "Siti Aminah", "--nik", nik, "--phone", "0812 3456 7890"},
		{"add", "--service", "B", "--name", "Budi", "--nik", "3578010101850002", "--priority", "elderly", "--format", "json"},
		{"add", "--service", "A", "--name", "Budi", "--nik", "123"},
		{"add", "--service", "Z", "--name", "Budi", "--nik", nik},
		{"add", "--service", "A", "--nik", nik},
		{"serve", "A-001"},
		{"done", "A-099"},
		{"call", "--service", "G"},
		{"call", "A-001"},
		{"call", "A-001"},
		{"call"},
		{"recall", "A-001"},
		{"recall", "a1"},
		{"noshow", "A-001"},
		{"serve", "B-001"},
		{"transfer", "B-001", "--service", "C"},
		{"call", "--format", "json"},
		{"serve", "B-001"},
		{"done", "B-001"},
		{"list"},
		{"list", "--status", "no_show", "--format", "csv"},
		{"find", "siti"},
		{"show", "B-001"},
		{"services"},
		{"stats", "--by", "counter", "--from", "2000-01-01", "--to", "2000-01-02"},
		{"export", "--from", "2000-01-01", "--format", "csv"},
	}
	clean := func(s string) string {
		s = trackingRe.ReplaceAllString(s, "TRACK")
		s = idRe.ReplaceAllString(s, "ID")
		s = stationRe.ReplaceAllString(s, "STATION")
		s = timeRe.ReplaceAllString(s, "TIME")
		return s
	}
	for _, args := range script {
		lo, le, lc := local.run(args...)
		ro, re, rc := remote.run(args...)
		lo, le, ro, re = clean(lo), clean(le), clean(ro), clean(re)
		// The receipt's path is the counter's own data directory.
		le = strings.ReplaceAll(le, local.env["LOKET_DATA"], "DATA")
		re = strings.ReplaceAll(re, remote.env["LOKET_DATA"], "DATA")
		if lc != rc || lo != ro || le != re {
			t.Errorf("loket %s\nlocal: exit %d\n%s%s\nthrough the hub: exit %d\n%s%s", strings.Join(args, " "), lc, lo, le, rc, ro, re)
		}
	}
}

// TestHubWaitingRoom: the board and the kiosk answer on the hub's HTTP
// server with the tokens of `loket hub device add`; a kiosk's ticket is a
// walk-in at the hub; a revoked device's token is refused at once.
func TestHubWaitingRoom(t *testing.T) {
	hte := hubEnv(t)
	addr := freeAddr(t)
	os.WriteFile(hte.env["LOKET_CONFIG"], []byte("timezone = \"Asia/Jakarta\"\nlanguage = \"en\"\n[hub]\naddr = \""+addr+"\"\n[board]\nrunning_text = \"Selamat datang\"\n"), 0o600)
	startHub(t, hte, addr, "")
	device := func(name, role string) (url, token string) {
		var v struct{ URL, Token string }
		if err := json.Unmarshal([]byte(hte.mustRun("hub", "device", "add", name, "--role", role, "--format", "json")), &v); err != nil {
			t.Fatal(err)
		}
		return v.URL, v.Token
	}
	boardURL, boardToken := device("TV1", "board")
	_, kioskToken := device("K1", "kiosk")
	if !strings.HasSuffix(boardURL, ":"+strings.Split(addr, ":")[1]+"/board?t="+boardToken) {
		t.Fatalf("board URL %q", boardURL)
	}
	get := func(path, token string) (int, string) {
		req, _ := http.NewRequest(http.MethodGet, "http://"+addr+path, nil)
		req.AddCookie(&http.Cookie{Name: "loket_" + strings.Split(strings.TrimPrefix(path, "/"), "/")[0], Value: token})
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if code, body := get("/board", boardToken); code != 200 || !strings.Contains(body, "Selamat datang") {
		t.Fatalf("board: %d %.200s", code, body)
	}
	if code, _ := get("/kiosk/state", boardToken); code != 401 && code != 403 {
		t.Fatalf("a board's token at the kiosk: %d", code)
	}
	body := `{"service":"A","priority":"","key":"` + ulid.Make().String() + `"}`
	req, _ := http.NewRequest(http.MethodPost, "http://"+addr+"/kiosk/ticket", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.AddCookie(&http.Cookie{Name: "loket_kiosk", Value: kioskToken})
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if rs := hubRequests(t, hte); resp.StatusCode != http.StatusCreated || len(rs) != 1 || rs[0].Counter != "K1" {
		t.Fatalf("kiosk ticket: %d, %+v", resp.StatusCode, rs)
	}
	hte.mustRun("hub", "device", "revoke", "TV1")
	if code, _ := get("/board", boardToken); code != 401 {
		t.Fatalf("a revoked board: %d", code)
	}
	if out := hte.mustRun("hub", "device", "list"); !strings.Contains(out, "TV1     board  revoked") || !strings.Contains(out, "K1      kiosk  active") {
		t.Fatalf("device list:\n%s", out)
	}
	noSecretsLogged(t, hte, boardToken, kioskToken)
}
