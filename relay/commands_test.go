package relay

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"
)

// TestCommandsCarryTheClientsEnvironment: a command forwarded through the
// shared handler runs with the client's directory and the variables the
// client chose to forward (and only those), and answers what it printed.
func TestCommandsCarryTheClientsEnvironment(t *testing.T) {
	dir, err := os.MkdirTemp("", "os")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(dir)
	ln, err := Listen(filepath.Join(dir, FileName))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() {
		done <- Serve(ctx, ln, Commands("prog", func(ctx context.Context, req Request, stdout, stderr io.Writer) int {
			fmt.Fprintf(stdout, "%s in %s data=%q home=%q", req.Args[0], req.Cwd, req.Getenv("LOKET_CENTRAL_DATA"), req.Getenv("HOME"))
			fmt.Fprint(stderr, "warning")
			return 3
		}))
	}()
	defer func() { cancel(); <-done }()
	client := map[string]string{"LOKET_CENTRAL_DATA": "/srv/c", "HOME": "/home/sari", "SECRET": "x"}
	req := NewRequest([]string{"export", "--format", "csv"}, "/home/sari/work", func(k string) string { return client[k] },
		[]string{"LOKET_CENTRAL_DATA", "HOME", "XDG_DATA_HOME"})
	if len(req.Env) != 2 {
		t.Errorf("forwarded env %v, want LOKET_CENTRAL_DATA and HOME only", req.Env)
	}
	resp, err := Forward(context.Background(), filepath.Join(dir, FileName), req)
	if err != nil {
		t.Fatal(err)
	}
	if want := `export in /home/sari/work data="/srv/c" home="/home/sari"`; resp.Stdout != want || resp.Stderr != "warning" || resp.Code != 3 {
		t.Errorf("answer %+v, want stdout %q, stderr warning, code 3", resp, want)
	}
	resp, err = Forward(context.Background(), filepath.Join(dir, FileName), Request{})
	if err != nil || resp.Code != 2 || resp.Stderr != "prog: empty forwarded command\n" {
		t.Errorf("empty command: %+v %v", resp, err)
	}
}
