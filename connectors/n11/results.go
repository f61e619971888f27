package n11

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"time"

	"syncagent/connectors"
	"syncagent/connectors/n11/api"
)

const (
	detailsPage = 1000  // items per task-details page (the documented example asks for 1000)
	maxPages    = 10000 // stops a list that never ends (a server bug) from paging forever
)

// retryReasons are FAIL reasons that pass by themselves, so the item is retried rather
// than dead-lettered. n11 publishes its messages as free Turkish text without codes;
// these words say "try again later" or "temporary" in the two languages.
var retryReasons = regexp.MustCompile(`(?i)tekrar deneyin|daha sonra|geçici|try again|temporar|too many`)

// CheckResults reads task ref's details page by page and gives each item its fate by
// its itemCode (the stockCode, our SKU): SUCCESS is Confirmed, FAIL is Rejected with
// n11's reasons kept word for word (or Retry when they all say to try again). Until the
// task is PROCESSED the items stay Pending.
//
// The task's own answer is not always to be had: a task that stays IN_QUEUE longer than
// StuckAfter, or whose details have vanished (an empty page for a task older than a few
// minutes), is Kind Expired, so the agent reads back what the store shows instead of
// sending the values again blindly. A young task with an empty page stays Pending: n11
// is reported to answer an empty page when it throttles.
func (c *Client) CheckResults(ctx context.Context, ref string, items []connectors.Item) (connectors.Outcomes, error) {
	id, sentAt, dated := parseRef(ref)
	age := time.Duration(1<<63 - 1)
	if dated {
		age = c.clock.Now().Sub(sentAt)
	}
	status, rows, err := c.taskDetails(ctx, id)
	if err != nil {
		return nil, err
	}
	pending := func() connectors.Outcomes {
		out := make(connectors.Outcomes, len(items))
		for _, it := range items {
			out[it.SKU] = connectors.Outcome{Status: connectors.Pending, Ref: ref}
		}
		return out
	}
	switch status {
	case api.TaskInQueue:
		if age > StuckAfter {
			return nil, &connectors.Error{Kind: connectors.Expired,
				Message: fmt.Sprintf("n11 has kept task %s in its queue for %s (more than %s); reading back what the store shows instead of waiting", id, age.Round(time.Second), StuckAfter)}
		}
		return pending(), nil
	case api.TaskReject:
		out := make(connectors.Outcomes, len(items))
		for _, it := range items {
			reason := "n11 rejected task " + id
			if r, ok := rows[it.SKU]; ok && len(r.Reasons) > 0 {
				reason += ": " + strings.Join(r.Reasons, "; ")
			}
			out[it.SKU] = connectors.Outcome{Status: connectors.Rejected, Reason: reason}
		}
		return out, nil
	case api.TaskProcessed:
		out := make(connectors.Outcomes, len(items))
		for _, it := range items {
			r, ok := rows[it.SKU]
			switch {
			case !ok:
				if age < emptyGrace {
					return pending(), nil
				}
				return nil, &connectors.Error{Kind: connectors.Expired,
					Message: fmt.Sprintf("n11's details of task %s do not list SKU %s; reading back what the store shows instead", id, it.SKU)}
			case strings.EqualFold(r.Status, api.SKUSuccess):
				out[it.SKU] = connectors.Outcome{Status: connectors.Confirmed}
			case strings.EqualFold(r.Status, api.SKUFail):
				out[it.SKU] = failed(r.Reasons)
			default:
				out[it.SKU] = connectors.Outcome{Status: connectors.Pending, Ref: ref}
			}
		}
		return out, nil
	}
	// No status and no items: the task is gone (past n11's retention), or the answer was
	// an empty page from throttling. Only a young task gets the benefit of the doubt.
	if age < emptyGrace {
		return pending(), nil
	}
	return nil, &connectors.Error{Kind: connectors.Expired,
		Message: fmt.Sprintf("n11 no longer shows task %s (status %q, no items); reading back what the store shows instead", id, status)}
}

// taskDetails reads every page of a task's details: its status and its items by code.
func (c *Client) taskDetails(ctx context.Context, id string) (string, map[string]api.TaskSKU, error) {
	rows := map[string]api.TaskSKU{}
	status := ""
	for page := 0; page < maxPages; page++ {
		var d api.TaskDetails
		err := c.post(ctx, pathTaskDetails, api.TaskDetailsRequest{TaskID: json.Number(id), Pageable: api.Pageable{Page: page, Size: detailsPage}}, &d)
		if err != nil {
			return "", nil, err
		}
		if st := strings.ToUpper(strings.TrimSpace(d.Status)); st != "" {
			status = st
		}
		for _, r := range d.SKUs.Content {
			rows[r.ItemCode] = r
		}
		if len(d.SKUs.Content) == 0 || page+1 >= d.SKUs.TotalPages {
			return status, rows, nil
		}
	}
	return "", nil, &connectors.Error{Kind: connectors.Permanent,
		Message: fmt.Sprintf("n11's details of task %s did not end after %d pages", id, maxPages)}
}

// failed maps an item's FAIL reasons to Retry when every one of them passes by itself,
// else to Rejected with all of them, word for word.
func failed(reasons []string) connectors.Outcome {
	text := strings.Join(reasons, "; ")
	if strings.TrimSpace(text) == "" {
		return connectors.Outcome{Status: connectors.Rejected, Reason: "n11 marked the item FAIL without a reason"}
	}
	for _, r := range reasons {
		if !retryReasons.MatchString(r) {
			return connectors.Outcome{Status: connectors.Rejected, Reason: text}
		}
	}
	return connectors.Outcome{Status: connectors.Retry, Reason: text}
}
