package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/exp/teatest"
	"github.com/muesli/termenv"
	"golang.org/x/time/rate"

	"github.com/loket-id/loket/queue"
	"github.com/loket-id/loket/relay"
	"github.com/loket-id/loket/store"
	"github.com/loket-id/loket/sync/central"
	"github.com/loket-id/loket/sync/station"
	"github.com/loket-id/loket/tui"
)

// TestMain lets the test binary act as the loket program itself, so tests
// can start real loket processes: with LOKET_TEST_MAIN=1 it runs main.
func TestMain(m *testing.M) {
	if os.Getenv("LOKET_TEST_MAIN") == "1" {
		main()
		return
	}
	os.Exit(m.Run())
}

var fixedNow = time.Date(2026, 11, 27, 9, 30, 0, 0, time.FixedZone("WIB", 7*3600))

// testEnv is a data directory and config for one test, with no outside
// environment leaking in.
type testEnv struct {
	t    *testing.T
	dir  string
	env  map[string]string
	cwd  string
	now  func() time.Time
	proc []*exec.Cmd
}

func newTestEnv(t *testing.T) *testEnv {
	dir := t.TempDir()
	te := &testEnv{t: t, dir: dir, cwd: dir, env: map[string]string{
		"LOKET_DATA":   filepath.Join(dir, "data"),
		"LOKET_CONFIG": filepath.Join(dir, "config.toml"),
		"HOME":         dir,
	}}
	cfg := "timezone = \"Asia/Jakarta\"\n[station]\ncode = \"L3\"\nname = \"Loket 3\"\n[clerk]\nname = \"Sari\"\n"
	if err := os.WriteFile(te.env["LOKET_CONFIG"], []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		for _, p := range te.proc {
			_ = p.Process.Kill()
			_ = p.Wait()
		}
	})
	return te
}

// run runs one loket command in this process and returns stdout, stderr and the exit code.
func (te *testEnv) run(args ...string) (string, string, int) {
	te.t.Helper()
	var stdout, stderr bytes.Buffer
	app := &App{Stdout: &stdout, Stderr: &stderr, Cwd: te.cwd, Clock: te.now,
		Getenv: func(k string) string { return te.env[k] }}
	code := exitCode(app.Run(context.Background(), args), &stderr)
	return stdout.String(), stderr.String(), code
}

func (te *testEnv) mustRun(args ...string) string {
	te.t.Helper()
	out, errOut, code := te.run(args...)
	if code != 0 {
		te.t.Fatalf("loket %s: exit %d\n%s%s", strings.Join(args, " "), code, out, errOut)
	}
	return out
}

// start starts a real loket process (the test binary acting as loket).
func (te *testEnv) start(args ...string) *exec.Cmd {
	te.t.Helper()
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = []string{"LOKET_TEST_MAIN=1", "PATH=" + os.Getenv("PATH")}
	for k, v := range te.env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		te.t.Fatal(err)
	}
	te.proc = append(te.proc, cmd)
	return cmd
}

// startOwner starts `loket daemon` and waits until it answers on its socket.
func (te *testEnv) startOwner() *exec.Cmd {
	te.t.Helper()
	cmd := te.start("daemon")
	sock := filepath.Join(te.env["LOKET_DATA"], relay.FileName)
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if _, err := relay.Forward(context.Background(), sock, relay.Request{Args: []string{"version"}}); err == nil {
			return cmd
		}
		time.Sleep(20 * time.Millisecond)
	}
	te.t.Fatal("loket daemon did not answer on its socket within 10s")
	return nil
}

const nik = "3201014107900001"

