import Cron

// The cron parser lives in its own module (`Sources/Cron`) so the runtime's triggers share it;
// drivers keep naming its types through DriverKit alone.
public typealias CronExpression = Cron.CronExpression
public typealias CronError = Cron.CronError
