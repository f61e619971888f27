package backoff

import (
	"testing"
	"time"
)

func TestNominalDoublesFromBaseAndStopsAtMax(t *testing.T) {
	p := Policy{Base: 30 * time.Second, Max: 4 * time.Minute}
	want := []time.Duration{30 * time.Second, 30 * time.Second, time.Minute, 2 * time.Minute, 4 * time.Minute, 4 * time.Minute}
	for n, w := range want {
		if got := p.Nominal(n); got != w {
			t.Errorf("Nominal(%d) = %s, want %s", n, got, w)
		}
	}
	if got := (Policy{Base: time.Second}).Nominal(11); got != 1024*time.Second {
		t.Errorf("no cap: Nominal(11) = %s, want 1024s", got)
	}
}

func TestDelaySpreadsByJitter(t *testing.T) {
	for _, c := range []struct {
		r    float64
		want time.Duration
	}{{0, 75 * time.Second}, {0.5, 100 * time.Second}, {0.999999, 125 * time.Second}} {
		p := Policy{Base: 100 * time.Second, Max: time.Hour, Jitter: 0.25, Rand: func() float64 { return c.r }}
		if got := p.Delay(1); got.Round(time.Second) != c.want {
			t.Errorf("rand %v: Delay = %s, want %s", c.r, got, c.want)
		}
	}
	p := Policy{Base: time.Second, Max: time.Minute, Jitter: 0.25}
	for i := 0; i < 1000; i++ {
		if d := p.Delay(3); d < 3*time.Second || d > 5*time.Second {
			t.Fatalf("Delay(3) = %s outside 4s ± 25 %%", d)
		}
	}
}
