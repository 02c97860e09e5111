package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCommandsRefuseFlagsTheyDoNotTake: for every command, a flag it does not
// take (one that another command takes) is refused with exit 2, a message
// naming the flag and the command, and nothing written.
func TestCommandsRefuseFlagsTheyDoNotTake(t *testing.T) {
	// Each row: the command, the flag it does not take, the command line.
	tests := map[string]struct {
		flag string
		args []string
	}{
		"init":               {"service", []string{"--service", "A"}},
		"add":                {"date", []string{"--date", "2026-11-27", "--service", "A", "--name", "Siti", "--nik", nik}},
		"receipt":            {"format", []string{"A-001", "--format", "json"}},
		"call":               {"date", []string{"--date", "2026-11-27"}},
		"transfer":           {"status", []string{"A-001", "--service", "B", "--status", "waiting"}},
		"show":               {"out", []string{"A-001", "--out", "x.pdf"}},
		"list":               {"from", []string{"--from", "2026-11-27"}},
		"find":               {"date", []string{"siti", "--date", "2026-11-27"}},
		"export":             {"status", []string{"--status", "done", "--out", "x"}},
		"person":             {"date", []string{nik, "--date", "2026-11-27"}},
		"services":           {"out", []string{"--out", "x.json"}},
		"backup":             {"format", []string{"copy.db", "--format", "json"}},
		"check":              {"out", []string{"--out", "x"}},
		"version":            {"format", []string{"--format", "json"}},
		"demo":               {"format", []string{"--format", "json"}},
		"ui":                 {"format", []string{"--format", "json"}},
		"sync":               {"from", []string{"--from", "2026-11-27"}},
		"stats":              {"date", []string{"--date", "2026-11-27"}},
		"report":             {"format", []string{"--format", "json", "--out", "r.pdf"}},
		"daemon":             {"service", []string{"--service", "A"}},
		"serve":              {"service", []string{"A-001", "--service", "A"}},
		"done":               {"date", []string{"A-001", "--date", "2026-11-27"}},
		"noshow":             {"out", []string{"A-001", "--out", "x"}},
		"cancel":             {"status", []string{"A-001", "--status", "waiting"}},
		"recall":             {"service", []string{"A-001", "--service", "A"}},
		"requeue":            {"from", []string{"A-001", "--from", "2026-11-27"}},
		"hub":                {"service", []string{"--service", "A"}},
		"hub counter add":    {"role", []string{"L2", "--role", "kiosk"}},
		"hub counter list":   {"services", []string{"--services", "A"}},
		"hub counter revoke": {"format", []string{"L2", "--format", "json"}},
		"hub counter set":    {"name", []string{"L2", "--name", "x"}},
		"hub device add":     {"services", []string{"K1", "--role", "kiosk", "--services", "A"}},
		"hub device list":    {"role", []string{"--role", "kiosk"}},
		"hub device revoke":  {"addr", []string{"K1", "--addr", "x"}},
		"reopen":             {"service", []string{"A-001", "--service", "A"}},
		"identify":           {"service", []string{"A-001", "--name", "Siti", "--nik", nik, "--service", "A"}},
		"close-day":          {"date", []string{"--date", "2026-11-26"}},
		"purge":              {"date", []string{"--date", "2026-11-26"}},
		"forget":             {"date", []string{nik, "--reason", "x", "--date", "2026-11-26"}},
		"":                   {"addr", []string{"--addr", "x"}}, // no command: the UI
	}
	for _, name := range commands().Names() {
		if _, ok := tests[name]; !ok {
			t.Errorf("command %s has no row in this table", name)
		}
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			te := newTestEnv(t)
			cfg, _ := os.ReadFile(te.env["LOKET_CONFIG"])
			args := tt.args
			want := "ui does not take --" + tt.flag
			if name != "" {
				args = append([]string{name}, args...)
				want = name + " does not take --" + tt.flag
			}
			out, errOut, code := te.run(args...)
			if code != 2 || !strings.Contains(errOut, want) || out != "" {
				t.Errorf("loket %q: exit %d, stdout %q, stderr %q; want exit 2 and %q", args, code, out, errOut, want)
			}
			if _, err := os.Stat(te.env["LOKET_DATA"]); !os.IsNotExist(err) {
				t.Errorf("loket %q wrote the data directory: %v", args, err)
			}
			if after, _ := os.ReadFile(te.env["LOKET_CONFIG"]); string(after) != string(cfg) {
				t.Errorf("loket %q changed the config", args)
			}
			for _, f := range []string{"copy.db", "x.pdf", "x.json", "x", "r.pdf"} {
				if _, err := os.Stat(filepath.Join(te.cwd, f)); err == nil {
					t.Errorf("loket %q wrote %s", args, f)
				}
			}
		})
	}
}

