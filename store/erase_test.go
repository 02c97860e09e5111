package store

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/loket-id/loket/queue"
	"github.com/loket-id/loket/stats"
)

// person is an applicant whose NIK, name and phone appear nowhere else.
func person(i int) queue.NewRequest {
	return queue.NewRequest{Service: "A", Name: fmt.Sprintf("Zulkarnain Hapusdata%03d", i),
		NIK: fmt.Sprintf("320101410790%04d", 1000+i), Phone: fmt.Sprintf("0812777%05d", i), Notes: fmt.Sprintf("catatan rahasia %03d", i)}
}

// grepDir reports which files of dir hold any of needles, byte for byte.
func grepDir(t testing.TB, dir string, needles ...string) []string {
	t.Helper()
	var found []string
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.IsDir() {
			continue
		}
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		for _, n := range needles {
			if bytes.Contains(b, []byte(n)) {
				found = append(found, fmt.Sprintf("%s holds %q", e.Name(), n))
			}
		}
	}
	return found
}

// fillErasable registers n applicants on the clock's day, closes them
// (done, no-show, cancel in turn), one kiosk walk-in never identified, and
// moves the clock on by days.
func fillErasable(t testing.TB, s *Store, clk *fakeClock, n int) []queue.Request {
	t.Helper()
	var rs []queue.Request
	for i := range n {
		r := mustRegister(t, s, person(i))
		clk.Add(time.Minute)
		var err error
		switch i % 3 {
		case 0:
			if r, err = s.Act(ctx, r.ID, queue.ActCall, "", clerk); err == nil {
				r, err = s.Act(ctx, r.ID, queue.ActDone, "", clerk)
			}
		case 1:
			if r, err = s.Act(ctx, r.ID, queue.ActCall, "", clerk); err == nil {
				r, err = s.Act(ctx, r.ID, queue.ActNoShow, "", clerk)
			}
		case 2:
			r, err = s.Act(ctx, r.ID, queue.ActCancel, "", clerk)
		}
		if err != nil {
			t.Fatal(err)
		}
		rs = append(rs, r)
	}
	if _, _, _, err := s.RegisterWalkIn(ctx, "", "A", "", clerk); err != nil {
		t.Fatal(err)
	}
	return rs
}

func figures(t testing.TB, s *Store, from, to string) string {
	t.Helper()
	f, err := stats.ForStation(ctx, s, from, to, "")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(f)
	return string(b)
}

func fileSum(t testing.TB, path string) [32]byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return sha256.Sum256(b)
}

