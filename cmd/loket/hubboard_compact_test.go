package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/loket-id/loket/queue"
	"github.com/loket-id/loket/store"
	"github.com/loket-id/loket/waitingroom"
)

// TestBoardFeedWhileCompacting: the hub's waiting room follows the store
// (every call it reads names the counter) while the store compacts the file
// (the nightly purge does, at the hub's start and at 01:00). Before the
// board read counter names through its own transaction, it opened a second
// read inside its first, and a compaction waiting between the two stopped
// the hub for good: no page, no command, no sync (a CI run hung 10 minutes
// on `loket export` through a hub that had just restarted).
func TestBoardFeedWhileCompacting(t *testing.T) {
	st, err := store.Open(filepath.Join(t.TempDir(), store.FileName), store.Options{Location: time.FixedZone("WIB", 7*3600)})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	for i := 1; i <= 3; i++ {
		if _, _, err := st.AddCounter(ctx, store.NewCounter{Code: fmt.Sprintf("L%d", i), Name: fmt.Sprintf("Loket %d", i)}); err != nil {
			t.Fatal(err)
		}
	}
	wr, err := waitingroom.New(waitingroom.Options{Config: waitingroom.Config{Office: "DPMPTSP", Location: st.Location()},
		Store: st, Devices: storeDevices{st}, CounterName: counterName,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { _ = wr.Run(ctx); close(done) }()

	var compactions atomic.Int64
	var wg sync.WaitGroup
	stop := make(chan struct{})
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			select {
			case <-stop:
				return
			default:
			}
			if err := st.Compact(ctx); err != nil && ctx.Err() == nil {
				t.Errorf("compact: %v", err)
				return
			}
			compactions.Add(1)
		}
	}()
	progress := make(chan int, 1)
	go func() {
		defer close(progress)
		for i := 0; i < 150; i++ {
			by := queue.Actor{Counter: fmt.Sprintf("L%d", i%3+1), Clerk: "siti"}
			if _, err := st.Register(ctx, queue.NewRequest{Service: "A", Anonymous: true}, by); err != nil {
				t.Errorf("register: %v", err)
				return
			}
			if _, err := st.CallNext(ctx, nil, by); err != nil {
				t.Errorf("call: %v", err)
				return
			}
			select {
			case progress <- i:
			default:
			}
		}
	}()
	for {
		select {
		case _, ok := <-progress:
			if !ok {
				close(stop)
				wg.Wait()
				t.Logf("150 calls beside %d compactions", compactions.Load())
				cancel()
				<-done
				if err := st.Close(); err != nil {
					t.Error(err)
				}
				return
			}
		case <-time.After(30 * time.Second):
			buf := make([]byte, 1<<20)
			// Nothing is closed: a deadlocked store cannot be.
			t.Fatalf("no call for 30 s: the store is deadlocked\n%s", buf[:runtime.Stack(buf, true)])
		}
	}
}
