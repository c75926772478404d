/// The one actor all driver code runs on: module hooks, functions, the queue, transports'
/// event handling and the protocol loop. A driver process is mostly waiting on I/O, so one
/// serial executor is enough and spares every module its own locks.
@globalActor public actor DriverActor {
    public static let shared = DriverActor()
}
