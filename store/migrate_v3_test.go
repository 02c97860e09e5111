package store

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"math/rand"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/loket-id/loket/queue"
	"github.com/loket-id/loket/stats"
)

// TestMigrateV3FromV1: the v1 file of testdata (made by the code before
// schema 3) opens as schema 3 with nothing lost: every request as that code
// read it (compared as JSON, event_seqs included), every event as
// queue.UpgradeEvent converts the one it read (personal part included),
// the same statistics, a clean Check, no personal data left in the
// requests or events buckets; and it works on: a registration, an
// identification, a reopen.
func TestMigrateV3FromV1(t *testing.T) {
	path := copyV1(t)
	clk := &fakeClock{t: time.Date(2026, 12, 5, 9, 0, 0, 0, time.UTC)}
	s, err := Open(path, Options{Clock: clk.Now, Location: time.UTC})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := os.Stat(path + RewriteSuffix); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("the rewrite's file is left behind: %v", err)
	}
	wantReqs, wantEvents := v1Requests(t), v1Events(t)
	var gotReqs []queue.Request
	var gotEvents []queue.Event
	if err := s.View(ctx, func(tx *Tx) error {
		if v := getU64(tx.tx.Bucket(bMeta).Get(kSchemaVersion)); v != SchemaVersion() {
			t.Errorf("schema version %d", v)
		}
		if tx.tx.Bucket(bMeta).Get(kReplaced) != nil {
			t.Error("the new file carries the replaced mark")
		}
		var err error
		if gotEvents, err = tx.Events(0, 0); err != nil {
			return err
		}
		return tx.Between("", "", func(r queue.Request) error { gotReqs = append(gotReqs, r); return nil })
	}); err != nil {
		t.Fatal(err)
	}
	asJSON := func(v any) string { b, _ := json.Marshal(v); return string(b) }
	if len(gotReqs) != len(wantReqs) {
		t.Fatalf("%d requests after the migration, want %d", len(gotReqs), len(wantReqs))
	}
	for i := range wantReqs {
		if g, w := asJSON(gotReqs[i]), asJSON(wantReqs[i]); g != w {
			t.Errorf("request %d:\n got %s\nwant %s", i, g, w)
		}
	}
	if len(gotEvents) != len(wantEvents) {
		t.Fatalf("%d events after the migration, want %d", len(gotEvents), len(wantEvents))
	}
	personal := 0
	for i, w := range wantEvents {
		up, err := queue.UpgradeEvent(w)
		if err != nil {
			t.Fatal(err)
		}
		if g, w := asJSON(gotEvents[i]), asJSON(up); g != w {
			t.Errorf("event %d:\n got %s\nwant %s", i+1, g, w)
		}
		if up.Personal != nil {
			personal++
		}
	}
	if personal == 0 {
		t.Fatal("no event of the v1 file has a personal part")
	}

	// The statistics, on the requests as the old code read them and as the
	// migrated file gives them, at the same moment.
	from, to := "2026-12-01", "2026-12-06"
	got, err := stats.ForStation(ctx, s, from, to, "")
	if err != nil {
		t.Fatal(err)
	}
	svcs, _ := s.Services(ctx)
	want, err := stats.ComputeAt(clk.Now(), from, to, func(fn func(queue.Request) error) error {
		for _, r := range wantReqs {
			if err := fn(stats.InZone(r, time.UTC)); err != nil {
				return err
			}
		}
		return nil
	}, stats.Targets(svcs))
	if err != nil {
		t.Fatal(err)
	}
	if asJSON(got) != asJSON(want) {
		t.Fatalf("statistics after the migration:\n got %s\nwant %s", asJSON(got), asJSON(want))
	}
	var golden map[string]any
	b, _ := os.ReadFile("testdata/v1/stats.json")
	_ = json.Unmarshal(b, &golden)
	var mine map[string]any
	_ = json.Unmarshal([]byte(asJSON(got)), &mine)
	for _, k := range []string{"arrivals", "served", "no_show", "cancelled", "transferred", "reopened", "service_seconds"} {
		if asJSON(golden[k]) != asJSON(mine[k]) {
			t.Errorf("statistics %s: %s, the v1 code said %s", k, asJSON(mine[k]), asJSON(golden[k]))
		}
	}

	mustCheck(t, s)
	// No NIK or phone outside the personal records (<seq>p in events,
	// eventlog.go; names are also the clerks' names, which events carry).
	_ = s.View(ctx, func(tx *Tx) error {
		for _, r := range wantReqs[:20] {
			for _, b := range [][]byte{bRequests, bEvents} {
				_ = tx.tx.Bucket(b).ForEach(func(k, v []byte) error {
					if string(b) == string(bEvents) && len(k) == 9 {
						return nil // a personal record
					}
					if bytes.Contains(v, []byte(r.NIK)) && r.NIK != "" || bytes.Contains(v, []byte(r.Phone)) && r.Phone != "" {
						t.Fatalf("bucket %s key %x holds the personal data of %s", b, k, r.Ticket)
					}
					return nil
				})
			}
		}
		return nil
	})

	// It works on.
	r := mustRegister(t, s, walkIn("A", "Setelah Migrasi"))
	if got, err := s.Get(ctx, r.ID); err != nil || got.Name != "Setelah Migrasi" || got.NIK != r.NIK {
		t.Fatalf("a registration after the migration: %+v %v", got, err)
	}
	mustCheck(t, s)
}

