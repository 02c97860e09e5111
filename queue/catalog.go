package queue

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/BurntSushi/toml"
)

// DefaultCatalog is the built-in catalog of a DPMPTSP-style one-stop
// licensing office, loaded into a new database.
func DefaultCatalog() []Service {
	ktp := "KTP pemohon (asli dan fotokopi)"
	return []Service{
		{Code: "A", NameID: "Bantuan Perizinan Berusaha (NIB/OSS)", NameEN: "Business licensing help (NIB/OSS)", SLADays: 1, TargetWaitMin: 20, Active: true,
			Documents: []string{ktp, "NPWP", "Alamat email dan nomor HP aktif", "Data lokasi usaha"}},
		{Code: "B", NameID: "Persetujuan Bangunan Gedung (PBG)", NameEN: "Building approval (PBG)", SLADays: 28, TargetWaitMin: 30, Active: true,
			Documents: []string{ktp, "Bukti kepemilikan tanah (sertifikat)", "Gambar rencana teknis bangunan", "Perhitungan struktur", "Surat pernyataan pemilik"}},
		{Code: "C", NameID: "Izin Praktik Tenaga Kesehatan (SIP)", NameEN: "Health-worker practice permit (SIP)", SLADays: 5, TargetWaitMin: 20, Active: true,
			Documents: []string{ktp, "Surat Tanda Registrasi (STR)", "Rekomendasi organisasi profesi", "Surat keterangan dari fasilitas kesehatan", "Pas foto 4x6 (2 lembar)"}},
		{Code: "D", NameID: "Izin Reklame", NameEN: "Billboard permit", SLADays: 7, TargetWaitMin: 20, Active: true,
			Documents: []string{ktp, "NPWP", "Desain dan ukuran reklame", "Foto lokasi pemasangan", "Izin pemilik lahan"}},
		{Code: "E", NameID: "Surat Rekomendasi Penelitian", NameEN: "Research recommendation letter", SLADays: 3, TargetWaitMin: 15, Active: true,
			Documents: []string{ktp, "Surat pengantar dari instansi/kampus", "Proposal penelitian"}},
		{Code: "F", NameID: "Pengambilan Dokumen Izin", NameEN: "Permit document pick-up", SLADays: 0, TargetWaitMin: 10, Active: true,
			Documents: []string{ktp, "Tanda terima pendaftaran", "Surat kuasa bila diwakilkan"}},
		{Code: "G", NameID: "Konsultasi Perizinan", NameEN: "Licensing consultation", SLADays: 0, TargetWaitMin: 15, Active: true,
			Documents: []string{ktp}},
		{Code: "H", NameID: "Pengaduan Layanan", NameEN: "Complaints", SLADays: 5, TargetWaitMin: 15, Active: true,
			Documents: []string{ktp, "Bukti pendukung pengaduan (bila ada)"}},
	}
}

// catalogFile is the file form of a catalog, in TOML ([[service]] tables) or
// JSON ({"services": [...]} or a bare list). A service without "active" is active.
type catalogFile struct {
	Service  []fileService `toml:"service" json:"-"`
	Services []fileService `toml:"services" json:"services"`
}

type fileService struct {
	Code          string   `toml:"code" json:"code"`
	NameID        string   `toml:"name_id" json:"name_id"`
	NameEN        string   `toml:"name_en" json:"name_en"`
	SLADays       int      `toml:"sla_days" json:"sla_days"`
	TargetWaitMin int      `toml:"target_wait_minutes" json:"target_wait_minutes"`
	Documents     []string `toml:"documents" json:"documents"`
	Fee           int64    `toml:"fee" json:"fee"`
	Active        *bool    `toml:"active" json:"active"`
	// IdentityRequired: nil (absent) is true.
	IdentityRequired *bool `toml:"identity_required" json:"identity_required"`
}

// ParseCatalog reads a catalog file; format is "toml" or "json" (from the
// file's extension). The whole catalog is validated: one bad entry refuses all.
func ParseCatalog(data []byte, format string) ([]Service, error) {
	var f catalogFile
	switch format {
	case "toml":
		md, err := toml.Decode(string(data), &f)
		if err != nil {
			return nil, Invalid("catalog", fmt.Sprintf("TOML: %v", err))
		}
		if und := md.Undecoded(); len(und) > 0 {
			return nil, Invalid("catalog", fmt.Sprintf("unknown key %s", und[0]))
		}
	case "json":
		trimmed := bytes.TrimSpace(data)
		dec := json.NewDecoder(bytes.NewReader(trimmed))
		dec.DisallowUnknownFields()
		var err error
		if len(trimmed) > 0 && trimmed[0] == '[' {
			err = dec.Decode(&f.Services)
		} else {
			err = dec.Decode(&f)
		}
		if err != nil {
			return nil, Invalid("catalog", fmt.Sprintf("JSON: %v", err))
		}
	default:
		return nil, Invalid("catalog", fmt.Sprintf("unknown format %q (want toml or json)", format))
	}
	var out []Service
	for _, fs := range append(f.Service, f.Services...) {
		active := fs.Active == nil || *fs.Active
		out = append(out, Service{Code: strings.TrimSpace(fs.Code), NameID: strings.TrimSpace(fs.NameID), NameEN: strings.TrimSpace(fs.NameEN),
			SLADays: fs.SLADays, TargetWaitMin: fs.TargetWaitMin, Documents: fs.Documents, Fee: fs.Fee, Active: active,
			IdentityRequired: fs.IdentityRequired})
	}
	if err := ValidateCatalog(out); err != nil {
		return nil, err
	}
	return out, nil
}

// MaxFee is the largest fee a service may have, in rupiah.
const MaxFee = 1_000_000_000_000

// ValidateCatalog checks a whole catalog: codes unique and well-formed, names
// and documents valid text, SLA and waiting target in range.
func ValidateCatalog(svcs []Service) error {
	if len(svcs) == 0 {
		return Invalid("catalog", "has no services")
	}
	seen := map[string]bool{}
	for i, s := range svcs {
		where := fmt.Sprintf("service %d (%q)", i+1, s.Code)
		if err := ValidateServiceCode(s.Code); err != nil {
			return Invalid("catalog", fmt.Sprintf("%s: %v", where, err))
		}
		if seen[s.Code] {
			return Invalid("catalog", fmt.Sprintf("%s: code %s appears twice", where, s.Code))
		}
		seen[s.Code] = true
		for field, v := range map[string]string{"name_id": s.NameID, "name_en": s.NameEN} {
			if _, err := validateText(field, v, 120, true); err != nil {
				return Invalid("catalog", fmt.Sprintf("%s: %v", where, err))
			}
		}
		if s.SLADays < 0 || s.SLADays > 365 {
			return Invalid("catalog", fmt.Sprintf("%s: sla_days %d is not 0-365", where, s.SLADays))
		}
		if s.TargetWaitMin < 0 || s.TargetWaitMin > 24*60 {
			return Invalid("catalog", fmt.Sprintf("%s: target_wait_minutes %d is not 0-1440", where, s.TargetWaitMin))
		}
		if s.Fee < 0 || s.Fee > MaxFee {
			return Invalid("catalog", fmt.Sprintf("%s: fee %d is not 0-%d rupiah", where, s.Fee, int64(MaxFee)))
		}
		for _, d := range s.Documents {
			if _, err := validateText("documents", d, 200, true); err != nil {
				return Invalid("catalog", fmt.Sprintf("%s: %v", where, err))
			}
		}
	}
	return nil
}
