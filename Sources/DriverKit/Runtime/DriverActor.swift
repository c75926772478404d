/// The one actor all driver code runs on: module hooks, functions, the queue, transports'
/// event handling and the protocol loop. A driver process is mostly waiting on I/O, so one
/// serial executor is enough and spares every module its own locks.
///
/// Its executor is `DriverLoop`: one thread that runs the actor's jobs and also waits for stdin
/// and the device sockets, so I/O is handled on the thread that notices it.
@globalActor public actor DriverActor {
    public static let shared = DriverActor()

    public nonisolated var unownedExecutor: UnownedSerialExecutor {
        DriverLoop.shared.asUnownedSerialExecutor()
    }
}
