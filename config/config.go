// Package config reads and writes the counter's configuration file and finds
// where its data lives.
//
// Paths: the data directory is --data, else $LOKET_DATA, else
// $XDG_DATA_HOME/loket (~/.local/share/loket). The config file is --config,
// else $LOKET_CONFIG, else $XDG_CONFIG_HOME/loket/config.toml
// (~/.config/loket/config.toml). loket-central's data directory is found the
// same way ([CentralDataDir]). Without a config file the program runs on
// the defaults of [Default].
package config

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/BurntSushi/toml"

	"github.com/loket-id/loket/internal/atomicfile"
	"github.com/loket-id/loket/receipts/printcmd"
)

// Config is the counter's configuration.
type Config struct {
	// Language of the program: "id" or "en". Empty means from $LOKET_LANG or the locale.
	Language string `toml:"language"`
	// Timezone is the office's IANA zone (Asia/Jakarta, Asia/Makassar,
	// Asia/Jayapura); it decides where a day ends. Empty means the system's.
	Timezone string  `toml:"timezone"`
	Office   Office  `toml:"office"`
	Station  Station `toml:"station"`
	Clerk    Clerk   `toml:"clerk"`
	Queue    Queue   `toml:"queue"`
	Receipt  Receipt `toml:"receipt"`
	Server   Server  `toml:"server"`
	Report   Report  `toml:"report"`
	Hub      Hub     `toml:"hub"`
	Board    Board   `toml:"board"`
	Kiosk    Kiosk   `toml:"kiosk"`
	Privacy  Privacy `toml:"privacy"`
}

// Privacy is the [privacy] section: how long the applicants' personal data
// (name, NIK, phone, notes) is kept (README "Personal data").
type Privacy struct {
	// RetentionDays: the personal part of a request closed more than this
	// many days ago is erased by `loket purge` (run nightly by the hub, or
	// by cron on a counter with its own database); the request's facts and
	// the statistics stay. 0 means never automatically: `loket purge`
	// then needs --before, and the hub runs no nightly purge.
	RetentionDays int `toml:"retention_days"`
}

// DefaultRetentionDays is privacy.retention_days unless the config says
// otherwise (README "Personal data" gives the reasons): the longest SLA of
// an office's services (about 30 working days, six weeks) plus the 21
// working days the applicant has to object to the decision (UU 30/2014
// Pasal 77), rounded up to three months.
const DefaultRetentionDays = 90

// MaxRetentionDays bounds privacy.retention_days (ten years).
const MaxRetentionDays = 3660

// PurgeBefore is the first day whose closed requests keep their personal
// part: today's date (YYYY-MM-DD) less RetentionDays; ok is false when the
// retention is 0 (never automatically).
func (p Privacy) PurgeBefore(today time.Time) (string, bool) {
	if p.RetentionDays <= 0 {
		return "", false
	}
	y, m, d := today.Date()
	return time.Date(y, m, d-p.RetentionDays, 12, 0, 0, 0, today.Location()).Format(time.DateOnly), true
}

// Report is what the supervisor's PDF report signs with: the place it is
// signed in (default: the last part of the office's address, its city) and
// the supervisor's name. Empty leaves a line to write on.
type Report struct {
	Place      string `toml:"place,omitempty"`
	Supervisor string `toml:"supervisor,omitempty"`
}

// Office is the office this counter belongs to.
type Office struct {
	Code    string `toml:"code"`
	Name    string `toml:"name"`
	Address string `toml:"address"`
	// Printed on every receipt: the office's complaint channels beside
	// SP4N-LAPOR!, and when and where it can be reached.
	Phone    string `toml:"phone"`    // e.g. "(022) 4234793"
	WhatsApp string `toml:"whatsapp"` // e.g. "0811-2233-4455"
	Website  string `toml:"website"`  // e.g. "dpmptsp.bandung.go.id"
	Hours    string `toml:"hours"`    // e.g. "Senin-Jumat 08.00-15.00"
	// Head is the head of the office, who signs the report ("Mengetahui").
	Head string `toml:"head,omitempty"`
}

