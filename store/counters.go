package store

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"
	"unicode"

	"github.com/loket-id/loket/queue"
)

// The office hub's counters. An office's hub (package hub) holds the
// office's one database and serves its counters over the LAN; each counter
// is registered here with a token, shown once, that it presents on every
// call. The counter's identity (queue.Actor.Counter) is its code, taken
// from its token, never from what it sends.
//
// Counters are not events: registering or revoking one changes nothing in
// the queue and is not synced to the central server. They live in their
// own bucket, created by the first counter (a database that never had one
// has no bucket):
//
//	hub_counters   <code> -> Counter JSON (token_sha256: hex SHA-256 of the token)
//	hub_tokens     <SHA-256 of a token, 32 bytes> -> <code>
//
// Only the token's SHA-256 is stored. A token is found by its hash, and the
// hash the counter holds is then compared in constant time.
var (
	bCounters = []byte("hub_counters")
	bTokens   = []byte("hub_tokens")
)

// TokenPrefix starts every counter token: "lkh_" and 64 hex digits (256
// random bits).
const TokenPrefix = "lkh_"

// Errors of counter tokens, to be matched with errors.Is.
var (
	// ErrUnknownToken is a token no counter holds (or not a token at all).
	ErrUnknownToken = errors.New("unknown counter token")
	// ErrRevoked is the token of a counter that was revoked.
	ErrRevoked = errors.New("counter token revoked")
	// ErrUnknownSSHKey is an SSH public key no counter holds.
	ErrUnknownSSHKey = errors.New("unknown counter SSH key")
)

// Counter is one counter of the office as the hub knows it.
type Counter struct {
	// Code is the counter's code (L1, LOKET-3): its identity in every event.
	Code string `json:"code"`
	Name string `json:"name"`
	// Services are the lines the counter calls from when a call names none.
	Services []string `json:"services"`
	// Printer is the counter's printer queue (its receipts print there).
	Printer string `json:"printer,omitempty"`
	// SSHKey is the counter's SSH public key (authorized_keys form), for
	// the hub's SSH access; "" for none.
	SSHKey    string     `json:"ssh_key,omitempty"`
	TokenHash string     `json:"token_sha256"`
	CreatedAt time.Time  `json:"created_at"`
	RevokedAt *time.Time `json:"revoked_at,omitempty"`
}

// Revoked reports whether the counter's token no longer works.
func (c Counter) Revoked() bool { return c.RevokedAt != nil }

// NewCounter is a counter to register.
type NewCounter struct {
	Code     string
	Name     string
	Services []string
	Printer  string
	SSHKey   string
}

var counterCodeRe = regexp.MustCompile(`^[A-Z0-9][A-Z0-9_-]{0,15}$`)

// NormalizeCounterCode checks a counter code: 1 to 16 letters, digits, - or
// _, starting with a letter or digit; returned in upper case.
func NormalizeCounterCode(code string) (string, error) {
	c := strings.ToUpper(strings.TrimSpace(code))
	if !counterCodeRe.MatchString(c) {
		return "", queue.Invalid("code", fmt.Sprintf("%q is not a counter code (1 to 16 letters, digits, - or _, like L1)", code))
	}
	return c, nil
}

// HashToken is the stored form of a counter token: its SHA-256.
func HashToken(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}

// validate checks and normalises a counter to register against the
// catalog of tx.
func (tx *Tx) validateCounter(in NewCounter) (NewCounter, error) {
	var err error
	if in.Code, err = NormalizeCounterCode(in.Code); err != nil {
		return in, err
	}
	in.Name = strings.TrimSpace(in.Name)
	if in.Name == "" {
		in.Name = in.Code
	}
	if err := plainText("name", in.Name, 64); err != nil {
		return in, err
	}
	if in.Services, err = tx.counterServices(in.Services); err != nil {
		return in, err
	}
	in.Printer = strings.TrimSpace(in.Printer)
	if err := plainText("printer", in.Printer, 128); err != nil {
		return in, err
	}
	if in.SSHKey, err = normalSSHKey(in.SSHKey); err != nil {
		return in, err
	}
	return in, nil
}

// counterServices checks that each service is in the catalog, and returns
// them trimmed, upper case, without duplicates, in the given order.
func (tx *Tx) counterServices(services []string) ([]string, error) {
	out := []string{}
	seen := map[string]bool{}
	for _, s := range services {
		s = strings.ToUpper(strings.TrimSpace(s))
		if s == "" || seen[s] {
			continue
		}
		if err := queue.ValidateServiceCode(s); err != nil {
			return nil, queue.Invalid("services", fmt.Sprintf("%q is not a service code", s))
		}
		if tx.tx.Bucket(bServices).Get([]byte(s)) == nil {
			return nil, queue.Invalid("services", fmt.Sprintf("service %s is not in the catalog", s))
		}
		seen[s] = true
		out = append(out, s)
	}
	return out, nil
}

