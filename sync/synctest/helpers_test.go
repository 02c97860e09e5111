// Package synctest holds the reliability tests of sync: real central server
// processes on loopback, real station databases, a fault-injecting proxy,
// kill -9 of either side. It has no code but tests.
package synctest

import (
	"bufio"
	"bytes"
	"context"
	"flag"
	"fmt"
	"log/slog"
	"math/rand"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/loket-id/loket/internal/pgtest"
	"github.com/loket-id/loket/queue"
	"github.com/loket-id/loket/store"
	"github.com/loket-id/loket/sync/central"
	"github.com/loket-id/loket/sync/central/pgstore"
	"github.com/loket-id/loket/sync/station"
)

var (
	faultBatches = flag.Int("sync.batches", 200, "batches pushed through the faulty proxy")
	crashCycles  = flag.Int("sync.cycles", 20, "kill cycles of each crash test")
	seedFlag     = flag.Int64("sync.seed", 0, "seed of the random tests (faults, kill moments, orders); 0: from the clock")
)

// testSeed is the seed of a random test: -sync.seed, or the clock. It is
// logged, so a failure can be replayed with -sync.seed=N.
func testSeed(t testing.TB) int64 {
	t.Helper()
	seed := *seedFlag
	if seed == 0 {
		seed = time.Now().UnixNano()
	}
	t.Logf("seed %d (replay: go test ./sync/synctest -run '^%s$' -sync.seed=%d)", seed, t.Name(), seed)
	return seed
}

var (
	wib = time.FixedZone("WIB", 7*3600)
	bg  = context.Background()
)

// TestMain lets the test binary be a central server process
// (LOKET_TEST_SERVER=dir,addr) or a station syncing in a loop
// (LOKET_TEST_STATION=db,url,token).
func TestMain(m *testing.M) {
	if spec := os.Getenv("LOKET_TEST_SERVER"); spec != "" {
		runServer(spec)
		return
	}
	if spec := os.Getenv("LOKET_TEST_STATION"); spec != "" {
		runStation(spec)
		return
	}
	os.Exit(m.Run())
}

func runServer(spec string) {
	dir, addr, _ := strings.Cut(spec, ",")
	ctx, stop := signal.NotifyContext(bg, syscall.SIGTERM, os.Interrupt)
	defer stop()
	st, err := openCentral(dir, 10*time.Second)
	if err != nil {
		fmt.Println("error", err)
		os.Exit(3)
	}
	defer st.Close()
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		fmt.Println("error", err)
		os.Exit(3)
	}
	fmt.Println("listening", ln.Addr())
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	if err := (&central.Server{Storage: st, Log: log}).Serve(ctx, ln, "", ""); err != nil {
		fmt.Println("error", err)
	}
}

// runStation syncs its database again and again, small batches, until killed.
func runStation(spec string) {
	f := strings.SplitN(spec, ",", 3)
	st, err := store.Open(f[0], store.Options{Location: wib})
	if err != nil {
		fmt.Println("error", err)
		os.Exit(3)
	}
	c := &station.Client{URL: f[1], Token: f[2], Store: st, BatchSize: 7,
		Log: slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError}))}
	for {
		res, err := c.Sync(bg)
		fmt.Println("synced", res.HighWater, err != nil)
	}
}

// server is a central server process.
type server struct {
	t    testing.TB
	dir  string
	addr string
	cmd  *exec.Cmd
}

func freeAddr(t testing.TB) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

func startServer(t testing.TB, dir, addr string) *server {
	t.Helper()
	s := &server{t: t, dir: dir, addr: addr}
	s.start()
	t.Cleanup(s.kill)
	return s
}

func (s *server) start() {
	s.t.Helper()
	s.cmd = exec.Command(os.Args[0], "-test.run=^$")
	s.cmd.Env = append(os.Environ(), "LOKET_TEST_SERVER="+s.dir+","+s.addr)
	out, _ := s.cmd.StdoutPipe()
	s.cmd.Stderr = os.Stderr
	if err := s.cmd.Start(); err != nil {
		s.t.Fatal(err)
	}
	line, _ := bufio.NewReader(out).ReadString('\n')
	if !strings.HasPrefix(line, "listening") {
		s.t.Fatalf("server did not start: %q", line)
	}
}

func (s *server) url() string { return "http://" + s.addr }

