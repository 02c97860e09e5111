package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/loket-id/loket/config"
	"github.com/loket-id/loket/hub"
	"github.com/loket-id/loket/hub/hubtest"
	"github.com/loket-id/loket/pdfdoc/pdftest"
	"github.com/loket-id/loket/queue"
	"github.com/loket-id/loket/store"
	"github.com/loket-id/loket/sync/central"
	"github.com/loket-id/loket/sync/station"
)

// TestCloseDay: the nightly close of yesterday (the default), its dry run
// and its run, what it leaves open (being served), today refused without
// --today, and a second run that closes nothing more.
func TestCloseDay(t *testing.T) {
	te := newTestEnv(t)
	// A clock that ticks a millisecond a reading: arrivals keep their order.
	var mu sync.Mutex
	clock := fixedNow.AddDate(0, 0, -1)
	te.now = func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		clock = clock.Add(time.Millisecond)
		return clock
	}
	for _, name := range []string{"Siti Aminah", "Budi", "Wayan"} {
		te.mustRun("add", "--service", "A", "--name", name, "--nik", nik)
	}
	te.mustRun("call")                            // A-001 called
	te.mustRun("call")                            // A-002 called
	te.mustRun("serve", "A-002")                  // A-002 being served: stays open
	te.now = func() time.Time { return fixedNow } // the next morning

	out := te.mustRun("close-day", "--dry-run")
	for _, want := range []string{"Dry run, nothing changed: day 2026-11-26, to be marked no-show: 2",
		"2026-11-26/A-001", "2026-11-26/A-003", "Still being served, left open: 1", "2026-11-26/A-002", "loket done 2026-11-26/A-002"} {
		if !strings.Contains(out, want) {
			t.Errorf("close-day --dry-run lacks %q:\n%s", want, out)
		}
	}
	if list := te.mustRun("list", "--date", "2026-11-26", "--status", "no_show"); list != "no requests\n" {
		t.Fatalf("the dry run closed something:\n%s", list)
	}
	out = te.mustRun("close-day", "--lang", "id")
	if !strings.Contains(out, "Hari 2026-11-26 ditutup: 2 permohonan ditandai tidak hadir") || !strings.Contains(out, "Masih dilayani, tidak ditutup: 1") {
		t.Fatalf("close-day:\n%s", out)
	}
	if list := te.mustRun("list", "--date", "2026-11-26", "--status", "no_show"); strings.Count(list, "no-show") != 2 {
		t.Fatalf("after close-day:\n%s", list)
	}
	var again struct {
		queue.DayClose
		DryRun bool `json:"dry_run"`
	}
	if err := json.Unmarshal([]byte(te.mustRun("close-day", "2026-11-26", "--format", "json")), &again); err != nil ||
		len(again.Closed) != 0 || len(again.Serving) != 1 || again.DryRun || again.Serving[0].NIK == nik {
		t.Fatalf("a second close-day: %+v %v", again, err)
	}
	for _, tc := range []struct {
		args []string
		err  string
	}{
		{[]string{"close-day", "2026-11-27"}, "2026-11-27 is today"},
		{[]string{"close-day", "2026-11-28", "--today"}, "has not come yet"},
		{[]string{"close-day", "--as", "done"}, `--as "done" is not no_show or cancelled`},
		{[]string{"close-day", "yesterday"}, "not a date"},
		{[]string{"close-day", "2026-11-20", "2026-11-21"}, "at most one DATE"},
	} {
		if _, errOut, code := te.run(tc.args...); code != 2 || !strings.Contains(errOut, tc.err) {
			t.Errorf("loket %q: exit %d %q; want exit 2 with %q", tc.args, code, errOut, tc.err)
		}
	}
	te.mustRun("add", "--service", "B", "--name", "Dewi", "--nik", nik)
	if out := te.mustRun("close-day", "--today", "--as", "cancelled"); !strings.Contains(out, "Day 2026-11-27 closed: 1 marked cancelled") {
		t.Fatalf("close-day --today:\n%s", out)
	}
	logged, _ := os.ReadFile(filepath.Join(te.env["LOKET_DATA"], logFileName))
	if !strings.Contains(string(logged), `msg="day closed" day=2026-11-26 as=no_show closed=2 left_serving=1`) {
		t.Fatalf("loket.log lacks the close:\n%s", logged)
	}
}

