package api

// TicketDocument is the JSON file of a product-information update (the `file` part of
// POST /ticket-api/api/integrator/import): only the fields to change, per hbSku.
type TicketDocument struct {
	MerchantID string       `json:"merchantId"`
	Items      []TicketItem `json:"items"`
}

// TicketItem is one product's update; numeric-looking fields are strings ([SDK]).
type TicketItem struct {
	HBSku              string  `json:"hbSku"`
	ProductName        *string `json:"productName,omitempty"`
	ProductDescription *string `json:"productDescription,omitempty"`
	KDV                *string `json:"kdv,omitempty"`
}

// MpopReply is the catalog's envelope: a failure is HTTP 200 with success false.
type MpopReply struct {
	Success bool   `json:"success"`
	Code    int    `json:"code"`
	Message string `json:"message"`
}

// TicketImportReply answers the import: {success, code, data:{trackingId}}.
type TicketImportReply struct {
	MpopReply
	Data struct {
		TrackingID string `json:"trackingId"`
	} `json:"data"`
}

// TicketStatusPage is GET /ticket-api/api/integrator/status/{trackingId} (page 0-based).
type TicketStatusPage struct {
	MpopReply
	TotalPages int            `json:"totalPages"`
	Last       bool           `json:"last"`
	Data       []TicketStatus `json:"data"`
}

// TicketStatus holds the items of one merchant.
type TicketStatus struct {
	MerchantID string             `json:"merchantId"`
	Items      []TicketStatusItem `json:"items"`
}

// TicketStatusItem is one product's outcome, per field.
type TicketStatusItem struct {
	HBSku         string         `json:"hbSku"`
	Message       string         `json:"message"`
	ProductStatus string         `json:"productStatus"` // COMPLETED | UNCOMPLETED
	UpdateResults []FieldOutcome `json:"updateResults"`
}

// FieldOutcome is one field's result: APPROVED, REJECTED, IN_PROGRESS, PARTIAL_APPROVED.
type FieldOutcome struct {
	FieldName    string `json:"fieldName"`
	FieldResult  string `json:"fieldResult"`
	RejectReason string `json:"rejectReason"`
}