func TestCommandsEndToEnd(t *testing.T) {
	te := newTestEnv(t)
	out := te.mustRun("add", "--service", "A", "--name", "Siti Aminah", "--nik", nik, "--phone", "0812 3456 7890", "--format", "json")
	var r queue.Request
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("add --format json: %v\n%s", err, out)
	}
	if r.Ticket != "A-001" || r.NIK != "************0001" || r.Phone != "+62*******7890" || r.Counter != "L3" || r.Clerk != "Sari" {
		t.Fatalf("add json = %+v", r)
	}
	if strings.Contains(out, nik) {
		t.Fatal("add printed the full NIK")
	}
	var rb queue.Request
	json.Unmarshal([]byte(te.mustRun("add", "--service", "B", "--name", "Budi", "--nik", "3578010101850002", "--priority", "elderly", "--format", "json")), &rb)

	if out := te.mustRun("call"); !strings.Contains(out, "B-001 called") {
		t.Fatalf("call (priority first) = %q", out)
	}
	if out := te.mustRun("call", "--service", "A"); !strings.Contains(out, "A-001 called") {
		t.Fatalf("call --service A = %q", out)
	}
	te.mustRun("recall", "A-001")
	out = te.mustRun("recall", "a1")
	if !strings.Contains(out, "calls so far: 3") || !strings.Contains(out, "loket noshow A-001") {
		t.Fatalf("third call should offer no-show: %q", out)
	}
	te.mustRun("noshow", "A-001")
	te.mustRun("serve", "B-001")
	te.mustRun("transfer", "B-001", "--service", "C")
	te.mustRun("call")
	te.mustRun("serve", strings.ToLower(rb.TrackingCode)) // B-001 again, by tracking code
	if out := te.mustRun("done", "B-001"); !strings.Contains(out, "B-001 is now done") {
		t.Fatalf("done = %q", out)
	}

	out = te.mustRun("list", "--format", "csv")
	rows, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil || len(rows) != 3 {
		t.Fatalf("list csv: %v\n%s", err, out)
	}
	if strings.Contains(out, nik) {
		t.Fatal("list printed the full NIK")
	}
	out = te.mustRun("list", "--status", "no_show")
	if !strings.Contains(out, "A-001") || strings.Contains(out, "B-001") {
		t.Fatalf("list --status no_show = %q", out)
	}
	if out := te.mustRun("find", "siti"); !strings.Contains(out, "A-001") {
		t.Fatalf("find siti = %q", out)
	}
	out = te.mustRun("show", "B-001")
	for _, want := range []string{"moved to service", "B -> C", "************0002", "Status:         done"} {
		if !strings.Contains(out, want) {
			t.Errorf("show B-001 lacks %q:\n%s", want, out)
		}
	}

	out = te.mustRun("export", "--format", "csv")
	rows, err = csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(rows[0], ",") != "id,tracking_code,ticket,service,status,priority,name,nik,phone,station,arrived_at,called_at,serving_at,done_at,counter,clerk" {
		t.Fatalf("export header = %v", rows[0])
	}
	if len(rows) != 3 || rows[1][7] != "************0001" || rows[1][4] != "no_show" || rows[2][3] != "C" || rows[2][13] == "" {
		t.Fatalf("export rows = %v", rows[1:])
	}
	if rows[1][13] != "" {
		t.Fatalf("done_at of a no-show = %q, want empty", rows[1][13])
	}
	te.mustRun("export", "--format", "json", "--out", "out.json")
	var objs []map[string]string
	data, _ := os.ReadFile(filepath.Join(te.cwd, "out.json"))
	if err := json.Unmarshal(data, &objs); err != nil || len(objs) != 2 || objs[0]["ticket"] != "A-001" {
		t.Fatalf("export json: %v %s", err, data)
	}
	if out := te.mustRun("export", "--from", "2000-01-01", "--to", "2000-01-02"); strings.Count(out, "\n") != 1 {
		t.Fatalf("export of an empty range = %q", out)
	}
	if out := te.mustRun("check"); !strings.HasSuffix(out, "ok\n") {
		t.Fatalf("check = %q", out)
	}
}

