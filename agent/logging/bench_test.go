package logging

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"testing"
)

// BenchmarkWrite measures lines/s through the file writer, rotating every ~7,500 lines.
func BenchmarkWrite(b *testing.B) {
	f, err := OpenFile(FileOptions{Dir: b.TempDir(), MaxSize: 1 << 20, MaxFiles: 3})
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	line := testLine(123)
	b.SetBytes(int64(len(line)))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, err := f.Write(line); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "lines/s")
	if f.Stats().Errors != 0 {
		b.Fatal(f.Stats())
	}
}

// BenchmarkLogger measures a typical zerolog line from a component through the file.
func BenchmarkLogger(b *testing.B) {
	log, f, err := New(Options{Dir: b.TempDir(), Level: "info", MaxSizeMB: 1, MaxFiles: 3})
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	l := Store(Component(log, "pusher"), "trendyol-main")
	b.ReportAllocs()
	for b.Loop() {
		l.Info().Int("items", 412).Str("batch", "b-20261123-0042").Msg("stock pushed")
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "lines/s")
}

// BenchmarkPrint measures `syncagent logs` turning JSON lines into readable ones.
func BenchmarkPrint(b *testing.B) {
	dir := b.TempDir()
	var data []byte
	const lines = 20000
	for i := range lines {
		data = append(data, testLine(i)...)
	}
	if err := os.WriteFile(filepath.Join(dir, LiveName), data, 0o644); err != nil {
		b.Fatal(err)
	}
	for _, q := range []struct {
		name string
		q    Query
	}{{"readable", Query{}}, {"json-filtered", Query{JSON: true, Component: "test", MinLevel: "info"}}} {
		b.Run(q.name, func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			for b.Loop() {
				if err := Print(context.Background(), dir, q.q, io.Discard); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N)*lines/b.Elapsed().Seconds(), "lines/s")
		})
	}
	var out bytes.Buffer
	_ = Print(context.Background(), dir, Query{}, &out)
	if bytes.Count(out.Bytes(), []byte("\n")) != lines {
		b.Fatal("lines missing")
	}
}
