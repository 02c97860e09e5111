package main

import (
	"bytes"
	"context"
	"io"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/exp/teatest"

	"github.com/loket-id/loket/config"
	"github.com/loket-id/loket/tui"
)

// TestHubUI: the terminal UI of a counter behind a real hub process (the
// hub client as its backend, with the options `loket` gives it): a walk-in
// registered at another counter (a loket process) shows without a key
// press; the hub going away (kill -9) and coming back shows on the status
// bar, and changes show again after it.
func TestHubUI(t *testing.T) {
	hte := hubEnv(t)
	h := startHub(t, hte, freeAddr(t), "")
	tok1 := addCounter(t, hte, "L1", "--name", "Loket Satu")
	other := counterEnv(t, h.url(), addCounter(t, hte, "L2"))

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	cte := counterEnv(t, h.url(), tok1)
	e := &env{app: &App{Stdout: io.Discard, Stderr: io.Discard, Getenv: func(k string) string { return cte.env[k] }, Cwd: cte.cwd},
		ctx: ctx, name: "ui", cfg: config.Default(), lang: "en", dataDir: cte.env["LOKET_DATA"]}
	c, err := e.newHubClient(e.hubURL(), nil)
	if err != nil {
		t.Fatal(err)
	}
	opts, err := hubUIOptions(ctx, e, c)
	if err != nil {
		t.Fatal(err)
	}
	if opts.Counter != "L1" || opts.CounterName != "Loket Satu" || opts.Receipts == nil {
		t.Fatalf("options: counter %q %q, receipts %v", opts.Counter, opts.CounterName, opts.Receipts)
	}
	c.Start(ctx)
	defer c.Close()
	m := tui.New(ctx, opts)
	defer m.Close()
	tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(80, 24))
	wait := func(what string) {
		t.Helper()
		teatest.WaitFor(t, tm.Output(), func(b []byte) bool { return bytes.Contains(b, []byte(what)) },
			teatest.WithDuration(20*time.Second), teatest.WithCheckInterval(20*time.Millisecond))
	}
	wait("Hub: ● online")
	if _, errOut, code := runProc(t, other, nil, "add", "--service", "B", "--name", "Kiosk Process", "--nik", nik); code != 0 {
		t.Fatalf("add at L2: %s", errOut)
	}
	wait("Kiosk Process")

	h.kill()
	wait("Hub: ○ offline")
	h.start()
	wait("Hub: ● online")
	if _, errOut, code := runProc(t, other, nil, "add", "--service", "B", "--name", "After Restart", "--nik", nik); code != 0 {
		t.Fatalf("add at L2 after the restart: %s", errOut)
	}
	wait("After Restart")
	tm.Send(tea.KeyMsg{Type: tea.KeyCtrlC})
	tm.WaitFinished(t, teatest.WithFinalTimeout(10*time.Second))
}
