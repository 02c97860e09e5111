package store

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/loket-id/loket/queue"
)

// The waiting room's devices: the display boards and ticket kiosks the
// office hub serves (package waitingroom). Each is registered here, like a
// counter (counters.go), with a token shown once, that its browser presents
// on every page. Devices are not events and are not synced. They live in
// their own buckets, created by the first device:
//
//	hub_devices        <device ID> -> Device JSON (token_sha256: hex SHA-256 of the token)
//	hub_device_tokens  <SHA-256 of a token, 32 bytes> -> <device ID> (devices not revoked)
//
// Only the token's SHA-256 is stored. A token is found by its hash, and
// the hash the device holds is then compared in constant time.
var (
	bDevices      = []byte("hub_devices")
	bDeviceTokens = []byte("hub_device_tokens")
)

// DeviceTokenPrefix starts every device token: "lkd_" and 64 hex digits
// (256 random bits).
const DeviceTokenPrefix = "lkd_"

// The roles of the waiting room's devices.
const (
	RoleBoard  = "board"  // a display board: reads the calls
	RoleKiosk  = "kiosk"  // a ticket kiosk: registers walk-ins without identity
	RoleSurvey = "survey" // a survey tablet: takes the satisfaction survey's answers (SKM)
)

// ErrUnknownDeviceToken is a token no device holds (or not a token at all).
var ErrUnknownDeviceToken = errors.New("unknown device token")

// Device is one of the waiting room's screens as the hub knows it.
type Device struct {
	// ID is the device's name (K1, LOBBY): a kiosk's walk-ins name it as
	// their counter.
	ID        string     `json:"id"`
	Role      string     `json:"role"`
	TokenHash string     `json:"token_sha256"`
	CreatedAt time.Time  `json:"created_at"`
	RevokedAt *time.Time `json:"revoked_at,omitempty"`
}

// Revoked reports whether the device's token no longer works.
func (d Device) Revoked() bool { return d.RevokedAt != nil }

// AddDevice registers a board or a kiosk under id (the rules of a counter
// code) and returns it with its token, shown this once. An ID in use by a
// device or a counter that is not revoked is refused (queue.ErrConflict):
// a kiosk's walk-ins carry its ID where a counter's carry its code.
func (s *Store) AddDevice(ctx context.Context, id, role string) (d Device, token string, err error) {
	id, err = NormalizeCounterCode(id)
	if err != nil {
		return d, "", queue.Invalid("name", strings.Replace(err.Error(), "counter code", "device name", 1))
	}
	if role != RoleBoard && role != RoleKiosk && role != RoleSurvey {
		return d, "", queue.Invalid("role", fmt.Sprintf("%q is not board, kiosk or survey", role))
	}
	err = s.Update(ctx, func(tx *Tx) error {
		old, ok, err := tx.device(id)
		if err != nil {
			return err
		}
		if ok && !old.Revoked() {
			return fmt.Errorf("device %s is already registered: %w", id, queue.ErrConflict)
		}
		if c, ok, err := tx.counter(id); err != nil {
			return err
		} else if ok && !c.Revoked() {
			return fmt.Errorf("%s is a counter's code: %w", id, queue.ErrConflict)
		}
		tb, err := tx.tx.CreateBucketIfNotExists(bDeviceTokens)
		if err != nil {
			return err
		}
		token = DeviceTokenPrefix + hex.EncodeToString(tx.s.randomBytes(32))
		h := HashToken(token)
		if err := tb.Put(h, []byte(id)); err != nil {
			return err
		}
		d = Device{ID: id, Role: role, TokenHash: hex.EncodeToString(h), CreatedAt: s.clock().UTC()}
		b, err := tx.tx.CreateBucketIfNotExists(bDevices)
		if err != nil {
			return err
		}
		return putJSON(b, []byte(id), d)
	})
	if err != nil {
		return Device{}, "", err
	}
	return d, token, nil
}

func (tx *Tx) device(id string) (Device, bool, error) {
	var d Device
	b := tx.tx.Bucket(bDevices)
	if b == nil {
		return d, false, nil
	}
	v := b.Get([]byte(id))
	if v == nil {
		return d, false, nil
	}
	if err := json.Unmarshal(v, &d); err != nil {
		return d, false, fmt.Errorf("decode device %s: %w", id, err)
	}
	return d, true, nil
}

