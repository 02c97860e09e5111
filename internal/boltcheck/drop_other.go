//go:build !linux

package boltcheck

func dropMapped([]byte) {}