func TestExitCodesAndErrors(t *testing.T) {
	te := newTestEnv(t)
	te.mustRun("add", "--service", "A", "--name", "Siti", "--nik", nik)
	tests := []struct {
		args   []string
		code   int
		errHas string
	}{
		{[]string{"add", "--service", "A", "--name", "Budi", "--nik", "123"}, 2, "nik: must be 16 digits"},
		{[]string{"add", "--service", "Z", "--name", "Budi", "--nik", nik}, 2, `unknown service "Z"`},
		{[]string{"add", "--service", "A", "--nik", nik}, 2, "name: required"},
		{[]string{"add", "--service", "A", "--name", "Budi", "--nik", nik, "--phone", "555"}, 2, "phone:"},
		{[]string{"add", "--service", "A", "--name", "Bu\x1b[2Jdi", "--nik", nik}, 2, "control character"},
		{[]string{"add", "--bogus"}, 2, "add does not take --bogus"},
		{[]string{"frobnicate"}, 2, `unknown command "frobnicate"`},
		{[]string{"serve", "A-001"}, 2, "Cannot serve A-001: it is waiting"},
		{[]string{"done", "A-099"}, 2, "No request A-099: a ticket alone is today's"},
		{[]string{"done"}, 2, "exactly one REF"},
		{[]string{"transfer", "A-001"}, 2, "--service"},
		{[]string{"list", "--format", "xml"}, 2, `--format "xml"`},
		{[]string{"list", "--status", "lost"}, 2, "unknown status"},
		{[]string{"list", "--date", "yesterday"}, 2, "not a date"},
		{[]string{"call", "--service", "G"}, 1, "no request of service G is waiting"},
	}
	for _, tt := range tests {
		_, errOut, code := te.run(tt.args...)
		if code != tt.code || !strings.Contains(errOut, tt.errHas) {
			t.Errorf("loket %q: exit %d, stderr %q; want exit %d with %q", tt.args, code, errOut, tt.code, tt.errHas)
		}
	}
	// Nothing above wrote anything.
	if out := te.mustRun("check", "--format", "json"); !strings.Contains(out, `"events": 1`) {
		t.Fatalf("refused commands wrote events: %s", out)
	}
	// Every command has --help, exit 0.
	for _, name := range commands().Names() {
		out, _, code := te.run(name, "--help")
		if code != 0 || !strings.Contains(out, "Usage: loket "+name) {
			t.Errorf("loket %s --help: exit %d, %q", name, code, out)
		}
	}
}

func TestServicesImport(t *testing.T) {
	te := newTestEnv(t)
	good := `[[service]]
code = "A"
name_id = "Perizinan Berusaha"
name_en = "Business licensing"
sla_days = 2
target_wait_minutes = 15
documents = ["KTP"]

[[service]]
code = "K"
name_id = "Layanan Baru"
name_en = "New service"
sla_days = 3
target_wait_minutes = 10
documents = []
`
	bad := strings.Replace(good, `code = "K"`, `code = "k9"`, 1)
	os.WriteFile(filepath.Join(te.cwd, "good.toml"), []byte(good), 0o600)
	os.WriteFile(filepath.Join(te.cwd, "bad.toml"), []byte(bad), 0o600)
	os.WriteFile(filepath.Join(te.cwd, "bad.json"), []byte(`{"services": [{"code": "A", "name_id": "x"}]}`), 0o600)

	before := te.mustRun("services", "--format", "json")
	for _, f := range []string{"bad.toml", "bad.json", "missing.toml"} {
		if _, errOut, code := te.run("services", "import", f); code == 0 {
			t.Fatalf("import %s succeeded", f)
		} else if !strings.Contains(errOut, f) {
			t.Fatalf("import %s error does not name the file: %q", f, errOut)
		}
	}
	if after := te.mustRun("services", "--format", "json"); after != before {
		t.Fatal("a refused import changed the catalog")
	}
	te.mustRun("services", "import", "good.toml")
	var svcs []queue.Service
	json.Unmarshal([]byte(te.mustRun("services", "--format", "json")), &svcs)
	active := map[string]bool{}
	for _, s := range svcs {
		active[s.Code] = s.Active
	}
	if !active["A"] || !active["K"] || active["B"] || len(svcs) != 9 {
		t.Fatalf("after import: %+v", active)
	}
	if _, errOut, _ := te.run("add", "--service", "B", "--name", "X", "--nik", nik); !strings.Contains(errOut, "not active") {
		t.Fatalf("add to a service dropped from the catalog: %q", errOut)
	}
	te.mustRun("add", "--service", "K", "--name", "X", "--nik", nik)
}

