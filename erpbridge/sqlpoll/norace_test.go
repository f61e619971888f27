//go:build !race

package sqlpoll

const raceEnabled = false