// TestDateFlagsNamed: a bad date is blamed on the flag the user typed.
func TestDateFlagsNamed(t *testing.T) {
	te := newTestEnv(t)
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"stats", "--from", "abcd-ef-gh"}, `--from "abcd-ef-gh" is not a date`},
		{[]string{"stats", "--to", "abcd-ef-gh"}, `--to "abcd-ef-gh" is not a date`},
		{[]string{"stats", "--from", "2026-11-27", "--to", "2026-13-01"}, `--to "2026-13-01" is not a date`},
		{[]string{"stats", "--from", "2026-02-30", "--to", "2026-13-01"}, `--from "2026-02-30" is not a date`},
		{[]string{"list", "--date", "abcd-ef-gh"}, `--date "abcd-ef-gh" is not a date`},
		{[]string{"list", "--date", "2026-11-31"}, `--date "2026-11-31" is not a date`},
		{[]string{"export", "--from", "abcd-ef-gh"}, `--from "abcd-ef-gh" is not a date`},
		{[]string{"export", "--to", "abcd-ef-gh"}, `--to "abcd-ef-gh" is not a date`},
		{[]string{"export", "--from", "abcd-ef-gh", "--to", "abcd-ef-gh"}, `--from "abcd-ef-gh" is not a date`},
		{[]string{"export", "--from", "2026-11-02", "--to", "2026-11-01"}, "--to 2026-11-01 is before --from 2026-11-02"},
		{[]string{"stats", "--to", "2026-11-01"}, "--to 2026-11-01 is before --from"},
		{[]string{"report", "--date", "abcd-ef-gh", "--out", "r.pdf"}, `--date "abcd-ef-gh" is not`},
		{[]string{"stats", "--server", "http://127.0.0.1:1"}, "--server and --token only with --central"},
	}
	for _, tt := range tests {
		// The old code ranged over a map: repeat to catch a random choice.
		for i := 0; i < 20; i++ {
			out, errOut, code := te.run(tt.args...)
			if code != 2 || !strings.Contains(errOut, tt.want) || out != "" {
				t.Errorf("loket %q (run %d): exit %d, stdout %q, stderr %q; want exit 2 and %q", tt.args, i, code, out, errOut, tt.want)
				break
			}
		}
	}
}

// TestBadInputWritesNothing: a command line that is wrong in itself (a
// missing or extra argument, a bad date or range) is refused with exit 2
// before the database is opened: not even the data directory is made.
func TestBadInputWritesNothing(t *testing.T) {
	tests := [][]string{
		{"done"},
		{"serve", "A-001", "A-002"},
		{"transfer", "A-001"},
		{"receipt"},
		{"show"},
		{"find"},
		{"list", "--date", "2026-11-31"},
		{"add", "extra", "--service", "A", "--name", "Siti", "--nik", nik},
		{"call", "--format", "xml"},
		{"export", "--from", "2026-11-02", "--to", "2026-11-01"},
		{"stats", "--from", "abcd-ef-gh"},
		{"report", "--out", "r.pdf", "--date", "2026-02-30"},
		{"backup"},
		{"services", "import"},
		{"demo", "--days", "0"},
	}
	for _, args := range tests {
		te := newTestEnv(t)
		out, errOut, code := te.run(args...)
		if code != 2 || out != "" {
			t.Errorf("loket %q: exit %d, stdout %q, stderr %q; want exit 2", args, code, out, errOut)
		}
		if _, err := os.Stat(te.env["LOKET_DATA"]); !os.IsNotExist(err) {
			t.Errorf("loket %q made the data directory: %v", args, err)
		}
	}
}
