package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/loket-id/loket/hub"
	"github.com/loket-id/loket/hub/hubtest"
	"github.com/loket-id/loket/pdfdoc/pdftest"
	"github.com/loket-id/loket/queue"
	"github.com/loket-id/loket/store"
)

// movingClock is a clock a test moves on.
type movingClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *movingClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *movingClock) Add(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

const nik2 = "3578010101850002"

// receiptFiles are the saved receipts under te's data directory, by name.
func receiptFiles(t *testing.T, te *testEnv) []string {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(te.env["LOKET_DATA"], "receipts", "*", "*.pdf"))
	var out []string
	for _, f := range files {
		out = append(out, filepath.Base(f))
	}
	return out
}

// erasureJSON decodes purge's or forget's --format json.
func erasureJSON(t *testing.T, out string) erasureOut {
	t.Helper()
	var e erasureOut
	if err := json.Unmarshal([]byte(out), &e); err != nil {
		t.Fatalf("%v: %q", err, out)
	}
	return e
}

// TestPurgeAndForget: on a counter's own database, purge --dry-run lists
// the requests closed before the retention's cut and changes nothing;
// purge erases their personal part (show says so, find by NIK finds
// nothing), deletes their saved receipts, and a reprint shows the request
// without the person; the open request keeps its name; forget erases every
// request of one NIK, records who and how many in access.log without the
// NIK, and deletes its receipts; output never holds a NIK or name; bad
// input exits 2 and erases nothing.
func TestPurgeAndForget(t *testing.T) {
	te := newTestEnv(t)
	clock := &movingClock{now: fixedNow}
	te.now = clock.Now
	te.mustRun("add", "--service", "A", "--name", "Siti Aminah", "--nik", nik, "--phone", "0812 3456 7890") // done
	te.mustRun("add", "--service", "A", "--name", "Budi Santoso", "--nik", nik2)                            // cancelled
	te.mustRun("add", "--service", "B", "--name", "Wayan Sudarsana", "--nik", nik2)                         // B-001: left waiting
	te.mustRun("call", "A-001")
	te.mustRun("done", "A-001")
	te.mustRun("cancel", "A-002")
	if got := receiptFiles(t, te); len(got) != 3 {
		t.Fatalf("saved receipts: %v", got)
	}
	clock.Add(100 * 24 * time.Hour) // 2027-03-07: the default 90 days have passed

	for _, bad := range [][]string{
		{"purge", "--before", "7-3-2027"},
		{"purge", "--before", "2099-01-01"},
		{"purge", "extra"},
		{"forget", nik2},
		{"forget", "1234", "--reason", "permintaan pemohon"},
		{"forget", nik2, "--reason", "   "},
	} {
		if out, errOut, code := te.run(bad...); code != 2 || out != "" {
			t.Errorf("loket %s: exit %d, %q %q; want exit 2 and nothing done", strings.Join(bad, " "), code, out, errOut)
		}
	}

	dry := erasureJSON(t, te.mustRun("purge", "--dry-run", "--format", "json"))
	if !dry.DryRun || dry.Before != "2026-12-07" || dry.Erased != 2 || tickets(dry.Requests) != "A-001 A-002" {
		t.Fatalf("purge --dry-run: %+v", dry)
	}
	if out := te.mustRun("show", "2026-11-27/A-001", "--format", "json"); !strings.Contains(out, "Siti Aminah") {
		t.Fatalf("the dry run erased A-001:\n%s", out)
	}

	out := te.mustRun("purge", "--lang", "en")
	if !strings.Contains(out, "Personal data erased from requests closed before 2026-12-07: 2") ||
		!strings.Contains(out, "2026-11-27/A-001") || !strings.Contains(out, "2026-11-27/A-002") {
		t.Fatalf("purge:\n%s", out)
	}
	for _, secret := range []string{nik, nik2, "Siti", "Budi", "Wayan", "0001", "0002"} {
		if strings.Contains(out, secret) || strings.Contains(string(dryOut(t, te)), secret) {
			t.Errorf("purge's output holds %q", secret)
		}
	}
	for _, f := range receiptFiles(t, te) {
		if strings.HasPrefix(f, "A-001-") || strings.HasPrefix(f, "A-002-") {
			t.Errorf("the receipt %s of an erased request is still saved", f)
		}
	}
	var shown struct{ Request queue.Request }
	if err := json.Unmarshal([]byte(te.mustRun("show", "2026-11-27/A-001", "--format", "json")), &shown); err != nil {
		t.Fatal(err)
	}
	a001 := shown.Request
	if !a001.Erased || a001.Name != "" || a001.NIK != "" || a001.Phone != "" || a001.Status != queue.StatusDone || a001.Ticket != "A-001" {
		t.Fatalf("A-001 after purge: %+v", a001)
	}
	if out := te.mustRun("show", "2026-11-27/A-001", "--lang", "en"); !strings.Contains(out, "(personal data erased)") || !strings.Contains(out, "personal data erased") {
		t.Errorf("show of an erased request:\n%s", out)
	}
	if out := te.mustRun("find", "Siti"); strings.Contains(out, "A-001") {
		t.Errorf("the purged name is still found:\n%s", out)
	}
	if out := te.mustRun("show", "2026-11-27/B-001", "--format", "json"); !strings.Contains(out, "Wayan Sudarsana") {
		t.Errorf("the open request lost its name:\n%s", out)
	}
	reprint := filepath.Join(te.dir, "again.pdf")
	te.mustRun("receipt", "2026-11-27/A-001", "--out", reprint)
	pdf, err := os.ReadFile(reprint)
	if err != nil {
		t.Fatal(err)
	}
	text := strings.Join(strings.Fields(pdftest.Text(t, pdf)), " ")
	if !strings.Contains(text, "(data pribadi dihapus)") || !strings.Contains(text, "A-001") || strings.Contains(text, "Siti") || strings.Contains(text, "0001") {
		t.Errorf("the reprint of an erased request:\n%s", text)
	}
	if again := erasureJSON(t, te.mustRun("purge", "--format", "json")); again.Erased != 0 {
		t.Errorf("purge again erased %d", again.Erased)
	}

	te.mustRun("add", "--service", "A", "--name", "Budi Santoso", "--nik", nik2) // today's, with a receipt
	f := erasureJSON(t, te.mustRun("forget", nik2, "--reason", "permintaan pemohon, surat 12/2027", "--format", "json"))
	if f.Erased != 2 || f.ReceiptsDeleted != 1 {
		t.Fatalf("forget: %+v", f)
	}
	for _, ref := range []string{"2026-11-27/B-001", "2027-03-07/A-001"} {
		if out := te.mustRun("show", ref, "--format", "json"); strings.Contains(out, "Wayan") || strings.Contains(out, "Budi") || strings.Contains(out, nik2) {
			t.Errorf("%s after forget:\n%s", ref, out)
		}
	}
	raw, lines := accessLines(t, te)
	var forget map[string]any
	for _, l := range lines {
		if l["command"] == "forget" {
			forget = l
		}
	}
	if forget == nil || forget["rows"] != 2.0 || forget["clerk"] != "Sari" || forget["counter"] != "L3" ||
		forget["reason"] != "permintaan pemohon, surat 12/2027" || forget["nik"] != nil {
		t.Errorf("access.log: %v", lines)
	}
	if strings.Contains(raw, nik2) || strings.Contains(raw, "*0002") || strings.Contains(raw, "Budi") {
		t.Errorf("access.log holds the NIK or a name:\n%s", raw)
	}
	if out := te.mustRun("person", nik2); !strings.Contains(out, "Nothing is held") && !strings.Contains(out, "Tidak ada data") {
		t.Errorf("person after forget:\n%s", out)
	}
	log, _ := os.ReadFile(filepath.Join(te.env["LOKET_DATA"], "loket.log"))
	for _, secret := range []string{nik, nik2, "Siti", "Budi", "Wayan"} {
		if strings.Contains(string(log), secret) {
			t.Errorf("loket.log holds %q", secret)
		}
	}
	if out := te.mustRun("check"); !strings.HasSuffix(out, "ok\n") {
		t.Errorf("check: %s", out)
	}
}