// TestOwnerSocket: while a real loket process holds the database, other
// commands run through it and print what they would have printed alone; a
// killed owner's stale socket is detected and replaced.
func TestOwnerSocket(t *testing.T) {
	te := newTestEnv(t)
	te.mustRun("add", "--service", "A", "--name", "Before Owner", "--nik", nik)
	owner := te.startOwner()

	out := te.mustRun("add", "--service", "A", "--name", "Through Owner", "--nik", nik)
	if !strings.HasPrefix(out, "ticket A-002  tracking ") {
		t.Fatalf("add through the owner = %q", out)
	}
	if _, errOut, code := te.run("add", "--service", "A", "--name", "X", "--nik", "1"); code != 2 || !strings.Contains(errOut, "nik: must be 16 digits") {
		t.Fatalf("invalid add through the owner: exit %d, %q", code, errOut)
	}
	out = te.mustRun("list")
	if !strings.Contains(out, "Before Owner") || !strings.Contains(out, "Through Owner") {
		t.Fatalf("list through the owner = %q", out)
	}
	te.mustRun("backup", "copy.db") // relative to the client's directory
	copyPath := filepath.Join(te.cwd, "copy.db")
	st, err := store.Open(copyPath, store.Options{})
	if err != nil {
		t.Fatalf("open backup: %v", err)
	}
	var n int
	st.View(context.Background(), func(tx *store.Tx) error {
		return tx.Between("", "", func(queue.Request) error { n++; return nil })
	})
	if rep, _ := st.Check(context.Background()); !rep.OK() || n != 2 {
		t.Fatalf("backup has %d requests, problems %v", n, rep.Problems)
	}
	st.Close()
	if info, err := os.Stat(filepath.Join(te.env["LOKET_DATA"], relay.FileName)); err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("socket mode: %v %v", info.Mode(), err)
	}

	// kill -9 leaves a stale socket; commands open the file themselves again.
	_ = owner.Process.Signal(syscall.SIGKILL)
	_ = owner.Wait()
	if _, err := os.Stat(filepath.Join(te.env["LOKET_DATA"], relay.FileName)); err != nil {
		t.Fatalf("expected a stale socket after kill -9: %v", err)
	}
	out = te.mustRun("add", "--service", "A", "--name", "After Kill", "--nik", nik)
	if !strings.HasPrefix(out, "ticket A-003") {
		t.Fatalf("add after the owner was killed = %q", out)
	}
	// A new owner replaces the stale socket.
	te.startOwner()
	if out := te.mustRun("list"); !strings.Contains(out, "After Kill") {
		t.Fatalf("list through the new owner = %q", out)
	}
}

// TestLockedWithoutOwner: a database held by a process that does not answer
// fails within about 2 seconds with a clear error, instead of hanging.
func TestLockedWithoutOwner(t *testing.T) {
	te := newTestEnv(t)
	st, err := store.Open(filepath.Join(te.env["LOKET_DATA"], store.FileName), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	start := time.Now()
	_, errOut, code := te.run("list")
	if d := time.Since(start); d > 3*time.Second {
		t.Fatalf("locked database took %v to fail", d)
	}
	if code != 1 || !strings.Contains(errOut, "locked by another process") {
		t.Fatalf("exit %d, %q", code, errOut)
	}
}

func TestCorruptDatabase(t *testing.T) {
	te := newTestEnv(t)
	path := filepath.Join(te.env["LOKET_DATA"], store.FileName)
	os.MkdirAll(filepath.Dir(path), 0o700)
	junk := bytes.Repeat([]byte("garbage!"), 4096)
	os.WriteFile(path, junk, 0o600)
	_, errOut, code := te.run("list")
	if code != 1 || !strings.Contains(errOut, path) {
		t.Fatalf("corrupt database: exit %d, %q", code, errOut)
	}
	if got, _ := os.ReadFile(path); !bytes.Equal(got, junk) {
		t.Fatal("a corrupt database file was modified")
	}
}

func TestInitWritesConfig(t *testing.T) {
	te := newTestEnv(t)
	te.mustRun("init", "--office-name", "DPMPTSP Kota Bandung", "--station-code", "L7", "--clerk", "Dewi", "--lang", "id",
		"--server", "https://central.example/", "--token", "lkt_secret")
	data, _ := os.ReadFile(te.env["LOKET_CONFIG"])
	for _, want := range []string{`name = "DPMPTSP Kota Bandung"`, `code = "L7"`, `name = "Dewi"`, `language = "id"`, `timezone = "Asia/Jakarta"`} {
		if !strings.Contains(string(data), want) {
			t.Errorf("config lacks %s:\n%s", want, data)
		}
	}
	if strings.Contains(string(data), "lkt_secret") {
		t.Fatal("the token was written into the config file")
	}
	info, err := os.Stat(filepath.Join(filepath.Dir(te.env["LOKET_CONFIG"]), "token"))
	if err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("token file: %v %v", info, err)
	}
	if _, errOut, code := te.run("init", "--paper", "legal"); code != 2 || !strings.Contains(errOut, "receipt.paper") {
		t.Fatalf("init with bad paper: exit %d %q", code, errOut)
	}
	out := te.mustRun("add", "--service", "A", "--name", "X", "--nik", nik, "--format", "json")
	if !strings.Contains(out, `"counter": "L7"`) || !strings.Contains(out, `"clerk": "Dewi"`) {
		t.Fatalf("add after init = %s", out)
	}
}

