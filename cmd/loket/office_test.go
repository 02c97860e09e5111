package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/loket-id/loket/office"
	"github.com/loket-id/loket/queue"
	"github.com/loket-id/loket/store"
)

// countingQueue is an office queue that records which of its methods were
// called.
type countingQueue struct {
	office.Queue
	mu    sync.Mutex
	calls map[string]int
}

func (q *countingQueue) note(m string) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.calls[m]++
}

func (q *countingQueue) RegisterOnce(ctx context.Context, key string, in queue.NewRequest, by queue.Actor) (queue.Request, bool, error) {
	q.note("RegisterOnce")
	return q.Queue.RegisterOnce(ctx, key, in, by)
}

func (q *countingQueue) CallNextOnce(ctx context.Context, key string, services []string, by queue.Actor) (queue.Request, bool, error) {
	q.note("CallNextOnce")
	return q.Queue.CallNextOnce(ctx, key, services, by)
}

func (q *countingQueue) ActOnce(ctx context.Context, key, ref string, act queue.Action, service string, by queue.Actor) (queue.Request, bool, error) {
	q.note("ActOnce")
	return q.Queue.ActOnce(ctx, key, ref, act, service, by)
}

func (q *countingQueue) ReplaceCatalogOnce(ctx context.Context, key string, svcs []queue.Service, by queue.Actor) ([]queue.Service, bool, error) {
	q.note("ReplaceCatalogOnce")
	return q.Queue.ReplaceCatalogOnce(ctx, key, svcs, by)
}

func (q *countingQueue) Get(ctx context.Context, ref string) (queue.Request, error) {
	q.note("Get")
	return q.Queue.Get(ctx, ref)
}

func (q *countingQueue) Detail(ctx context.Context, ref string) (queue.Request, []queue.Event, error) {
	q.note("Detail")
	return q.Queue.Detail(ctx, ref)
}

func (q *countingQueue) DayQueue(ctx context.Context, day string) ([]queue.Request, error) {
	q.note("DayQueue")
	return q.Queue.DayQueue(ctx, day)
}

func (q *countingQueue) Find(ctx context.Context, text string, limit int) ([]queue.Request, error) {
	q.note("Find")
	return q.Queue.Find(ctx, text, limit)
}

func (q *countingQueue) Services(ctx context.Context) ([]queue.Service, error) {
	q.note("Services")
	return q.Queue.Services(ctx)
}

func (q *countingQueue) Between(ctx context.Context, from, to string, fn func(queue.Request) error) error {
	q.note("Between")
	return q.Queue.Between(ctx, from, to, fn)
}

// normalise makes two runs' output comparable: IDs, tracking codes and
// station IDs are random, and requests that arrived at the same (fixed)
// instant may come in either order.
func normalise(out string) string {
	out = regexp.MustCompile(`[0-9A-Z]{26}|[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}|[0-9a-f]{32}`).ReplaceAllString(out, "X")
	lines := strings.Split(out, "\n")
	sort.Strings(lines)
	return strings.Join(lines, "\n")
}

// TestQueueCommandsUseOnlyTheOfficeQueue: every queue command works through
// the office queue it is given (as it will through the office hub), with
// the output it has on the database, and never opens the database.
func TestQueueCommandsUseOnlyTheOfficeQueue(t *testing.T) {
	te := newTestEnv(t)
	// A clock that ticks a millisecond a reading: arrivals keep their order.
	ticking := func() func() time.Time {
		var mu sync.Mutex
		t := fixedNow
		return func() time.Time {
			mu.Lock()
			defer mu.Unlock()
			t = t.Add(time.Millisecond)
			return t
		}
	}
	te.now = ticking()
	loc, _ := time.LoadLocation("Asia/Jakarta")
	elsewhere := filepath.Join(t.TempDir(), "office.db")
	st, err := store.Open(elsewhere, store.Options{Location: loc, Clock: ticking()})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	q := &countingQueue{Queue: st, calls: map[string]int{}}
	run := func(args ...string) string {
		t.Helper()
		var stdout, stderr bytes.Buffer
		app := &App{Stdout: &stdout, Stderr: &stderr, Cwd: te.cwd, office: q,
			Getenv: func(k string) string { return te.env[k] }}
		if code := exitCode(app.Run(context.Background(), args), &stderr); code != 0 {
			t.Fatalf("loket %q: exit %d: %s", args, code, stderr.String())
		}
		return stdout.String()
	}
	// The same commands on the database, for the output to compare.
	direct := func(args ...string) string { t.Helper(); return te.mustRun(args...) }
	os.WriteFile(filepath.Join(te.cwd, "cat.json"), []byte(`[{"code":"A","name_id":"Izin","name_en":"Permit"},{"code":"B","name_id":"Surat","name_en":"Letter"}]`), 0o600)
	lines := [][]string{
		{"services", "import", "cat.json"},
		{"add", "--service", "A", "--name", "Siti Aminah", "--nik", nik},
		{"add", "--service", "A", "--name", "Budi", "--nik", "3578010101850002"},
		{"call"}, {"recall", "A-001"}, {"serve", "A-001"}, {"done", "A-001"},
		{"call"}, {"requeue", "A-002"}, {"transfer", "A-002", "--service", "B"}, {"noshow", "A-002"},
		{"add", "--service", "B", "--name", "Wayan", "--nik", nik}, {"cancel", "B-001"},
		{"list"}, {"list", "--format", "csv"}, {"find", "Siti"}, {"show", "A-001"}, {"services"},
		{"stats"}, {"stats", "--by", "hour", "--format", "csv"},
		{"receipt", "A-001", "--out", "r.pdf"},
		{"report", "--out", "report.pdf"},
	}
	var got []string
	for _, args := range lines {
		got = append(got, run(args...))
	}
	run("export", "--format", "json")
	if _, err := os.Stat(filepath.Join(te.env["LOKET_DATA"], store.FileName)); !os.IsNotExist(err) {
		t.Fatalf("a queue command opened the database: %v", err)
	}
	for i, args := range lines {
		if args[0] == "receipt" || args[0] == "report" {
			continue // the paths differ; what the files hold, the receipt and report tests check
		}
		if got, want := normalise(got[i]), normalise(direct(args...)); got != want {
			t.Errorf("loket %q through the office queue:\n%s\non the database:\n%s", args, got, want)
		}
	}
	var used []string
	for m := range q.calls {
		used = append(used, m)
	}
	sort.Strings(used)
	if got := strings.Join(used, " "); got != "ActOnce Between CallNextOnce DayQueue Detail Find Get RegisterOnce ReplaceCatalogOnce Services" {
		t.Errorf("office queue methods used: %s", got)
	}
}