// TestPurge: a purge erases the personal part of the requests closed before
// the date, and only those: their requests read without name, NIK, phone
// and notes (Erased), their events without Personal, the NIK and name
// searches find nothing, and no byte of the file (nor of any file beside
// it) holds the NIK, name or phone; the statistics are the same; a dry run
// writes nothing; a second purge erases nothing; the store works on.
func TestPurge(t *testing.T) {
	s, clk := openTest(t)
	old := fillErasable(t, s, clk, 9)
	oldDay := old[0].Day
	clk.Add(48 * time.Hour)
	// Today's applicant: open, then closed today. Neither is erased.
	keepOpen := mustRegister(t, s, person(100))
	keepToday, err := s.Act(ctx, mustRegister(t, s, person(101)).ID, queue.ActCancel, "", clerk)
	if err != nil {
		t.Fatal(err)
	}
	statsBefore := figures(t, s, oldDay, s.Today())
	seqBefore := lastSeq(t, s)
	sumBefore := fileSum(t, s.Path())

	dry, err := s.Purge(ctx, s.Today(), true, clerk)
	if err != nil || !dry.DryRun || len(dry.Requests) != len(old) {
		t.Fatalf("dry run: %+v %v", dry, err)
	}
	if lastSeq(t, s) != seqBefore || fileSum(t, s.Path()) != sumBefore {
		t.Fatal("a dry run wrote to the file")
	}

	got, err := s.Purge(ctx, s.Today(), false, queue.Actor{Counter: "HUB", Clerk: "purge"})
	if err != nil {
		t.Fatal(err)
	}
	if got.DryRun || len(got.Requests) != len(old) {
		t.Fatalf("purge erased %d requests, want %d: %+v", len(got.Requests), len(old), got)
	}
	for i, e := range got.Requests {
		if e.ID != old[i].ID || e.Ticket != old[i].Ticket || e.Day != old[i].Day || e.TrackingCode != old[i].TrackingCode {
			t.Fatalf("erased %d = %+v, want %s", i, e, old[i].ID)
		}
	}
	var needles []string
	for i, r := range old {
		p := person(i)
		needles = append(needles, p.NIK, p.Name, p.Notes, "777"+fmt.Sprintf("%05d", i))
		after, hist, err := s.Detail(ctx, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !after.Erased || after.Name != "" || after.NIK != "" || after.Phone != "" || after.Notes != "" {
			t.Fatalf("request %s after the purge: %+v", r.Ticket, after)
		}
		if after.Status != r.Status || after.ClosedAt == nil || !after.ClosedAt.Equal(*r.ClosedAt) {
			t.Fatalf("request %s lost facts: %+v", r.Ticket, after)
		}
		last := hist[len(hist)-1]
		if last.Type != queue.EventErased || last.Counter != "HUB" || last.Clerk != "purge" || !strings.Contains(string(last.Data), `"retention"`) {
			t.Fatalf("last event of %s: %+v", r.Ticket, last)
		}
		for _, e := range hist {
			if e.Personal != nil {
				t.Fatalf("event %d of %s still has its personal part", e.Seq, r.Ticket)
			}
		}
		for _, q := range []string{p.NIK, p.NIK[12:], "Hapusdata" + fmt.Sprintf("%03d", i)} {
			if found, err := s.Find(ctx, q, 10); err != nil || len(found) != 0 {
				t.Fatalf("Find(%q) after the purge = %d requests, %v", q, len(found), err)
			}
		}
	}
	for _, r := range []queue.Request{keepOpen, keepToday} {
		if after, err := s.Get(ctx, r.ID); err != nil || after.Erased || after.NIK != r.NIK {
			t.Fatalf("%s (not closed before the date) was touched: %+v %v", r.Ticket, after, err)
		}
	}
	if found := grepDir(t, filepath.Dir(s.Path()), needles...); len(found) > 0 {
		t.Fatalf("erased data is still in the files:\n%s", strings.Join(found, "\n"))
	}
	if after := figures(t, s, oldDay, s.Today()); after != statsBefore {
		t.Fatalf("statistics changed by the purge:\n%s\n%s", statsBefore, after)
	}
	mustCheck(t, s)

	seq := lastSeq(t, s)
	again, err := s.Purge(ctx, s.Today(), false, clerk)
	if err != nil || len(again.Requests) != 0 || lastSeq(t, s) != seq {
		t.Fatalf("a second purge: %+v %v (events %d -> %d)", again, err, seq, lastSeq(t, s))
	}
	// The store works on after the compaction, and a reopen too.
	r := mustRegister(t, s, walkIn("B", "Sesudah Purge"))
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s2, err := Open(s.Path(), Options{Clock: clk.Now, Location: jakarta})
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	if got, err := s2.Get(ctx, r.ID); err != nil || got.Name != "Sesudah Purge" {
		t.Fatalf("after reopening: %+v %v", got, err)
	}
	mustCheck(t, s2)
}

func lastSeq(t testing.TB, s *Store) uint64 {
	t.Helper()
	var n uint64
	_ = s.View(ctx, func(tx *Tx) error { n = tx.LastSeq(); return nil })
	return n
}

// TestForget: forget erases every request of the NIK at once, whatever its
// status, also one whose identification was corrected to another NIK since
// (its earlier personal part held the NIK), with the clerk's note; others
// are untouched; the NIK is nowhere in the files; bad input writes nothing.
func TestForget(t *testing.T) {
	s, clk := openTest(t)
	p := person(1)
	waiting := mustRegister(t, s, p)
	clk.Add(time.Minute)
	done := fillErasable(t, s, clk, 1)[0] // person(0)
	// A request registered under p's NIK, corrected to another since.
	corrected := mustRegister(t, s, p)
	if _, _, err := s.Identify(ctx, "", corrected.ID, queue.Identity{Name: "Orang Lain", NIK: "3201014107999999"}, clerk); err != nil {
		t.Fatal(err)
	}
	other := mustRegister(t, s, person(2))

	seq := lastSeq(t, s)
	for _, bad := range []struct{ nik, note string }{{"12", "permintaan"}, {p.NIK, "a\x07b"}} {
		if _, err := s.Forget(ctx, bad.nik, bad.note, clerk); !errorsIsInvalid(err) {
			t.Fatalf("Forget(%q, %q) = %v, want invalid", bad.nik, bad.note, err)
		}
	}
	if lastSeq(t, s) != seq {
		t.Fatal("a refused forget wrote events")
	}
	got, err := s.Forget(ctx, p.NIK, "permintaan pemohon", clerk)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Requests) != 2 || got.Requests[0].ID != waiting.ID || got.Requests[1].ID != corrected.ID {
		t.Fatalf("forget erased %+v, want %s and %s", got.Requests, waiting.Ticket, corrected.Ticket)
	}
	for _, id := range []string{waiting.ID, corrected.ID} {
		r, hist, err := s.Detail(ctx, id)
		if err != nil || !r.Erased || r.NIK != "" || r.Name != "" {
			t.Fatalf("after forget: %+v %v", r, err)
		}
		if last := hist[len(hist)-1]; last.Type != queue.EventErased || !strings.Contains(string(last.Data), "permintaan pemohon") || strings.Contains(string(last.Data), p.NIK) {
			t.Fatalf("erased event: %s", last.Data)
		}
	}
	if r, _ := s.Get(ctx, waiting.ID); r.Status != queue.StatusWaiting {
		t.Fatalf("the waiting request is %s after forget", r.Status)
	}
	for _, r := range []queue.Request{done, other} {
		if after, _ := s.Get(ctx, r.ID); after.Erased || after.NIK != r.NIK {
			t.Fatalf("%s was touched by forgetting another NIK", r.Ticket)
		}
	}
	if found := grepDir(t, filepath.Dir(s.Path()), p.NIK, p.Name, p.Notes); len(found) > 0 {
		t.Fatalf("forgotten data is still in the files:\n%s", strings.Join(found, "\n"))
	}
	mustCheck(t, s)
	if again, err := s.Forget(ctx, p.NIK, "lagi", clerk); err != nil || len(again.Requests) != 0 {
		t.Fatalf("a second forget: %+v %v", again, err)
	}
}