// tickets are the tickets of an erasure, sorted (requests registered in
// the same millisecond of a fixed clock have no order of their own).
func tickets(rs []queue.ErasedRequest) string {
	var out []string
	for _, r := range rs {
		out = append(out, r.Ticket)
	}
	slices.Sort(out)
	return strings.Join(out, " ")
}

// dryOut is what a dry run prints now (nothing left to erase).
func dryOut(t *testing.T, te *testEnv) string { return te.mustRun("purge", "--dry-run") }

// TestPurgeRetentionZero: privacy.retention_days = 0 means never
// automatically: purge without --before exits 2 and erases nothing; with
// --before it erases.
func TestPurgeRetentionZero(t *testing.T) {
	te := newTestEnv(t)
	clock := &movingClock{now: fixedNow}
	te.now = clock.Now
	cfg, _ := os.ReadFile(te.env["LOKET_CONFIG"])
	os.WriteFile(te.env["LOKET_CONFIG"], append(cfg, "[privacy]\nretention_days = 0\n"...), 0o600)
	te.mustRun("add", "--service", "A", "--name", "Siti Aminah", "--nik", nik)
	te.mustRun("cancel", "A-001")
	clock.Add(400 * 24 * time.Hour)
	if _, errOut, code := te.run("purge"); code != 2 || !strings.Contains(errOut, "retention_days is 0") {
		t.Fatalf("purge with retention 0: exit %d %q", code, errOut)
	}
	if e := erasureJSON(t, te.mustRun("purge", "--before", "2026-11-28", "--format", "json")); e.Erased != 1 {
		t.Fatalf("purge --before: %+v", e)
	}
}

