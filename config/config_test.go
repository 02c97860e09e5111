package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func envOf(m map[string]string) Env { return func(k string) string { return m[k] } }

func TestPaths(t *testing.T) {
	tests := []struct {
		flag     string
		env      map[string]string
		data     string
		confPath string
	}{
		{"", map[string]string{"HOME": "/home/sari"}, "/home/sari/.local/share/loket", "/home/sari/.config/loket/config.toml"},
		{"", map[string]string{"HOME": "/h", "XDG_DATA_HOME": "/x/data", "XDG_CONFIG_HOME": "/x/conf"}, "/x/data/loket", "/x/conf/loket/config.toml"},
		{"", map[string]string{"HOME": "/h", "LOKET_DATA": "/srv/loket", "LOKET_CONFIG": "/etc/loket.toml"}, "/srv/loket", "/etc/loket.toml"},
		{"/flag", map[string]string{"HOME": "/h", "LOKET_DATA": "/srv/loket", "LOKET_CONFIG": "/etc/loket.toml"}, "/flag", "/flag"},
	}
	for _, tt := range tests {
		d, err := DataDir(tt.flag, envOf(tt.env), "/cwd")
		if err != nil || d != tt.data {
			t.Errorf("DataDir(%q, %v) = %q, %v; want %q", tt.flag, tt.env, d, err, tt.data)
		}
		p, err := Path(tt.flag, envOf(tt.env), "/cwd")
		if err != nil || p != tt.confPath {
			t.Errorf("Path(%q, %v) = %q, %v; want %q", tt.flag, tt.env, p, err, tt.confPath)
		}
	}
}

// TestRelativeAndCentral: a relative path is the caller's (a command
// forwarded to the owner resolves it against the client's directory), and
// loket-central's data directory is found the same way as loket's.
func TestRelativeAndCentral(t *testing.T) {
	env := envOf(map[string]string{"HOME": "/h"})
	if d, err := DataDir("rel/data", env, "/client"); err != nil || d != "/client/rel/data" {
		t.Errorf("DataDir relative = %q, %v", d, err)
	}
	if p, err := Path("c.toml", env, "/client"); err != nil || p != "/client/c.toml" {
		t.Errorf("Path relative = %q, %v", p, err)
	}
	tests := []struct {
		flag string
		env  map[string]string
		want string
	}{
		{"", map[string]string{"HOME": "/h"}, "/h/.local/share/loket-central"},
		{"", map[string]string{"HOME": "/h", "XDG_DATA_HOME": "/x"}, "/x/loket-central"},
		{"", map[string]string{"HOME": "/h", "LOKET_CENTRAL_DATA": "/srv/c", "LOKET_DATA": "/srv/l"}, "/srv/c"},
		{"d", map[string]string{"LOKET_CENTRAL_DATA": "/srv/c"}, "/cwd/d"},
	}
	for _, tt := range tests {
		if d, err := CentralDataDir(tt.flag, envOf(tt.env), "/cwd"); err != nil || d != tt.want {
			t.Errorf("CentralDataDir(%q, %v) = %q, %v; want %q", tt.flag, tt.env, d, err, tt.want)
		}
	}
}

func TestLang(t *testing.T) {
	tests := []struct {
		flag, cfg string
		env       map[string]string
		want      string
	}{
		{"", "", map[string]string{}, "en"},
		{"", "", map[string]string{"LANG": "id_ID.UTF-8"}, "id"},
		{"", "", map[string]string{"LANG": "en_US.UTF-8"}, "en"},
		{"", "", map[string]string{"LC_ALL": "id_ID.UTF-8", "LANG": "en_US.UTF-8"}, "id"},
		{"", "en", map[string]string{"LANG": "id_ID.UTF-8"}, "en"},
		{"", "en", map[string]string{"LOKET_LANG": "id"}, "id"},
		{"en", "id", map[string]string{"LOKET_LANG": "id"}, "en"},
	}
	for _, tt := range tests {
		if got := Lang(tt.flag, Config{Language: tt.cfg}, envOf(tt.env)); got != tt.want {
			t.Errorf("Lang(%q, %q, %v) = %q, want %q", tt.flag, tt.cfg, tt.env, got, tt.want)
		}
	}
}

func TestLoadSave(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "sub", "config.toml")
	cfg, err := Load(path)
	if err != nil || cfg.Station.Code != "L1" || cfg.Queue.MaxCalls != 3 {
		t.Fatalf("missing file: %+v, %v", cfg, err)
	}
	cfg.Office.Name = "DPMPTSP Kabupaten Sleman"
	cfg.Timezone = "Asia/Makassar"
	cfg.Receipt.Holidays = []string{"2026-12-25"}
	off := false
	cfg.Board = Board{RunningText: "Selamat datang", Chime: &off}
	cfg.Kiosk.TicketsPerMinute = 4
	cfg.Hub.SSHAddr = ":2222"
	if err := Save(path, cfg); err != nil {
		t.Fatal(err)
	}
	if info, _ := os.Stat(path); info.Mode().Perm() != 0o600 {
		t.Fatalf("config mode %v", info.Mode())
	}
	got, err := Load(path)
	if err != nil || got.Office.Name != cfg.Office.Name || got.Receipt.Holidays[0] != "2026-12-25" ||
		got.Hub.Addr != DefaultHubAddr || got.Hub.SSHAddr != ":2222" || got.Board.RunningText != "Selamat datang" ||
		got.Board.Sound != nil || got.Board.Chime == nil || *got.Board.Chime || got.Kiosk.TicketsPerMinute != 4 {
		t.Fatalf("round trip: %+v, %v", got, err)
	}
	for _, bad := range []struct{ text, errHas string }{
		{"language = \"fr\"\n", "language"},
		{"timezone = \"Mars/Olympus\"\n", "timezone"},
		{"[receipt]\npaper = \"legal\"\n", "receipt.paper"},
		{"[receipt]\nlanguage = \"jv\"\n", "receipt.language"},
		{"[office]\nphone = \"022\\n4234793\"\n", "office.phone"},
		{"[receipt]\nholidays = [\"25-12-2026\"]\n", "holidays"},
		{"[receipt]\nprint_command = '\"C:\\Program Files\\SumatraPDF.exe -silent {file}'\n", "receipt.print_command"},
		{"[receipt]\nprint_command = \" \"\n", "receipt.print_command"},
		{"colour = \"red\"\n", "unknown setting colour"},
		{"[office\n", "config"},
		{"[hub]\ntls_cert = \"c.pem\"\n", "hub.tls_cert"},
		{"[hub]\nurl = \"hub:8471\"\n", "hub.url"},
		{"[kiosk]\ntickets_per_minute = -1\n", "kiosk.tickets_per_minute"},
		{"[privacy]\nretention_days = -1\n", "privacy.retention_days"},
		{"[privacy]\nretention_days = 100000\n", "privacy.retention_days"},
	} {
		os.WriteFile(path, []byte(bad.text), 0o600)
		if _, err := Load(path); err == nil || !strings.Contains(err.Error(), bad.errHas) {
			t.Errorf("Load(%q) err = %v; want %q", bad.text, err, bad.errHas)
		}
	}
}