func errorsIsInvalid(err error) bool {
	var fe *queue.FieldError
	return err != nil && (strings.Contains(err.Error(), "invalid") || asFieldError(err, &fe))
}

func asFieldError(err error, fe **queue.FieldError) bool {
	for e := err; e != nil; {
		if f, ok := e.(*queue.FieldError); ok {
			*fe = f
			return true
		}
		u, ok := e.(interface{ Unwrap() error })
		if !ok {
			return false
		}
		e = u.Unwrap()
	}
	return false
}

var (
	purgeCrashIterations = flag.Int("purgecrash.iterations", 16, "how many times TestPurgeCrash kills the purging process")
	purgeCrashSeed       = flag.Int64("purgecrash.seed", 0, "seed of TestPurgeCrash's kill moments; 0: from the clock")
)

// TestPurgeCrashHelper is the purging process of TestPurgeCrash: run alone
// it does nothing.
func TestPurgeCrashHelper(t *testing.T) {
	path := os.Getenv("LOKET_PURGE_DB")
	if path == "" {
		t.Skip("helper process for TestPurgeCrash")
	}
	s, err := Open(path, Options{Location: jakarta})
	if err != nil {
		fmt.Println("error", err)
		os.Exit(3)
	}
	fmt.Println("opened")
	e, err := s.Purge(ctx, "2026-12-01", false, clerk)
	if err != nil {
		fmt.Println("error", err)
		os.Exit(3)
	}
	fmt.Println("purged", len(e.Requests))
	os.Exit(0)
}

