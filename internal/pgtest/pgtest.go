// Package pgtest gives tests a real PostgreSQL database of their own.
//
// LOKET_TEST_PG is a connection string to a server where the tests may
// create databases (.ci/with-postgres starts a throwaway one and sets it).
// Each test gets a fresh database, dropped when it ends. Without
// LOKET_TEST_PG a test skips with a message; with CI set it fails instead.
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// Env is the variable that names the test server.
const Env = "LOKET_TEST_PG"

// Server is the connection string of the test server, or "" after the
// test was skipped (or failed, under CI) for want of one.
func Server(t testing.TB) string {
	t.Helper()
	base := os.Getenv(Env)
	if base == "" {
		msg := "no PostgreSQL for this test: set " + Env + " to a server's connection string, or run it under .ci/with-postgres"
		if os.Getenv("CI") != "" {
			t.Fatal(msg + " (CI is set: the PostgreSQL suite must run)")
		}
		t.Skip(msg)
	}
	return base
}

// URL is the connection string of a fresh database for t, created on the
// test server and dropped (connections and all) when t ends.
func URL(t testing.TB) string {
	t.Helper()
	base := Server(t)
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	name := "loket_test_" + hex.EncodeToString(b)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	conn, err := pgx.Connect(ctx, base)
	if err != nil {
		t.Fatalf("pgtest: connect to the test server (%s): %v", Env, err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatalf("pgtest: create database %s: %v", name, err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		conn, err := pgx.Connect(ctx, base)
		if err != nil {
			t.Errorf("pgtest: drop database %s: %v", name, err)
			return
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			t.Errorf("pgtest: drop database %s: %v", name, err)
		}
	})
	return WithDatabase(t, base, name)
}

// WithDatabase is the connection string base with its database set to name.
func WithDatabase(t testing.TB, base, name string) string {
	t.Helper()
	if strings.HasPrefix(base, "postgres://") || strings.HasPrefix(base, "postgresql://") {
		u, err := url.Parse(base)
		if err != nil {
			t.Fatalf("pgtest: %s is not a valid URL", Env)
		}
		u.Path = "/" + name
		return u.String()
	}
	return base + " dbname=" + name
}
