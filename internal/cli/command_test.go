package cli

import (
	"bytes"
	"errors"
	"flag"
	"strings"
	"testing"
)

// testRegistry: "backup FILE", "station add --office X", "station list".
func testRegistry() *Registry[*[]string] {
	record := func(e *[]string, args []string) error { *e = append(*e, args...); return nil }
	return NewRegistry("prog",
		&Command[*[]string]{Name: "backup", Args: "FILE", Summary: "copy", Accepts: ExactArgs(1), Flags: NoFlags(record)},
		&Command[*[]string]{Name: "station add", Args: "--office X", Summary: "add", Flags: func(fs *flag.FlagSet) Run[*[]string] {
			office := fs.String("office", "", "office code")
			return func(e *[]string, args []string) error { *e = append(*e, "office="+*office); return record(e, args) }
		}},
		&Command[*[]string]{Name: "station list", Summary: "list", Flags: NoFlags(record)},
	)
}

func TestRegistryFindsCommands(t *testing.T) {
	r := testRegistry()
	globals := func(fs *flag.FlagSet) { fs.String("data", "", "") }
	tests := []struct {
		args          []string
		name, rest    string
		err           string
		office, words string
	}{
		{args: []string{"--data", "d", "station", "add", "--office", "3273"}, name: "station add", office: "office=3273"},
		{args: []string{"station", "list"}, name: "station list"},
		{args: []string{"backup", "--data", "d", "copy.db"}, name: "backup", rest: "copy.db"},
		{args: []string{"backup", "copy.db", "--office", "x"}, name: "backup", err: "backup does not take --office (see prog backup --help)"},
		{args: []string{"station", "list", "--frobnicate"}, err: "station list does not take --frobnicate (see prog station list --help)"},
		{args: []string{"--frobnicate"}, err: "unknown flag --frobnicate (see prog --help)"},
	}
	for _, tt := range tests {
		pos, err := r.Words(tt.args, globals)
		var c *Command[*[]string]
		var rest []string
		if err == nil {
			var ok bool
			if c, rest, ok = r.Named(pos); !ok {
				t.Errorf("%q: no command named by %q", tt.args, pos)
				continue
			}
			var run Run[*[]string]
			run, pos, _, err = r.Parse(c, tt.args, globals)
			if err == nil {
				var got []string
				_ = run(&got, pos[len(strings.Fields(c.Name)):])
				if c.Name == "station add" && (len(got) == 0 || got[0] != tt.office) {
					t.Errorf("%q: run saw %q, want %s", tt.args, got, tt.office)
				}
			}
		}
		var ue UsageError
		switch {
		case tt.err != "" && (!errors.As(err, &ue) || err.Error() != tt.err):
			t.Errorf("%q: err %v, want usage error %q", tt.args, err, tt.err)
		case tt.err == "" && err != nil:
			t.Errorf("%q: %v", tt.args, err)
		case tt.err == "" && (c.Name != tt.name || strings.Join(rest, " ") != tt.rest):
			t.Errorf("%q: command %q args %q, want %q %q", tt.args, c.Name, rest, tt.name, tt.rest)
		}
	}
	if got := strings.Join(r.Names(), ","); got != "backup,station add,station list" {
		t.Errorf("Names = %s", got)
	}
	if c, _, ok := r.Named([]string{"station"}); ok {
		t.Errorf("Named(station) = %s, want none", c.Name)
	}
	if c, _ := r.Lookup("backup"); c.Accepts([]string{"a", "b"}) {
		t.Error("backup accepts two arguments")
	}
}

func TestRegistryHelp(t *testing.T) {
	r := testRegistry()
	c, _ := r.Lookup("station add")
	_, _, fs, err := r.Parse(c, []string{"--help"}, nil)
	if !errors.Is(err, flag.ErrHelp) {
		t.Fatalf("--help: %v", err)
	}
	var buf bytes.Buffer
	r.PrintHelp(&buf, c, fs)
	if want := "Usage: prog station add --office X\n\nadd\n\nFlags:\n  -office string\n    \toffice code\n"; buf.String() != want {
		t.Errorf("help = %q, want %q", buf.String(), want)
	}
	buf.Reset()
	r.PrintList(&buf)
	if !strings.Contains(buf.String(), "  station list list\n") || !strings.Contains(buf.String(), "  backup     copy\n") {
		t.Errorf("list = %q", buf.String())
	}
}

func TestDays(t *testing.T) {
	tests := []struct {
		from, to, today  string
		wantFrom, wantTo string
		err              string
	}{
		{"", "", "2026-11-27", "2026-11-27", "2026-11-27", ""},
		{"2026-11-01", "", "2026-11-27", "2026-11-01", "2026-11-01", ""},
		{"", "2026-11-30", "2026-11-27", "2026-11-27", "2026-11-30", ""},
		{"", "2026-11-01", "2026-11-27", "", "", "--to 2026-11-01 is before --from 2026-11-27"},
		{"", "", "", "", "", ""}, // open at both ends
		{"2026-11-01", "", "", "2026-11-01", "", ""},
		{"2026-11-02", "2026-11-01", "", "", "", "--to 2026-11-01 is before --from 2026-11-02"},
		{"2026-02-30", "2026-13-01", "", "", "", `--from "2026-02-30" is not a date YYYY-MM-DD`},
		{"2026-11-01", "abcd-ef-gh", "2026-11-27", "", "", `--to "abcd-ef-gh" is not a date YYYY-MM-DD`},
	}
	for _, tt := range tests {
		from, to, err := Days(tt.from, tt.to, tt.today)
		var ue UsageError
		switch {
		case tt.err != "" && (!errors.As(err, &ue) || err.Error() != tt.err):
			t.Errorf("Days(%q, %q, %q): err %v, want usage error %q", tt.from, tt.to, tt.today, err, tt.err)
		case tt.err == "" && (err != nil || from != tt.wantFrom || to != tt.wantTo):
			t.Errorf("Days(%q, %q, %q) = %q, %q, %v; want %q, %q", tt.from, tt.to, tt.today, from, to, err, tt.wantFrom, tt.wantTo)
		}
	}
}
