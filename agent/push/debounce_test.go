package push

import (
	"testing"
	"time"
)

func TestDebouncer(t *testing.T) {
	t0 := time.Date(2026, 10, 1, 12, 0, 0, 0, time.UTC)
	at := func(ms int) time.Time { return t0.Add(time.Duration(ms) * time.Millisecond) }
	type step struct {
		op   string // note, fire, cover, due
		ms   int
		want int // due: expected ms, -1 for none
	}
	tests := []struct {
		name               string
		debounce, maxDelay time.Duration
		steps              []step
	}{
		{"one change: debounce after it", 5 * time.Second, 30 * time.Second, []step{
			{"due", 0, -1}, {"note", 1000, 0}, {"due", 0, 6000},
		}},
		{"a burst moves the push until changes stop", 5 * time.Second, 30 * time.Second, []step{
			{"note", 0, 0}, {"note", 3000, 0}, {"note", 6000, 0}, {"due", 0, 11000},
		}},
		{"a long burst is pushed max_delay after its first change", 5 * time.Second, 30 * time.Second, []step{
			{"note", 0, 0}, {"note", 20000, 0}, {"note", 29000, 0}, {"due", 0, 30000},
		}},
		{"no more often than max_delay", 5 * time.Second, 30 * time.Second, []step{
			{"note", 0, 0}, {"fire", 5000, 0}, {"due", 0, -1},
			{"note", 6000, 0}, {"due", 0, 35000}, // 11s by debounce, but the last push was at 5s
		}},
		{"a quiet store pushes after debounce again", 5 * time.Second, 30 * time.Second, []step{
			{"note", 0, 0}, {"fire", 5000, 0}, {"note", 60000, 0}, {"due", 0, 65000},
		}},
		{"a scheduled push covers pending changes without counting", 5 * time.Second, 30 * time.Second, []step{
			{"note", 0, 0}, {"cover", 1000, 0}, {"due", 0, -1}, {"note", 2000, 0}, {"due", 0, 7000},
		}},
		{"no max_delay: debounce only", 50 * time.Millisecond, 0, []step{
			{"note", 0, 0}, {"note", 40, 0}, {"due", 0, 90}, {"fire", 90, 0}, {"note", 100, 0}, {"due", 0, 150},
		}},
		{"debounce 0: schedule only", 0, 30 * time.Second, []step{
			{"note", 0, 0}, {"due", 0, -1},
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := &debouncer{debounce: tc.debounce, maxDelay: tc.maxDelay}
			for i, s := range tc.steps {
				switch s.op {
				case "note":
					d.Note(at(s.ms))
				case "fire":
					d.Fired(at(s.ms))
				case "cover":
					d.Covered()
				case "due":
					got, ok := d.Due()
					if s.want < 0 {
						if ok {
							t.Fatalf("step %d: due at %v, want nothing pending", i, got.Sub(t0))
						}
						continue
					}
					if !ok || !got.Equal(at(s.want)) {
						t.Fatalf("step %d: due %v (pending %t), want %v", i, got.Sub(t0), ok, at(s.want).Sub(t0))
					}
				}
			}
		})
	}
}