// TestPurgeThroughTheOwner: while a process holds the database (loket
// daemon), purge and forget are run by it and print here.
func TestPurgeThroughTheOwner(t *testing.T) {
	te := newTestEnv(t)
	te.mustRun("add", "--service", "A", "--name", "Siti Aminah", "--nik", nik)
	te.mustRun("cancel", "A-001")
	te.startOwner()
	today := time.Now().In(time.FixedZone("WIB", 7*3600)).Format(time.DateOnly) // the daemon's clock is the real one
	out, errOut, code := runProc(t, te, nil, "purge", "--before", today, "--dry-run", "--format", "json")
	if code != 0 {
		t.Fatalf("purge --dry-run through the owner: exit %d %q", code, errOut)
	}
	if e := erasureJSON(t, out); !e.DryRun {
		t.Fatalf("dry run: %+v", e)
	}
	out, errOut, code = runProc(t, te, nil, "forget", nik, "--reason", "permintaan pemohon", "--format", "json")
	if e := erasureJSON(t, out); code != 0 || e.Erased != 1 {
		t.Fatalf("forget through the owner: exit %d %+v %q", code, e, errOut)
	}
	if _, lines := accessLines(t, te); len(lines) != 1 || lines[0]["command"] != "forget" {
		t.Fatalf("access.log: %v", lines)
	}
}

// TestPurgeThroughTheHub: at a counter behind a hub, purge and forget erase
// at the hub and delete the counter's own saved receipts; the counter's
// own database is never opened.
func TestPurgeThroughTheHub(t *testing.T) {
	clock := &movingClock{now: fixedNow}
	h := hubtest.StartClock(t, hub.Options{}, clock.Now)
	te := counterEnv(t, h.URL, h.AddCounter(t, "L1"))
	te.mustRun("add", "--service", "A", "--name", "Siti Aminah", "--nik", nik)
	te.mustRun("add", "--service", "A", "--name", "Budi Santoso", "--nik", nik2)
	te.mustRun("cancel", "A-001")
	if got := receiptFiles(t, te); len(got) != 2 {
		t.Fatalf("saved receipts at the counter: %v", got)
	}
	clock.Add(100 * 24 * time.Hour)
	out := te.mustRun("purge", "--lang", "en")
	if !strings.Contains(out, "closed before 2026-12-07: 1") || !strings.Contains(out, "A-001") {
		t.Fatalf("purge through the hub:\n%s", out)
	}
	if r, _ := h.Store.Get(bg, "2026-11-27/A-001"); !r.Erased || r.NIK != "" {
		t.Fatalf("A-001 at the hub: %+v", r)
	}
	if got := receiptFiles(t, te); len(got) != 0 { // B-001's day is before the cut too: its saved copy goes, a reprint makes it again
		t.Fatalf("saved receipts left at the counter: %v", got)
	}
	f := erasureJSON(t, te.mustRun("forget", nik2, "--reason", "permintaan pemohon", "--format", "json"))
	if f.Erased != 1 || f.Requests[0].Ticket != "A-002" {
		t.Fatalf("forget through the hub: %+v", f)
	}
	if r, _ := h.Store.Get(bg, "2026-11-27/A-002"); !r.Erased || r.Status != queue.StatusWaiting {
		t.Fatalf("A-002 at the hub: %+v", r)
	}
	if _, lines := accessLines(t, te); len(lines) != 1 || lines[0]["command"] != "forget" || lines[0]["rows"] != 1.0 {
		t.Fatalf("the counter's access.log: %v", lines)
	}
	if _, err := os.Stat(filepath.Join(te.env["LOKET_DATA"], store.FileName)); !os.IsNotExist(err) {
		t.Fatalf("the counter's database was opened: %v", err)
	}
}
