package hub_test

import (
	"bufio"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/loket-id/loket/hub"
	"github.com/loket-id/loket/hub/hubtest"
)

// TestPagesOnTheHub: the waiting room's pages answer on the hub's server at
// /board and /kiosk (the protocol's paths stay the hub's), and their event
// streams outlive the server's read and write timeouts as the change stream
// does.
func TestPagesOnTheHub(t *testing.T) {
	pages := http.NewServeMux()
	pages.HandleFunc("GET /board", func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "the board") })
	pages.HandleFunc("GET /kiosk/state", func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "the kiosk") })
	pages.HandleFunc("GET /kiosk/forever", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		fmt.Fprint(w, "data: open\n\n")
		http.NewResponseController(w).Flush()
		<-r.Context().Done()
	})
	pages.HandleFunc("GET /board/events", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		rc := http.NewResponseController(w)
		for i := range 12 { // 1.2 s, four times the timeouts
			fmt.Fprintf(w, "data: %d\n\n", i)
			if err := rc.Flush(); err != nil {
				return
			}
			time.Sleep(100 * time.Millisecond)
		}
		fmt.Fprint(w, "data: end\n\n")
	})
	h := hubtest.Start(t, hub.Options{Pages: pages, WriteTimeout: 300 * time.Millisecond, ReadTimeout: 300 * time.Millisecond})
	for path, want := range map[string]string{"/board": "the board", "/kiosk/state": "the kiosk"} {
		resp, err := http.Get(h.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		b := make([]byte, 100)
		n, _ := resp.Body.Read(b)
		resp.Body.Close()
		if string(b[:n]) != want {
			t.Errorf("%s = %q", path, b[:n])
		}
	}
	if resp, err := http.Get(h.URL + "/v1/hello"); err != nil || resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("the protocol behind pages: %v %v", resp, err)
	}
	req, _ := http.NewRequest(http.MethodGet, h.URL+"/board/events", nil)
	req.Header.Set("Accept", "text/event-stream")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	var last string
	for sc.Scan() {
		if l, ok := strings.CutPrefix(sc.Text(), "data: "); ok {
			last = l
		}
	}
	if last != "end" {
		t.Fatalf("the event stream was cut after %q", last)
	}

	// A stream that never ends by itself ends when the hub shuts down,
	// which then does not wait for it (its grace is 30 s).
	req, _ = http.NewRequest(http.MethodGet, h.URL+"/kiosk/forever", nil)
	req.Header.Set("Accept", "text/event-stream")
	forever, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer forever.Body.Close()
	start := time.Now()
	h.Stop()
	if d := time.Since(start); d > 10*time.Second {
		t.Fatalf("the hub waited %v for a page's event stream to end", d)
	}
	if _, err := io.ReadAll(forever.Body); err != nil {
		t.Fatalf("the stream did not end cleanly: %v", err)
	}
}
