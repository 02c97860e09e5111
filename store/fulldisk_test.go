//go:build unix

package store

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

// TestFullDiskHelper is the writer of TestFullDisk: with LOKET_FULLDISK_DB
// set, it limits the files it may write to LOKET_FULLDISK_LIMIT bytes (as a
// full disk would stop it), then registers walk-ins until a write fails.
func TestFullDiskHelper(t *testing.T) {
	path := os.Getenv("LOKET_FULLDISK_DB")
	if path == "" {
		t.Skip("helper process for TestFullDisk")
	}
	limit, _ := strconv.ParseUint(os.Getenv("LOKET_FULLDISK_LIMIT"), 10, 64)
	signal.Ignore(syscall.SIGXFSZ) // a write past the limit then fails with EFBIG
	if err := syscall.Setrlimit(syscall.RLIMIT_FSIZE, &syscall.Rlimit{Cur: limit, Max: limit}); err != nil {
		fmt.Println("setup", err)
		os.Exit(3)
	}
	s, err := Open(path, Options{})
	if err != nil {
		fmt.Println("failed", err)
		os.Exit(0)
	}
	for i := 0; ; i++ {
		r, err := s.Register(ctx, walkIn("A", fmt.Sprintf("Pemohon dengan nama yang cukup panjang %d", i)), clerk)
		if err != nil {
			fmt.Println("failed", err)
			s.Close()
			os.Exit(0)
		}
		fmt.Println("registered", r.ID)
	}
}

// TestFullDisk: when the disk is full, registration fails with an error,
// nothing that was acknowledged is lost, and the database opens and checks
// clean afterwards, and takes new registrations once there is room again.
func TestFullDisk(t *testing.T) {
	path := filepath.Join(t.TempDir(), FileName)
	s, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	info, _ := os.Stat(path)
	cmd := exec.Command(os.Args[0], "-test.run=^TestFullDiskHelper$", "-test.count=1")
	cmd.Env = append(os.Environ(), "LOKET_FULLDISK_DB="+path, fmt.Sprintf("LOKET_FULLDISK_LIMIT=%d", info.Size()+512<<10))
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var registered []string
	var failure string
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		f := strings.SplitN(sc.Text(), " ", 2)
		switch f[0] {
		case "registered":
			registered = append(registered, f[1])
		case "failed":
			failure = f[1]
		default:
			t.Fatalf("helper: %s", sc.Text())
		}
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("the writer died instead of failing cleanly: %v (after %d registrations)", err, len(registered))
	}
	if failure == "" || len(registered) == 0 {
		t.Fatalf("expected some registrations, then a failure: %d, %q", len(registered), failure)
	}
	t.Logf("%d registrations, then: %s", len(registered), failure)
	if !strings.Contains(failure, "write to database "+path+" (nothing was saved)") {
		t.Fatalf("the error does not say what failed: %s", failure)
	}
	s, err = Open(path, Options{})
	if err != nil {
		t.Fatalf("reopen after a full disk: %v", err)
	}
	defer s.Close()
	mustCheck(t, s)
	for _, id := range registered {
		if _, err := s.Get(ctx, id); err != nil {
			t.Fatalf("registration %s was acknowledged but is lost: %v", id, err)
		}
	}
	if _, err := s.Register(ctx, walkIn("A", "After"), clerk); err != nil {
		t.Fatalf("register once there is room: %v", err)
	}
	mustCheck(t, s)
}
