package main

import (
	"reflect"
	"testing"
	"time"

	"github.com/loket-id/loket/sync/station"
)

// TestUISyncStatusCarriesEveryField: each field of the UI's sync status
// comes from the syncer's field of the same name, so a field added to the
// UI cannot be left at zero by the adapter.
func TestUISyncStatusCarriesEveryField(t *testing.T) {
	in := station.Status{Configured: true, Server: "https://pusat.example", Online: true, Syncing: true, Pending: 7,
		LastSync: time.Unix(100, 0), LastError: "x", Errors: []string{"e1"}, Refused: true, NextTry: time.Unix(200, 0)}
	out := reflect.ValueOf(uiSyncStatus(in))
	src := reflect.ValueOf(in)
	for i := range out.NumField() {
		name := out.Type().Field(i).Name
		from := src.FieldByName(name)
		if !from.IsValid() {
			t.Errorf("tui.SyncStatus.%s has no counterpart in station.Status", name)
			continue
		}
		if !reflect.DeepEqual(out.Field(i).Interface(), from.Interface()) || out.Field(i).IsZero() {
			t.Errorf("%s = %v, want %v", name, out.Field(i), from)
		}
	}
}
