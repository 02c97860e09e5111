package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/loket-id/loket/relay"
	"github.com/loket-id/loket/store"
)

// BenchmarkList is `loket list` (today's 50 requests) run as a command: on
// its own, opening the database (direct, the anchor), and through a process
// that owns the database (forwarded, over the owner socket; the owner runs
// in this process, as the terminal UI would in its own). The aim: forwarded
// at most 2x direct.
func BenchmarkList(b *testing.B) {
	dir := b.TempDir()
	env := map[string]string{"LOKET_DATA": filepath.Join(dir, "data"), "LOKET_CONFIG": filepath.Join(dir, "config.toml"), "HOME": dir}
	cfg := "timezone = \"Asia/Jakarta\"\n[station]\ncode = \"L3\"\n[clerk]\nname = \"Sari\"\n"
	if err := os.WriteFile(env["LOKET_CONFIG"], []byte(cfg), 0o600); err != nil {
		b.Fatal(err)
	}
	app := &App{Stdout: io.Discard, Stderr: io.Discard, Cwd: dir, Getenv: func(k string) string { return env[k] }}
	run := func(b *testing.B, args ...string) {
		if err := app.Run(context.Background(), args); err != nil {
			b.Fatal(err)
		}
	}
	for i := range 50 {
		run(b, "add", "--service", "A", "--name", fmt.Sprintf("Applicant %d", i), "--nik", nik)
	}
	b.Run("direct", func(b *testing.B) {
		for b.Loop() {
			run(b, "list")
		}
	})
	b.Run("forwarded", func(b *testing.B) {
		loc, err := time.LoadLocation("Asia/Jakarta")
		if err != nil {
			b.Fatal(err)
		}
		st, err := store.Open(filepath.Join(env["LOKET_DATA"], store.FileName), store.Options{Location: loc})
		if err != nil {
			b.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error)
		go func() { done <- serveOwner(ctx, st, env["LOKET_DATA"], nil) }()
		defer func() { cancel(); <-done; st.Close() }()
		sock := filepath.Join(env["LOKET_DATA"], relay.FileName)
		for {
			if _, err := relay.Forward(ctx, sock, relay.Request{Args: []string{"version"}}); err == nil {
				break
			}
			time.Sleep(time.Millisecond)
		}
		for b.Loop() {
			run(b, "list")
		}
	})
}