// Station is this counter.
type Station struct {
	Code string `toml:"code"`
	Name string `toml:"name"`
}

// Clerk is who works at the counter.
type Clerk struct {
	Name string `toml:"name"`
}

// Queue settings.
type Queue struct {
	// MaxCalls is how many calls before the clerk is offered no-show.
	MaxCalls int `toml:"max_calls"`
	// Services this counter calls; empty means all.
	Services []string `toml:"services"`
}

// Receipt and printing settings.
type Receipt struct {
	// Language of the receipt, an official document: the office's ("id",
	// the default, or "en"), whatever language the clerk's screen is in.
	Language     string   `toml:"language"`
	Paper        string   `toml:"paper"`         // 80mm, 58mm, A5, A4
	Printer      string   `toml:"printer"`       // CUPS queue; empty means do not print
	PrintCommand string   `toml:"print_command"` // overrides lp; {printer} {file} {width} {height}
	TrackingURL  string   `toml:"tracking_url"`  // QR code target, with {code}; "" is the central server's /lacak/{code} (Config.TrackingURL)
	Holidays     []string `toml:"holidays"`      // YYYY-MM-DD: the office's own days off, beside Indonesia's (package holidays)
}

// ReceiptLanguage is the language receipts are printed in: receipt.language,
// else Indonesian. It never follows the clerk's UI language, so a reprint is
// the original whoever prints it.
func (c Config) ReceiptLanguage() string {
	if c.Receipt.Language == "en" {
		return "en"
	}
	return "id"
}

// TrackingURL is the QR code target of receipts and slips, with {code}:
// receipt.tracking_url when set; else, with a central server configured
// (server.url), its tracking page, {server.url}/lacak/{code}; else ""
// (the QR code holds the bare tracking code).
func (c Config) TrackingURL() string {
	if c.Receipt.TrackingURL != "" {
		return c.Receipt.TrackingURL
	}
	if u := strings.TrimRight(strings.TrimSpace(c.Server.URL), "/"); u != "" {
		return u + "/lacak/{code}"
	}
	return ""
}

// Server is the central server this station syncs to.
type Server struct {
	URL       string `toml:"url"`
	TokenFile string `toml:"token_file"`
}

// Hub is the office hub (README "The office hub"). On the hub PC, where
// `loket hub` listens; on a counter PC, the hub it works through (URL): a
// counter with a URL has no queue of its own.
type Hub struct {
	// Addr is where `loket hub` answers counters, boards and kiosks over
	// HTTP (HOST:PORT); SSHAddr where it serves counters' screens over SSH
	// ("": no SSH). TLSCert and TLSKey, both or neither, make it HTTPS.
	Addr    string `toml:"addr"`
	SSHAddr string `toml:"ssh_addr"`
	TLSCert string `toml:"tls_cert"`
	TLSKey  string `toml:"tls_key"`
	// CatalogCounters may replace the service catalog through the hub
	// (`loket services import` at that counter).
	CatalogCounters []string `toml:"catalog_counters"`

	// URL is the hub this counter works through (http:// or https://);
	// TokenFile holds its counter token (0600, written by loket init
	// --hub-token); PinSHA256 pins a self-signed hub's certificate.
	URL       string `toml:"url"`
	TokenFile string `toml:"token_file"`
	PinSHA256 string `toml:"pin_sha256"`
}

// DefaultHubAddr is where `loket hub` listens unless told otherwise.
const DefaultHubAddr = "0.0.0.0:8471"

// Board is the [board] section: the waiting room's display boards. Its
// fields are those of waitingroom.BoardConfig, which it converts to (this
// package does not import the hub's).
type Board struct {
	RunningText string `toml:"running_text"` // the line that runs along the foot of the board
	Sound       *bool  `toml:"sound"`        // speak the calls; absent is true
	Chime       *bool  `toml:"chime"`        // a chime before each call; absent is true
}