// TestReopenAndIdentify: reopen puts a no-show back in line; identify gives
// a kiosk walk-in its identity.
func TestReopenAndIdentify(t *testing.T) {
	te := newTestEnv(t)
	te.mustRun("add", "--service", "A", "--name", "Siti", "--nik", nik)
	if _, errOut, code := te.run("reopen", "A-001"); code != 2 || !strings.Contains(errOut, "Cannot reopen A-001: it is waiting") {
		t.Fatalf("reopen of a waiting request: exit %d %q", code, errOut)
	}
	te.mustRun("noshow", "A-001")
	if out := te.mustRun("reopen", "A-001"); out != "A-001 reopened: waiting again\n" {
		t.Fatalf("reopen = %q", out)
	}
	if out := te.mustRun("show", "A-001"); !strings.Contains(out, "reopened") || !strings.Contains(out, "Status:         waiting") {
		t.Fatalf("show after reopen:\n%s", out)
	}

	// A kiosk walk-in (no identity), as the hub's kiosk registers it.
	loc, _ := time.LoadLocation("Asia/Jakarta")
	st, err := store.Open(filepath.Join(te.env["LOKET_DATA"], store.FileName), store.Options{Location: loc})
	if err != nil {
		t.Fatal(err)
	}
	r, _, _, err := st.RegisterWalkIn(bg, "", "B", queue.PriorityNone, queue.Actor{Counter: "KIOSK"})
	st.Close()
	if err != nil {
		t.Fatal(err)
	}
	if _, errOut, code := te.run("identify", r.Ticket, "--name", "Wayan", "--nik", "123"); code != 2 || !strings.Contains(errOut, "nik: must be 16 digits") {
		t.Fatalf("identify with a bad NIK: exit %d %q", code, errOut)
	}
	out, errOut, code := te.run("identify", r.Ticket, "--name", "Wayan Sudarsana", "--nik", nik, "--phone", "081234567890", "--lang", "id")
	if code != 0 || out != "B-001: identitas dicatat: Wayan Sudarsana, NIK ************0001\n" || !strings.Contains(errOut, ".pdf") {
		t.Fatalf("identify: exit %d %q %q", code, out, errOut)
	}
	// The full receipt (tanda terima) is made at the counter, with the name.
	pdfs, _ := filepath.Glob(filepath.Join(te.env["LOKET_DATA"], "receipts", "*", "B-001-*.pdf"))
	if len(pdfs) != 1 {
		t.Fatalf("receipts of B-001 after identify: %v", pdfs)
	}
	pdfBytes, _ := os.ReadFile(pdfs[0])
	if text := pdftest.Text(t, pdfBytes); !strings.Contains(text, "Wayan Sudarsana") {
		t.Fatalf("the receipt after identify lacks the name:\n%s", text)
	}
	if out := te.mustRun("show", "B-001"); !strings.Contains(out, "Wayan Sudarsana") || strings.Contains(out, nik) {
		t.Fatalf("show after identify:\n%s", out)
	}
}

var bg = context.Background()

// TestAddWarnsSameNIKSameService: the same NIK for the same service today
// is registered (exit 0) with a warning on stderr, in the program's
// language; another service is not warned about.
func TestAddWarnsSameNIKSameService(t *testing.T) {
	te := newTestEnv(t)
	if _, errOut, _ := te.run("add", "--service", "A", "--name", "Siti", "--nik", nik); strings.Contains(errOut, "already registered") {
		t.Fatalf("first registration warned: %q", errOut)
	}
	out, errOut, code := te.run("add", "--service", "A", "--name", "Siti", "--nik", nik)
	if code != 0 || !strings.HasPrefix(out, "ticket A-002") ||
		!strings.Contains(errOut, "warning: this NIK was already registered today for service A: A-001 (waiting); A-002 is registered as well") {
		t.Fatalf("second registration: exit %d %q %q", code, out, errOut)
	}
	te.env["LOKET_LANG"] = "id"
	_, errOut, code = te.run("add", "--service", "A", "--name", "Siti", "--nik", nik)
	if code != 0 || !strings.Contains(errOut, "peringatan: NIK ini sudah terdaftar hari ini untuk layanan A: A-001 (menunggu), A-002 (menunggu); A-003 tetap didaftarkan") {
		t.Fatalf("third registration (id): exit %d %q", code, errOut)
	}
	if _, errOut, _ := te.run("add", "--service", "B", "--name", "Siti", "--nik", nik); strings.Contains(errOut, "sudah terdaftar") || strings.Contains(errOut, nik) {
		t.Fatalf("another service warned: %q", errOut)
	}
}

