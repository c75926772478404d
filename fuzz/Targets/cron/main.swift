import FuzzChecks

// The `cron` fuzz target: see `CronExpressionCheck` for what it asserts.
FuzzEntry.main(CronExpressionCheck.self)