// Devices lists the waiting room's devices, revoked ones included, by ID.
func (s *Store) Devices(ctx context.Context) ([]Device, error) {
	var out []Device
	err := s.View(ctx, func(tx *Tx) error {
		b := tx.tx.Bucket(bDevices)
		if b == nil {
			return nil
		}
		return b.ForEach(func(k, v []byte) error {
			var d Device
			if err := json.Unmarshal(v, &d); err != nil {
				return fmt.Errorf("decode device %s: %w", k, err)
			}
			out = append(out, d)
			return nil
		})
	})
	return out, err
}

// RevokeDevice revokes a device: its token stops working at once (its
// next page or event stream is refused). Revoking a revoked device
// changes nothing; an unknown one is queue.ErrNotFound.
func (s *Store) RevokeDevice(ctx context.Context, id string) (d Device, err error) {
	norm, err := NormalizeCounterCode(id)
	if err != nil {
		return d, queue.Invalid("name", strings.Replace(err.Error(), "counter code", "device name", 1))
	}
	err = s.Update(ctx, func(tx *Tx) error {
		var ok bool
		if d, ok, err = tx.device(norm); err != nil {
			return err
		}
		if !ok {
			return fmt.Errorf("device %s: %w", norm, queue.ErrNotFound)
		}
		if d.Revoked() {
			return nil
		}
		now := s.clock().UTC()
		d.RevokedAt = &now
		if h, err := hex.DecodeString(d.TokenHash); err == nil {
			if tb := tx.tx.Bucket(bDeviceTokens); tb != nil {
				if err := tb.Delete(h); err != nil {
					return err
				}
			}
		}
		return putJSON(tx.tx.Bucket(bDevices), []byte(d.ID), d)
	})
	return d, err
}

// AuthenticateDevice is the device that holds token: ErrUnknownDeviceToken
// for a token no device holds, a revoked device's included. The token
// itself never appears in an error.
func (s *Store) AuthenticateDevice(ctx context.Context, token string) (d Device, err error) {
	if !strings.HasPrefix(token, DeviceTokenPrefix) || len(token) != len(DeviceTokenPrefix)+64 {
		return d, ErrUnknownDeviceToken
	}
	h := HashToken(token)
	err = s.View(ctx, func(tx *Tx) error {
		tb := tx.tx.Bucket(bDeviceTokens)
		if tb == nil {
			return ErrUnknownDeviceToken
		}
		id := tb.Get(h)
		if id == nil {
			return ErrUnknownDeviceToken
		}
		var ok bool
		if d, ok, err = tx.device(string(id)); err != nil {
			return err
		}
		want, _ := hex.DecodeString(d.TokenHash)
		if !ok || d.Revoked() || subtle.ConstantTimeCompare(want, h) != 1 {
			return ErrUnknownDeviceToken
		}
		return nil
	})
	if err != nil {
		return Device{}, err
	}
	return d, nil
}

// checkDevices verifies the devices' buckets as checkCounters does the
// counters'.
func (tx *Tx) checkDevices(bad func(string, ...any)) {
	want := map[string]string{}
	if b := tx.tx.Bucket(bDevices); b != nil {
		_ = b.ForEach(func(k, v []byte) error {
			var d Device
			if err := json.Unmarshal(v, &d); err != nil || d.ID != string(k) {
				bad("device %s does not decode under its ID", k)
				return nil
			}
			h, err := hex.DecodeString(d.TokenHash)
			if err != nil || len(h) != sha256.Size {
				bad("device %s has no token hash", k)
				return nil
			}
			if !d.Revoked() {
				want[string(h)] = d.ID
			}
			return nil
		})
	}
	if tb := tx.tx.Bucket(bDeviceTokens); tb != nil {
		_ = tb.ForEach(func(k, v []byte) error {
			if id, ok := want[string(k)]; !ok || !bytes.Equal(v, []byte(id)) {
				bad("device token index entry names device %s, which does not hold it", v)
			}
			delete(want, string(k))
			return nil
		})
	}
	for _, id := range want {
		bad("device %s is missing from the token index", id)
	}
}
