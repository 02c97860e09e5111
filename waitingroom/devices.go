package waitingroom

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sync"
)

// Role is what a device may do: a board only reads, a kiosk registers
// walk-ins, a survey tablet takes the satisfaction survey's answers.
type Role string

// The roles of the waiting room's devices.
const (
	RoleBoard  Role = "board"
	RoleKiosk  Role = "kiosk"
	RoleSurvey Role = "survey"
)

// Device is a registered screen of the waiting room.
type Device struct {
	ID   string // stable and short, e.g. "K1"; a kiosk's walk-ins name it as their counter
	Role Role
	Name string // for people: "Kiosk lobby"
}

// ErrUnknownDevice is a token that names no (active) device.
var ErrUnknownDevice = errors.New("unknown device token")

// Devices authenticates a device's token. The hub implements it with its
// device registry; [MemoryDevices] is a fixed set, for tests and trials.
// Authenticate is called on every request, so a revoked token stops
// working at once.
type Devices interface {
	Authenticate(ctx context.Context, token string) (Device, error)
}

// MemoryDevices is a fixed set of devices by token. It keeps only the
// tokens' SHA-256 and compares them in constant time.
type MemoryDevices struct {
	mu      sync.RWMutex
	devices map[[32]byte]Device
}

// NewMemoryDevices makes a set of devices from token -> device.
func NewMemoryDevices(byToken map[string]Device) *MemoryDevices {
	m := &MemoryDevices{devices: map[[32]byte]Device{}}
	for tok, d := range byToken {
		m.devices[sha256.Sum256([]byte(tok))] = d
	}
	return m
}

// Authenticate implements Devices.
func (m *MemoryDevices) Authenticate(_ context.Context, token string) (Device, error) {
	h := sha256.Sum256([]byte(token))
	m.mu.RLock()
	defer m.mu.RUnlock()
	for k, d := range m.devices {
		if subtle.ConstantTimeCompare(k[:], h[:]) == 1 {
			return d, nil
		}
	}
	return Device{}, ErrUnknownDevice
}

// Revoke removes a token.
func (m *MemoryDevices) Revoke(token string) {
	m.mu.Lock()
	delete(m.devices, sha256.Sum256([]byte(token)))
	m.mu.Unlock()
}

// cookie names and paths: a board's, a kiosk's and a survey tablet's token
// never travel to the others' pages, even in one browser.
func cookieFor(role Role) (name, path string) {
	switch role {
	case RoleKiosk:
		return "loket_kiosk", "/kiosk"
	case RoleSurvey:
		return "loket_survey", "/survey"
	}
	return "loket_board", "/board"
}

type deviceKey struct{}

// deviceOf is the device a request was authenticated as.
func deviceOf(r *http.Request) Device {
	d, _ := r.Context().Value(deviceKey{}).(Device)
	return d
}

// authed lets through requests of a device of role: the token comes in the
// query (?t=, the first time: it is then kept in an HttpOnly cookie and a
// page is reloaded without it, so it stays out of the address bar and the
// history) or in the cookie. No token, or an unknown one, is 401; a device
// of another role is 403. Tokens are never logged.
func (s *Server) authed(role Role, page bool, next http.HandlerFunc) http.HandlerFunc {
	name, path := cookieFor(role)
	return func(w http.ResponseWriter, r *http.Request) {
		token, fromQuery := r.URL.Query().Get("t"), true
		if token == "" {
			fromQuery = false
			if c, err := r.Cookie(name); err == nil {
				token = c.Value
			}
		}
		if token == "" {
			http.Error(w, "401: this device is not registered: open the page once with ?t=<device token> (from the hub)", http.StatusUnauthorized)
			return
		}
		d, err := s.devices.Authenticate(r.Context(), token)
		if err != nil {
			if !errors.Is(err, ErrUnknownDevice) {
				s.log.Error("waitingroom: authenticate device", "err", err)
			}
			http.Error(w, "401: unknown or revoked device token", http.StatusUnauthorized)
			return
		}
		if d.Role != role {
			http.Error(w, fmt.Sprintf("403: device %s is a %s, not a %s", d.ID, d.Role, role), http.StatusForbidden)
			return
		}
		if fromQuery {
			http.SetCookie(w, &http.Cookie{Name: name, Value: token, Path: path, MaxAge: 400 * 24 * 3600,
				HttpOnly: true, Secure: r.TLS != nil, SameSite: http.SameSiteStrictMode})
			if page && r.Method == http.MethodGet {
				q := r.URL.Query()
				q.Del("t")
				u := url.URL{Path: r.URL.Path, RawQuery: q.Encode()}
				http.Redirect(w, r, u.String(), http.StatusSeeOther)
				return
			}
		}
		next(w, r.WithContext(context.WithValue(r.Context(), deviceKey{}, d)))
	}
}