// TestReceiptLanguage: the receipt's language is the office's (Indonesian
// unless receipt.language says en), never the UI's.
func TestReceiptLanguage(t *testing.T) {
	path := filepath.Join(t.TempDir(), "config.toml")
	for _, tt := range []struct{ text, want string }{
		{"", "id"}, // no config file at all
		{"language = \"en\"\n", "id"},
		{"language = \"en\"\n[receipt]\nlanguage = \"en\"\n", "en"},
		{"language = \"id\"\n[receipt]\nlanguage = \"en\"\n", "en"},
		{"[receipt]\nlanguage = \"\"\n", "id"},
	} {
		if tt.text != "" {
			os.WriteFile(path, []byte(tt.text), 0o600)
		}
		cfg, err := Load(path)
		if err != nil {
			t.Fatal(err)
		}
		if got := cfg.ReceiptLanguage(); got != tt.want {
			t.Errorf("%q: receipt language %q, want %q", tt.text, got, tt.want)
		}
	}
	os.WriteFile(path, []byte("[office]\nphone = \"(022) 4234793\"\nwhatsapp = \"0811-2233-4455\"\nwebsite = \"dpmptsp.bandung.go.id\"\nhours = \"Senin-Jumat 08.00-15.00\"\n"), 0o600)
	if cfg, err := Load(path); err != nil || cfg.Office.WhatsApp != "0811-2233-4455" || cfg.Office.Hours != "Senin-Jumat 08.00-15.00" {
		t.Fatalf("office contact keys: %+v %v", cfg.Office, err)
	}
}

// TestRetention: privacy.retention_days defaults to DefaultRetentionDays, 0
// (never automatically) survives a load over the defaults, and the cut is
// that many calendar days before today, across a month and a year.
func TestRetention(t *testing.T) {
	path := filepath.Join(t.TempDir(), "config.toml")
	cfg, err := Load(path)
	if err != nil || cfg.Privacy.RetentionDays != DefaultRetentionDays {
		t.Fatalf("default: %d, %v", cfg.Privacy.RetentionDays, err)
	}
	os.WriteFile(path, []byte("[privacy]\nretention_days = 0\n"), 0o600)
	if cfg, err = Load(path); err != nil || cfg.Privacy.RetentionDays != 0 {
		t.Fatalf("retention_days = 0: %d, %v", cfg.Privacy.RetentionDays, err)
	}
	jkt := time.FixedZone("WIB", 7*3600)
	for _, c := range []struct {
		days  int
		today time.Time
		want  string
		ok    bool
	}{
		{90, time.Date(2026, 3, 31, 23, 59, 0, 0, jkt), "2025-12-31", true},
		{1, time.Date(2026, 3, 1, 0, 0, 0, 0, jkt), "2026-02-28", true},
		{365, time.Date(2028, 2, 29, 8, 0, 0, 0, jkt), "2027-03-01", true},
		{0, time.Date(2026, 3, 1, 0, 0, 0, 0, jkt), "", false},
	} {
		got, ok := Privacy{RetentionDays: c.days}.PurgeBefore(c.today)
		if got != c.want || ok != c.ok {
			t.Errorf("%d days before %v: %q %v, want %q %v", c.days, c.today, got, ok, c.want, c.ok)
		}
	}
}

// TestTrackingURL: the receipt's QR code leads to receipt.tracking_url, else
// to the central server's tracking page, else holds the bare code.
func TestTrackingURL(t *testing.T) {
	for _, c := range []struct {
		server, tracking, want string
	}{
		{"", "", ""},
		{"https://pusat.example.go.id", "", "https://pusat.example.go.id/lacak/{code}"},
		{"https://pusat.example.go.id/", "", "https://pusat.example.go.id/lacak/{code}"},
		{"https://pusat.example.go.id", "https://izin.example.go.id/cek?kode={code}", "https://izin.example.go.id/cek?kode={code}"},
		{"", "https://izin.example.go.id/lacak/{code}", "https://izin.example.go.id/lacak/{code}"},
	} {
		cfg := Config{Server: Server{URL: c.server}, Receipt: Receipt{TrackingURL: c.tracking}}
		if got := cfg.TrackingURL(); got != c.want {
			t.Errorf("server %q, tracking_url %q: %q, want %q", c.server, c.tracking, got, c.want)
		}
	}
}