var migrateCrashSeed = flag.Int64("migratecrash.seed", 0, "seed of TestMigrateV3Crash's kill moments; 0: from the clock")

// TestMigrateV3CrashHelper is the migrating process of TestMigrateV3Crash:
// run alone it does nothing.
func TestMigrateV3CrashHelper(t *testing.T) {
	path := os.Getenv("LOKET_MIGRATE_DB")
	if path == "" {
		t.Skip("helper process for TestMigrateV3Crash")
	}
	fmt.Println("opening")
	if _, err := Open(path, Options{Location: time.UTC}); err != nil {
		fmt.Println("error", err)
		os.Exit(3)
	}
	fmt.Println("migrated")
	os.Exit(0)
}

// TestMigrateV3Crash kills (SIGKILL) a real process migrating the v1 file
// of testdata at random moments: reopened, the file is migrated with every
// request as the v1 code read it, whichever moment the kill came.
func TestMigrateV3Crash(t *testing.T) {
	if testing.Short() {
		t.Skip("crash test in -short mode")
	}
	seed := *migrateCrashSeed
	if seed == 0 {
		seed = time.Now().UnixNano()
	}
	t.Logf("seed %d (replay: go test ./store -run '^TestMigrateV3Crash$' -migratecrash.seed=%d)", seed, seed)
	rng := rand.New(rand.NewSource(seed))
	want := v1Requests(t)
	for iter := range 8 {
		path := copyV1(t)
		cmd := exec.Command(os.Args[0], "-test.run=^TestMigrateV3CrashHelper$", "-test.count=1")
		cmd.Env = append(os.Environ(), "LOKET_MIGRATE_DB="+path)
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(out)
		sc.Scan() // "opening"
		time.Sleep(time.Duration(rng.Intn(30_000)) * time.Microsecond)
		_ = cmd.Process.Signal(syscall.SIGKILL)
		for sc.Scan() {
			if strings.HasPrefix(sc.Text(), "error") {
				t.Fatalf("iteration %d: %s", iter, sc.Text())
			}
		}
		_ = cmd.Wait()
		s, err := Open(path, Options{Location: time.UTC})
		if err != nil {
			t.Fatalf("iteration %d: reopen after the kill: %v", iter, err)
		}
		var got []queue.Request
		_ = s.Between(ctx, "", "", func(r queue.Request) error { got = append(got, r); return nil })
		mustCheck(t, s)
		s.Close()
		if len(got) != len(want) {
			t.Fatalf("iteration %d: %d requests, want %d", iter, len(got), len(want))
		}
		for i := range want {
			g, _ := json.Marshal(got[i])
			w, _ := json.Marshal(want[i])
			if !bytes.Equal(g, w) {
				t.Fatalf("iteration %d: request %d:\n got %s\nwant %s", iter, i, g, w)
			}
		}
	}
}
