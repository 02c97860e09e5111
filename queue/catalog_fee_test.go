package queue

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

// TestCatalogFee: a service's fee in whole rupiah, from TOML or JSON; absent
// is 0 (free of charge); a negative or absurd fee refuses the whole catalog.
func TestCatalogFee(t *testing.T) {
	tests := []struct {
		name, format, data, errHas string
		fee                        int64
	}{
		{"toml", "toml", "[[service]]\ncode = \"A\"\nname_id = \"a\"\nname_en = \"a\"\nfee = 150000\n", "", 150000},
		{"json", "json", `[{"code":"A","name_id":"a","name_en":"a","fee":2500000}]`, "", 2500000},
		{"absent is free", "json", `[{"code":"A","name_id":"a","name_en":"a"}]`, "", 0},
		{"negative", "json", `[{"code":"A","name_id":"a","name_en":"a","fee":-1}]`, "fee -1", 0},
		{"too large", "toml", "[[service]]\ncode = \"A\"\nname_id = \"a\"\nname_en = \"a\"\nfee = 1000000000001\n", "fee 1000000000001", 0},
		{"not whole rupiah", "json", `[{"code":"A","name_id":"a","name_en":"a","fee":1500.5}]`, "JSON", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			svcs, err := ParseCatalog([]byte(tt.data), tt.format)
			if tt.errHas != "" {
				if err == nil || !strings.Contains(err.Error(), tt.errHas) || !errors.Is(err, ErrInvalid) {
					t.Fatalf("err = %v; want %q", err, tt.errHas)
				}
				return
			}
			if err != nil || svcs[0].Fee != tt.fee {
				t.Fatalf("fee %d, %v; want %d", svcs[0].Fee, err, tt.fee)
			}
		})
	}
}

// TestNewFieldsKeepOldJSON: a service without a fee and a request without
// received documents encode as before (no new keys), so stored catalogs,
// events and their hashes do not change; set, they round-trip.
func TestNewFieldsKeepOldJSON(t *testing.T) {
	svc, _ := json.Marshal(Service{Code: "A", NameID: "a", NameEN: "a", Active: true})
	req, _ := json.Marshal(Request{ID: "x"})
	if strings.Contains(string(svc), "fee") || strings.Contains(string(req), "documents_received") {
		t.Fatalf("new keys in old data: %s %s", svc, req)
	}
	in := Request{ID: "x", DocumentsReceived: []string{"KTP pemohon (asli dan fotokopi)"}}
	data, _ := json.Marshal(in)
	var out Request
	if err := json.Unmarshal(data, &out); err != nil || !strings.Contains(string(data), `"documents_received":["KTP pemohon (asli dan fotokopi)"]`) ||
		len(out.DocumentsReceived) != 1 {
		t.Fatalf("round trip: %s %+v %v", data, out, err)
	}
}
