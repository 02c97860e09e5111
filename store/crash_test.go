package store

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/loket-id/loket/queue"
)

var (
	crashIterations = flag.Int("crash.iterations", 50, "how many times TestCrashKill kills the writer")
	crashSeed       = flag.Int64("crash.seed", 0, "seed of TestCrashKill's kill moments; 0: from the clock")
)

// TestCrashHelper is the writer process of TestCrashKill: run alone it does
// nothing. With LOKET_CRASH_DB set it registers walk-ins (and calls every
// third one, and merges the journal of search keys into their places after
// every 10th, journal.go) until it is killed, printing a line after each
// committed action.
func TestCrashHelper(t *testing.T) {
	path := os.Getenv("LOKET_CRASH_DB")
	if path == "" {
		t.Skip("helper process for TestCrashKill")
	}
	s, err := Open(path, Options{})
	if err != nil {
		fmt.Println("error", err)
		os.Exit(3)
	}
	out := os.Stdout // unbuffered: each line is written before the next action
	services := []string{"A", "B", "C"}
	for i := 0; ; i++ {
		r, err := s.Register(ctx, walkIn(services[i%3], fmt.Sprintf("Crash %d", i)), clerk)
		if err != nil {
			fmt.Fprintln(out, "error", err)
			os.Exit(3)
		}
		fmt.Fprintf(out, "registered %s %s %s\n", r.ID, r.Ticket, r.TrackingCode)
		if i%3 == 2 {
			c, err := s.CallNext(ctx, nil, clerk)
			if err != nil {
				fmt.Fprintln(out, "error", err)
				os.Exit(3)
			}
			fmt.Fprintf(out, "called %s\n", c.ID)
		}
		if i%10 == 9 {
			n, err := s.MergeJournal(ctx)
			if err != nil {
				fmt.Fprintln(out, "error", err)
				os.Exit(3)
			}
			fmt.Fprintf(out, "merged %d\n", n)
		}
	}
}

// TestCrashKill starts a real writer process, kills it with SIGKILL at a
// random moment, and checks that everything it reported is on disk, no
// ticket is handed out twice, the event log is contiguous, Check is clean
// (the journal of search keys and the keys in their places, whether the
// kill landed in a registration or in a merge, are together exactly the
// keys the requests make) and every tracking code reported finds its
// request; many times over the same database.
func TestCrashKill(t *testing.T) {
	if testing.Short() {
		t.Skip("crash test in -short mode")
	}
	path := filepath.Join(t.TempDir(), FileName)
	seed := *crashSeed
	if seed == 0 {
		seed = time.Now().UnixNano()
	}
	t.Logf("seed %d (replay: go test ./store -run '^TestCrashKill$' -crash.seed=%d)", seed, seed)
	rng := rand.New(rand.NewSource(seed))
	registered := map[string]string{} // id -> ticket
	codes := map[string]string{}      // id -> tracking code
	merges := 0
	called := map[string]bool{}
	for iter := range *crashIterations {
		cmd := exec.Command(os.Args[0], "-test.run=^TestCrashHelper$", "-test.count=1")
		cmd.Env = append(os.Environ(), "LOKET_CRASH_DB="+path)
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		var lines []string
		started, done := make(chan struct{}), make(chan struct{})
		go func() {
			defer close(done)
			sc := bufio.NewScanner(stdout)
			for sc.Scan() {
				if lines = append(lines, sc.Text()); len(lines) == 1 {
					close(started)
				}
			}
		}()
		// Wait for the first write, then kill after a random delay, so
		// kills land before, during and after commits.
		select {
		case <-started:
		case <-done:
		case <-time.After(20 * time.Second):
			t.Fatal("writer wrote nothing in 20s")
		}
		time.Sleep(time.Duration(rng.Intn(40_000)) * time.Microsecond)
		_ = cmd.Process.Signal(syscall.SIGKILL)
		<-done
		_ = cmd.Wait()
		n := 0
		for _, l := range lines {
			f := strings.Fields(l)
			switch f[0] {
			case "registered":
				registered[f[1]], codes[f[1]] = f[2], f[3]
				n++
			case "merged":
				merges++
			case "called":
				called[f[1]] = true
			default:
				t.Fatalf("iteration %d: writer said %q", iter, l)
			}
		}

		s, err := Open(path, Options{})
		if err != nil {
			t.Fatalf("iteration %d: reopen after kill: %v", iter, err)
		}
		rep, err := s.Check(ctx)
		if err != nil || !rep.OK() {
			t.Fatalf("iteration %d: check after kill: %v %s", iter, err, strings.Join(rep.Problems, "; "))
		}
		tickets := map[string]string{}
		err = s.View(ctx, func(tx *Tx) error {
			for id, ticket := range registered {
				r, err := tx.byID(id)
				if errors.Is(err, queue.ErrNotFound) {
					return fmt.Errorf("registration %s (%s) was reported done but is lost", id, ticket)
				}
				if err != nil {
					return err
				}
				if r.Ticket != ticket {
					return fmt.Errorf("request %s has ticket %s, reported %s", id, r.Ticket, ticket)
				}
				if called[id] && r.Status != queue.StatusCalled {
					return fmt.Errorf("request %s was reported called but is %s", id, r.Status)
				}
				if byCode, err := tx.Resolve(codes[id]); err != nil || byCode.ID != id {
					return fmt.Errorf("tracking code %s of request %s finds %s, %v", codes[id], id, byCode.ID, err)
				}
			}
			return tx.Between("", "", func(r queue.Request) error {
				key := r.Day + "/" + r.Ticket
				if other, dup := tickets[key]; dup {
					return fmt.Errorf("ticket %s handed out twice (%s and %s)", key, other, r.ID)
				}
				tickets[key] = r.ID
				return nil
			})
		})
		s.Close()
		if err != nil {
			t.Fatalf("iteration %d (%d written this time): %v", iter, n, err)
		}
	}
	t.Logf("%d kills, %d registrations reported and found, %d calls, %d merges", *crashIterations, len(registered), len(called), merges)
}