// kill stops the server with SIGKILL (no graceful anything).
func (s *server) kill() {
	if s.cmd != nil && s.cmd.Process != nil {
		_ = s.cmd.Process.Signal(syscall.SIGKILL)
		_ = s.cmd.Wait()
		s.cmd = nil
	}
}

// admin opens the central database while the server is stopped.
func (s *server) admin(fn func(central.Storage)) {
	s.t.Helper()
	st, err := openCentral(s.dir, 5*time.Second)
	if err != nil {
		s.t.Fatal(err)
	}
	defer st.Close()
	fn(st)
}

// eachStorage runs a reliability test against a bbolt centre (subtest
// bbolt) and a PostgreSQL one (subtest postgres: skipped without
// LOKET_TEST_PG, failed under CI; see internal/pgtest).
func eachStorage(t *testing.T, test func(*testing.T)) {
	t.Run("bbolt", test)
	t.Run("postgres", func(t *testing.T) {
		pgtest.Server(t)
		test(t)
	})
}

// onPG reports whether t runs against PostgreSQL (under eachStorage).
func onPG(t testing.TB) bool { return strings.Contains(t.Name()+"/", "/postgres/") }

// openCentral opens the central database of spec: a PostgreSQL URL, or a
// bbolt data directory.
func openCentral(spec string, timeout time.Duration) (central.Storage, error) {
	if strings.HasPrefix(spec, "postgres") {
		ctx, cancel := context.WithTimeout(bg, timeout+30*time.Second)
		defer cancel()
		return pgstore.Open(ctx, spec, pgstore.Options{})
	}
	return central.OpenBolt(spec, timeout)
}

// newCentral makes a central database with one station per key and returns
// its spec (a bbolt directory, or a PostgreSQL URL under eachStorage's
// postgres) and their tokens.
func newCentral(t testing.TB, keys ...string) (string, map[string]string) {
	dir := ""
	if onPG(t) {
		dir = pgtest.URL(t)
	} else {
		dir = t.TempDir()
	}
	tokens := map[string]string{}
	st, err := openCentral(dir, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range keys {
		office, code, _ := strings.Cut(k, "/")
		_, tok, err := st.AddStation(office, code, "", time.Now())
		if err != nil {
			t.Fatal(err)
		}
		tokens[k] = tok
	}
	st.Close()
	return dir, tokens
}

// counterDB is a counter database with a settable clock.
type counterDB struct {
	path string
	st   *store.Store
	now  time.Time
	rng  *rand.Rand
}

func newStation(t *testing.T, seed int64) *counterDB {
	s := &counterDB{path: filepath.Join(t.TempDir(), store.FileName), now: time.Date(2026, 11, 27, 8, 0, 0, 0, wib), rng: rand.New(rand.NewSource(seed))}
	s.open(t)
	t.Cleanup(func() {
		if s.st != nil {
			s.st.Close()
		}
	})
	return s
}

func (s *counterDB) open(t *testing.T) {
	t.Helper()
	st, err := store.Open(s.path, store.Options{Clock: func() time.Time { return s.now }, Location: wib})
	if err != nil {
		t.Fatal(err)
	}
	s.st = st
}

func (s *counterDB) close() { s.st.Close(); s.st = nil }

// work registers n walk-ins and moves some of them on, as a day would.
func (s *counterDB) work(t *testing.T, n int) {
	t.Helper()
	by := queue.Actor{Counter: "L1", Clerk: "Sari"}
	for i := 0; i < n; i++ {
		s.now = s.now.Add(time.Duration(1+s.rng.Intn(120)) * time.Second)
		svc := []string{"A", "B", "C", "F"}[s.rng.Intn(4)]
		r, err := s.st.Register(bg, queue.NewRequest{Service: svc, Name: fmt.Sprintf("Pemohon %d", s.rng.Intn(1e6)), NIK: "3201014107900001"}, by)
		if err != nil {
			t.Fatal(err)
		}
		switch s.rng.Intn(4) {
		case 0:
			_, err = s.st.Act(bg, r.ID, queue.ActCancel, "", by)
		case 1, 2:
			if c, err2 := s.st.CallNext(bg, nil, by); err2 == nil {
				s.now = s.now.Add(time.Minute)
				if _, err = s.st.Act(bg, c.ID, queue.ActServe, "", by); err == nil {
					s.now = s.now.Add(3 * time.Minute)
					_, err = s.st.Act(bg, c.ID, queue.ActDone, "", by)
				}
			}
		}
		if err != nil {
			t.Fatal(err)
		}
	}
}

func (s *counterDB) export(t *testing.T) []string {
	t.Helper()
	var rows []string
	if err := s.st.View(bg, func(tx *store.Tx) error {
		return tx.Between("", "", func(r queue.Request) error {
			rows = append(rows, strings.Join(queue.ExportRecord(r, wib), ","))
			return nil
		})
	}); err != nil {
		t.Fatal(err)
	}
	return rows
}

func (s *counterDB) client(url, token string) *station.Client {
	return &station.Client{URL: url, Token: token, Store: s.st,
		Log: slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError}))}
}

