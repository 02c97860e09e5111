// Package cli holds what loket and loket-central share on the command line:
// flags that may follow arguments, usage errors and exit codes.
package cli

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/loket-id/loket/queue"
)

// Exit codes.
const (
	ExitOK          = 0
	ExitFailure     = 1
	ExitUsage       = 2
	ExitUnreachable = 3
	ExitRefused     = 4
	// ExitUnknown: a command that changes data was handed to the process
	// that owns the database and its answer was lost: it may or may not have
	// been done. Look before doing it again.
	ExitUnknown = 5
)

// UsageError is a command line that makes no sense: exit 2.
type UsageError struct{ Msg string }

func (e UsageError) Error() string { return e.Msg }

// Usagef makes a UsageError.
func Usagef(format string, args ...any) error { return UsageError{fmt.Sprintf(format, args...)} }

// ExitError carries an exit code; Quiet means its message was already printed.
type ExitError struct {
	Code  int
	Err   error
	Quiet bool
}

func (e *ExitError) Error() string {
	if e.Err == nil {
		return fmt.Sprintf("exit %d", e.Code)
	}
	return e.Err.Error()
}

func (e *ExitError) Unwrap() error { return e.Err }

// ExitCode prints err (if any) on stderr after prog and returns the exit
// code: 0 success, 2 bad usage or invalid input, 1 any other failure, or
// what an ExitError says.
func ExitCode(prog string, err error, stderr io.Writer) int {
	if err == nil || errors.Is(err, flag.ErrHelp) {
		return ExitOK
	}
	var ee *ExitError
	if errors.As(err, &ee) {
		if !ee.Quiet {
			fmt.Fprintf(stderr, "%s: %v\n", prog, err)
		}
		return ee.Code
	}
	fmt.Fprintf(stderr, "%s: %v\n", prog, err)
	var ue UsageError
	if errors.As(err, &ue) || errors.Is(err, queue.ErrInvalid) || errors.Is(err, queue.ErrNotFound) {
		return ExitUsage
	}
	return ExitFailure
}

// ParseInterspersed parses flags that may come before, between or after
// positional arguments ("loket serve A-007 --clerk Sari"). On an error it
// returns the positional arguments read before it, which name the command.
func ParseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return pos, err
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return pos, nil
		}
		if rest[0] == "--" {
			return append(pos, rest[1:]...), nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}

// FlagError is the usage error for a command line the flag package refused,
// naming the command and the flag: "backup does not take --addr (see loket
// backup --help)". cmd is the command's name, without the program's; empty
// when the flag came before any command.
func FlagError(prog, cmd string, err error) error {
	see := strings.TrimSpace(prog + " " + cmd)
	if name, ok := strings.CutPrefix(err.Error(), "flag provided but not defined: -"); ok {
		return NotTaken(prog, cmd, name)
	}
	if cmd == "" {
		return Usagef("%v (see %s --help)", err, see)
	}
	return Usagef("%s: %v (see %s --help)", cmd, err, see)
}

// NotTaken is the usage error for a flag that command cmd does not take.
func NotTaken(prog, cmd, flagName string) error {
	if cmd == "" {
		return Usagef("unknown flag --%s (see %s --help)", flagName, prog)
	}
	return Usagef("%s does not take --%s (see %s %s --help)", cmd, flagName, prog, cmd)
}
