package main

import (
	"strings"
	"testing"
)

// TestPurgeAndCompactCommands: purge needs a real date, a dry run prints
// what it would do, compact reports the sizes; both also through the
// running server that holds the database.
func TestPurgeAndCompactCommands(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"purge"}, 2, "purge needs --before"},
		{[]string{"purge", "--before", "kemarin"}, 2, `"kemarin" is not a date`},
		{[]string{"purge", "--before", "2026-01-01", "--format", "xml"}, 2, "format"},
		{[]string{"purge", "--before", "2026-01-01", "--dry-run", "--format", "json"}, 0, `"dry_run": true`},
		{[]string{"purge", "--before", "2026-01-01"}, 0, "erased the personal part of 0 requests closed before 2026-01-01"},
		{[]string{"compact"}, 0, "compacted"},
		{[]string{"serve", "--retention-days", "-1"}, 2, "--retention-days"},
	} {
		out, errOut, code := run(t, dir, c.args...)
		if code != c.code || !strings.Contains(out+errOut, c.want) {
			t.Errorf("%v: exit %d, %q %q; want exit %d with %q", c.args, code, out, errOut, c.code, c.want)
		}
	}
	startServer(t, dir)
	if out, errOut, code := run(t, dir, "compact"); code != 0 || !strings.Contains(out, "compacted") {
		t.Fatalf("compact through the server: %d %q %q", code, out, errOut)
	}
	if out, errOut, code := run(t, dir, "station", "list"); code != 0 {
		t.Fatalf("the server after compacting: %d %q %q", code, out, errOut)
	}
}
