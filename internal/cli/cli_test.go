package cli

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/loket-id/loket/queue"
)

func TestParseInterspersed(t *testing.T) {
	tests := []struct {
		args      []string
		pos, name string
	}{
		{[]string{"A-007", "--name", "Sari"}, "A-007", "Sari"},
		{[]string{"--name", "Sari", "A-007"}, "A-007", "Sari"},
		{[]string{"x", "--name", "Sari", "y"}, "x y", "Sari"},
		{[]string{"--", "--name"}, "--name", ""},
	}
	for _, tt := range tests {
		fs := flag.NewFlagSet("t", flag.ContinueOnError)
		name := fs.String("name", "", "")
		pos, err := ParseInterspersed(fs, tt.args)
		if err != nil || strings.Join(pos, " ") != tt.pos || *name != tt.name {
			t.Errorf("%q: pos %q name %q err %v", tt.args, pos, *name, err)
		}
	}
}

func TestExitCode(t *testing.T) {
	tests := []struct {
		err     error
		code    int
		printed string
	}{
		{nil, 0, ""},
		{flag.ErrHelp, 0, ""},
		{Usagef("bad flag"), 2, "prog: bad flag\n"},
		{fmt.Errorf("add: %w", &queue.FieldError{Field: "nik", Reason: "must be 16 digits"}), 2, "prog: add: nik: must be 16 digits\n"},
		{fmt.Errorf("show: %w", queue.ErrNotFound), 2, "prog: show: not found\n"},
		{errors.New("disk on fire"), 1, "prog: disk on fire\n"},
		{&ExitError{Code: 3, Err: errors.New("unreachable")}, 3, "prog: unreachable\n"},
		{&ExitError{Code: 4, Quiet: true}, 4, ""},
	}
	for _, tt := range tests {
		var buf bytes.Buffer
		if code := ExitCode("prog", tt.err, &buf); code != tt.code || buf.String() != tt.printed {
			t.Errorf("%v: exit %d, printed %q; want %d, %q", tt.err, code, buf.String(), tt.code, tt.printed)
		}
	}
}

func TestFlagError(t *testing.T) {
	tests := []struct {
		args []string
		pos  string
		msg  string
	}{
		{[]string{"backup", "--addr", "x"}, "backup", "backup does not take --addr (see loket backup --help)"},
		{[]string{"backup", "--addr=x"}, "backup", "backup does not take --addr (see loket backup --help)"},
		{[]string{"--addr", "x", "backup"}, "", "unknown flag --addr (see loket --help)"},
		{[]string{"backup", "--name"}, "backup", "backup: flag needs an argument: -name (see loket backup --help)"},
	}
	for _, tt := range tests {
		fs := flag.NewFlagSet("t", flag.ContinueOnError)
		fs.SetOutput(io.Discard)
		fs.String("name", "", "")
		pos, err := ParseInterspersed(fs, tt.args)
		if err == nil || strings.Join(pos, " ") != tt.pos {
			t.Errorf("%q: pos %q, err %v", tt.args, pos, err)
			continue
		}
		err = FlagError("loket", strings.Join(pos, " "), err)
		var ue UsageError
		if !errors.As(err, &ue) || err.Error() != tt.msg {
			t.Errorf("%q: FlagError = %q; want usage error %q", tt.args, err, tt.msg)
		}
	}
}