// TestIndonesianCommandLine: show, list, stats, services and the usual
// errors speak Indonesian with --lang id and with LOKET_LANG=id; the
// machine formats do not change.
func TestIndonesianCommandLine(t *testing.T) {
	te := newTestEnv(t)
	te.mustRun("add", "--service", "A", "--name", "Siti Aminah", "--nik", nik, "--priority", "elderly")
	te.mustRun("call")
	csvEN := te.mustRun("list", "--format", "csv")
	for _, how := range []string{"flag", "env"} {
		t.Run(how, func(t *testing.T) {
			run := func(args ...string) (string, string, int) {
				if how == "flag" {
					return te.run(append(args, "--lang", "id")...)
				}
				te.env["LOKET_LANG"] = "id"
				defer delete(te.env, "LOKET_LANG")
				return te.run(args...)
			}
			must := func(args ...string) string {
				t.Helper()
				out, errOut, code := run(args...)
				if code != 0 {
					t.Fatalf("loket %q: exit %d %s", args, code, errOut)
				}
				return out
			}
			for _, tc := range []struct {
				args []string
				want []string
			}{
				{[]string{"show", "A-001"}, []string{"Nomor antrean:", "Kode lacak:", "Status:         dipanggil", "Prioritas:      lansia",
					"No. HP:", "Riwayat:", "didaftarkan", "dipanggil"}},
				{[]string{"list"}, []string{"ANTREAN", "DATANG", "TUNGGU", "NAMA", "KODE LACAK", "dipanggil"}},
				{[]string{"list", "--status", "done"}, []string{"tidak ada permohonan"}},
				{[]string{"stats"}, []string{"Angka lokal loket ini saja", "Statistik 2026-", "Datang 1", "Waktu tunggu", "Menurut layanan:", "LAYANAN", "DILAYANI"}},
				{[]string{"services"}, []string{"KODE", "NAMA", "AKTIF", "DOKUMEN", "ya", "hari"}},
				{[]string{"call"}, nil}, // nobody waits: an error, below
			} {
				if tc.want == nil {
					continue
				}
				out := must(tc.args...)
				for _, w := range tc.want {
					if !strings.Contains(out, w) {
						t.Errorf("loket %q lacks %q:\n%s", tc.args, w, out)
					}
				}
				for _, en := range []string{"TICKET", "Tracking code", "History", "CODE", "yes", "Arrivals", "By service"} {
					if strings.Contains(out, en) {
						t.Errorf("loket %q says %q in English:\n%s", tc.args, en, out)
					}
				}
			}
			if got := must("list", "--format", "csv"); got != csvEN {
				t.Errorf("list --format csv changed with the language:\n%s\n%s", got, csvEN)
			}
			for _, tc := range []struct {
				args []string
				code int
				want string
			}{
				{[]string{"add", "--service", "A", "--name", "Budi", "--nik", "123"}, 2, "loket: nik: harus 16 angka"},
				{[]string{"serve", "A-099"}, 2, "loket: Tidak ada permohonan A-099: nomor antrean saja berarti hari ini"},
				{[]string{"reopen", "A-001"}, 2, "Tidak dapat membuka lagi A-001: statusnya dipanggil"},
				{[]string{"call"}, 1, "Tidak ada yang menunggu"},
				{[]string{"done"}, 2, "Penggunaan: loket done REF"},
			} {
				_, errOut, code := run(tc.args...)
				if code != tc.code || !strings.Contains(errOut, tc.want) {
					t.Errorf("loket %q: exit %d %q; want exit %d with %q", tc.args, code, errOut, tc.code, tc.want)
				}
			}
		})
	}
}

