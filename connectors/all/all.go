// Package all registers every marketplace connector of this build, as rclone's
// backend/all does: the agent imports it for its side effect. Adding a marketplace
// touches its own folder and one line here.
package all

import (
	_ "syncagent/connectors/giyimmoda"   // Giyim Moda seller API
	_ "syncagent/connectors/hepsiburada" // Hepsiburada Marketplace (listing, OMS, catalog tickets)
	_ "syncagent/connectors/ideasoft"    // IdeaSoft Admin API (the merchant's own shop)
	_ "syncagent/connectors/ikas"        // ikas Admin API (GraphQL v2)
	_ "syncagent/connectors/n11"         // n11 REST API (product tasks, shipment packages)
	_ "syncagent/connectors/pazarsync"   // PazarSync REST API (stock only)
	_ "syncagent/connectors/trendyol"    // Trendyol Marketplace
	_ "syncagent/connectors/tsoft"       // T-Soft web shop REST1 web service
)
