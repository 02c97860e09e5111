//go:build !linux

package store

func resetPeak(*Store) {}

func residentMemory() string { return "(not measured here)" }
