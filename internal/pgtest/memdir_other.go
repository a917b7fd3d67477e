//go:build !linux

package pgtest

// memoryDir finds no memory file system off Linux.
func memoryDir() string { return "" }