// TestPurgeCrash kills (SIGKILL) a real process purging a file of 600
// closed requests at random moments (during the transaction, the
// compaction, the rename): reopened, the file has every one of them erased
// or none, Check finds nothing, and once erased no byte of any file holds
// their NIKs.
func TestPurgeCrash(t *testing.T) {
	if testing.Short() {
		t.Skip("crash test in -short mode")
	}
	seed := *purgeCrashSeed
	if seed == 0 {
		seed = time.Now().UnixNano()
	}
	t.Logf("seed %d (replay: go test ./store -run '^TestPurgeCrash$' -purgecrash.seed=%d)", seed, seed)
	rng := rand.New(rand.NewSource(seed))

	// The file to purge, made once.
	tmpl := filepath.Join(t.TempDir(), FileName)
	clk := &fakeClock{t: time.Date(2026, 11, 2, 8, 0, 0, 0, jakarta)}
	s, err := Open(tmpl, Options{Clock: clk.Now, Location: jakarta})
	if err != nil {
		t.Fatal(err)
	}
	const n = 600
	if err := s.Update(ctx, func(tx *Tx) error {
		for i := range n {
			in := person(i)
			in.At = clk.Now().Add(time.Duration(i) * time.Second)
			r, err := tx.Register(in, clerk)
			if err != nil {
				return err
			}
			if _, err := tx.Act(r, queue.ActCancel, "", clerk, in.At.Add(time.Second)); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	s.Close()
	tmplBytes, err := os.ReadFile(tmpl)
	if err != nil {
		t.Fatal(err)
	}
	var niks []string
	for i := range n {
		niks = append(niks, person(i).NIK)
	}

	outcomes := map[string]int{}
	for iter := range *purgeCrashIterations {
		dir := t.TempDir()
		path := filepath.Join(dir, FileName)
		if err := os.WriteFile(path, tmplBytes, 0o600); err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command(os.Args[0], "-test.run=^TestPurgeCrashHelper$", "-test.count=1")
		cmd.Env = append(os.Environ(), "LOKET_PURGE_DB="+path)
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		opened, done := make(chan struct{}), make(chan struct{})
		var lines []string
		go func() {
			defer close(done)
			sc := bufio.NewScanner(stdout)
			for sc.Scan() {
				if lines = append(lines, sc.Text()); sc.Text() == "opened" {
					close(opened)
				}
			}
		}()
		select {
		case <-opened:
		case <-done:
		case <-time.After(20 * time.Second):
			t.Fatal("the purging process did not open the file in 20s")
		}
		time.Sleep(time.Duration(rng.Intn(50_000)) * time.Microsecond)
		_ = cmd.Process.Signal(syscall.SIGKILL)
		<-done
		_ = cmd.Wait()
		for _, l := range lines {
			if strings.HasPrefix(l, "error") {
				t.Fatalf("iteration %d: %s", iter, l)
			}
		}

		s, err := Open(path, Options{Location: jakarta})
		if err != nil {
			t.Fatalf("iteration %d: reopen after the kill: %v", iter, err)
		}
		erased := 0
		if err := s.Between(ctx, "", "", func(r queue.Request) error {
			if r.Erased {
				erased++
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		mustCheck(t, s)
		s.Close()
		switch erased {
		case 0:
			outcomes["none"]++
		case n:
			outcomes["all"]++
			if found := grepDir(t, dir, niks...); len(found) > 0 {
				t.Fatalf("iteration %d: erased, but %d NIKs are still in the files (%s)", iter, len(found), found[0])
			}
		default:
			t.Fatalf("iteration %d: %d of %d requests erased: half a purge", iter, erased, n)
		}
	}
	t.Logf("%d kills: %v", *purgeCrashIterations, outcomes)
}

// TestErasureUnbindsKeys: an idempotency key records a SHA-256 of its
// action's payload, which for a registration or an identification holds
// the NIK. After the person is forgotten, nothing in the keys bucket (nor
// in the file) may be that digest: with the NIK's known structure it
// could be found again by trying candidates. A retry under the key still
// gets its first answer; the key of a request not erased stays bound.
func TestErasureUnbindsKeys(t *testing.T) {
	s, clk := openTest(t)
	p := person(1)
	const kReg, kWalk, kIdent, kOther = "01KB0000000000000000000011", "01KB0000000000000000000012", "01KB0000000000000000000013", "01KB0000000000000000000014"
	registered, _, err := s.RegisterOnce(ctx, kReg, p, clerk)
	if err != nil {
		t.Fatal(err)
	}
	clk.Add(time.Minute)
	walk, _, _, err := s.RegisterWalkIn(ctx, kWalk, "A", queue.PriorityNone, clerk)
	if err != nil {
		t.Fatal(err)
	}
	id := queue.Identity{Name: p.Name, NIK: p.NIK, Phone: p.Phone}
	if _, _, err := s.Identify(ctx, kIdent, walk.ID, id, clerk); err != nil {
		t.Fatal(err)
	}
	other := person(2)
	if _, _, err := s.RegisterOnce(ctx, kOther, other, clerk); err != nil {
		t.Fatal(err)
	}
	// What one who knows (or guesses) the NIK can compute.
	derived := map[string][]byte{
		"registration":   payloadDigest("register", p, clerk),
		"identification": payloadDigest("identify", walk.ID, id, clerk),
	}
	if got, err := s.Forget(ctx, p.NIK, "permintaan pemohon", clerk); err != nil || len(got.Requests) != 2 {
		t.Fatalf("forget: %+v %v", got, err)
	}
	keys := map[string][]byte{}
	if err := s.View(ctx, func(tx *Tx) error {
		return tx.tx.Bucket(bKeys).ForEach(func(k, v []byte) error {
			keys[string(k)] = bytes.Clone(v)
			return nil
		})
	}); err != nil {
		t.Fatal(err)
	}
	for what, d := range derived {
		for k, v := range keys {
			if bytes.Contains(append([]byte(k), v...), d) {
				t.Errorf("key %s still holds the digest of the erased %s", k, what)
			}
		}
		if found := grepDir(t, filepath.Dir(s.Path()), string(d)); len(found) > 0 {
			t.Errorf("the digest of the erased %s is still in the files: %s", what, found)
		}
	}
	for _, k := range []string{kReg, kIdent} {
		if len(keys[k]) != 8 {
			t.Errorf("key %s of an erased request holds %d bytes, want its event's seq alone (8)", k, len(keys[k]))
		}
	}
	if len(keys[kOther]) != 8+digestLen {
		t.Errorf("the key of a request not erased holds %d bytes, want its seq and digest", len(keys[kOther]))
	}
	// A retry gets the first answer (the request as its event left it,
	// without the person); the other key still refuses another payload.
	if r, again, err := s.RegisterOnce(ctx, kReg, p, clerk); err != nil || !again || r.ID != registered.ID || r.NIK != "" || r.Name != "" {
		t.Fatalf("retry after erasure: %+v again=%v %v", r, again, err)
	}
	if _, _, err := s.RegisterOnce(ctx, kOther, person(3), clerk); !errors.Is(err, ErrKeyReused) {
		t.Fatalf("reuse of a bound key: %v, want ErrKeyReused", err)
	}
	mustCheck(t, s)
}

// TestPurgeCompactsLooseFile: the nightly purge compacts a file whose free
// pages take more than one page of bbolt's freelist (a day's merge of the
// journal leaves one so: every commit would write that list), even when it
// erases nothing, and leaves a tight file as it is.
func TestPurgeCompactsLooseFile(t *testing.T) {
	s, clk := openTest(t)
	a := mustRegister(t, s, walkIn("A", "Siti Aminah"))
	clk.Add(20 * time.Hour) // 04:00 the next morning
	rewritten := func(purge string) bool {
		t.Helper()
		before, err := os.Stat(s.path)
		if err != nil {
			t.Fatal(err)
		}
		if e, err := s.Purge(ctx, purge, false, clerk); err != nil || len(e.Requests) != 0 {
			t.Fatalf("purge before %s: %d erased, %v; want none", purge, len(e.Requests), err)
		}
		after, err := os.Stat(s.path)
		if err != nil {
			t.Fatal(err)
		}
		return !os.SameFile(before, after)
	}
	if rewritten("2026-01-01") {
		t.Error("a purge that merged one request's keys compacted a tight file")
	}
	if got := where(t, s, a.ID, a.TrackingCode); got != "places" {
		t.Fatalf("the purge did not merge yesterday's journal: its keys are in %s", got)
	}
	// About a thousand pages freed at once, as a day's merge frees them.
	if err := s.db.Update(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucket([]byte("scratch"))
		if err != nil {
			return err
		}
		for i := range 1000 {
			if err := b.Put(u64(uint64(i)), make([]byte, 3000)); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if err := s.db.Update(func(tx *bolt.Tx) error { return tx.DeleteBucket([]byte("scratch")) }); err != nil {
		t.Fatal(err)
	}
	st := s.db.Stats()
	if !s.loose() {
		t.Fatalf("%d free and %d pending pages (a %d-byte freelist) are not loose", st.FreePageN, st.PendingPageN, st.FreelistInuse)
	}
	if !rewritten("2026-01-01") {
		t.Fatalf("a purge left a file of %d free pages uncompacted", st.FreePageN+st.PendingPageN)
	}
	if st := s.db.Stats(); s.loose() || st.FreePageN+st.PendingPageN > 50 {
		t.Errorf("after the purge's compaction: %d free pages", st.FreePageN+st.PendingPageN)
	}
	mustCheck(t, s)
}