// centralExport is the central server's export of an office ("" for all).
func centralExport(t *testing.T, s *server, office string) []string {
	t.Helper()
	var rows []string
	s.admin(func(st central.Storage) {
		if err := st.Export(office, "", "", "", func(r queue.Request) error {
			rows = append(rows, strings.Join(queue.ExportRecord(r, wib), ","))
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		if problems, err := st.Check(); err != nil || len(problems) > 0 {
			t.Fatalf("central check: %v %v", err, problems)
		}
	})
	return rows
}

// sameRows compares two exports as sets of lines (both sorted).
func sameRows(t *testing.T, what string, got, want []string) {
	t.Helper()
	got, want = append([]string(nil), got...), append([]string(nil), want...)
	sort.Strings(got)
	sort.Strings(want)
	if len(got) != len(want) {
		t.Fatalf("%s: %d rows, want %d", what, len(got), len(want))
	}
	for i := range got {
		if got[i] != want[i] {
			t.Fatalf("%s: row %d differs:\n got  %s\n want %s", what, i, got[i], want[i])
		}
	}
}

// syncUntilDone syncs until nothing is pending, tolerating failures, within limits.
func syncUntilDone(t *testing.T, c *station.Client, tries int) {
	t.Helper()
	var last error
	for range tries {
		res, err := c.Sync(bg)
		if err == nil && res.Pending == 0 {
			return
		}
		last = err
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("sync did not finish in %d tries: %v", tries, last)
}

func post(t *testing.T, url, token string, body []byte, header ...string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	code, body := send(t, req)
	return code, string(body)
}

// send does req and returns the status and the whole body.
func send(t *testing.T, req *http.Request) (int, []byte) {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var buf bytes.Buffer
	buf.ReadFrom(resp.Body)
	return resp.StatusCode, buf.Bytes()
}

// backup copies the stopped server's central database aside and returns
// what puts the copy back (the server stopped again): a copy of the bbolt
// file, or a PostgreSQL database made from it as a template (what a
// restore from pg_dump gives).
func (s *server) backup() (restore func()) {
	s.t.Helper()
	if !strings.HasPrefix(s.dir, "postgres") {
		path := filepath.Join(s.t.TempDir(), "central-backup.db")
		s.admin(func(st central.Storage) {
			if err := st.(*central.BoltStorage).Backup(path); err != nil {
				s.t.Fatal(err)
			}
		})
		return func() {
			data, err := os.ReadFile(path)
			if err == nil {
				err = os.WriteFile(filepath.Join(s.dir, "central.db"), data, 0o600)
			}
			if err != nil {
				s.t.Fatal(err)
			}
		}
	}
	base := pgtest.Server(s.t)
	u, err := url.Parse(s.dir)
	if err != nil {
		s.t.Fatal(err)
	}
	name := strings.TrimPrefix(u.Path, "/")
	exec := func(sql string) {
		s.t.Helper()
		conn, err := pgx.Connect(bg, base)
		if err != nil {
			s.t.Fatal(err)
		}
		defer conn.Close(bg)
		if _, err := conn.Exec(bg, sql); err != nil {
			s.t.Fatalf("%s: %v", sql, err)
		}
	}
	exec("CREATE DATABASE " + name + "_bk TEMPLATE " + name)
	s.t.Cleanup(func() { exec("DROP DATABASE IF EXISTS " + name + "_bk WITH (FORCE)") })
	return func() {
		exec("DROP DATABASE " + name + " WITH (FORCE)")
		exec("CREATE DATABASE " + name + " TEMPLATE " + name + "_bk")
	}
}