func plainText(field, s string, max int) error {
	if len(s) > max {
		return queue.Invalid(field, fmt.Sprintf("longer than %d bytes", max))
	}
	for _, r := range s {
		if unicode.IsControl(r) || r == unicode.ReplacementChar {
			return queue.Invalid(field, "holds a control character or invalid UTF-8")
		}
	}
	return nil
}

// normalSSHKey checks an SSH public key in authorized_keys form ("type
// base64 [comment]"): a known type, and a body that decodes and names the
// same type. "" is no key.
func normalSSHKey(key string) (string, error) {
	key = strings.TrimSpace(key)
	if key == "" {
		return "", nil
	}
	if err := plainText("ssh_key", key, 16<<10); err != nil {
		return "", err
	}
	f := strings.Fields(key)
	known := map[string]bool{"ssh-ed25519": true, "ssh-rsa": true, "ecdsa-sha2-nistp256": true, "ecdsa-sha2-nistp384": true,
		"ecdsa-sha2-nistp521": true, "sk-ssh-ed25519@openssh.com": true, "sk-ecdsa-sha2-nistp256@openssh.com": true}
	if len(f) < 2 || !known[f[0]] {
		return "", queue.Invalid("ssh_key", "not an SSH public key (want e.g. ssh-ed25519 AAAA… comment)")
	}
	body, err := base64.StdEncoding.DecodeString(f[1])
	if err != nil || len(body) < 4 {
		return "", queue.Invalid("ssh_key", "the key's body is not base64")
	}
	n := binary.BigEndian.Uint32(body)
	if uint64(n)+4 > uint64(len(body)) || string(body[4:4+n]) != f[0] {
		return "", queue.Invalid("ssh_key", "the key's body does not hold a "+f[0]+" key")
	}
	return strings.Join(f, " "), nil
}

func (tx *Tx) counter(code string) (Counter, bool, error) {
	var c Counter
	b := tx.tx.Bucket(bCounters)
	if b == nil {
		return c, false, nil
	}
	v := b.Get([]byte(code))
	if v == nil {
		return c, false, nil
	}
	if err := json.Unmarshal(v, &c); err != nil {
		return c, false, fmt.Errorf("decode counter %s: %w", code, err)
	}
	return c, true, nil
}

func (tx *Tx) putCounter(c Counter) error {
	b, err := tx.tx.CreateBucketIfNotExists(bCounters)
	if err != nil {
		return err
	}
	return putJSON(b, []byte(c.Code), c)
}

// setToken gives c a new random token, replacing its old one.
func (tx *Tx) setToken(c *Counter) (string, error) {
	tb, err := tx.tx.CreateBucketIfNotExists(bTokens)
	if err != nil {
		return "", err
	}
	if old, err := hex.DecodeString(c.TokenHash); err == nil && len(old) > 0 {
		if err := tb.Delete(old); err != nil {
			return "", err
		}
	}
	token := TokenPrefix + hex.EncodeToString(tx.s.randomBytes(32))
	h := HashToken(token)
	if err := tb.Put(h, []byte(c.Code)); err != nil {
		return "", err
	}
	c.TokenHash = hex.EncodeToString(h)
	return token, nil
}

// AddCounter registers a counter of the office and returns it with its
// token, which is shown this once: only its hash is kept. A code in use by
// a counter that is not revoked is refused (queue.ErrConflict), and so is
// an SSH key such a counter holds; a revoked code may be registered again,
// with a new token.
func (s *Store) AddCounter(ctx context.Context, in NewCounter) (c Counter, token string, err error) {
	err = s.Update(ctx, func(tx *Tx) error {
		if in, err = tx.validateCounter(in); err != nil {
			return err
		}
		old, ok, err := tx.counter(in.Code)
		if err != nil {
			return err
		}
		if ok && !old.Revoked() {
			return fmt.Errorf("counter %s is already registered: %w", in.Code, queue.ErrConflict)
		}
		if d, ok, err := tx.device(in.Code); err != nil {
			return err
		} else if ok && !d.Revoked() {
			return fmt.Errorf("%s is a waiting-room device's name: %w", in.Code, queue.ErrConflict)
		}
		if in.SSHKey != "" {
			// One key, one counter: the key is the identity of an SSH session.
			holders, err := tx.sshKeyHolders(sshKeyBody(in.SSHKey))
			if err != nil {
				return err
			}
			for _, h := range holders {
				if !h.Revoked() {
					return fmt.Errorf("ssh_key: counter %s already has this SSH key: %w", h.Code, queue.ErrConflict)
				}
			}
		}
		c = Counter{Code: in.Code, Name: in.Name, Services: in.Services, Printer: in.Printer, SSHKey: in.SSHKey,
			CreatedAt: s.clock().UTC(), TokenHash: old.TokenHash}
		if token, err = tx.setToken(&c); err != nil {
			return err
		}
		return tx.putCounter(c)
	})
	return c, token, err
}