func TestDemo(t *testing.T) {
	te := newTestEnv(t)
	te.now = func() time.Time { return fixedNow }
	out := te.mustRun("demo", "--days", "8", "--seed", "7")
	if !strings.Contains(out, "days: 6 ") { // 8 days back from a Friday: 6 working days
		t.Fatalf("demo = %q", out)
	}
	if _, errOut, code := te.run("demo", "--days", "2"); code == 0 || !strings.Contains(errOut, "--force") {
		t.Fatalf("demo on a full database: exit %d %q", code, errOut)
	}
	if out := te.mustRun("check"); !strings.HasSuffix(out, "ok\n") {
		t.Fatalf("check after demo = %q", out)
	}
	csvOut := te.mustRun("export", "--format", "csv")
	rows, _ := csv.NewReader(strings.NewReader(csvOut)).ReadAll()
	statuses := map[string]int{}
	for _, r := range rows[1:] {
		statuses[r[4]]++
	}
	if len(rows) < 1000 || statuses["done"] < len(rows)*8/10 || statuses["no_show"] == 0 || statuses["cancelled"] == 0 {
		t.Fatalf("demo history looks wrong: %d rows, %v", len(rows)-1, statuses)
	}
	// Today (09:30 on a Friday) is simulated only up to now.
	today := te.mustRun("list", "--format", "csv")
	for _, r := range mustCSV(t, today)[1:] {
		if r[6] > "2026-11-27T09:30:00+07:00" {
			t.Fatalf("demo wrote a request after now: %v", r)
		}
	}
}

