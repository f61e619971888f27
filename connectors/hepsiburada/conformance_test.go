package hepsiburada_test

import (
	"testing"
	"time"

	"syncagent/connectors"
	"syncagent/connectors/conformance"
	"syncagent/connectors/hepsiburada"
	"syncagent/connectors/sim/hepsiburadasim"
	"syncagent/connectors/sim/simkit"
)

const (
	merchantID = "4b1c0a9e-7d2f-4c1a-9e3b-0f5d8a6b21e2"
	// A canary secret: the suite greps every log line and error for it.
	serviceKey = "hbSERVICEKEY-canary-9f3a71"
	integrator = "acme_dev"
)

// asyncDelay is the simulator's processing time of an upload in the suite.
const asyncDelay = 3 * time.Second

func newSim(t *testing.T, clock simkit.Clock, opt hepsiburadasim.Options) *hepsiburadasim.Server {
	opt.MerchantID, opt.ServiceKey, opt.Integrator = merchantID, serviceKey, integrator
	if opt.Clock == nil {
		opt.Clock = clock
	}
	s := hepsiburadasim.New(opt)
	t.Cleanup(s.Close)
	return s
}

func harness(t *testing.T, clock *simkit.FakeClock) *conformance.Sim {
	s := newSim(t, clock, hepsiburadasim.Options{ProcessingDelay: asyncDelay})
	return &conformance.Sim{
		Store: storeAt(s.URL),
		BreakCredentials: func(st *connectors.Store) {
			st.Credentials["service_key"] = serviceKey + "-wrong"
		},
		Seed: func(t testing.TB, ps []conformance.Product) {
			for _, p := range ps {
				if _, err := s.AddListing(hepsiburadasim.Listing{MerchantSku: p.SKU, Barcode: p.Barcode, Stock: p.Qty, Price: p.Price}); err != nil {
					t.Fatal(err)
				}
			}
		},
		Key:       func(p conformance.Product) string { return p.SKU },
		SetFaults: s.SetFaults,
		State: func(p conformance.Product) connectors.Observed {
			l, ok := s.Listing(p.SKU)
			if !ok {
				return connectors.Observed{}
			}
			return connectors.Observed{Found: true, Qty: &l.Stock, Price: &l.Price}
		},
		Stats:        s.Stats,
		PushEndpoint: hepsiburadasim.EpInventoryUpload,
		ReadEndpoint: hepsiburadasim.EpListings,
		ReadPage:     50,
		AsyncDelay:   asyncDelay,
	}
}

func storeAt(url string) connectors.Store {
	return connectors.Store{
		Name: "hepsiburada-main", Marketplace: hepsiburada.Marketplace, BaseURL: url,
		Credentials: connectors.Credentials{"merchant_id": merchantID, "service_key": serviceKey, "integrator": integrator},
		Scope:       connectors.ScopeStock | connectors.ScopePrice,
	}
}

func TestConformance(t *testing.T) { conformance.Run(t, hepsiburada.Marketplace, harness) }