// NewCounterToken gives a counter a new token (shown this once); the old
// one stops working. A revoked counter is refused (queue.ErrConflict).
func (s *Store) NewCounterToken(ctx context.Context, code string) (token string, err error) {
	err = s.Update(ctx, func(tx *Tx) error {
		c, err := tx.mustCounter(code)
		if err != nil {
			return err
		}
		if c.Revoked() {
			return fmt.Errorf("counter %s is revoked: %w", c.Code, queue.ErrConflict)
		}
		if token, err = tx.setToken(&c); err != nil {
			return err
		}
		return tx.putCounter(c)
	})
	return token, err
}

func (tx *Tx) mustCounter(code string) (Counter, error) {
	norm, err := NormalizeCounterCode(code)
	if err != nil {
		return Counter{}, err
	}
	c, ok, err := tx.counter(norm)
	if err != nil {
		return c, err
	}
	if !ok {
		return c, fmt.Errorf("counter %s: %w", norm, queue.ErrNotFound)
	}
	return c, nil
}

// Counters lists the office's counters, revoked ones included, by code.
func (s *Store) Counters(ctx context.Context) ([]Counter, error) {
	var out []Counter
	err := s.View(ctx, func(tx *Tx) error {
		b := tx.tx.Bucket(bCounters)
		if b == nil {
			return nil
		}
		return b.ForEach(func(k, v []byte) error {
			var c Counter
			if err := json.Unmarshal(v, &c); err != nil {
				return fmt.Errorf("decode counter %s: %w", k, err)
			}
			out = append(out, c)
			return nil
		})
	})
	return out, err
}

// Counter is one counter by its code.
func (s *Store) Counter(ctx context.Context, code string) (c Counter, err error) {
	err = s.View(ctx, func(tx *Tx) error {
		c, err = tx.Counter(code)
		return err
	})
	return c, err
}

// Counter is one counter by its code, as tx sees it (queue.ErrNotFound when
// there is none): for code already inside a transaction, which must never
// open another (see [Store.View]).
func (tx *Tx) Counter(code string) (Counter, error) { return tx.mustCounter(code) }

// RevokeCounter revokes a counter: its token stops working at once (the
// next request with it is refused). Revoking a revoked counter changes
// nothing.
func (s *Store) RevokeCounter(ctx context.Context, code string) (c Counter, err error) {
	err = s.Update(ctx, func(tx *Tx) error {
		if c, err = tx.mustCounter(code); err != nil || c.Revoked() {
			return err
		}
		now := s.clock().UTC()
		c.RevokedAt = &now
		if h, err := hex.DecodeString(c.TokenHash); err == nil {
			if tb := tx.tx.Bucket(bTokens); tb != nil {
				if err := tb.Delete(h); err != nil {
					return err
				}
			}
		}
		return tx.putCounter(c)
	})
	return c, err
}

// SetCounterServices sets the services a counter calls from when a call
// names none (none: every service).
func (s *Store) SetCounterServices(ctx context.Context, code string, services []string) (c Counter, err error) {
	err = s.Update(ctx, func(tx *Tx) error {
		if c, err = tx.mustCounter(code); err != nil {
			return err
		}
		if c.Services, err = tx.counterServices(services); err != nil {
			return err
		}
		return tx.putCounter(c)
	})
	return c, err
}

// AuthenticateCounter is the counter that holds token: ErrUnknownToken for
// a token no counter holds, ErrRevoked for a revoked counter's. The token
// itself never appears in an error.
func (s *Store) AuthenticateCounter(ctx context.Context, token string) (c Counter, err error) {
	if !strings.HasPrefix(token, TokenPrefix) || len(token) != len(TokenPrefix)+64 {
		return c, ErrUnknownToken
	}
	h := HashToken(token)
	err = s.View(ctx, func(tx *Tx) error {
		tb := tx.tx.Bucket(bTokens)
		if tb == nil {
			return ErrUnknownToken
		}
		code := tb.Get(h)
		if code == nil {
			return s.revokedHolder(tx, h)
		}
		var ok bool
		if c, ok, err = tx.counter(string(code)); err != nil {
			return err
		}
		want, _ := hex.DecodeString(c.TokenHash)
		if !ok || subtle.ConstantTimeCompare(want, h) != 1 {
			return ErrUnknownToken
		}
		if c.Revoked() {
			return ErrRevoked
		}
		return nil
	})
	return c, err
}