// Kiosk is the [kiosk] section: the ticket kiosks (waitingroom.KioskConfig).
type Kiosk struct {
	// TicketsPerMinute a kiosk may hand out; 0 means 10.
	TicketsPerMinute int `toml:"tickets_per_minute"`
}

// Default is the configuration of a counter that has not been set up.
func Default() Config {
	return Config{
		Office:  Office{Code: "KANTOR", Name: "Mal Pelayanan Publik", Address: ""},
		Station: Station{Code: "L1", Name: "Loket 1"},
		Clerk:   Clerk{Name: "Petugas"},
		Queue:   Queue{MaxCalls: 3},
		Receipt: Receipt{Language: "id", Paper: "80mm"},
		Hub:     Hub{Addr: DefaultHubAddr},
		Privacy: Privacy{RetentionDays: DefaultRetentionDays},
	}
}

// Env reads environment variables; os.Getenv in production.
type Env func(string) string

// DataDir is where loket.db, receipts and the owner socket live: flag, else
// $LOKET_DATA, else $XDG_DATA_HOME/loket, else ~/.local/share/loket. A
// relative path is taken from cwd (the process's when "").
func DataDir(flag string, getenv Env, cwd string) (string, error) {
	return xdgPath(flag, getenv, cwd, "LOKET_DATA", "XDG_DATA_HOME", filepath.Join(".local", "share"), "loket")
}

// CentralDataDir is where loket-central keeps its database and socket: flag,
// else $LOKET_CENTRAL_DATA, else $XDG_DATA_HOME/loket-central, else
// ~/.local/share/loket-central. A relative path is taken from cwd.
func CentralDataDir(flag string, getenv Env, cwd string) (string, error) {
	return xdgPath(flag, getenv, cwd, "LOKET_CENTRAL_DATA", "XDG_DATA_HOME", filepath.Join(".local", "share"), "loket-central")
}

// Path is the config file's path: flag, else $LOKET_CONFIG, else
// $XDG_CONFIG_HOME/loket/config.toml, else ~/.config/loket/config.toml. A
// relative path is taken from cwd.
func Path(flag string, getenv Env, cwd string) (string, error) {
	return xdgPath(flag, getenv, cwd, "LOKET_CONFIG", "XDG_CONFIG_HOME", ".config", filepath.Join("loket", "config.toml"))
}

// xdgPath is the flag, else $own, else $xdg/rel, else ~/home/rel, made
// absolute against cwd.
func xdgPath(flag string, getenv Env, cwd, own, xdg, home, rel string) (string, error) {
	abs := func(p string) (string, error) {
		if cwd == "" || filepath.IsAbs(p) {
			return filepath.Abs(p)
		}
		return filepath.Join(cwd, p), nil
	}
	for _, p := range []string{flag, getenv(own)} {
		if p != "" {
			return abs(p)
		}
	}
	base := getenv(xdg)
	if base == "" {
		h, err := homeDir(getenv)
		if err != nil {
			return "", fmt.Errorf("find %s: %w", rel, err)
		}
		base = filepath.Join(h, home)
	}
	return abs(filepath.Join(base, rel))
}

func homeDir(getenv Env) (string, error) {
	if h := getenv("HOME"); h != "" {
		return h, nil
	}
	return os.UserHomeDir()
}

// Load reads the config file at path over the defaults. A missing file is
// not an error: the defaults are returned.
func Load(path string) (Config, error) {
	cfg := Default()
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return cfg, nil
	}
	if err != nil {
		return cfg, fmt.Errorf("read config %s: %w", path, err)
	}
	md, err := toml.Decode(string(data), &cfg)
	if err != nil {
		return cfg, fmt.Errorf("read config %s: %w", path, err)
	}
	if und := md.Undecoded(); len(und) > 0 {
		return cfg, fmt.Errorf("read config %s: unknown setting %s", path, und[0])
	}
	return cfg, cfg.Validate()
}