func mustCSV(t *testing.T, s string) [][]string {
	rows, err := csv.NewReader(strings.NewReader(s)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

// TestUIFlags: `loket --lang en --data DIR` opens the UI with those flags
// (here it stops, as it should, for want of a terminal, after opening the
// database in --data).
func TestUIFlags(t *testing.T) {
	te := newTestEnv(t)
	other := filepath.Join(te.dir, "elsewhere")
	_, errOut, code := te.run("--data", other, "--lang", "en")
	if code != 1 || !strings.Contains(errOut, "needs a terminal") {
		t.Fatalf("global flags without a command: exit %d, %q", code, errOut)
	}
	if _, err := os.Stat(filepath.Join(other, store.FileName)); err != nil {
		t.Fatalf("the UI did not open the database in --data: %v", err)
	}
	if _, errOut, code := te.run("--bogus"); code != 2 || !strings.Contains(errOut, "bogus") {
		t.Fatalf("unknown global flag: exit %d, %q", code, errOut)
	}
}

// fakeLP puts an lp on PATH that logs its arguments, or fails.
func fakeLP(t *testing.T, te *testEnv, fail bool) string {
	dir := t.TempDir()
	log := filepath.Join(dir, "lp.log")
	script := "#!/bin/sh\necho \"$@\" >> " + log + "\n"
	if fail {
		script += "echo 'lp: The printer or class does not exist.' >&2\nexit 1\n"
	}
	os.WriteFile(filepath.Join(dir, "lp"), []byte(script), 0o755)
	t.Setenv("PATH", dir+string(os.PathListSeparator)+os.Getenv("PATH"))
	return log
}

func TestReceipts(t *testing.T) {
	te := newTestEnv(t)
	cfg, _ := os.ReadFile(te.env["LOKET_CONFIG"])
	os.WriteFile(te.env["LOKET_CONFIG"], append(cfg, []byte("[receipt]\nprinter = \"kasir\"\npaper = \"58mm\"\n")...), 0o600)

	// A printer that fails: the registration stands, the failure is reported.
	fakeLP(t, te, true)
	out, errOut, code := te.run("add", "--service", "A", "--name", "Siti", "--nik", nik)
	if code != 0 || !strings.HasPrefix(out, "ticket A-001") || !strings.Contains(errOut, "receipt not printed") || !strings.Contains(errOut, "does not exist") {
		t.Fatalf("add with a failing printer: exit %d\n%s%s", code, out, errOut)
	}
	if out := te.mustRun("list"); !strings.Contains(out, "A-001") {
		t.Fatal("the request is gone after a print failure")
	}
	pdfs, _ := filepath.Glob(filepath.Join(te.env["LOKET_DATA"], "receipts", "*", "A-001-*.pdf"))
	if len(pdfs) != 1 {
		t.Fatalf("saved receipts: %v", pdfs)
	}
	if _, errOut, code := te.run("receipt", "A-001", "--print"); code != 1 || !strings.Contains(errOut, "not printed") {
		t.Fatalf("reprint with a failing printer: exit %d %q", code, errOut)
	}

	// The printer is back: the reprint works and says so.
	log := fakeLP(t, te, false)
	if out := te.mustRun("receipt", "A-001", "--print"); !strings.Contains(out, "(printed)") {
		t.Fatalf("reprint = %q", out)
	}
	args, _ := os.ReadFile(log)
	if !strings.Contains(string(args), "-d kasir -o media=Custom.58x") || !strings.Contains(string(args), "A-001-") {
		t.Fatalf("lp got %q", args)
	}
	te.mustRun("receipt", "A-001", "--out", "copy.pdf", "--paper", "A4")
	if data, _ := os.ReadFile(filepath.Join(te.cwd, "copy.pdf")); !bytes.HasPrefix(data, []byte("%PDF")) {
		t.Fatal("receipt --out wrote no PDF")
	}
	if _, errOut, code := te.run("receipt", "A-001", "--paper", "letter"); code != 2 || !strings.Contains(errOut, "letter") {
		t.Fatalf("bad paper: exit %d %q", code, errOut)
	}
}

// centralServer runs a real central server on loopback in this process.
func centralServer(t *testing.T) (url string, token func(office, station string) string, stop func()) {
	dir := t.TempDir()
	st, err := central.OpenBolt(dir, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		// The applicant's pages unlimited here: the tests poll them (their
		// limits have tests of their own in sync/central).
		(&central.Server{Storage: st, Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
			SurveyRate: rate.Inf, SurveyBurst: 1, TrackRate: rate.Inf, TrackBurst: 1}).Serve(ctx, ln, "", "")
	}()
	stopped := false
	stop = func() {
		if !stopped {
			stopped = true
			cancel()
			<-done
		}
	}
	t.Cleanup(func() { stop(); st.Close() })
	return "http://" + ln.Addr().String(), func(office, station string) string {
		_, tok, err := st.AddStation(office, station, "", time.Now())
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}, stop
}

func TestSyncCommand(t *testing.T) {
	url, token, stop := centralServer(t)
	te := newTestEnv(t)
	te.mustRun("add", "--service", "A", "--name", "Siti", "--nik", nik)
	if _, errOut, code := te.run("sync"); code != 2 || !strings.Contains(errOut, "no central server") {
		t.Fatalf("sync without a server: exit %d %q", code, errOut)
	}
	tok := token("3273", "L3")
	te.mustRun("init", "--server", url, "--token", tok)
	out := te.mustRun("sync")
	if !strings.Contains(out, "sync: events sent: 1; server holds: 1; pending: 0") {
		t.Fatalf("sync = %q", out)
	}
	// With the counter program (here: another process) holding the database.
	te.startOwner()
	te.mustRun("add", "--service", "A", "--name", "Budi", "--nik", nik)
	if out := te.mustRun("sync", "--format", "json"); !strings.Contains(out, `"sent": 1`) || !strings.Contains(out, `"pending": 0`) {
		t.Fatalf("sync through the owner = %q", out)
	}
	// The central figures of the office equal this counter's (it is the only one).
	local := te.mustRun("stats", "--format", "json")
	if centralOut := te.mustRun("stats", "--central", "--format", "json"); centralOut != local {
		t.Fatalf("stats --central differs from the local figures:\n%s\n%s", centralOut, local)
	}
	if out := te.mustRun("stats", "--central"); !strings.HasPrefix(out, "Central figures for the whole office") {
		t.Fatalf("stats --central text = %q", out)
	}
	// Refused: a wrong token (exit 4); unreachable: the server stopped (exit 3).
	if _, errOut, code := te.run("sync", "--token", central.TokenPrefix+strings.Repeat("1", 64)); code != 4 || !strings.Contains(errOut, "401") {
		t.Fatalf("wrong token: exit %d %q", code, errOut)
	}
	stop()
	if _, errOut, code := te.run("sync", "--timeout", "3s"); code != 3 || !strings.Contains(errOut, "nothing is lost") {
		t.Fatalf("server down: exit %d %q", code, errOut)
	}
}

// TestUIPicksUpAnotherProcess: the UI holds the database and serves the
// owner socket, as `loket` does; a separate `loket add` process registers
// through it, and the queue screen shows the walk-in without a key press.
func TestUIPicksUpAnotherProcess(t *testing.T) {
	te := newTestEnv(t)
	dataDir := te.env["LOKET_DATA"]
	st, err := store.Open(filepath.Join(dataDir, store.FileName), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go serveOwner(ctx, st, dataDir, nil)
	m := tui.New(ctx, tui.Options{Backend: st, Lang: "en", Counter: "L1", Now: st.Now, Location: st.Location()})
	defer m.Close()
	tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(80, 24))
	teatest.WaitFor(t, tm.Output(), func(b []byte) bool { return bytes.Contains(b, []byte("No requests today yet")) },
		teatest.WithDuration(5*time.Second))

	add := exec.Command(os.Args[0], "add", "--service", "B", "--name", "Kiosk Process", "--nik", nik)
	add.Env = []string{"LOKET_TEST_MAIN=1", "PATH=" + os.Getenv("PATH")}
	for k, v := range te.env {
		add.Env = append(add.Env, k+"="+v)
	}
	if out, err := add.CombinedOutput(); err != nil || !bytes.Contains(out, []byte("ticket B-001")) {
		t.Fatalf("loket add in another process: %v %s", err, out)
	}
	teatest.WaitFor(t, tm.Output(), func(b []byte) bool { return bytes.Contains(b, []byte("Kiosk Process")) },
		teatest.WithDuration(time.Second+500*time.Millisecond), teatest.WithCheckInterval(20*time.Millisecond))
	tm.Send(tea.KeyMsg{Type: tea.KeyCtrlC})
	tm.WaitFinished(t, teatest.WithFinalTimeout(5*time.Second))
}

// TestSyncThroughTheUIsSyncer: with the counter program's syncer answering
// (forwarded command), loket sync --jitter uses it and needs no client.
func TestSyncThroughTheUIsSyncer(t *testing.T) {
	url, token, _ := centralServer(t)
	te := newTestEnv(t)
	te.mustRun("add", "--service", "A", "--name", "Siti", "--nik", nik)
	st, err := store.Open(filepath.Join(te.env["LOKET_DATA"], store.FileName), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	syncer := &station.Syncer{Client: &station.Client{URL: url, Token: token("3273", "L9"), Store: st}}
	var stdout, stderr bytes.Buffer
	app := &App{Stdout: &stdout, Stderr: &stderr, Cwd: te.cwd, owned: st, syncer: syncer, Getenv: func(k string) string { return te.env[k] }}
	if code := exitCode(app.Run(context.Background(), []string{"sync", "--jitter", "1ms"}), &stderr); code != 0 {
		t.Fatalf("sync through the syncer: exit %d %s", code, stderr.String())
	}
	if !strings.Contains(stdout.String(), "events sent: 1") || syncer.Status().LastSync.IsZero() {
		t.Fatalf("sync through the syncer: %q %+v", stdout.String(), syncer.Status())
	}
}

func TestNoColor(t *testing.T) {
	env := map[string]string{}
	get := func(k string) string { return env[k] }
	if _, set := colorProfile(get); set {
		t.Fatal("a profile was forced without NO_COLOR")
	}
	env["NO_COLOR"] = "1"
	if p, set := colorProfile(get); !set || p != termenv.Ascii {
		t.Fatalf("NO_COLOR=1 gives %v %v", p, set)
	}
}
