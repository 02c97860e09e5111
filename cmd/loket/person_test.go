package main

import (
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// accessLines reads the access log of te as JSON objects; it fails on a
// file that is not 0600.
func accessLines(t *testing.T, te *testEnv) (string, []map[string]any) {
	t.Helper()
	path := filepath.Join(te.env["LOKET_DATA"], accessLogName)
	fi, err := os.Stat(path)
	if os.IsNotExist(err) {
		return "", nil
	}
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("access.log mode = %v, want 0600", fi.Mode().Perm())
	}
	data, _ := os.ReadFile(path)
	var out []map[string]any
	for _, l := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("access.log line %q: %v", l, err)
		}
		out = append(out, m)
	}
	return string(data), out
}

// TestExportMaskedUnlessUnmasked: export masks NIK and phone and logs
// nothing; --unmasked writes them in full and appends one line to
// access.log that holds no NIK, phone or name.
func TestExportMaskedUnlessUnmasked(t *testing.T) {
	te := newTestEnv(t)
	te.mustRun("add", "--service", "A", "--name", "Siti Aminah", "--nik", nik, "--phone", "0812 3456 7890")
	te.mustRun("add", "--service", "A", "--name", "Budi", "--nik", "3578010101850002")
	for _, tc := range []struct {
		args       []string
		nik, phone string
		logged     int
	}{
		{[]string{"export", "--format", "csv"}, "************0001", "+62*******7890", 0},
		{[]string{"export", "--format", "csv", "--unmasked"}, nik, "+6281234567890", 1},
		{[]string{"export", "--format", "csv", "--unmasked", "--out", "x.csv"}, nik, "+6281234567890", 2},
	} {
		out := te.mustRun(tc.args...)
		if strings.Contains(strings.Join(tc.args, " "), "--out") {
			data, err := os.ReadFile(filepath.Join(te.cwd, "x.csv"))
			if err != nil {
				t.Fatal(err)
			}
			out = string(data)
		}
		rows, err := csv.NewReader(strings.NewReader(out)).ReadAll()
		if err != nil || len(rows) != 3 {
			t.Fatalf("%v: %v %q", tc.args, err, out)
		}
		if rows[1][7] != tc.nik || strings.TrimPrefix(rows[1][8], "'") != tc.phone { // a leading + is quoted for spreadsheets
			t.Errorf("%v: nik, phone = %q, %q; want %q, %q", tc.args, rows[1][7], rows[1][8], tc.nik, tc.phone)
		}
		raw, lines := accessLines(t, te)
		if len(lines) != tc.logged {
			t.Fatalf("%v: access.log has %d lines, want %d:\n%s", tc.args, len(lines), tc.logged, raw)
		}
		if tc.logged == 0 {
			continue
		}
		last := lines[len(lines)-1]
		if last["command"] != "export --unmasked" || last["rows"] != 2.0 || last["clerk"] != "Sari" || last["counter"] != "L3" {
			t.Errorf("%v: access line = %v", tc.args, last)
		}
		for _, secret := range []string{nik, "3578010101850002", "81234567890", "Siti", "Budi"} {
			if strings.Contains(raw, secret) {
				t.Errorf("access.log holds %q:\n%s", secret, raw)
			}
		}
	}
	if out := te.mustRun("export", "--format", "json"); strings.Contains(out, nik) || strings.Contains(out, "81234567890") {
		t.Errorf("masked json export holds the NIK or phone:\n%s", out)
	}
}

// TestPerson: person prints every request of one NIK with its history,
// unmasked, logs the access by the NIK's last four digits only, and says
// "nothing held" (exit 0) for a NIK it does not hold.
func TestPerson(t *testing.T) {
	te := newTestEnv(t)
	te.mustRun("add", "--service", "A", "--name", "Siti Aminah", "--nik", nik, "--phone", "0812 3456 7890")
	te.mustRun("add", "--service", "B", "--name", "Siti Aminah", "--nik", nik)
	te.mustRun("add", "--service", "A", "--name", "Budi", "--nik", "3578010101850002")
	te.mustRun("call", "--service", "A")

	out := te.mustRun("person", nik)
	for _, want := range []string{nik, "+6281234567890", "A-001", "B-001", "Siti Aminah"} {
		if !strings.Contains(out, want) {
			t.Errorf("person lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "Budi") || strings.Contains(out, "A-002") {
		t.Errorf("person shows another person's request:\n%s", out)
	}

	var got struct {
		NIK      string `json:"nik"`
		Requests []struct {
			Request struct {
				Ticket, NIK, Phone string
			} `json:"request"`
			History []historyItem `json:"history"`
		} `json:"requests"`
	}
	if err := json.Unmarshal([]byte(te.mustRun("person", nik, "--format", "json")), &got); err != nil {
		t.Fatal(err)
	}
	if got.NIK != nik || len(got.Requests) != 2 {
		t.Fatalf("person json = %+v", got)
	}
	for _, r := range got.Requests {
		if r.Request.NIK != nik || len(r.History) == 0 {
			t.Errorf("person json request = %+v", r)
		}
	}

	const absent = "3201014107900099"
	if out := te.mustRun("person", absent); !strings.Contains(out, "Nothing is held") && !strings.Contains(out, "Tidak ada data") {
		t.Errorf("person of an absent NIK = %q", out)
	}
	if _, errOut, code := te.run("person", "1234"); code != 2 {
		t.Errorf("person 1234: exit %d %q, want 2", code, errOut)
	}

	raw, lines := accessLines(t, te)
	if len(lines) != 3 {
		t.Fatalf("access.log has %d lines, want 3:\n%s", len(lines), raw)
	}
	if lines[0]["command"] != "person" || lines[0]["rows"] != 2.0 || lines[0]["nik"] != "************0001" || lines[0]["clerk"] != "Sari" {
		t.Errorf("access line = %v", lines[0])
	}
	if lines[2]["rows"] != 0.0 || lines[2]["nik"] != "************0099" {
		t.Errorf("access line of an absent NIK = %v", lines[2])
	}
	if !strings.HasSuffix(lines[0]["time"].(string), "+07:00") {
		t.Errorf("access time %v not in the office's zone", lines[0]["time"])
	}
	for _, secret := range []string{nik, absent, "81234567890", "Siti", "Aminah"} {
		if strings.Contains(raw, secret) {
			t.Errorf("access.log holds %q:\n%s", secret, raw)
		}
	}
}
