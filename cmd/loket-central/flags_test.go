package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCommandsRefuseFlagsTheyDoNotTake: for every command, a flag it does not
// take (one that another command takes, or none does) is refused with exit 2,
// a message naming the flag and the command, and nothing written.
func TestCommandsRefuseFlagsTheyDoNotTake(t *testing.T) {
	tests := []struct {
		name, flag string
		args       []string
	}{
		{"serve", "format", []string{"serve", "--addr", "127.0.0.1:-1", "--format", "json"}}, // a bad port: the old code failed fast instead of serving
		{"version", "office", []string{"version", "--office", "3273"}},
		{"station add", "from", []string{"station", "add", "--office", "3273", "--station", "L1", "--from", "2026-11-01"}},
		{"station list", "office", []string{"station", "list", "--office", "3273"}},
		{"station revoke", "name", []string{"station", "revoke", "3273/L1", "--name", "x"}},
		{"station rebind", "format", []string{"station", "rebind", "3273/L1", "--format", "json"}},
		{"catalog publish", "office", []string{"catalog", "publish", "cat.json", "--office", "3273"}},
		{"export", "by", []string{"export", "--format", "csv", "--by", "day"}},
		{"stats", "role", []string{"stats", "--role", "supervisor"}},
		{"token add", "station", []string{"token", "add", "--role", "supervisor", "--station", "L1"}},
		{"check", "format", []string{"check", "--format", "json"}},
		{"backup", "addr", []string{"backup", "copy.db", "--addr", "x"}},
		{"purge", "addr", []string{"purge", "--before", "2026-01-01", "--addr", "x"}},
		{"compact", "dry-run", []string{"compact", "--dry-run"}},
		{"report", "format", []string{"report", "--skm", "--out", "x.pdf", "--format", "json"}},
		{"backup", "frobnicate", []string{"backup", "copy.db", "--frobnicate", "x"}},
		{"station add", "frobnicate", []string{"station", "add", "--frobnicate"}},
		{"migrate", "format", []string{"migrate", "--format", "json"}},
		{"migrate-from-bolt", "office", []string{"migrate-from-bolt", "--db", "postgres://127.0.0.1:1/x", "--office", "3273"}},
	}
	covered := map[string]bool{}
	for _, tt := range tests {
		covered[tt.name] = true
	}
	for _, name := range commands().Names() {
		if !covered[name] {
			t.Errorf("command %s has no row in this table", name)
		}
	}
	for _, tt := range tests {
		t.Run(tt.name+" --"+tt.flag, func(t *testing.T) {
			dir := t.TempDir()
			os.WriteFile(filepath.Join(dir, "cat.json"), []byte(`[{"code":"A","name_id":"Izin","name_en":"Permit"}]`), 0o600)
			out, errOut, code := run(t, dir, tt.args...)
			want := tt.name + " does not take --" + tt.flag
			if code != 2 || !strings.Contains(errOut, want) || out != "" {
				t.Errorf("loket-central %q: exit %d, stdout %q, stderr %q; want exit 2 and %q", tt.args, code, out, errOut, want)
			}
			if _, err := os.Stat(filepath.Join(dir, "data")); !os.IsNotExist(err) {
				t.Errorf("loket-central %q wrote the data directory: %v", tt.args, err)
			}
			if _, err := os.Stat(filepath.Join(dir, "copy.db")); !os.IsNotExist(err) {
				t.Errorf("loket-central %q wrote a backup", tt.args)
			}
		})
	}
}

// TestBadCommandLines: no command, a bad date or value is refused with exit
// 2 and a message naming what was wrong, and nothing is written.
func TestBadCommandLines(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{}, "no command"},
		{[]string{"--data", "elsewhere"}, "no command"},
		{[]string{"--frobnicate"}, "unknown flag --frobnicate"},
		{[]string{"serve", "extra"}, `unknown or incomplete command "serve extra"`},
		{[]string{"export", "--format", "csv", "--from", "abcd-ef-gh"}, `--from "abcd-ef-gh" is not a date`},
		{[]string{"export", "--format", "csv", "--to", "2026-13-01"}, `--to "2026-13-01" is not a date`},
		{[]string{"export", "--format", "csv", "--from", "2026-11-02", "--to", "2026-11-01"}, "--to 2026-11-01 is before --from 2026-11-02"},
		{[]string{"export"}, "export needs --format json or csv"},
		{[]string{"stats", "--from", "abcd-ef-gh"}, `--from "abcd-ef-gh" is not a date`},
		{[]string{"stats", "--by", "week"}, `--by "week" is not`},
		{[]string{"stats", "--format", "xml"}, `stats: --format "xml" is not one of text, json, csv`},
		{[]string{"station", "list", "--format", "csv"}, `station list: --format "csv" is not one of text, json`},
		{[]string{"export", "--format", "csv", "--timezone", "Mars/Olympus"}, `--timezone "Mars/Olympus"`},
		{[]string{"stats", "--to", "2020-01-01"}, "--to 2020-01-01 is before --from"}, // --from is today
		{[]string{"token", "add", "--role", "admin"}, "token add needs --role supervisor"},
	}
	for _, tt := range tests {
		dir := t.TempDir()
		out, errOut, code := run(t, dir, tt.args...)
		if code != 2 || !strings.Contains(errOut, tt.want) || out != "" {
			t.Errorf("loket-central %q: exit %d, stdout %q, stderr %q; want exit 2 and %q", tt.args, code, out, errOut, tt.want)
		}
		for _, d := range []string{"data", "elsewhere"} {
			if _, err := os.Stat(filepath.Join(dir, d)); !os.IsNotExist(err) {
				t.Errorf("loket-central %q wrote %s", tt.args, d)
			}
		}
	}
}
