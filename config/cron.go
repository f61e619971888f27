package config

import "github.com/robfig/cron/v3"

// CronParser is the one schedule syntax of the agent: five fields, an optional leading
// seconds field, descriptors such as @hourly and @every 30s, and a CRON_TZ= prefix.
var CronParser = cron.NewParser(cron.SecondOptional | cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)