// Validate checks the settings that would fail later in confusing ways.
func (c Config) Validate() error {
	if c.Language != "" && c.Language != "id" && c.Language != "en" {
		return fmt.Errorf("config: language %q is not id or en", c.Language)
	}
	if _, err := c.Location(); err != nil {
		return err
	}
	if l := c.Receipt.Language; l != "" && l != "id" && l != "en" {
		return fmt.Errorf("config: receipt.language %q is not id or en", l)
	}
	for key, v := range map[string]string{"office.phone": c.Office.Phone, "office.whatsapp": c.Office.WhatsApp,
		"office.website": c.Office.Website, "office.hours": c.Office.Hours} {
		if len(v) > 120 || strings.ContainsAny(v, "\n\r") {
			return fmt.Errorf("config: %s is longer than 120 characters or has a line break", key)
		}
	}
	switch c.Receipt.Paper {
	case "", "80mm", "58mm", "A5", "A4":
	default:
		return fmt.Errorf("config: receipt.paper %q is not 80mm, 58mm, A5 or A4", c.Receipt.Paper)
	}
	for _, h := range c.Receipt.Holidays {
		if _, err := time.Parse(time.DateOnly, h); err != nil {
			return fmt.Errorf("config: receipt.holidays: %q is not YYYY-MM-DD", h)
		}
	}
	if c.Receipt.PrintCommand != "" {
		if _, err := printcmd.Split(c.Receipt.PrintCommand); err != nil {
			return fmt.Errorf("config: receipt.print_command: %w", err)
		}
	}
	if (c.Hub.TLSCert == "") != (c.Hub.TLSKey == "") {
		return fmt.Errorf("config: hub.tls_cert and hub.tls_key go together")
	}
	if u := c.Hub.URL; u != "" && !strings.HasPrefix(u, "http://") && !strings.HasPrefix(u, "https://") {
		return fmt.Errorf("config: hub.url %q is not an http:// or https:// address", u)
	}
	if c.Kiosk.TicketsPerMinute < 0 {
		return fmt.Errorf("config: kiosk.tickets_per_minute %d is negative", c.Kiosk.TicketsPerMinute)
	}
	if d := c.Privacy.RetentionDays; d < 0 || d > MaxRetentionDays {
		return fmt.Errorf("config: privacy.retention_days %d is not from 0 (never purge automatically) to %d", d, MaxRetentionDays)
	}
	if c.Queue.MaxCalls < 0 {
		return fmt.Errorf("config: queue.max_calls %d is negative", c.Queue.MaxCalls)
	}
	return nil
}

// Location is the office's time zone.
func (c Config) Location() (*time.Location, error) {
	if c.Timezone == "" {
		return time.Local, nil
	}
	loc, err := time.LoadLocation(c.Timezone)
	if err != nil {
		return nil, fmt.Errorf("config: timezone %q: %w", c.Timezone, err)
	}
	return loc, nil
}

// Lang decides the program's language: the flag, else $LOKET_LANG, else the
// config file, else Indonesian when the locale is id_*, else English.
func Lang(flag string, cfg Config, getenv Env) string {
	for _, v := range []string{flag, getenv("LOKET_LANG"), cfg.Language} {
		if v == "id" || v == "en" {
			return v
		}
	}
	for _, k := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		if v := getenv(k); v != "" {
			if strings.HasPrefix(v, "id") {
				return "id"
			}
			return "en"
		}
	}
	return "en"
}

// Save writes cfg to path atomically with mode 0600 (it may name a token file).
func Save(path string, cfg Config) error {
	var buf bytes.Buffer
	buf.WriteString("# Loket counter configuration. See README.md for every setting.\n")
	if err := toml.NewEncoder(&buf).Encode(cfg); err != nil {
		return fmt.Errorf("write config %s: %w", path, err)
	}
	return WriteFileAtomic(path, buf.Bytes(), 0o600)
}

// WriteFileAtomic writes data to path atomically (see package atomicfile).
func WriteFileAtomic(path string, data []byte, perm fs.FileMode) error {
	return atomicfile.Write(path, data, perm)
}