// TestIndonesianSyncAndDatabaseErrors: unreachable (3), refused (4, with
// what to do next) and a damaged database (1), said in Indonesian.
func TestIndonesianSyncAndDatabaseErrors(t *testing.T) {
	url, _, stop := centralServer(t)
	te := newTestEnv(t)
	te.env["LOKET_LANG"] = "id"
	te.mustRun("add", "--service", "A", "--name", "Siti", "--nik", nik)
	bad := central.TokenPrefix + strings.Repeat("1", 64)
	_, errOut, code := te.run("sync", "--server", url, "--token", bad)
	if code != exitRefused || !strings.Contains(errOut, "Ditolak server pusat") || !strings.Contains(errOut, "loket-central station rebind") ||
		!strings.Contains(errOut, "token baru") || strings.Contains(errOut, bad) {
		t.Fatalf("refused: exit %d %q", code, errOut)
	}
	delete(te.env, "LOKET_LANG")
	if _, errOut, _ := te.run("sync", "--server", url, "--token", bad); !strings.Contains(errOut, "rebind this counter") || !strings.Contains(errOut, "issue a new token") {
		t.Fatalf("refused (en) does not say what to do: %q", errOut)
	}
	te.env["LOKET_LANG"] = "id"
	stop()
	if _, errOut, code := te.run("sync", "--server", url, "--token", bad, "--timeout", "3s"); code != exitUnreachable || !strings.Contains(errOut, "Server pusat tidak terjangkau; tidak ada yang hilang") {
		t.Fatalf("unreachable: exit %d %q", code, errOut)
	}
	db := filepath.Join(te.env["LOKET_DATA"], store.FileName)
	data, _ := os.ReadFile(db)
	os.WriteFile(db, data[:len(data)/2], 0o600)
	if _, errOut, code := te.run("list"); code != 1 || !strings.Contains(errOut, "Basis data rusak dan tidak diubah") {
		t.Fatalf("damaged: exit %d %q", code, errOut)
	}
}