// revokedHolder tells a revoked counter's token (ErrRevoked, for the log)
// from an unknown one. Revoked counters keep their token's hash.
func (s *Store) revokedHolder(tx *Tx, h []byte) error {
	b := tx.tx.Bucket(bCounters)
	if b == nil {
		return ErrUnknownToken
	}
	var found bool
	_ = b.ForEach(func(_, v []byte) error {
		var c Counter
		if json.Unmarshal(v, &c) != nil || !c.Revoked() {
			return nil
		}
		want, _ := hex.DecodeString(c.TokenHash)
		if subtle.ConstantTimeCompare(want, h) == 1 {
			found = true
		}
		return nil
	})
	if found {
		return ErrRevoked
	}
	return ErrUnknownToken
}

// sshKeyBody is the wire form of a normalised authorized_keys line (nil
// for none).
func sshKeyBody(key string) []byte {
	f := strings.Fields(key)
	if len(f) < 2 {
		return nil
	}
	b, err := base64.StdEncoding.DecodeString(f[1])
	if err != nil {
		return nil
	}
	return b
}

// sshKeyHolders are the counters registered with the key whose wire form
// is wire, revoked ones included. Offices have a few dozen counters: a scan.
func (tx *Tx) sshKeyHolders(wire []byte) ([]Counter, error) {
	var out []Counter
	b := tx.tx.Bucket(bCounters)
	if b == nil || len(wire) == 0 {
		return nil, nil
	}
	err := b.ForEach(func(k, v []byte) error {
		var c Counter
		if err := json.Unmarshal(v, &c); err != nil {
			return fmt.Errorf("decode counter %s: %w", k, err)
		}
		if c.SSHKey != "" && bytes.Equal(sshKeyBody(c.SSHKey), wire) {
			out = append(out, c)
		}
		return nil
	})
	return out, err
}

// CounterBySSHKey is the counter registered with an SSH public key, given
// in its wire form (what an SSH server receives: ssh.PublicKey.Marshal()).
// ErrUnknownSSHKey when no counter holds the key; ErrRevoked, with the
// revoked counter (for the log), when only revoked counters do. Two counters
// that are not revoked holding one key (which AddCounter refuses) is
// queue.ErrConflict: whose the session is would be a guess.
func (s *Store) CounterBySSHKey(ctx context.Context, wire []byte) (c Counter, err error) {
	err = s.View(ctx, func(tx *Tx) error {
		holders, err := tx.sshKeyHolders(wire)
		if err != nil {
			return err
		}
		var live []Counter
		for _, h := range holders {
			if !h.Revoked() {
				live = append(live, h)
			}
		}
		switch {
		case len(live) == 1:
			c = live[0]
			return nil
		case len(live) > 1:
			return fmt.Errorf("SSH key held by counters %s and %s: %w", live[0].Code, live[1].Code, queue.ErrConflict)
		case len(holders) > 0:
			c = holders[len(holders)-1]
			return fmt.Errorf("counter %s: %w", c.Code, ErrRevoked)
		}
		return ErrUnknownSSHKey
	})
	return c, err
}

// checkCounters verifies the counters' buckets: every counter decodes under
// its own code, and the token index names exactly the counters that are
// not revoked, by their token's hash.
func (tx *Tx) checkCounters(bad func(string, ...any)) {
	want := map[string]string{}
	if b := tx.tx.Bucket(bCounters); b != nil {
		_ = b.ForEach(func(k, v []byte) error {
			var c Counter
			if err := json.Unmarshal(v, &c); err != nil || c.Code != string(k) {
				bad("counter %s does not decode under its code", k)
				return nil
			}
			h, err := hex.DecodeString(c.TokenHash)
			if err != nil || len(h) != sha256.Size {
				bad("counter %s has no token hash", k)
				return nil
			}
			if !c.Revoked() {
				want[string(h)] = c.Code
			}
			return nil
		})
	}
	if tb := tx.tx.Bucket(bTokens); tb != nil {
		_ = tb.ForEach(func(k, v []byte) error {
			if code, ok := want[string(k)]; !ok || !bytes.Equal(v, []byte(code)) {
				bad("token index entry names counter %s, which does not hold it", v)
			}
			delete(want, string(k))
			return nil
		})
	}
	for _, code := range want {
		bad("counter %s is missing from the token index", code)
	}
}
