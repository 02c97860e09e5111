package store

import (
	"errors"
	"regexp"
	"strings"
	"testing"

	"github.com/loket-id/loket/queue"
)

func TestDevices(t *testing.T) {
	s, _ := openTest(t)
	d, token, err := s.AddDevice(ctx, "k1", RoleKiosk)
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`^lkd_[0-9a-f]{64}$`).MatchString(token) || d.ID != "K1" || d.Role != RoleKiosk {
		t.Fatalf("device %+v token %q", d, token)
	}
	if strings.Contains(d.TokenHash, token[4:]) {
		t.Fatal("the token is stored")
	}
	got, err := s.AuthenticateDevice(ctx, token)
	if err != nil || got.ID != "K1" || got.Role != RoleKiosk {
		t.Fatalf("authenticate: %+v %v", got, err)
	}
	for _, bad := range []string{"", "lkd_", token[:len(token)-1] + "x", "Bearer " + token, token + "0", "lkh_" + token[4:]} {
		if _, err := s.AuthenticateDevice(ctx, bad); !errors.Is(err, ErrUnknownDeviceToken) {
			t.Errorf("token %q: %v", bad, err)
		}
	}
	// Refused, nothing written: bad names, bad roles, a name in use (by a
	// device or a counter).
	if _, _, err := s.AddCounter(ctx, NewCounter{Code: "L1"}); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		id, role string
		want     error
	}{
		{"", RoleBoard, queue.ErrInvalid}, {"a b", RoleBoard, queue.ErrInvalid}, {"B1", "tv", queue.ErrInvalid},
		{"K1", RoleBoard, queue.ErrConflict}, {"l1", RoleBoard, queue.ErrConflict},
	} {
		if _, _, err := s.AddDevice(ctx, tt.id, tt.role); !errors.Is(err, tt.want) {
			t.Errorf("AddDevice(%q, %q) = %v, want %v", tt.id, tt.role, err, tt.want)
		}
	}
	if _, _, err := s.AddCounter(ctx, NewCounter{Code: "K1"}); !errors.Is(err, queue.ErrConflict) {
		t.Fatalf("a counter with a device's name: %v", err)
	}
	if ds, _ := s.Devices(ctx); len(ds) != 1 {
		t.Fatalf("%d devices after refusals", len(ds))
	}
	// Revoked: the token stops at once; the name may be registered again
	// with a new token, and the old one stays dead.
	if d, err := s.RevokeDevice(ctx, "k1"); err != nil || !d.Revoked() {
		t.Fatalf("revoke: %+v %v", d, err)
	}
	if _, err := s.RevokeDevice(ctx, "K1"); err != nil {
		t.Fatalf("revoke twice: %v", err)
	}
	if _, err := s.RevokeDevice(ctx, "K9"); !errors.Is(err, queue.ErrNotFound) {
		t.Fatalf("revoke unknown: %v", err)
	}
	if _, err := s.AuthenticateDevice(ctx, token); !errors.Is(err, ErrUnknownDeviceToken) {
		t.Fatalf("a revoked token: %v", err)
	}
	_, token2, err := s.AddDevice(ctx, "K1", RoleBoard)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.AuthenticateDevice(ctx, token); !errors.Is(err, ErrUnknownDeviceToken) {
		t.Fatalf("the old token after a new registration: %v", err)
	}
	if d, err := s.AuthenticateDevice(ctx, token2); err != nil || d.Role != RoleBoard {
		t.Fatalf("the new token: %+v %v", d, err)
	}
	if rep, err := s.Check(ctx); err != nil || !rep.OK() {
		t.Fatalf("check: %v %v", err, rep.Problems)
	}
}