// TestLogHoldsFailuresNoPersonalData: a sync that failed and a receipt
// that did not print are in loket.log, in the office's time, and the log
// holds no NIK, phone or token; a sync without a terminal prints its one
// line on stdout and nothing on stderr.
func TestLogHoldsFailuresNoPersonalData(t *testing.T) {
	url, token, stop := centralServer(t)
	te := newTestEnv(t)
	cfg, _ := os.ReadFile(te.env["LOKET_CONFIG"])
	os.WriteFile(te.env["LOKET_CONFIG"], append(cfg, []byte("[receipt]\nprinter = \"kasir\"\n")...), 0o600)
	fakeLP(t, te, true)
	const phone = "081234567890"
	if _, errOut, code := te.run("add", "--service", "A", "--name", "Siti", "--nik", nik, "--phone", phone); code != 0 || !strings.Contains(errOut, "receipt not printed") {
		t.Fatalf("add: exit %d %q", code, errOut)
	}
	tok := token("3273", "L3")
	te.mustRun("init", "--server", url, "--token", tok)
	out, errOut, code := te.run("sync")
	if code != 0 || strings.Count(out, "\n") != 1 || !strings.HasPrefix(out, "sync: events sent: 1;") || errOut != "" {
		t.Fatalf("sync without a terminal: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	bad := central.TokenPrefix + strings.Repeat("7", 64)
	if _, _, code := te.run("sync", "--token", bad); code != exitRefused {
		t.Fatalf("refused sync: exit %d", code)
	}
	stop()
	if _, _, code := te.run("sync", "--timeout", "3s"); code != exitUnreachable {
		t.Fatalf("unreachable sync: exit %d", code)
	}
	data, err := os.ReadFile(filepath.Join(te.env["LOKET_DATA"], logFileName))
	if err != nil {
		t.Fatal(err)
	}
	logged := string(data)
	for _, want := range []string{`msg="receipt not printed" ticket=A-001`, "does not exist", `msg="sync done"`, `msg="sync failed"`,
		"refused by the server", "server unreachable", "+07:00 level="} {
		if !strings.Contains(logged, want) {
			t.Errorf("loket.log lacks %q:\n%s", want, logged)
		}
	}
	for _, secret := range []string{nik, nik[len(nik)-8:], phone, phone[len(phone)-8:], tok, tok[len(tok)-16:], bad[len(bad)-16:]} {
		if strings.Contains(logged, secret) {
			t.Errorf("loket.log holds %q:\n%s", secret, logged)
		}
	}
	if fi, err := os.Stat(filepath.Join(te.env["LOKET_DATA"], logFileName)); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("loket.log mode: %v %v", fi.Mode(), err)
	}
}

// TestUILogsSyncFailures: the UI's background syncer logs each failed
// attempt and the first success after, in the office's time.
func TestUILogsSyncFailures(t *testing.T) {
	var buf bytes.Buffer
	loc, _ := time.LoadLocation("Asia/Jayapura")
	log := syncLogger(newLogger(&buf, loc))
	fail := station.Status{Server: "http://127.0.0.1:1", LastError: "server unreachable: connection refused", Pending: 4}
	for _, s := range []station.Status{{Syncing: true}, fail, fail /* the next try's time */, {Syncing: true}, fail,
		{Syncing: true}, {Server: "http://127.0.0.1:1"}, {Syncing: true}, {}} {
		log(s)
	}
	got := buf.String()
	if strings.Count(got, `msg="sync failed"`) != 2 || strings.Count(got, `msg="sync succeeded again"`) != 1 || !strings.Contains(got, "+09:00 level=") {
		t.Fatalf("log:\n%s", got)
	}
}

// TestInitDerivesTheCounterName: --station-code without --station-name
// names the counter after its code; a name of its own is kept.
func TestInitDerivesTheCounterName(t *testing.T) {
	for code, want := range map[string]string{"L2": "Loket 2", "l12": "Loket 12", "L02": "Loket 2", "Loket3": "Loket 3", "CS": "Loket CS", "7": "Loket 7"} {
		if got := stationName(code); got != want {
			t.Errorf("stationName(%q) = %q, want %q", code, got, want)
		}
	}
	te := newTestEnv(t)
	os.Remove(te.env["LOKET_CONFIG"])
	name := func() string {
		cfg, err := config.Load(te.env["LOKET_CONFIG"])
		if err != nil {
			t.Fatal(err)
		}
		return cfg.Station.Name
	}
	te.mustRun("init", "--station-code", "L2")
	if got := name(); got != "Loket 2" {
		t.Fatalf("init --station-code L2: name %q", got)
	}
	te.mustRun("init", "--station-code", "L4")
	if got := name(); got != "Loket 4" {
		t.Fatalf("init --station-code L4 after L2: name %q", got)
	}
	te.mustRun("init", "--station-name", "Loket Prioritas")
	te.mustRun("init", "--station-code", "L5")
	if got := name(); got != "Loket Prioritas" {
		t.Fatalf("a name of its own was replaced: %q", got)
	}
}

// TestReportWhoseDataAndSignature: the report says whose data it is, and
// signs with the place, the head and the supervisor of the config; with
// --central it is the whole office's.
func TestReportWhoseDataAndSignature(t *testing.T) {
	if _, err := exec.LookPath("pdftotext"); err != nil {
		t.Skip("pdftotext (poppler-utils) not installed")
	}
	url, token, _ := centralServer(t)
	te := newTestEnv(t)
	te.now = func() time.Time { return fixedNow }
	cfg, _ := os.ReadFile(te.env["LOKET_CONFIG"])
	os.WriteFile(te.env["LOKET_CONFIG"], append(cfg, []byte("[office]\nname = \"DPMPTSP Kota Bandung\"\naddress = \"Jl. Wastukencana No. 2, Bandung 40117\"\n"+
		"head = \"Drs. Asep Hidayat, M.Si.\"\n[report]\nsupervisor = \"Rina Kartika\"\n")...), 0o600)
	te.mustRun("add", "--service", "A", "--name", "Siti", "--nik", nik)
	te.mustRun("init", "--server", url, "--token", token("3273", "L3"))
	te.mustRun("sync")
	text := func(file string) string {
		out, err := exec.Command("pdftotext", "-layout", filepath.Join(te.cwd, file), "-").Output()
		if err != nil {
			t.Fatal(err)
		}
		return strings.Join(strings.Fields(string(out)), " ")
	}
	if out := te.mustRun("report", "--out", "local.pdf", "--lang", "id"); !strings.Contains(out, "loket L3") {
		t.Fatalf("report = %q", out)
	}
	local := text("local.pdf")
	for _, want := range []string{"Jumat, 27 November 2026", "loket L3", "Bandung, 27 November 2026", "Drs. Asep Hidayat, M.Si.", "Rina Kartika"} {
		if !strings.Contains(local, want) {
			t.Errorf("local report lacks %q:\n%s", want, local)
		}
	}
	if out := te.mustRun("report", "--central", "--out", "office.pdf", "--month", "2026-11"); !strings.Contains(out, "whole office") {
		t.Fatalf("report --central = %q", out)
	}
	office := text("office.pdf")
	if !strings.Contains(office, "the whole office (central server)") || !strings.Contains(office, "November 2026") {
		t.Errorf("central report:\n%s", office)
	}
}

// TestNotThroughTheHubYet: close-day and identify on an office queue that
// cannot do them (an office.Queue without them) exit 2, say so, and do
// nothing. The hub's client can: TestIdentifyAndCloseDayThroughTheHub.
func TestNotThroughTheHubYet(t *testing.T) {
	te := newTestEnv(t)
	loc, _ := time.LoadLocation("Asia/Jakarta")
	st, err := store.Open(filepath.Join(t.TempDir(), "office.db"), store.Options{Location: loc})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	q := &countingQueue{Queue: st, calls: map[string]int{}} // only office.Queue's methods
	for _, args := range [][]string{{"close-day"}, {"close-day", "--dry-run"}, {"identify", "A-001", "--name", "Siti", "--nik", nik}} {
		for _, lang := range []string{"en", "id"} {
			var stdout, stderr bytes.Buffer
			app := &App{Stdout: &stdout, Stderr: &stderr, Cwd: te.cwd, office: q, Getenv: func(k string) string { return te.env[k] }}
			code := exitCode(app.Run(context.Background(), append(args, "--lang", lang)), &stderr)
			want := map[string]string{"en": "does not work through the office hub yet", "id": "belum dapat dijalankan melalui hub kantor"}[lang]
			if code != 2 || !strings.Contains(stderr.String(), want) || stdout.Len() != 0 {
				t.Errorf("loket %q --lang %s: exit %d %q %q", args, lang, code, stdout.String(), stderr.String())
			}
		}
	}
	if _, err := os.Stat(filepath.Join(te.env["LOKET_DATA"], store.FileName)); !os.IsNotExist(err) {
		t.Fatalf("the counter's database was opened: %v", err)
	}
}

// TestIdentifyAndCloseDayThroughTheHub: at a counter behind a hub, identify
// gives a kiosk walk-in its identity (bad input exits 2 and writes
// nothing), the walk-in can then be finished, and close-day (dry run and
// run) closes the hub's day; the counter's own database is never opened.
func TestIdentifyAndCloseDayThroughTheHub(t *testing.T) {
	h := hubtest.Start(t, hub.Options{})
	te := counterEnv(t, h.URL, h.AddCounter(t, "L1"))
	w, _, _, err := h.Store.RegisterWalkIn(bg, "", "A", queue.PriorityNone, queue.Actor{Counter: "KIOSK"})
	if err != nil {
		t.Fatal(err)
	}
	if _, errOut, code := te.run("identify", w.Ticket, "--name", "Wayan", "--nik", "123"); code != 2 || !strings.Contains(errOut, "nik: must be 16 digits") {
		t.Fatalf("identify with a bad NIK: exit %d %q", code, errOut)
	}
	if got, _ := h.Store.Get(bg, w.Ticket); got.NIK != "" || got.Name != "" {
		t.Fatalf("a refused identify wrote: %+v", got)
	}
	out, errOut, code := te.run("identify", w.Ticket, "--name", "Wayan Sudarsana", "--nik", nik, "--phone", "081234567890", "--lang", "id")
	if code != 0 || out != w.Ticket+": identitas dicatat: Wayan Sudarsana, NIK ************0001\n" {
		t.Fatalf("identify: exit %d %q %q", code, out, errOut)
	}
	if got, err := h.Store.Get(bg, w.Ticket); err != nil || got.NIK != nik || got.Name != "Wayan Sudarsana" {
		t.Fatalf("the hub's request: %+v %v", got, err)
	}
	for _, act := range []queue.Action{queue.ActCall, queue.ActServe, queue.ActDone} {
		if _, err := h.Store.Act(bg, w.Ticket, act, "", queue.Actor{Counter: "L1"}); err != nil {
			t.Fatalf("%s after identify: %v", act, err)
		}
	}

	te.mustRun("add", "--service", "B", "--name", "Siti", "--nik", nik)
	out = te.mustRun("close-day", "--today", "--dry-run")
	if !strings.Contains(out, "Dry run, nothing changed") || !strings.Contains(out, "B-001") {
		t.Fatalf("close-day --dry-run:\n%s", out)
	}
	if got, _ := h.Store.Get(bg, "B-001"); got.Status != queue.StatusWaiting {
		t.Fatalf("the dry run changed B-001: %s", got.Status)
	}
	out = te.mustRun("close-day", "--today", "--as", "cancelled")
	if !strings.Contains(out, "1 marked cancelled") {
		t.Fatalf("close-day --today:\n%s", out)
	}
	if got, _ := h.Store.Get(bg, "B-001"); got.Status != queue.StatusCancelled {
		t.Fatalf("B-001 after close-day: %s", got.Status)
	}
	if _, err := os.Stat(filepath.Join(te.env["LOKET_DATA"], store.FileName)); !os.IsNotExist(err) {
		t.Fatalf("the counter's database was opened: %v", err)
	}
}
