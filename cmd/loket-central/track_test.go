package main

import (
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestTrackRateFlags: serve's tracking limit is validated, and a server
// started with it answers the (burst+1)-th lookup from one address with 429
// and Retry-After.
func TestTrackRateFlags(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"serve", "--track-rate", "0"}, "--track-rate"},
		{[]string{"serve", "--track-burst", "-3"}, "--track-burst"},
	} {
		out, errOut, code := run(t, dir, c.args...)
		if code != 2 || !strings.Contains(out+errOut, c.want) {
			t.Errorf("%v: exit %d, %q %q; want exit 2 naming %s", c.args, code, out, errOut, c.want)
		}
	}
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := ln.Addr().String()
	ln.Close()
	cmd := exec.Command(os.Args[0], "serve", "--addr", addr, "--data", filepath.Join(dir, "data"), "--track-rate", "6", "--track-burst", "2")
	cmd.Env = append(os.Environ(), "LOKET_CENTRAL_TEST_MAIN=1")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Signal(syscall.SIGKILL); cmd.Wait() })
	var statuses []int
	var retry string
	for i := 0; i < 200 && len(statuses) < 3; i++ {
		resp, err := http.Get("http://" + addr + "/v1/track/HPRN-2345-6789")
		if err != nil {
			time.Sleep(25 * time.Millisecond) // not listening yet
			continue
		}
		resp.Body.Close()
		statuses = append(statuses, resp.StatusCode)
		retry = resp.Header.Get("Retry-After")
	}
	if len(statuses) != 3 || statuses[0] != 404 || statuses[1] != 404 || statuses[2] != 429 || retry != "10" {
		t.Errorf("three lookups at 6 a minute, burst 2: %v, Retry-After %q; want 404 404 429 and 10", statuses, retry)
	}
}
